"""The ``review`` stage: join the decisions in ``reviews/`` to the current extractions.

For each decision (:mod:`.decisions`):

1. **place** it: by id (the row still exists and still covers the decision's quote), else by its
   anchor (:func:`.anchor.locate`: position, quote + context, whitespace, fuzzy); unplaceable →
   ``orphaned`` (``review/orphans.parquet``), never dropped and never applied to another span;
2. **resolve** the decisions on one target, aspect by aspect (verdict, label, span, fields …): the
   same author's later decision ``supersedes`` the earlier one; different authors who disagree are
   all flagged ``conflict`` and the policy picks the winner (``latest``, or ``adjudicator:<name>``);
3. **apply** the winners: ``review_status`` becomes accepted / corrected / rejected / added;
   rejected rows move to ``review/rejected.parquet``; added rows carry the source ``annotator``.
   A placed decision whose row is gone re-creates the row from what it records (status ``added``),
   except a reject, which is ``moot``.

Every decision gets one row in ``review/decisions.parquet`` with its outcome and where it landed.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import (
    ACCEPT,
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
    Decision,
    load_decisions,
)
from pipeline.consolidate import provenance, row_id
from pipeline.consolidate.grouping import canonical_name, entity_id, group_key, normalize
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.schema import TABLES, empty_frame, normalize_frame

log = logging.getLogger(__name__)
SUFFIX = ".parquet"
REVIEW_DIR = "review"
APPLIED, SUPERSEDED, CONFLICT, ORPHANED, MOOT = "applied", "superseded", "conflict", "orphaned", "moot"
OUTCOMES: tuple[str, ...] = (APPLIED, SUPERSEDED, CONFLICT, ORPHANED, MOOT)
LANDED_ROW, LANDED_RECREATED, LANDED_ADDED = "row", "recreated", "added"
DEFAULTS: dict[str, Any] = {"policy": "latest", "fuzzy_threshold": 90.0, "min_fuzzy_chars": 8}


@dataclass
class Placed:
    """A decision, where it landed, and its outcome."""

    d: Decision
    file: str = ""
    key: tuple[str, str] | None = None  # (table, row id) it judges
    method: str | None = None
    start: int | None = None
    end: int | None = None
    new: anc.Placement | None = None  # the new boundaries of a move
    landed: str | None = None  # row / recreated / added
    outcome: str | None = None
    conflict_with: list[str] = field(default_factory=list)
    reason: str = ""


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
        return "\n".join([head, *lines])


# --- placing ----------------------------------------------------------------------------------


def _text_of(doc: Document | str) -> str:
    return doc if isinstance(doc, str) else doc.text


def _new_row_id(table: str, doc_id: str, start: int, end: int, label: str | None, fields: dict[str, Any]) -> str:
    if table == names.T_ENTITIES:
        return row_id("M", doc_id, start, end, label)
    if table == names.T_FIGURES:
        return row_id("F", doc_id, start, end)
    return row_id("V", doc_id, start, end, fields.get("date_start"), fields.get("date_end"))


def place(
    p: Placed, tables: dict[str, pd.DataFrame], docs: Mapping[str, Document | str], params: dict[str, Any]
) -> None:
    """Set ``p.key`` (the row it judges) and how it was found, or ``p.outcome = orphaned`` with a reason."""
    d = p.d
    if d.table == names.T_ENTITY_INDEX:
        ids = set(tables[names.T_ENTITY_INDEX]["entity_id"])
        missing = [i for i in (d.target_id, d.other_id) if i is not None and i not in ids]
        if missing:
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
    if doc_id not in docs:
        p.outcome, p.reason = ORPHANED, f"document {doc_id!r} not in the corpus"
        return
    text = _text_of(docs[doc_id])
    if row is not None and (a is None or text[int(row["start"]) : int(row["end"])] == a.quote):
        p.key, p.method, p.start, p.end, p.landed = (
            (d.table, d.target_id),
            anc.ID,
            int(row["start"]),
            int(row["end"]),
            LANDED_ROW,
        )
    elif a is None:
        p.outcome, p.reason = ORPHANED, f"row {d.target_id} is gone and the decision has no anchor"
        return
    else:
        found = anc.locate(text, a, float(params["fuzzy_threshold"]), int(params["min_fuzzy_chars"]))
        if found is None:
            p.outcome, p.reason = ORPHANED, f"quote {a.quote!r} not found in {doc_id}"
            return
        p.method, p.start, p.end = found.method, found.start, found.end
        label = d.label if d.action == ADD else d.seen.get("label")
        fields = {**d.seen, **d.fields} if d.action == ADD else d.seen
        at = table[(table["doc_id"] == doc_id) & (table["start"] == found.start) & (table["end"] == found.end)]
        if d.table == names.T_ENTITIES and label is not None and len(at):
            at = at[at["label"] == label] if (at["label"] == label).any() else at.iloc[:0]
        if d.action != ADD and len(at):
            p.key, p.landed = (d.table, str(at.iloc[0][idcol])), LANDED_ROW
        elif d.table == names.T_ENTITIES and label is None:
            p.outcome, p.reason = ORPHANED, "row is gone and the decision does not record its label (seen.label)"
            return
        else:
            new_id = _new_row_id(d.table, doc_id, found.start, found.end, label, fields)
            exists = (table[idcol] == new_id).any()
            p.key = (d.table, new_id)
            p.landed = LANDED_ROW if exists else (LANDED_ADDED if d.action == ADD else LANDED_RECREATED)
    if d.action == MOVE:
        p.new = anc.locate(text, d.span, float(params["fuzzy_threshold"]), int(params["min_fuzzy_chars"]))
        if p.new is None:
            p.key, p.outcome, p.reason = None, ORPHANED, f"new boundaries {d.span.quote!r} not found in {doc_id}"


# --- resolving --------------------------------------------------------------------------------


def _adjudicator(policy: str) -> str | None:
    kind, _, name = str(policy).partition(":")
    if kind.strip() == "adjudicator" and name.strip():
        return name.strip()
    if kind.strip() != "latest":
        raise ValueError(f"review.policy must be 'latest' or 'adjudicator: <name>', not {policy!r}")
    return None


def _winner(cands: list[Placed], policy: str) -> Placed:
    adj = _adjudicator(policy)
    pool = [p for p in cands if p.d.author == adj] or cands
    return max(pool, key=lambda p: (p.d.when, p.d.decision_id))


def _payload(d: Decision) -> tuple:
    if d.action in (ACCEPT, REJECT):
        return (d.action,)
    span = (d.span.quote, d.span.start, d.span.end) if d.span else None
    return (d.action, d.label, span, json.dumps(d.fields, sort_keys=True, default=str), d.other_id)


def _flag(losers: list[Placed], everyone: list[Placed]) -> None:
    ids = [p.d.decision_id for p in everyone]
    for p in everyone:
        p.conflict_with = sorted(set(p.conflict_with) | {i for i in ids if i != p.d.decision_id})
    for p in losers:
        p.outcome, p.reason = (
            CONFLICT,
            "lost to " + ", ".join(i for i in ids if i not in {q.d.decision_id for q in losers}),
        )


def resolve(group: list[Placed], policy: str) -> None:
    """Set the outcome of every decision on one target (see the module docstring)."""
    by_aspect: dict[str, list[Placed]] = defaultdict(list)
    for p in group:
        by_aspect["verdict" if p.d.action == ADD else p.d.aspect].append(p)
    for ps in by_aspect.values():
        latest: dict[str, Placed] = {}
        for p in sorted(ps, key=lambda p: (p.d.when, p.d.decision_id)):
            if p.d.author in latest:
                latest[p.d.author].outcome = SUPERSEDED
                latest[p.d.author].reason = f"superseded by {p.d.decision_id}"
            latest[p.d.author] = p
        live = list(latest.values())
        payloads = {_payload(p.d) for p in live}
        if (ACCEPT,) in payloads and any(p.d.action == ADD for p in live):
            payloads.discard((ACCEPT,))
        for p in live:
            p.outcome = APPLIED
        if len(payloads) > 1:
            win = _winner(live, policy)
            _flag([p for p in live if _payload(p.d) != _payload(win.d)], live)
    rejects = [p for p in group if p.outcome == APPLIED and p.d.action == REJECT]
    keeps = [p for p in group if p.outcome == APPLIED and p.d.action not in (REJECT, ACCEPT)]
    if rejects and keeps:
        r = rejects[0]
        same = [k for k in keeps if k.d.author == r.d.author]
        for k in same:  # one author changing their mind: the later decision stands
            loser = k if k.d.when < r.d.when else r
            loser.outcome, loser.reason = SUPERSEDED, "superseded by the same author's later decision"
        others = [k for k in keeps if k.d.author != r.d.author and k.outcome == APPLIED]
        if others and r.outcome == APPLIED:
            win = _winner([r, *others], policy)
            _flag([r] if win is not r else others, [r, *others])


# --- applying ---------------------------------------------------------------------------------


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


def _span_update(
    docs, table: str, row: dict, doc_id: str, start: int, end: int, known: dict[tuple[str, str], str]
) -> None:
    row.update(
        {"start": start, "end": end, "text": _text_of(docs[doc_id])[start:end], **_prov(docs, doc_id, start, end)}
    )
    if table == names.T_ENTITIES:
        row["entity_id"] = _entity_of(known, row["label"], row["text"])


def apply_decisions(
    tables: dict[str, pd.DataFrame],
    docs: Mapping[str, Document | str],
    decisions: list[tuple[Decision, str]] | list[Decision],
    params: dict[str, Any] | None = None,
) -> ReviewResult:
    """The pure core of the stage: reviewed tables and the decision log, from tables, texts and decisions."""
    params = {**DEFAULTS, **(params or {})}
    tables = {k: v.copy() for k, v in tables.items()}
    for t in (*SPAN_TABLES, names.T_ENTITY_INDEX):
        tables[t] = normalize_frame(t, tables[t]) if t in tables else empty_frame(t)
    placed = [Placed(*x) if isinstance(x, tuple) else Placed(x) for x in decisions]
    for p in placed:
        place(p, tables, docs, params)
    groups: dict[tuple[str, str], list[Placed]] = defaultdict(list)
    for p in placed:
        if p.key is not None:
            groups[p.key].append(p)
    for g in groups.values():
        resolve(g, params["policy"])

    rows = {t: {r[ID_COLUMN[t]]: r for r in tables[t].to_dict("records")} for t in SPAN_TABLES}
    known = _known_entities(tables[names.T_ENTITIES])
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
        row = rows[table].get(rid)
        created = row is None
        if created:
            if all(p.d.action == REJECT for p in live):
                for p in live:
                    p.outcome, p.reason = MOOT, "the row it rejects no longer exists"
                continue
            first = next((p for p in live if p.d.action == ADD), live[0])
            doc_id = first.d.target.doc_id if first.d.target else None
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
            _span_update(docs, table, row, doc_id, first.start, first.end, known)
            for k in list(row):
                if k in ("value", "low", "high"):
                    row[k] = _coerce(k, row[k])
            rows[table][rid] = row
        corrected = False
        for p in live:
            d = p.d
            if d.action == MOVE:
                _span_update(docs, table, row, row["doc_id"], p.new.start, p.new.end, known)
                corrected = True
            elif d.action == RELABEL:
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
            p.landed = p.landed or LANDED_ROW
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

    mentions = rows[names.T_ENTITIES]
    for p in sorted(entity_moves, key=lambda p: (p.d.when, p.d.decision_id)):
        if p.d.action == MERGE:
            for r in mentions.values():
                if r["entity_id"] == p.d.other_id:
                    r["entity_id"] = p.d.target_id
        elif p.key[1] in mentions:
            r = mentions[p.key[1]]
            r["entity_id"] = p.d.fields.get("entity_id") or row_id("E", "split", p.d.decision_id)
    out = {**tables}
    for t in SPAN_TABLES:
        out[t] = normalize_frame(t, pd.DataFrame(list(rows[t].values())))
    out[names.T_ENTITY_INDEX] = entity_index(out[names.T_ENTITIES], tables[names.T_ENTITY_INDEX], {**kept, **canonical})
    return ReviewResult(
        out, decisions_frame(placed, docs), pd.DataFrame(rejected, columns=REJECTED_COLUMNS), orphans_frame(placed)
    )


def _json_default(v: Any) -> Any:
    if hasattr(v, "tolist"):
        return v.tolist()
    return None if pd.isna(v) else str(v)


def entity_index(mentions: pd.DataFrame, old: pd.DataFrame, canonical: dict[str, str]) -> pd.DataFrame:
    """The entity index rebuilt from the reviewed mentions (consolidate's rules; ``canonical``: names that win)."""
    rows = []
    for eid, g in mentions.groupby("entity_id", sort=True):
        forms = Counter(g["text"])
        rows.append(
            {
                "entity_id": eid,
                "canonical": canonical.get(eid) or canonical_name(forms),
                "label": g["label"].iloc[0],
                "aliases": sorted(forms),
                "n_mentions": len(g),
                "n_docs": g["doc_id"].nunique(),
            }
        )
    return normalize_frame(names.T_ENTITY_INDEX, pd.DataFrame(rows))


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
REJECTED_COLUMNS = ["table", "row_id", "doc_id", "start", "end", "text", "decision_id", "author", "row"]


def decisions_frame(placed: list[Placed], docs: Mapping[str, Document | str] | None = None) -> pd.DataFrame:
    rows = []
    for p in placed:
        d = p.d
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
                "doc_id": d.doc_id,
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
                    _text_of(docs[d.doc_id])[start:end] if docs and start is not None and d.doc_id in docs else None
                ),
                "reason": p.reason or None,
                "decision": json.dumps(d.to_dict(), ensure_ascii=False, sort_keys=True),
            }
        )
    df = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    df["start"] = df["start"].astype("Int64")
    df["end"] = df["end"].astype("Int64")
    return df.sort_values(["created", "decision_id"], kind="stable").reset_index(drop=True)


