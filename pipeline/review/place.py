"""Placing each decision on the current extractions: the row it judges, or an orphan with the reason.

By id (the row still exists and still covers the decision's words, its context agreeing), else by its
anchor (:func:`.anchor.locate`: position, quote, whitespace, fuzzy; each accepted only where the
words and their context say it is the same place). A decision that cannot be placed is
``orphaned``: never dropped, never applied to other words.

A decision whose outcome the current extraction already carries lands on that row as a no-op
(``Placed.noop`` says why), never on a copy: a relabel ORG → GPE placed again after the extractor
itself changed its label to GPE, a move to boundaries the extractor now finds itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import ADD, ID_COLUMN, MOVE, RELABEL, Anchor, Decision
from pipeline.annotations.policy import (  # noqa: F401  (re-exported: the review stage's outcomes)
    APPLIED,
    CONFLICT,
    INVALID,
    LANDED_ADDED,
    LANDED_RECREATED,
    LANDED_ROW,
    MOOT,
    ORPHANED,
    OUTCOMES,
    SUPERSEDED,
    Placed,
)
from pipeline.consolidate import row_id
from pipeline.core import names
from pipeline.core.document import Document


def text_of(doc: Document | str) -> str:
    return doc if isinstance(doc, str) else doc.text


def new_row_id(table: str, doc_id: str, start: int, end: int, label: str | None, fields: dict[str, Any]) -> str:
    """The id consolidate gives a row with this content (a re-created or added row gets the same)."""
    if table == names.T_ENTITIES:
        return row_id("M", doc_id, start, end, label)
    if table == names.T_FIGURES:
        return row_id("F", doc_id, start, end)
    return row_id("V", doc_id, start, end, fields.get("date_start"), fields.get("date_end"))


def placed_span(p: Placed) -> tuple[int, int]:
    """``(p.start, p.end)`` of a placed decision: :func:`place` sets both before anything reads them."""
    if p.start is None or p.end is None:
        raise RuntimeError(f"decision {p.d.decision_id} has no placed span: read before place() placed it")
    return p.start, p.end


def _move_span(d: Decision) -> Anchor:
    """The new boundaries of a move (check_decision refuses a move without them)."""
    if d.span is None:
        raise RuntimeError(f"move decision {d.decision_id} has no span: check_decision should have refused it")
    return d.span


def _rows_at(table: pd.DataFrame, doc_id: str, start: int, end: int, label: str | None = None) -> pd.DataFrame:
    at = table[(table["doc_id"] == doc_id) & (table["start"] == start) & (table["end"] == end)]
    return at if label is None else at[at["label"] == label]


def place(
    p: Placed,
    tables: dict[str, pd.DataFrame],
    docs: Mapping[str, Document | str],
    params: dict[str, Any],
    moved: Mapping[tuple[str, str], Sequence[tuple[int, int]]] | None = None,
) -> None:
    """Set ``p.key`` (the row it judges) and how it was found, or ``p.outcome = orphaned`` with a reason.

    ``moved``: (table, row id) → the boundaries earlier moves gave that row. A decision made on the reviewed
    state (a relabel on the page after a move in the sheet) names the row's id and its moved words: it lands
    on that row, by id, not on a re-created copy at the new boundaries."""
    d = p.d
    if d.table == names.T_ENTITY_INDEX:
        ids = set(tables[names.T_ENTITY_INDEX]["entity_id"])
        missing = [i for i in (d.target_id, d.other_id) if i is not None and i not in ids]
        if d.target_id is None:
            p.outcome, p.reason = ORPHANED, "an entity_index decision needs target_id (the entity it judges)"
        elif missing:
            p.outcome, p.reason = ORPHANED, f"entity {', '.join(missing)} not in entity_index"
        else:
            p.key, p.method, p.landed = (d.table, d.target_id), anc.ID, LANDED_ROW
        return
    a = d.target
    doc_id = a.doc_id if a else None
    table = tables[d.table]
    idcol = ID_COLUMN[d.table]
    row = None
    if d.target_id is not None and d.action != ADD:
        hit = table[table[idcol] == d.target_id]
        if len(hit):
            row = hit.iloc[0]
            doc_id = doc_id or row["doc_id"]
    if doc_id is None or doc_id not in docs:
        p.outcome, p.reason = ORPHANED, f"document {doc_id!r} not in the corpus"
        return
    text = text_of(docs[doc_id])
    threshold, min_chars = float(params["fuzzy_threshold"]), int(params["min_fuzzy_chars"])
    if row is not None and d.target_id is not None and _still_covers(text, int(row["start"]), int(row["end"]), a):
        p.key, p.method, p.start, p.end = (d.table, d.target_id), anc.ID, int(row["start"]), int(row["end"])
        p.landed = LANDED_ROW
    if p.key is None and row is not None and d.target_id is not None and a is not None:
        for s, e in (moved or {}).get((d.table, d.target_id), ()):
            if _still_covers(text, s, e, a):
                p.key, p.method, p.start, p.end, p.landed = (d.table, d.target_id), anc.ID, s, e, LANDED_ROW
                break
    if p.key is None:
        if a is None:
            p.outcome, p.reason = ORPHANED, f"row {d.target_id} is gone and the decision has no anchor"
            return
        found = anc.locate(text, a, threshold, min_chars)
        if found is None:
            p.outcome, p.reason = ORPHANED, f"quote {a.quote!r} not found in {doc_id} (or not where its context is)"
            return
        p.method, p.start, p.end = found.method, found.start, found.end
        if not _land(p, table, doc_id):
            return
    if d.action == MOVE:
        span = _move_span(d)
        p.new = anc.locate(text, span, threshold, min_chars)
        if p.new is None:
            p.key, p.outcome = None, ORPHANED
            p.reason = f"new boundaries {span.quote!r} not found in {doc_id}"
            return
    _noop_if_done(p, table, doc_id)


def _still_covers(text: str, start: int, end: int, a: Anchor | None) -> bool:
    """Whether the row judged by id still covers the decision's words, where their context agrees."""
    return a is None or (text[start:end] == a.quote and anc.agrees(text, start, end, a) is not None)


