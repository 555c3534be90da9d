"""What an annotator is shown for a second pass: the extractions as the decisions left them.

:func:`reviewed_state` applies every decision in ``reviews/`` to the extracted tables (the review
stage's pure core, so an export is never older than the last import) and returns the span tables
with, per row:

* ``review_status``: accepted / corrected / added / unreviewed, or ``rejected`` for a row a
  decision rejected (kept here, marked, so an export never offers it as a new suggestion);
* the reviewed label, boundaries and fields (a relabel, a move, an edit show their new values);
* ``target_start``/``target_end``: the span of the extraction the row came from (the decision
  anchor of a later decision: it differs from ``start``/``end`` after a move, and an anchor on the
  moved words would not find the extracted row by id).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.annotations.decisions import ID_COLUMN, SPAN_TABLES, load_decisions
from pipeline.core import names
from pipeline.core.document import Document

TARGET_START, TARGET_END = "target_start", "target_end"


def reviewed_state(
    tables: Mapping[str, pd.DataFrame],
    docs: Mapping[str, Document | str],
    reviews: Path | None,
    params: dict[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """The extracted ``tables`` with the decisions under ``reviews`` applied (see the module docstring)."""
    from pipeline.review.apply import apply_decisions

    decisions = load_decisions(Path(reviews)) if reviews is not None and Path(reviews).exists() else []
    result = apply_decisions(dict(tables), docs, decisions, params)
    out = dict(result.tables)
    for table in SPAN_TABLES:
        idcol = ID_COLUMN[table]
        extracted = tables.get(table)
        spans: dict[str, tuple[int, int]] = (
            {r[idcol]: (int(r["start"]), int(r["end"])) for r in extracted.to_dict("records")}
            if extracted is not None
            else {}
        )
        gone = result.rejected[result.rejected["table"] == table]
        rows = [json.loads(r) | {"review_status": names.REJECTED} for r in gone["row"]]
        df = pd.concat([out[table], pd.DataFrame(rows, columns=out[table].columns)], ignore_index=True)
        df["review_status"] = df["review_status"].fillna(names.UNREVIEWED)
        own = list(zip(df["start"].astype(int), df["end"].astype(int)))
        target = [spans.get(rid, se) for rid, se in zip(df[idcol], own)]
        df[TARGET_START] = [s for s, _ in target]
        df[TARGET_END] = [e for _, e in target]
        out[table] = df.sort_values(["doc_id", "start", "end", idcol], kind="stable").reset_index(drop=True)
    return out


__all__ = ["reviewed_state", "TARGET_START", "TARGET_END"]
