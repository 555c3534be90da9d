"""Label Studio round trip: tasks with predictions out, decisions back from its JSON export.

One task per document: ``data.text`` is the canonical text; one prediction holds every extraction
as a labelled region whose ``id`` is the row's stable id (mention_id, figure_id, event_id), with the
figure's or event's normalized fields as per-region TextAreas. ``data.regions`` keeps what was
exported (code-point offsets, label, fields), so the import compares against exactly that.

Label Studio's ``start``/``end`` are JavaScript string indices (UTF-16 code units). They are
converted both ways; on import each region is checked against its ``value.text``, and offsets that
do not reproduce it (Label Studio versions differ here) are re-read as code points, then searched
near the given position; a region that still does not fit keeps its quote, and the review stage
orphans it rather than guessing.

The import reads an annotation's regions against ``data.regions``: kept unchanged → accept,
deleted → reject, label changed → relabel, boundaries changed → move, TextArea changed → edit,
new region → add. Entity regions carry their entity's ``canonical`` name in a TextArea (changed →
an edit of the entity_index row) and two relations between entity regions: ``same_as`` from A to B
merges A's entity into B's (B's id and name stay; A's names become aliases), ``not_same`` from A
to B, when both are one entity, splits mention A off into an entity of its own.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import (
    ACCEPT,
    ADD,
    EDIT,
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
    parse_time,
)
from pipeline.core import names
from pipeline.core.document import Document

log = logging.getLogger(__name__)

# not "EVENT": that is an OntoNotes entity label (names.EVENT)
FIGURE, EVENT = "FIGURE", "DATED_EVENT"
LABEL_TABLE = {FIGURE: names.T_FIGURES, EVENT: names.T_EVENTS}
FROM_LABELS, TO_TEXT = "label", "text"
#: Relations between entity regions: merge their entities / split a mention off its entity.
SAME_AS, NOT_SAME = "same_as", "not_same"
CANONICAL = "canonical"
AREAS: dict[str, tuple[str, ...]] = {
    names.T_ENTITIES: (CANONICAL,),  # the entity's name: an edit goes to the entity_index row
    names.T_FIGURES: ("value", "low", "high", "unit", "object", "place", "time"),
    names.T_EVENTS: ("date_start", "date_end", "event_type", "location"),
}
AREA_NAMES: tuple[str, ...] = tuple(dict.fromkeys(f for fs in AREAS.values() for f in fs))


def label_config() -> str:
    """The labelling interface: entity labels + FIGURE + EVENT over the text, one TextArea per field."""
    labels = "\n".join(f"    <Label value={quoteattr(v)}/>" for v in (*names.ENTITY_LABELS, FIGURE, EVENT))
    areas = "\n".join(
        f'  <TextArea name={quoteattr(f)} toName="text" perRegion="true" editable="true" maxSubmissions="1"\n'
        f'            placeholder={quoteattr(f)} displayMode="region-list"/>'
        for f in AREA_NAMES
    )
    relations = "\n".join(f"    <Relation value={quoteattr(v)}/>" for v in (SAME_AS, NOT_SAME))
    return (
        f"<View>\n  <Relations>\n{relations}\n  </Relations>\n"
        f'  <Labels name="{FROM_LABELS}" toName="{TO_TEXT}">\n{labels}\n  </Labels>\n'
        f'  <Text name="{TO_TEXT}" value="$text" granularity="symbol"/>\n{areas}\n</View>\n'
    )


def _text(doc: Document | str) -> str:
    return doc if isinstance(doc, str) else doc.text


def _fmt(v: Any) -> str | None:
    if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _regions(tables: Mapping[str, pd.DataFrame], doc_id: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    index = tables.get(names.T_ENTITY_INDEX)
    canonical = dict(zip(index["entity_id"], index["canonical"])) if index is not None and len(index) else {}
    for table in SPAN_TABLES:
        df = tables.get(table)
        if df is None or not len(df):
            continue
        for r in df[df["doc_id"] == doc_id].to_dict("records"):
            label = r["label"] if table == names.T_ENTITIES else FIGURE if table == names.T_FIGURES else EVENT
            score = r.get("score") if table == names.T_ENTITIES else None
            src = (
                ",".join(r["sources"])
                if table == names.T_ENTITIES
                else r.get("source") or (names.SRC_FIGURE_RULES if table == names.T_FIGURES else names.SRC_EVENT_RULES)
            )
            out[r[ID_COLUMN[table]]] = {
                "table": table,
                "label": label,
                "start": int(r["start"]),
                "end": int(r["end"]),
                "source": src,
                "score": None if score is None or pd.isna(score) else float(score),
                "fields": (
                    {CANONICAL: _fmt(canonical.get(r["entity_id"]))}
                    if table == names.T_ENTITIES
                    else {f: _fmt(r.get(f)) for f in AREAS.get(table, ())}
                ),
            }
            if table == names.T_ENTITIES:
                out[r[ID_COLUMN[table]]]["entity_id"] = r["entity_id"]
    return out


def export_label_studio(
    tables: Mapping[str, pd.DataFrame], texts: Mapping[str, Document | str]
) -> tuple[list[dict], str]:
    """One task per document (see the module docstring) and the labelling config XML."""
    docs = tables.get(names.T_DOCUMENTS)
    sha = dict(zip(docs["doc_id"], docs["sha256"])) if docs is not None and len(docs) else {}
    tasks = []
    for doc_id in sorted(texts):
        text = _text(texts[doc_id])
        regions = _regions(tables, doc_id)
        result, sources = [], set()
        for rid, g in regions.items():
            s16, e16 = anc.to_utf16(text, g["start"]), anc.to_utf16(text, g["end"])
            item = {
                "id": rid,
                "from_name": FROM_LABELS,
                "to_name": TO_TEXT,
                "type": "labels",
                "value": {"start": s16, "end": e16, "text": text[g["start"] : g["end"]], "labels": [g["label"]]},
                "meta": {"text": [f"{g['table']} from {g['source']}"]},
            }
            if g["score"] is not None:
                item["score"] = g["score"]
            result.append(item)
            sources.update(str(g["source"]).split(","))
            for f, v in g["fields"].items():
                if v is not None:
                    result.append(
                        {
                            "id": rid,
                            "from_name": f,
                            "to_name": TO_TEXT,
                            "type": "textarea",
                            "value": {"start": s16, "end": e16, "text": [v]},
                        }
                    )
        scores = [g["score"] for g in regions.values() if g["score"] is not None]
        tasks.append(
            {
                "data": {"text": text, "doc_id": doc_id, "sha256": sha.get(doc_id), "regions": regions},
                "predictions": [
                    {
                        "model_version": "+".join(sorted(sources)) or "pipeline",
                        "score": round(sum(scores) / len(scores), 4) if scores else None,
                        "result": result,
                    }
                ],
            }
        )
    return tasks, label_config()


# --- import -----------------------------------------------------------------------------------


def _cp_offsets(text: str, value: dict[str, Any]) -> tuple[int, int]:
    """Code-point offsets of a Label Studio region, checked against its ``text``."""
    s, e, quote = int(value["start"]), int(value["end"]), value.get("text")
    tries = []
    try:
        tries.append((anc.from_utf16(text, s), anc.from_utf16(text, e)))
    except ValueError:
        pass
    tries.append((s, e))
    for cs, ce in tries:
        if quote is None or text[cs:ce] == quote:
            return cs, ce
    near = tries[0][0]
    hits = [m.start() for m in re.finditer(f"(?={re.escape(quote)})", text)] if quote else []
    if not hits:
        return tries[0]
    start = min(hits, key=lambda i: (abs(i - near), i))  # the same text: the occurrence nearest the offsets
    return start, start + len(quote)


def _author(ann: dict[str, Any]) -> str:
    who = ann.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or who.get("id") or "unknown")
    return f"labelstudio-user-{who}" if who is not None else "unknown"


def _annotated(text: str, result: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    regions: dict[str, dict[str, Any]] = {}
    for item in result:
        if item.get("type") == "relation":
            continue
        v = item.get("value") or {}
        g = regions.setdefault(item["id"], {"fields": {}})
        if item.get("type") == "labels":
            g["label"] = (v.get("labels") or [None])[0]
            g["start"], g["end"] = _cp_offsets(text, v)
            g["quote"] = v.get("text")
        elif item.get("type") == "textarea":
            g["fields"][item["from_name"]] = "\n".join(v.get("text") or []).strip() or None
    return {k: g for k, g in regions.items() if "label" in g}


def _relations(
    result: list[dict[str, Any]], original: dict[str, dict[str, Any]], mine: dict[str, dict[str, Any]]
) -> list[dict[str, str]]:
    """The ``same_as``/``not_same`` relations between two exported entity regions still in the annotation
    (others are logged and skipped: a relation to a figure or to a new region names no entity)."""
    out, seen = [], set()
    for item in result:
        if item.get("type") != "relation":
            continue
        for label in item.get("labels") or []:
            a, b = item.get("from_id"), item.get("to_id")
            ok = (
                label in (SAME_AS, NOT_SAME)
                and a in mine
                and b in mine
                and a != b
                and all(original.get(x, {}).get("table") == names.T_ENTITIES for x in (a, b))
            )
            if not ok:
                log.warning(
                    "skipped relation %r from %s to %s: only %s/%s between two exported entities count",
                    label,
                    a,
                    b,
                    SAME_AS,
                    NOT_SAME,
                )
            elif (a, b, label) not in seen:
                seen.add((a, b, label))
                out.append({"from_id": a, "to_id": b, "label": label})
    return out


def import_label_studio(
    export_json: list[dict[str, Any]] | str, author: str | None = None, source: str = "export"
) -> list[Decision]:
    """Decisions from a Label Studio JSON export of tasks made by :func:`export_label_studio`.

    Every region is checked (:func:`.decisions.check_decision`); if any cannot be read, raises one
    ``ValueError`` listing each as ``source: task N, annotation M: what is wrong`` and nothing is imported.
    """
    try:
        tasks = json.loads(export_json) if isinstance(export_json, str) else export_json
    except ValueError as e:
        raise ValueError(f"{source}: not JSON ({e}): give the file of Label Studio's Export → JSON") from None
    if not isinstance(tasks, list):
        raise ValueError(f"{source}: a Label Studio JSON export is a list of tasks, not {type(tasks).__name__}")
    out: list[Decision] = []
    errors: list[str] = []
    for n, task in enumerate(tasks, 1):
        for m, ann in enumerate((task.get("annotations") or []) if isinstance(task, dict) else [None], 1):
            where = f"{source}: task {task.get('id', n) if isinstance(task, dict) else n}, annotation {m}"
            try:
                out.extend(_annotation_decisions(task, ann, author))
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                errors.append(f"{where}: {f'missing {e}' if isinstance(e, KeyError) else e}")
    if errors:
        raise ValueError(
            f"{source}: {len(errors)} annotation(s) cannot be read, nothing imported (fix them and import again):\n"
            + "\n".join(errors)
        )
    return out


def _annotation_decisions(task: dict[str, Any], ann: dict[str, Any], author: str | None) -> list[Decision]:
    """The decisions of one annotation of one task (see the module docstring)."""
    out: list[Decision] = []
    data = task["data"]
    text, doc_id, sha = data["text"], data["doc_id"], data.get("sha256")
    original = data.get("regions") or {}
    if ann is None or ann.get("was_cancelled"):
        return out
    who = author or _author(ann)
    when = ann.get("updated_at") or ann.get("created_at") or now()
    when = parse_time(when).isoformat(timespec="seconds").replace("+00:00", "Z")
    mine = _annotated(text, ann.get("result") or [])
    from_prediction = bool(ann.get("parent_prediction")) or bool(set(mine) & set(original))

    entity_edits: dict[str, str] = {}

    def dec(action: str, table: str, **kw: Any) -> None:
        out.append(Decision(action=action, table=table, author=who, created=when, **kw))

    for rid, g in original.items():
        table = g["table"]
        target = Anchor.of(text, doc_id, g["start"], g["end"], sha)
        seen = (
            {"label": g["label"]}
            if table == names.T_ENTITIES
            else {k: v for k, v in g["fields"].items() if v is not None}
        )
        base = {"target_id": rid, "target": target, "seen": seen}
        m = mine.get(rid)
        if m is None:
            if from_prediction:
                dec(REJECT, table, **base)
            continue
        new_table = LABEL_TABLE.get(m["label"], names.T_ENTITIES)
        if new_table != table:
            dec(REJECT, table, note=f"relabelled as {m['label']}", **base)
            mine[rid + "~"] = m
            continue
        changed = False
        if m["label"] != g["label"]:
            dec(RELABEL, table, label=m["label"], **base)
            changed = True
        if (m["start"], m["end"]) != (g["start"], g["end"]):
            dec(MOVE, table, span=Anchor.of(text, doc_id, m["start"], m["end"], sha), **base)
            changed = True
        edits = {
            f: m["fields"].get(f)
            for f in AREAS.get(table, ())
            if (m["fields"].get(f) or None) != (g["fields"].get(f) or None)
        }
        if edits and table == names.T_ENTITIES:
            if edits[CANONICAL]:  # a name, not a judgment of this mention: no accept implied either
                entity_edits.setdefault(g["entity_id"], edits[CANONICAL])
        elif edits:
            dec(EDIT, table, fields=edits, **base)
            changed = True
        if not changed:
            dec(ACCEPT, table, **base)
    for eid, name in sorted(entity_edits.items()):
        dec(EDIT, names.T_ENTITY_INDEX, target_id=eid, fields={CANONICAL: name})
    for rel in _relations(ann.get("result") or [], original, mine):
        a, b = original[rel["from_id"]], original[rel["to_id"]]
        if rel["label"] == SAME_AS and a["entity_id"] != b["entity_id"]:
            dec(
                MERGE,
                names.T_ENTITY_INDEX,
                target_id=b["entity_id"],
                other_id=a["entity_id"],
                seen={CANONICAL: b["fields"].get(CANONICAL)} if b["fields"].get(CANONICAL) else {},
            )
        elif rel["label"] == NOT_SAME and a["entity_id"] == b["entity_id"]:
            dec(
                SPLIT,
                names.T_ENTITIES,
                target_id=rel["from_id"],
                seen={"label": a["label"]},
                target=Anchor.of(text, doc_id, a["start"], a["end"], sha),
            )
    for rid, m in mine.items():
        if rid in original:
            continue
        table = LABEL_TABLE.get(m["label"], names.T_ENTITIES)
        fields = {f: m["fields"][f] for f in AREAS.get(table, ()) if m["fields"].get(f)}
        dec(
            ADD,
            table,
            target=Anchor.of(text, doc_id, m["start"], m["end"], sha),
            label=m["label"] if table == names.T_ENTITIES else None,
            fields=fields,
        )
    return out


__all__ = ["export_label_studio", "import_label_studio", "label_config"]
