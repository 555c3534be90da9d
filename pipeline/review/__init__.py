"""The review layer: annotators' decisions (``reviews/*.jsonl``) applied to the extraction tables.

* :mod:`.decisions` — the decision record and its JSONL files;
* :mod:`.anchor` — re-anchoring a quote in a changed text; UTF-16 ↔ code point offsets;
* :mod:`.apply` — the ``review`` stage (``apply(tables_dir, ingest_dir, reviews_dir, out_dir, params)``);
* :mod:`.labelstudio`, :mod:`.csvsheet` — round trips through Label Studio and a spreadsheet;
* :mod:`.serve` — the built-in review page (``review serve``);
* :mod:`.cli` — ``pipeline review export|import|apply|serve``.
"""

from pipeline.annotations.decisions import Anchor, Decision, append_decisions, load_decisions
from pipeline.review.apply import apply, apply_decisions

__all__ = ["Anchor", "Decision", "append_decisions", "apply", "apply_decisions", "load_decisions"]
