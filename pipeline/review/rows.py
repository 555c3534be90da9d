"""Applying the winning decisions to the rows: statuses, corrections, re-created and added rows, entity moves.

``review_status`` becomes accepted / corrected / rejected / added; rejected rows move to
``review/rejected.parquet``; added rows carry the source ``annotator``. A placed decision whose row is
gone re-creates the row from what it records (status ``added``), except a reject, which is ``moot``.
A decision that changes nothing (``Placed.noop``: the row already carries its outcome) counts as an
accept. The entity index is rebuilt from the reviewed mentions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.annotations.decisions import (
    ADD,
    EDIT,
    ID_COLUMN,
    MERGE,
    MOVE,
    NUMERIC_FIELDS,
    REJECT,
    RELABEL,
    SPAN_TABLES,
    SPLIT,
)
from pipeline.annotations.placement import Placement
from pipeline.consolidate import entity_index, provenance, row_id
from pipeline.consolidate.grouping import entity_id, group_key, normalize
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.schema import TABLES, normalize_frame
from pipeline.review.place import APPLIED, LANDED_ROW, MOOT, Placed, placed_span, text_of

REJECTED_COLUMNS = ["table", "row_id", "doc_id", "start", "end", "text", "decision_id", "author", "row"]


def _coerce(field_name: str, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if field_name in NUMERIC_FIELDS:
        return float(str(value).replace(",", ""))
    return str(value)


def _prov(docs: Mapping[str, Document | str], doc_id: str, start: int, end: int) -> dict[str, Any]:
    doc = docs[doc_id]
    if isinstance(doc, Document):
        return provenance(doc, start, end)
    return {"section": names.SEC_BODY, "page": None, "x0": None, "top": None, "x1": None, "bottom": None}


def _known_entities(mentions: pd.DataFrame) -> dict[tuple[str, str], str]:
    """``{(label, normalized text): entity_id}`` of the consolidated mentions: the grouping (gazetteer, aliases,
    abbreviations, similarity) that a moved or relabelled mention should keep following."""
    out: dict[tuple[str, str], str] = {}
    for label, text, eid in sorted(zip(mentions["label"], mentions["text"], mentions["entity_id"])):
        out.setdefault((label, normalize(text)), eid)
    return out


def _entity_of(known: dict[tuple[str, str], str], label: str, text: str) -> str:
    """The entity a mention with this label and text belongs to: an existing one that has the same name, else its own."""
    return known.get((label, normalize(text))) or entity_id(label, group_key(label, text, "", {}, {}))


def _landed_key(p: Placed) -> tuple[str, str]:
    """The (table, row id) an applied decision judges: every decision in the groups was placed on one."""
    if p.key is None:
        raise RuntimeError(f"decision {p.d.decision_id} is applied but was placed on no row")
    return p.key


def _moved_to(p: Placed) -> Placement:
    """The new boundaries of an applied move: :func:`~pipeline.review.place.place` orphans a move without them."""
    if p.new is None:
        raise RuntimeError(f"move decision {p.d.decision_id} is applied but has no new boundaries")
    return p.new


def _span_update(
    docs: Mapping[str, Document | str],
    table: str,
    row: dict[str, Any],
    doc_id: str,
    start: int,
    end: int,
    known: dict[tuple[str, str], str],
) -> None:
    row.update(
        {"start": start, "end": end, "text": text_of(docs[doc_id])[start:end], **_prov(docs, doc_id, start, end)}
    )
    if table == names.T_ENTITIES:
        row["entity_id"] = _entity_of(known, row["label"], row["text"])


def apply_winners(
    tables: dict[str, pd.DataFrame],
    docs: Mapping[str, Document | str],
    groups: dict[tuple[str, str], list[Placed]],
) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """The reviewed tables and the rejected rows, from the resolved decisions grouped by the row they judge."""
    # Only the tables a decision changes are taken apart into rows and built again; the others pass through.
    touched = {t for (t, _), g in groups.items() if any(p.outcome == APPLIED for p in g)}
    if names.T_ENTITY_INDEX in touched:  # a merge rewrites the mentions' entity ids
        touched.add(names.T_ENTITIES)
    rows = {t: {r[ID_COLUMN[t]]: r for r in tables[t].to_dict("records")} for t in SPAN_TABLES if t in touched}
    known = _known_entities(tables[names.T_ENTITIES]) if names.T_ENTITIES in touched else {}
    rejected: list[dict[str, Any]] = []
    entity_moves: list[Placed] = []
    canonical: dict[str, str] = {}  # entity_id → its name as an annotator edited it
    kept: dict[str, str] = {}  # entity_id → its name before a merge into it (the survivor's name stays)
    old_names = dict(zip(tables[names.T_ENTITY_INDEX]["entity_id"], tables[names.T_ENTITY_INDEX]["canonical"]))
    for (table, rid), g in sorted(groups.items()):
        live = sorted((p for p in g if p.outcome == APPLIED), key=lambda p: (p.d.when, p.d.decision_id))
        if table == names.T_ENTITY_INDEX:
            for p in live:
                if p.d.action == MERGE:
                    entity_moves.append(p)
                    kept.setdefault(rid, old_names[rid])
                elif p.d.action == EDIT and "canonical" in p.d.fields:
                    canonical[rid] = str(p.d.fields["canonical"])
            continue
        if not live:
            continue
        row: dict[str, Any] | None = rows[table].get(rid)
        created = row is None
        if row is None:
            if all(p.d.action == REJECT for p in live):
                for p in live:
                    p.outcome, p.reason = MOOT, "the row it rejects no longer exists"
                continue
            first = next((p for p in live if p.d.action == ADD), live[0])
            if first.d.target is None:  # place() orphans a decision whose row is gone and that has no anchor
                raise RuntimeError(f"decision {first.d.decision_id} re-creates row {rid} but has no target anchor")
            doc_id = first.d.target.doc_id
            label = first.d.label if first.d.action == ADD else first.d.seen.get("label")
            row = {c: None for c, _ in TABLES[table]["columns"]}
            seen = {
                k: v
                for k, v in {**first.d.seen, **(first.d.fields if first.d.action == ADD else {})}.items()
                if k in row and k not in ("start", "end", "text", "doc_id")
            }
            row.update(seen)
            row.update(
                {ID_COLUMN[table]: rid, "doc_id": doc_id, "label": label}
                if table == names.T_ENTITIES
                else {ID_COLUMN[table]: rid, "doc_id": doc_id}
            )
            if table == names.T_ENTITIES:
                row["sources"], row["score"] = [names.SRC_ANNOTATOR], 1.0
            elif table == names.T_FIGURES:
                row["source"] = names.SRC_ANNOTATOR
            _span_update(docs, table, row, doc_id, *placed_span(first), known)
            for k in list(row):
                if k in ("value", "low", "high"):
                    row[k] = _coerce(k, row[k])
            rows[table][rid] = row
        corrected = False
        for p in live:
            d = p.d
            p.landed = p.landed or LANDED_ROW
            if p.noop:  # the row already carries the decided outcome: nothing changes, it is confirmed
                p.reason = p.reason or f"no-op: {p.noop}"
                continue
            if d.action == MOVE:
                new = _moved_to(p)
                _span_update(docs, table, row, row["doc_id"], new.start, new.end, known)
                corrected = True
            elif d.action == RELABEL:
                if d.label is None:  # check_decision refuses a relabel without a label
                    raise RuntimeError(f"relabel decision {d.decision_id} has no label")
                if table == names.T_ENTITIES:
                    row["label"] = d.label
                    row["entity_id"] = _entity_of(known, d.label, row["text"])
                elif table == names.T_EVENTS:
                    row["event_type"] = d.label
                else:
                    row["kind"] = d.label
                corrected = True
            elif d.action == EDIT:
                for k, v in d.fields.items():
                    row[k] = _coerce(k, v)
                corrected = True
            elif d.action == SPLIT:
                entity_moves.append(p)
                corrected = True
        status = (
            names.REJECTED
            if any(p.d.action == REJECT for p in live)
            else names.ADDED
            if created
            else names.CORRECTED
            if corrected
            else names.ACCEPTED
        )
        row["review_status"] = status
        if status == names.REJECTED:
            p = next(p for p in live if p.d.action == REJECT)
            rejected.append(
                {
                    "table": table,
                    "row_id": rid,
                    "doc_id": row["doc_id"],
                    "start": row["start"],
                    "end": row["end"],
                    "text": row["text"],
                    "decision_id": p.d.decision_id,
                    "author": p.d.author,
                    "row": json.dumps(row, default=_json_default, ensure_ascii=False),
                }
            )
            del rows[table][rid]

    mentions = rows.get(names.T_ENTITIES, {})
    for p in sorted(entity_moves, key=lambda p: (p.d.when, p.d.decision_id)):
        if p.d.action == MERGE:
            for r in mentions.values():
                if r["entity_id"] == p.d.other_id:
                    r["entity_id"] = p.d.target_id
        elif _landed_key(p)[1] in mentions:
            r = mentions[_landed_key(p)[1]]
            r["entity_id"] = p.d.fields.get("entity_id") or row_id("E", "split", p.d.decision_id)
    out = {**tables}
    for t in SPAN_TABLES:
        out[t] = normalize_frame(t, pd.DataFrame(list(rows[t].values())) if t in touched else tables[t])
    if names.T_ENTITIES in touched:
        out[names.T_ENTITY_INDEX] = entity_index(out[names.T_ENTITIES], {**kept, **canonical})
    else:  # the mentions are the consolidated ones: so is their index
        out[names.T_ENTITY_INDEX] = normalize_frame(names.T_ENTITY_INDEX, tables[names.T_ENTITY_INDEX])
    return out, rejected


def _json_default(v: Any) -> Any:
    if hasattr(v, "tolist"):
        return v.tolist()
    return None if pd.isna(v) else str(v)


__all__ = ["apply_winners", "REJECTED_COLUMNS"]
