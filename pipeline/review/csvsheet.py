"""A review spreadsheet: one row per extraction out, decisions back in.

The exported CSV shows the extractions as the decisions so far left them (:mod:`.state`): the
row's id, table, document, offsets (code points), label, quote, some context, its normalized fields
and its ``review_status`` (read-only: they say what the annotator saw; a rejected row stays, marked
``rejected``; ``target_start``/``target_end`` are the extracted span a moved row's decisions anchor
on), then empty decision columns the annotator fills (a second pass fills only what it changes):

* ``decision``: ``accept``, ``reject``, ``fix`` (apply the ``new_*`` columns) or ``add`` (a new
  row: give doc_id, table, start/end, label and fields); on an entity mention also ``split`` (the
  mention leaves its entity: for a new entity of its own, or for ``new_entity_id``) and ``merge``
  (the mention's whole entity joins ``new_entity_id``); empty = not reviewed;
* ``new_label``, ``new_start``, ``new_end``: a relabel or new boundaries;
* ``new_fields``: field edits as ``unit=km2; place=Buenos Aires`` (an empty value clears the field);
* ``new_entity_id``: the entity a ``merge`` or ``split`` joins (an ``entity_id`` of the sheet);
* ``note``: free text kept with the decision.

Mention rows show their ``entity_id`` and its ``canonical`` name. After the mentions, one row per
entity (``table`` = ``entity_index``, ``quote`` = its name, ``context`` = its aliases) takes
``fix`` with ``new_fields`` ``canonical=…`` (rename the entity) or ``merge`` with ``new_entity_id``
(this entity's mentions join that entity, whose id and name stay).

Cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (formula injection in
spreadsheets) and cells that start with ``'`` are written with a leading ``'``; the import removes it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.annotations.decisions import (
    ACCEPT,
    ADD,
    CONTEXT,
    EDIT,
    EDITABLE,
    ID_COLUMN,
    MERGE,
    MOVE,
    REJECT,
    RELABEL,
    SPAN_TABLES,
    SPLIT,
    Anchor,
    Decision,
    now,
)
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.schema import spreadsheet_safe, spreadsheet_text
from pipeline.review.state import TARGET_END, TARGET_START

CONTEXT_CHARS = 60
FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for t in SPAN_TABLES for f in EDITABLE[t]))
DECISION_COLUMNS = ("decision", "new_label", "new_start", "new_end", "new_fields", "new_entity_id", "note")
COLUMNS = (
    "table",
    "id",
    "doc_id",
    "sha256",
    "start",
    "end",
    "label",
    "quote",
    "context",
    "entity_id",
    "canonical",
    "review_status",
    *FIELDS,
    TARGET_START,
    TARGET_END,
    *DECISION_COLUMNS,
)
FIX = "fix"


def escape_cell(v: Any) -> str:
    s = "" if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)) else str(v)
    if isinstance(v, float) and v.is_integer():
        s = str(int(v))
    return spreadsheet_safe(s)


def unescape_cell(s: str | None) -> str:
    return spreadsheet_text(s or "")


def _text(doc: Document | str) -> str:
    return doc if isinstance(doc, str) else doc.text


def export_sheet(tables: Mapping[str, pd.DataFrame], texts: Mapping[str, Document | str]) -> str:
    """The review sheet as CSV text (UTF-8, one row per extraction, sorted by document and offset).

    ``tables``: the reviewed state (:func:`.state.reviewed_state`), or the extracted tables."""
    docs = tables.get(names.T_DOCUMENTS)
    sha = dict(zip(docs["doc_id"], docs["sha256"])) if docs is not None and len(docs) else {}
    index = tables.get(names.T_ENTITY_INDEX)
    index = index if index is not None else pd.DataFrame(columns=["entity_id", "canonical", "label", "aliases"])
    canonical = dict(zip(index["entity_id"], index["canonical"]))
    rows = []
    for table in SPAN_TABLES:
        df = tables.get(table)
        if df is None:
            continue
        for r in df.to_dict("records"):
            if r["doc_id"] not in texts:
                continue
            text, s, e = _text(texts[r["doc_id"]]), int(r["start"]), int(r["end"])
            ctx = f"{text[max(0, s - CONTEXT_CHARS) : s]}[[{text[s:e]}]]{text[e : e + CONTEXT_CHARS]}".replace(
                "\n", " "
            )
            label = (
                r.get("label")
                if table == names.T_ENTITIES
                else r.get("kind")
                if table == names.T_FIGURES
                else r.get("event_type")
            )
            rows.append(
                {
                    "table": table,
                    "id": r[ID_COLUMN[table]],
                    "doc_id": r["doc_id"],
                    "sha256": sha.get(r["doc_id"]),
                    "start": s,
                    "end": e,
                    "label": label,
                    "quote": text[s:e],
                    "context": ctx,
                    **(
                        {"entity_id": r["entity_id"], "canonical": canonical.get(r["entity_id"])}
                        if table == names.T_ENTITIES
                        else {}
                    ),
                    "review_status": r.get("review_status") or names.UNREVIEWED,
                    **{f: r.get(f) for f in EDITABLE[table]},
                    **(
                        {TARGET_START: int(r[TARGET_START]), TARGET_END: int(r[TARGET_END])}
                        if pd.notna(r.get(TARGET_START)) and (int(r[TARGET_START]), int(r[TARGET_END])) != (s, e)
                        else {}
                    ),
                }
            )
    rows.sort(key=lambda r: (r["doc_id"], r["start"], r["end"], r["table"], r["id"]))
    shown = {r["entity_id"] for r in rows if r["table"] == names.T_ENTITIES}
    for r in index.sort_values(["label", "canonical", "entity_id"]).to_dict("records"):
        if r["entity_id"] in shown:
            rows.append(
                {
                    "table": names.T_ENTITY_INDEX,
                    "id": r["entity_id"],
                    "label": r["label"],
                    "quote": r["canonical"],
                    "context": "aliases: " + " | ".join(r["aliases"]),
                    "entity_id": r["entity_id"],
                    "canonical": r["canonical"],
                }
            )
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([escape_cell(r.get(c)) for c in COLUMNS])
    return buf.getvalue()


def parse_fields(s: str) -> dict[str, str | None]:
    """``"unit=km2; place=Buenos Aires"`` → ``{"unit": "km2", "place": "Buenos Aires"}``."""
    out: dict[str, str | None] = {}
    for part in s.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"new_fields: {part.strip()!r} is not field=value")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip() or None
    return out


def import_sheet(
    csv_text: str, texts: Mapping[str, Document | str], author: str, created: str | None = None, source: str = "sheet"
) -> list[Decision]:
    """Decisions from a filled review sheet (``source``: its file name, for messages).

    Every row is checked (:func:`.decisions.check_decision`, offsets against the document's text); if
    any cannot be read, raises one ``ValueError`` listing each as ``source:line: what is wrong``, and
    nothing is imported: fix the rows and import the sheet again.
    """
    created = created or now()
    out: list[Decision] = []
    errors: list[str] = []
    for n, raw in enumerate(csv.DictReader(io.StringIO(csv_text)), 2):
        r = {k: unescape_cell(v) for k, v in raw.items() if k}
        what = r.get("decision", "").strip().lower()
        if not what:
            continue
        try:
            out.extend(_row_decisions(r, what, texts, author, created))
        except (ValueError, KeyError) as e:
            why = f"missing column {e}" if isinstance(e, KeyError) else str(e)
            errors.append(f"{source}:{n}: {why}")
    if errors:
        raise ValueError(
            f"{source}: {len(errors)} row(s) cannot be read, nothing imported (fix them and import again):\n"
            + "\n".join(errors)
        )
    return out


def _offset(r: dict[str, str], key: str) -> int:
    v = (r.get(key) or "").strip()
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"{key} {v!r} is not an integer (code points of the canonical text, as exported)") from None


def _span(r: dict[str, str], text: str, keys: tuple[str, str] = ("start", "end")) -> tuple[int, int]:
    s, e = _offset(r, keys[0]), _offset(r, keys[1])
    if not 0 <= s <= e <= len(text):
        raise ValueError(
            f"{keys[0]}..{keys[1]} {s}..{e} is not within the text of {r['doc_id']} (0..{len(text)} code points)"
        )
    return s, e


def _context(r: dict[str, str], quote: str) -> tuple[str, str]:
    """The prefix and suffix the annotator saw, from the ``context`` column (``…[[quote]]…``)."""
    ctx = r.get("context") or ""
    marked = f"[[{quote}]]".replace("\n", " ")
    if marked not in ctx:
        return "", ""
    before, after = ctx.split(marked, 1)
    return before[-CONTEXT:], after[:CONTEXT]


def _entity_decisions(r: dict[str, str], what: str, author: str, created: str) -> list[Decision]:
    """An entity_index row: ``fix`` (canonical=…) or ``merge`` into ``new_entity_id``."""
    common: dict[str, Any] = {
        "table": names.T_ENTITY_INDEX,
        "author": author,
        "created": created,
        "note": r.get("note") or None,
        "seen": {"canonical": r["canonical"]} if r.get("canonical") else {},
    }
    if what == MERGE:
        if not r.get("new_entity_id"):
            raise ValueError("decision 'merge' needs new_entity_id (the entity to merge into)")
        return [Decision(MERGE, target_id=r["new_entity_id"], other_id=r["id"], **common)]
    if what == FIX:
        fields = parse_fields(r.get("new_fields", ""))
        if set(fields) != {"canonical"} or not fields["canonical"]:
            raise ValueError("on an entity, 'fix' takes new_fields canonical=<the name>")
        return [Decision(EDIT, target_id=r["id"], fields=fields, **common)]
    raise ValueError(f"decision {what!r} on an entity is not one of fix, merge")


def _row_decisions(r: dict[str, str], what: str, texts, author: str, created: str) -> list[Decision]:
    table, doc_id = r["table"], r["doc_id"]
    if table == names.T_ENTITY_INDEX:
        return _entity_decisions(r, what, author, created)
    if doc_id not in texts:
        raise ValueError(f"unknown document {doc_id!r}")
    text = _text(texts[doc_id])
    sha = r.get("sha256") or None
    common: dict[str, Any] = {"table": table, "author": author, "created": created, "note": r.get("note") or None}
    new_fields = parse_fields(r.get("new_fields", ""))
    if what == ADD:
        s, e = _span(r, text)
        label = r.get("new_label") or r.get("label") or None
        return [
            Decision(
                ADD,
                target=Anchor.of(text, doc_id, s, e, sha),
                label=label if table == names.T_ENTITIES else None,
                fields={**{f: r[f] for f in EDITABLE[table] if r.get(f)}, **new_fields},
                **common,
            )
        ]
    s, e = _offset(r, "start"), _offset(r, "end")
    quote = r.get("quote", "")
    if r.get(TARGET_START) and r.get(TARGET_END):  # a moved row: its decisions anchor on the extracted span
        target = Anchor.of(text, doc_id, *_span(r, text, (TARGET_START, TARGET_END)), sha)
    elif 0 <= s <= e <= len(text) and text[s:e] == quote:
        target = Anchor.of(text, doc_id, s, e, sha)
    else:  # the text changed since export: the quote and the context the annotator saw are the truth
        target = Anchor(doc_id, quote, s, e, *_context(r, quote), sha)
    seen = {k: r[k] for k in EDITABLE[table] if r.get(k)}
    if table == names.T_ENTITIES and r.get("label"):
        seen["label"] = r["label"]
    base: dict[str, Any] = {"target_id": r["id"], "target": target, "seen": seen, **common}
    if what in (ACCEPT, REJECT):
        return [Decision(what, **base)]
    if table == names.T_ENTITIES and what == SPLIT:
        into = r.get("new_entity_id")
        return [Decision(SPLIT, fields={"entity_id": into} if into else {}, **base)]
    if table == names.T_ENTITIES and what == MERGE:
        if not (r.get("new_entity_id") and r.get("entity_id")):
            raise ValueError("decision 'merge' needs new_entity_id (the entity to merge into)")
        return [
            Decision(
                MERGE,
                names.T_ENTITY_INDEX,
                author,
                created,
                target_id=r["new_entity_id"],
                other_id=r["entity_id"],
                note=r.get("note") or None,
            )
        ]
    if what != FIX:
        extra = ", split, merge" if table == names.T_ENTITIES else ""
        raise ValueError(f"decision {what!r} is not one of accept, reject, fix, add{extra}")
    out = []
    if r.get("new_label") and r["new_label"] != r.get("label"):
        out.append(Decision(RELABEL, label=r["new_label"], **base))
    ns, ne = _span(
        {**r, "new_start": r.get("new_start") or r["start"], "new_end": r.get("new_end") or r["end"]},
        text,
        ("new_start", "new_end"),
    )
    if (ns, ne) != (s, e):
        out.append(Decision(MOVE, span=Anchor.of(text, doc_id, ns, ne, sha), **base))
    if new_fields:
        out.append(Decision(EDIT, fields=new_fields, **base))
    if not out:
        raise ValueError("decision 'fix' but no new_label, new_start/new_end or new_fields")
    return out


def write_sheet(path: Path, tables: Mapping[str, pd.DataFrame], texts: Mapping[str, Document | str]) -> None:
    Path(path).write_text(export_sheet(tables, texts), encoding="utf-8", newline="")


__all__ = ["export_sheet", "import_sheet", "escape_cell", "unescape_cell", "write_sheet"]
