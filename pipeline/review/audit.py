"""The review stage's audit: every decision's outcome (``review/decisions.parquet``), the orphans, the summary.

One row per decision, and one per invalid line of a decision file (outcome ``invalid``, the line's
``file:line`` and what is wrong in ``reason``, the line itself in ``decision``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.annotations.decisions import InvalidLine
from pipeline.core.document import Document
from pipeline.review.place import APPLIED, INVALID, ORPHANED, OUTCOMES, Placed, text_of


@dataclass
class ReviewResult:
    tables: dict[str, pd.DataFrame]
    decisions: pd.DataFrame
    rejected: pd.DataFrame
    orphans: pd.DataFrame

    def summary(self) -> str:
        c = Counter(self.decisions["outcome"]) if len(self.decisions) else Counter()
        n_conf = int(self.decisions["conflict"].sum()) if len(self.decisions) else 0
        head = (
            f"review: {len(self.decisions)} decisions ({', '.join(f'{c[o]} {o}' for o in OUTCOMES if c[o]) or 'none'}); "
            f"{n_conf} in conflict; {len(self.rejected)} rows rejected; {len(self.orphans)} orphans"
        )
        lines = [
            f"  orphaned {o.decision_id} ({o.action} by {o.author}, {o.file}): {o.reason}"
            for o in self.orphans.itertuples()
        ]
        if lines:
            lines.append(
                "  (kept in review/orphans.parquet: fix the decision or the text, or leave it; see docs/annotating.md)"
            )
        bad = self.decisions[self.decisions["outcome"] == INVALID] if len(self.decisions) else self.decisions
        lines += [f"  invalid {b.file}: {b.reason} (skipped; fix or remove the line)" for b in bad.itertuples()]
        return "\n".join([head, *lines])


DECISION_COLUMNS = [
    "decision_id",
    "file",
    "author",
    "created",
    "action",
    "table",
    "target_id",
    "doc_id",
    "quote",
    "outcome",
    "conflict",
    "conflict_with",
    "anchor_method",
    "landed",
    "landed_id",
    "start",
    "end",
    "landed_text",
    "reason",
    "decision",
]
#: An orphan's audit row: who decided what, on which quote, and why it could not be placed.
ORPHAN_COLUMNS = [*DECISION_COLUMNS[: DECISION_COLUMNS.index("quote") + 1], "reason", "decision"]


def decisions_frame(
    placed: list[Placed], docs: Mapping[str, Document | str] | None = None, invalid: Sequence[InvalidLine] = ()
) -> pd.DataFrame:
    """One row per decision with its outcome and where it landed, and one per invalid line."""
    rows = []
    for p in placed:
        d = p.d
        doc_id = d.doc_id
        start, end = (p.new.start, p.new.end) if p.new and p.outcome == APPLIED else (p.start, p.end)
        rows.append(
            {
                "decision_id": d.decision_id,
                "file": p.file,
                "author": d.author,
                "created": d.created,
                "action": d.action,
                "table": d.table,
                "target_id": d.target_id,
                "doc_id": doc_id,
                "quote": d.target.quote if d.target else None,
                "outcome": p.outcome,
                "conflict": bool(p.conflict_with),
                "conflict_with": p.conflict_with,
                "anchor_method": p.method,
                "landed": p.landed if p.outcome not in (ORPHANED,) else None,
                "landed_id": p.key[1] if p.key else None,
                "start": start,
                "end": end,
                "landed_text": (
                    text_of(docs[doc_id])[start:end]
                    if docs and start is not None and doc_id is not None and doc_id in docs
                    else None
                ),
                "reason": p.reason or None,
                "decision": json.dumps(d.to_dict(), ensure_ascii=False, sort_keys=True, allow_nan=False),
            }
        )
    rows += [_invalid_row(bad) for bad in invalid]
    df = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    df["start"] = df["start"].astype("Int64")
    df["end"] = df["end"].astype("Int64")
    return df.sort_values(["created", "decision_id"], kind="stable", na_position="last").reset_index(drop=True)


def _invalid_row(bad: InvalidLine) -> dict:
    try:
        given = json.loads(bad.text)
    except ValueError:
        given = None
    given = given if isinstance(given, dict) else {}

    def text(key: str) -> str | None:
        return given[key] if isinstance(given.get(key), str) else None

    return {
        **{c: None for c in DECISION_COLUMNS},
        "decision_id": text("decision_id"),
        "file": f"{bad.file}:{bad.line}",
        "author": text("author"),
        "created": text("created"),
        "action": text("action"),
        "table": text("table"),
        "outcome": INVALID,
        "conflict": False,
        "conflict_with": [],
        "reason": bad.error,
        "decision": bad.text,
    }


def orphans_frame(placed: list[Placed]) -> pd.DataFrame:
    df = decisions_frame([p for p in placed if p.outcome == ORPHANED])
    return df[ORPHAN_COLUMNS]


__all__ = ["ReviewResult", "decisions_frame", "orphans_frame", "DECISION_COLUMNS"]
