"""The ``review`` stage: join the decisions in ``reviews/`` to the current extractions.

Each decision (:mod:`.decisions`, validated on the way in: an invalid line is skipped and listed) is

1. **placed** (:mod:`.place`) on the row it judges, or ``orphaned`` (``review/orphans.parquet``),
   never dropped and never applied to other words;
2. **resolved** (:mod:`.resolve`) against the other decisions on that row (supersede, conflict, policy);
3. **applied** (:mod:`.rows`): statuses, corrections, re-created and added rows, the entity index;

and every decision gets one row in ``review/decisions.parquet`` (:mod:`.audit`) with its outcome and
where it landed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.annotations.decisions import MOVE, SPAN_TABLES, Decision, InvalidLine, load_decisions
from pipeline.annotations.policy import resolve
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.params import ReviewParams
from pipeline.core.schema import empty_frame, normalize_frame
from pipeline.review.audit import ReviewResult, decisions_frame, orphans_frame
from pipeline.review.place import ORPHANED, OUTCOMES, Placed, place
from pipeline.review.rows import REJECTED_COLUMNS, apply_winners, entity_index

log = logging.getLogger(__name__)
SUFFIX = ".parquet"
REVIEW_DIR = "review"
DEFAULTS: dict[str, Any] = asdict(ReviewParams())  # the review section's defaults, defined once


def apply_decisions(
    tables: dict[str, pd.DataFrame],
    docs: Mapping[str, Document | str],
    decisions: list[tuple[Decision, str]] | list[Decision],
    params: dict[str, Any] | None = None,
    invalid: Sequence[InvalidLine] = (),
) -> ReviewResult:
    """The pure core of the stage: reviewed tables and the decision log, from tables, texts and decisions
    (``invalid``: the lines of the decision files that are not decisions, listed in the log)."""
    params = {**DEFAULTS, **(params or {})}
    tables = {k: v.copy() for k, v in tables.items()}
    for t in (*SPAN_TABLES, names.T_ENTITY_INDEX):
        tables[t] = normalize_frame(t, tables[t]) if t in tables else empty_frame(t)
    placed = [Placed(*x) if isinstance(x, tuple) else Placed(x) for x in decisions]
    moved: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    # moves first (in time order), so that any decision made on a moved row's new words finds it, whatever
    # the clocks of the two routes say (a sheet import and a page decision can share a second)
    for p in sorted(placed, key=lambda p: (p.d.action != MOVE, p.d.when, p.d.decision_id)):
        place(p, tables, docs, params, moved)
        if p.d.action == MOVE and p.key is not None and p.new is not None and p.outcome != ORPHANED:
            moved[p.key].append((p.new.start, p.new.end))
    groups: dict[tuple[str, str], list[Placed]] = defaultdict(list)
    for p in placed:
        if p.key is not None:
            groups[p.key].append(p)
    for g in groups.values():
        resolve(g, params["policy"])
    out, rejected = apply_winners(tables, docs, groups)
    return ReviewResult(
        out,
        decisions_frame(placed, docs, invalid),
        pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
        orphans_frame(placed),
    )


def load_tables(tables_dir: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(Path(tables_dir).glob(f"*{SUFFIX}"))}


def load_docs(ingest_dir: Path) -> Mapping[str, Document]:
    """The readable documents by id, each opened when a decision first needs it (:class:`.ingested.Documents`)."""
    from pipeline.core.ingested import Documents

    return Documents(ingest_dir)


def apply(
    tables_dir: Path, ingest_dir: Path, reviews_dir: Path, out_dir: Path, params: dict[str, Any] | None = None
) -> ReviewResult:
    """Read tables, texts and decisions; write the reviewed tables and ``review/*.parquet`` to ``out_dir``."""
    tables = load_tables(tables_dir)
    docs = load_docs(ingest_dir)
    invalid: list[InvalidLine] = []
    decisions = load_decisions(reviews_dir, invalid) if Path(reviews_dir).exists() else []
    result = apply_decisions(tables, docs, decisions, params, invalid)
    out_dir = Path(out_dir)
    (out_dir / REVIEW_DIR).mkdir(parents=True, exist_ok=True)
    for name, df in result.tables.items():
        df.to_parquet(out_dir / f"{name}{SUFFIX}", index=False)
    for stale in out_dir.glob(f"*{SUFFIX}"):
        if stale.stem not in result.tables:
            stale.unlink()
    result.decisions.to_parquet(out_dir / REVIEW_DIR / f"decisions{SUFFIX}", index=False)
    result.rejected.to_parquet(out_dir / REVIEW_DIR / f"rejected{SUFFIX}", index=False)
    result.orphans.to_parquet(out_dir / REVIEW_DIR / f"orphans{SUFFIX}", index=False)
    for o in result.orphans.itertuples():
        log.warning("orphaned decision %s (%s, %s): %s", o.decision_id, o.author, o.file, o.reason)
    return result


main = apply

__all__ = [
    "apply",
    "apply_decisions",
    "entity_index",
    "load_docs",
    "load_tables",
    "ReviewResult",
    "OUTCOMES",
    "DEFAULTS",
]