def _land(p: Placed, table: pd.DataFrame, doc_id: str) -> bool:
    """The row at the placed span that the decision judges (or the id it re-creates or adds); False: orphaned."""
    d, idcol = p.d, ID_COLUMN[p.d.table]
    label = d.label if d.action == ADD else d.seen.get("label")
    fields = {**d.seen, **d.fields} if d.action == ADD else d.seen
    start, end = placed_span(p)
    at = _rows_at(table, doc_id, start, end)
    if d.table == names.T_ENTITIES and label is not None and len(at):
        at = at[at["label"] == label]
    if d.action != ADD and len(at):
        p.key, p.landed = (d.table, str(at.iloc[0][idcol])), LANDED_ROW
        return True
    if d.table == names.T_ENTITIES and label is None:
        p.outcome, p.reason = ORPHANED, "row is gone and the decision does not record its label (seen.label)"
        return False
    new_id = new_row_id(d.table, doc_id, start, end, label, fields)
    p.key = (d.table, new_id)
    exists = (table[idcol] == new_id).any()
    p.landed = LANDED_ROW if exists else (LANDED_ADDED if d.action == ADD else LANDED_RECREATED)
    return True


def _noop_if_done(p: Placed, table: pd.DataFrame, doc_id: str) -> None:
    """Land a relabel or a move on the row that already carries its outcome (a no-op), never re-create a copy."""
    d, idcol = p.d, ID_COLUMN[p.d.table]
    done = None
    if d.action == RELABEL and d.table == names.T_ENTITIES:
        done = _rows_at(table, doc_id, *placed_span(p), d.label)
        why = f"the row already has the label {d.label}"
    elif d.action == RELABEL:
        column = "kind" if d.table == names.T_FIGURES else "event_type"
        at = _rows_at(table, doc_id, *placed_span(p))
        done = at[at[column] == d.label]
        why = f"the row already has the {column} {d.label}"
    elif d.action == MOVE and p.new is not None:
        label = d.seen.get("label")
        at = _rows_at(table, doc_id, p.new.start, p.new.end, label if d.table == names.T_ENTITIES else None)
        done = at
        why = f"a row already covers the new boundaries [{p.new.start}, {p.new.end})"
    if done is None or not len(done):
        return
    p.key, p.landed, p.noop = (d.table, str(done.iloc[0][idcol])), LANDED_ROW, why
    if d.action == MOVE and p.new is not None:  # a move lands here only on a row at its new boundaries
        p.start, p.end = p.new.start, p.new.end


__all__ = ["Placed", "place", "placed_span", "new_row_id", "text_of", "OUTCOMES", "APPLIED", "ORPHANED", "INVALID"]
