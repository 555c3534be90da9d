"""The review layer: annotators' decisions (``reviews/*.jsonl``) applied to the extraction tables.

The decision record and its placement are :mod:`pipeline.annotations` (shared with training). Here:

* :mod:`.apply` — the ``review`` stage (``apply(tables_dir, ingest_dir, reviews_dir, out_dir, params)``):
  :mod:`.place` (the row each decision judges, or an orphan), :mod:`.resolve` (supersede, conflict,
  policy), :mod:`.rows` (the winners applied to the rows), :mod:`.audit` (``review/decisions.parquet``);
* :mod:`.labelstudio`, :mod:`.csvsheet` — round trips through Label Studio and a spreadsheet;
* :mod:`.serve` — the built-in review page (``review serve``): :mod:`.session`, :mod:`.handler`,
  ``static/review.html``, :mod:`.pages` (PDF page images);
* :mod:`.cli` — ``pipeline review export|import|apply|serve``.
"""

from pipeline.annotations.decisions import Anchor, Decision, append_decisions, load_decisions
from pipeline.review.apply import apply, apply_decisions

__all__ = ["Anchor", "Decision", "append_decisions", "apply", "apply_decisions", "load_decisions"]
