"""Label Studio round trip: tasks with predictions out, decisions back from its JSON export.

One task per document: ``data.text`` is the canonical text; one prediction holds every extraction
as it stands after review (:mod:`.state`: relabelled, moved, edited and added rows show their new
values; rejected rows are left out, never offered again) as a labelled region whose ``id`` is the
row's stable id (mention_id, figure_id, event_id), with its fields as per-region TextAreas and
Choices. The labelling config shows a region only its own type's fields (an entity its canonical
name; a figure value, low, high, kind, unit, qualifier, object, place, time; an event its dates,
granularity, type and place), each under its name. ``data.regions`` keeps what was shown (offsets,
label, fields, review status, and the extracted span the decision anchors on), so the import
compares against exactly that.

Offsets are code points, as Label Studio 1.23.2 (``requirements-labelstudio.txt``) counts them in
the regions it shows and creates (tests/test_labelstudio_server.py checks this against the server and
its UI). The import refuses a region whose ``value.text`` is not the canonical text at its offsets,
naming the task and the region: such an export was made by another version or from another text.

The import reads a submitted annotation's regions against ``data.regions`` (by region id, else by
the same span and type): kept unchanged → accept (nothing, for a row an earlier pass already
decided: a second pass that changes nothing adds nothing), deleted → reject (a submitted annotation
judges the whole task, so an annotation with every region deleted rejects them all), label changed
→ relabel, boundaries changed → move, field changed → edit, new region → add. Entity regions carry
their entity's ``canonical`` name in a TextArea (changed → an edit of the entity_index row) and two
relations between entity regions: ``same_as`` from A to B merges A's entity into B's (B's id and
name stay; A's names become aliases), ``not_same`` from A to B, when both are one entity, splits
mention A off into an entity of its own.

Authors: Label Studio's export names an annotation's user by number (``completed_by``); the import
maps it to the user's e-mail with the project's users (``GET /api/users``, saved or fetched), and
stops with the task and the fix when a user cannot be named.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

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
from pipeline.review.state import TARGET_END, TARGET_START

log = logging.getLogger(__name__)

#: The Label Studio release the export and import are made for and tested against.
LABEL_STUDIO_VERSION = "1.23.2"
# not "EVENT": that is an OntoNotes entity label (names.EVENT)
FIGURE, EVENT = "FIGURE", "DATED_EVENT"
LABEL_TABLE = {FIGURE: names.T_FIGURES, EVENT: names.T_EVENTS}
FROM_LABELS, TO_TEXT = "label", "text"
#: Relations between entity regions: merge their entities / split a mention off its entity.
SAME_AS, NOT_SAME = "same_as", "not_same"
CANONICAL = "canonical"
#: Per table, the fields a region of that type shows, in order: a TextArea, or Choices of a vocabulary.
FIELDS: dict[str, tuple[str, ...]] = {
    names.T_ENTITIES: (CANONICAL,),  # the entity's name: an edit goes to the entity_index row
    names.T_FIGURES: ("value", "low", "high", "kind", "unit", "qualifier", "object", "place", "time"),
    names.T_EVENTS: ("date_start", "date_end", "granularity", "event_type", "location"),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "kind": names.FIGURE_KINDS,
    "qualifier": names.QUALIFIERS,
    "granularity": names.GRANULARITIES,
    "event_type": names.EVENT_TYPES,
}
#: What the Info panel calls each field.
TITLES: dict[str, str] = {
    CANONICAL: "entity name (renames the entity everywhere)",
    "value": "value",
    "low": "low (of a range)",
    "high": "high (of a range)",
    "kind": "kind",
    "unit": "unit",
    "qualifier": "qualifier",
    "object": "object (what is counted)",
    "place": "place",
    "time": "time",
    "date_start": "date start (YYYY-MM-DD)",
    "date_end": "date end (YYYY-MM-DD)",
    "granularity": "granularity",
    "event_type": "event type",
    "location": "place",
}
#: Review statuses of rows an earlier pass decided: left unchanged, they add no decision.
DECIDED = frozenset({names.ACCEPTED, names.CORRECTED, names.ADDED})


def _field_xml(f: str) -> str:
    title = f'      <Header value={quoteattr(TITLES[f])} size="6"/>\n'
    if f in CHOICES:
        opts = "".join(f"        <Choice value={quoteattr(v)}/>\n" for v in CHOICES[f])
        return (
            f'{title}      <Choices name={quoteattr(f)} toName={quoteattr(TO_TEXT)} perRegion="true"'
            f' choice="single" showInline="true">\n{opts}      </Choices>\n'
        )
    return (
        f'{title}      <TextArea name={quoteattr(f)} toName={quoteattr(TO_TEXT)} perRegion="true"'
        f' editable="true" maxSubmissions="1" rows="1" placeholder={quoteattr(TITLES[f])}/>\n'
    )


def label_config() -> str:
    """The labelling interface: entity labels + FIGURE + EVENT over the text; a selected region shows
    only its own type's fields (``visibleWhen="region-selected"`` on its labels), each under its name."""
    labels = "\n".join(f"    <Label value={quoteattr(v)}/>" for v in (*names.ENTITY_LABELS, FIGURE, EVENT))
    relations = "\n".join(f"    <Relation value={quoteattr(v)}/>" for v in (SAME_AS, NOT_SAME))
    when = {
        names.T_ENTITIES: ",".join(names.ENTITY_LABELS),
        names.T_FIGURES: FIGURE,
        names.T_EVENTS: EVENT,
    }
    panels = "".join(
        f'  <View visibleWhen="region-selected" whenTagName="{FROM_LABELS}" whenLabelValue={quoteattr(when[t])}>\n'
        f"    <Header value={quoteattr({names.T_ENTITIES: 'Entity', names.T_FIGURES: 'Figure', names.T_EVENTS: 'Event'}[t])}/>\n"
        f"    <View>\n{''.join(_field_xml(f) for f in fs)}    </View>\n  </View>\n"
        for t, fs in FIELDS.items()
    )
    return (
        f"<View>\n  <Relations>\n{relations}\n  </Relations>\n"
        f'  <Labels name="{FROM_LABELS}" toName="{TO_TEXT}">\n{labels}\n  </Labels>\n'
        f'  <Text name="{TO_TEXT}" value="$text" granularity="symbol"/>\n{panels}</View>\n'
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
    """The regions shown for one document: every row not rejected, as the review left it."""
    out: dict[str, dict[str, Any]] = {}
    index = tables.get(names.T_ENTITY_INDEX)
    canonical = dict(zip(index["entity_id"], index["canonical"])) if index is not None and len(index) else {}
    for table in SPAN_TABLES:
        df = tables.get(table)
        if df is None or not len(df):
            continue
        for r in df[df["doc_id"] == doc_id].to_dict("records"):
            status = _fmt(r.get("review_status")) or names.UNREVIEWED
            if status == names.REJECTED:
                continue
            label = r["label"] if table == names.T_ENTITIES else FIGURE if table == names.T_FIGURES else EVENT
            score = r.get("score") if table == names.T_ENTITIES else None
            src = (
                ",".join(r["sources"])
                if table == names.T_ENTITIES
                else r.get("source") or (names.SRC_FIGURE_RULES if table == names.T_FIGURES else names.SRC_EVENT_RULES)
            )
            start, end = int(r["start"]), int(r["end"])
            target = [int(r.get(TARGET_START, start)), int(r.get(TARGET_END, end))]
            out[r[ID_COLUMN[table]]] = {
                "table": table,
                "label": label,
                "start": start,
                "end": end,
                "target": target,
                "status": status,
                "source": src,
                "score": None if score is None or pd.isna(score) else float(score),
                "fields": (
                    {CANONICAL: _fmt(canonical.get(r["entity_id"]))}
                    if table == names.T_ENTITIES
                    else {f: _fmt(r.get(f)) for f in FIELDS[table]}
                ),
                **({"entity_id": r["entity_id"]} if table == names.T_ENTITIES else {}),
            }
    return out


def _info(g: dict[str, Any]) -> str:
    """The region's note in the Info panel: what it is, where it came from, its status and its fields by name."""
    fields = "; ".join(f"{f}: {v}" for f, v in g["fields"].items() if v is not None)
    return f"{g['table']} from {g['source']}; {g['status']}" + (f"; {fields}" if fields else "")


def export_label_studio(
    tables: Mapping[str, pd.DataFrame], texts: Mapping[str, Document | str]
) -> tuple[list[dict], str]:
    """One task per document (see the module docstring) and the labelling config XML.

    ``tables``: the reviewed state (:func:`.state.reviewed_state`), or the extracted tables."""
    docs = tables.get(names.T_DOCUMENTS)
    sha = dict(zip(docs["doc_id"], docs["sha256"])) if docs is not None and len(docs) else {}
    tasks = []
    for doc_id in sorted(texts):
        text = _text(texts[doc_id])
        regions = _regions(tables, doc_id)
        result, sources = [], set()
        for rid, g in regions.items():
            s, e = g["start"], g["end"]
            item = {
                "id": rid,
                "from_name": FROM_LABELS,
                "to_name": TO_TEXT,
                "type": "labels",
                "value": {"start": s, "end": e, "text": text[s:e], "labels": [g["label"]]},
                "meta": {"text": [_info(g)]},
            }
            if g["score"] is not None:
                item["score"] = g["score"]
            result.append(item)
            sources.update(str(g["source"]).split(","))
            for f, v in g["fields"].items():
                if v is None:
                    continue
                if f in CHOICES:
                    value: dict[str, Any] = {"start": s, "end": e, "choices": [v]}
                    kind = "choices"
                else:
                    value, kind = {"start": s, "end": e, "text": [v]}, "textarea"
                result.append({"id": rid, "from_name": f, "to_name": TO_TEXT, "type": kind, "value": value})
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


def check_offsets(task: dict[str, Any], item: dict[str, Any]) -> tuple[int, int]:
    """The code-point offsets of a labelled region, checked against its ``value.text``; a region whose
    text is not the canonical text at its offsets raises, naming the task and the region."""
    text, v = task["data"]["text"], item.get("value") or {}
    try:
        s, e = int(v["start"]), int(v["end"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"region {item.get('id')} ({task['data'].get('doc_id')}): no start/end offsets") from None
    quote = v.get("text")
    if not (0 <= s <= e <= len(text)) or quote is None or text[s:e] != quote:
        raise ValueError(
            f"region {item.get('id')} ({task['data'].get('doc_id')}): its text {quote!r} is not the document's text at "
            f"[{s}, {e}) ({text[s:e] if 0 <= s <= e <= len(text) else 'outside the text'!r}); this export's "
            f"offsets are not code points of this text: export the project from Label Studio "
            f"{LABEL_STUDIO_VERSION} with tasks made by `review export` from the current run"
        )
    return s, e


def _annotated(task: dict[str, Any], result: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    regions: dict[str, dict[str, Any]] = {}
    for item in result:
        if item.get("type") == "relation":
            continue
        v = item.get("value") or {}
        g = regions.setdefault(item["id"], {"fields": {}})
        kind = item.get("type")
        if kind == "labels":
            g["label"] = (v.get("labels") or [None])[0]
            g["start"], g["end"] = check_offsets(task, item)
        elif kind == "textarea":
            g["fields"][item["from_name"]] = "\n".join(v.get("text") or []).strip() or None
        elif kind == "choices":
            g["fields"][item["from_name"]] = (v.get("choices") or [None])[0]
    return {k: g for k, g in regions.items() if "label" in g}


def _match_by_span(mine: dict[str, dict[str, Any]], original: dict[str, dict[str, Any]]) -> None:
    """Give a region the id of the shown region it is, when the UI gave it a new id (same span and type)."""
    free = {(g["start"], g["end"], g["table"]): rid for rid, g in original.items() if rid not in mine}
    for rid in [r for r in mine if r not in original]:
        m = mine[rid]
        key = (m["start"], m["end"], LABEL_TABLE.get(m["label"], names.T_ENTITIES))
        if key in free:
            mine[free.pop(key)] = mine.pop(rid)


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


def users_by_id(users: Any) -> dict[int, str]:
    """``{user id: e-mail (else username)}`` from Label Studio's ``GET /api/users`` answer (a list, or a
    page with ``results``), or from a plain ``{id: name}`` mapping."""
    if isinstance(users, dict) and "results" in users:
        users = users["results"]
    if isinstance(users, dict):
        return {int(k): str(v) for k, v in users.items()}
    return {
        int(u["id"]): str(u.get("email") or u.get("username")) for u in users if u.get("email") or u.get("username")
    }


def _author(ann: dict[str, Any], users: Mapping[int, str]) -> str:
    who = ann.get("completed_by")
    if isinstance(who, dict):
        name = who.get("email") or who.get("username") or users.get(int(who.get("id", -1)))
        if name:
            return str(name)
        who = who.get("id")
    if who is not None and int(who) in users:
        return users[int(who)]
    raise ValueError(
        f"Label Studio user {who!r} has no name here; give the "
        "project's users (review import … --users users.json, saved from GET /api/users, or --url/--token "
        "to ask the server), or --author NAME"
    )


def import_label_studio(
    export_json: list[dict[str, Any]] | str, author: str | None = None, users: Any = None, source: str = "export"
) -> list[Decision]:
    """Decisions from a Label Studio JSON export of tasks made by :func:`export_label_studio`.

    ``users``: Label Studio's users (see :func:`users_by_id`) to name the annotators by e-mail;
    ``author`` overrides them. Every region is checked (its offsets against its text, then
    :func:`.decisions.check_decision`); if any cannot be read, raises one ``ValueError`` listing each
    as ``source: task N, annotation M: what is wrong`` and nothing is imported.
    """
    try:
        tasks = json.loads(export_json) if isinstance(export_json, str) else export_json
    except ValueError as e:
        raise ValueError(f"{source}: not JSON ({e}): give the file of Label Studio's Export → JSON") from None
    if not isinstance(tasks, list):
        raise ValueError(f"{source}: a Label Studio JSON export is a list of tasks, not {type(tasks).__name__}")
    known = users_by_id(users) if users is not None else {}
    out: list[Decision] = []
    errors: list[str] = []
    for n, task in enumerate(tasks, 1):
        for m, ann in enumerate((task.get("annotations") or []) if isinstance(task, dict) else [None], 1):
            where = f"{source}: task {task.get('id', n) if isinstance(task, dict) else n}, annotation {m}"
            try:
                out.extend(_annotation_decisions(task, ann, author, known))
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                errors.append(f"{where}: {f'missing {e}' if isinstance(e, KeyError) else e}")
    if errors:
        raise ValueError(
            f"{source}: {len(errors)} annotation(s) cannot be read, nothing imported (fix them and import again):\n"
            + "\n".join(errors)
        )
    return out


def _annotation_decisions(
    task: dict[str, Any], ann: dict[str, Any] | None, author: str | None, users: Mapping[int, str]
) -> list[Decision]:
    """The decisions of one annotation of one task (see the module docstring)."""
    out: list[Decision] = []
    data = task["data"]
    text, doc_id, sha = data["text"], data["doc_id"], data.get("sha256")
    original = data.get("regions") or {}
    if ann is None or ann.get("was_cancelled"):
        return out
    who = author or _author(ann, users)
    when = ann.get("updated_at") or ann.get("created_at") or now()
    when = parse_time(when).isoformat(timespec="seconds").replace("+00:00", "Z")
    mine = _annotated(task, ann.get("result") or [])
    _match_by_span(mine, original)

    entity_edits: dict[str, str] = {}

    def dec(action: str, table: str, **kw: Any) -> None:
        out.append(Decision(action=action, table=table, author=who, created=when, **kw))

    for rid, g in original.items():
        table = g["table"]
        ts, te = g.get("target") or (g["start"], g["end"])
        target = Anchor.of(text, doc_id, int(ts), int(te), sha)
        seen = (
            {"label": g["label"]}
            if table == names.T_ENTITIES
            else {k: v for k, v in g["fields"].items() if v is not None}
        )
        base = {"target_id": rid, "target": target, "seen": seen}
        m = mine.get(rid)
        if m is None:  # a submitted annotation judges every region of its task
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
            for f in FIELDS.get(table, ())
            if (m["fields"].get(f) or None) != (g["fields"].get(f) or None)
        }
        if edits and table == names.T_ENTITIES:
            if edits[CANONICAL]:  # a name, not a judgment of this mention: no accept implied either
                entity_edits.setdefault(g["entity_id"], edits[CANONICAL])
        elif edits:
            dec(EDIT, table, fields=edits, **base)
            changed = True
        if not changed and g.get("status", names.UNREVIEWED) not in DECIDED:
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
            ts, te = a.get("target") or (a["start"], a["end"])
            dec(
                SPLIT,
                names.T_ENTITIES,
                target_id=rel["from_id"],
                seen={"label": a["label"]},
                target=Anchor.of(text, doc_id, int(ts), int(te), sha),
            )
    for rid, m in mine.items():
        if rid in original:
            continue
        table = LABEL_TABLE.get(m["label"], names.T_ENTITIES)
        fields = {f: m["fields"][f] for f in FIELDS.get(table, ()) if m["fields"].get(f)}
        dec(
            ADD,
            table,
            target=Anchor.of(text, doc_id, m["start"], m["end"], sha),
            label=m["label"] if table == names.T_ENTITIES else None,
            fields=fields,
        )
    return out


__all__ = ["export_label_studio", "import_label_studio", "label_config", "check_offsets", "users_by_id"]