def orphans_frame(placed: list[Placed]) -> pd.DataFrame:
    df = decisions_frame([p for p in placed if p.outcome == ORPHANED])
    return df[
        [
            "decision_id",
            "file",
            "author",
            "created",
            "action",
            "table",
            "target_id",
            "doc_id",
            "quote",
            "reason",
            "decision",
        ]
    ]


# --- the stage --------------------------------------------------------------------------------


def load_tables(tables_dir: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(Path(tables_dir).glob(f"*{SUFFIX}"))}


def load_docs(ingest_dir: Path) -> dict[str, Document]:
    from pipeline.core.incremental import MANIFEST
    from pipeline.core.io import DOC_SUFFIX, load_document

    docs = (load_document(p) for p in sorted(Path(ingest_dir).glob(f"*{DOC_SUFFIX}")) if p.name != MANIFEST)
    return {d.doc_id: d for d in docs if d.status != names.STATUS_ERROR}


def apply(
    tables_dir: Path, ingest_dir: Path, reviews_dir: Path, out_dir: Path, params: dict[str, Any] | None = None
) -> ReviewResult:
    """Read tables, texts and decisions; write the reviewed tables and ``review/*.parquet`` to ``out_dir``."""
    tables = load_tables(tables_dir)
    docs = load_docs(ingest_dir)
    decisions = load_decisions(reviews_dir) if Path(reviews_dir).exists() else []
    result = apply_decisions(tables, docs, decisions, params)
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

__all__ = ["apply", "apply_decisions", "ReviewResult", "OUTCOMES", "DEFAULTS"]
