"""The corpus timeline: the same event told in several papers merged into one row, and an HTML page.

``build_timeline(events)`` groups event mentions (the consolidated ``events`` table: ``event_id``,
``doc_id``, dates, ``event_type``, ``trigger``, ``location``, ``participants``, ``text``) into merged
events. Two mentions are the same event when they share ``event_type``, their intervals overlap, and
they agree on something concrete: the trigger lemma-ish stem, a location, or a participant. Groups
merge by complete linkage (every pair must be the same event), so a broad mention such as "the 20th
century" never chains distinct decades into one row. The merged interval is the narrowest told one (the most
precise mention wins; ties → the intersection).

``render_html(timeline, events, texts)`` writes one self-contained page (inline CSS and JS, no URLs):
events sorted by date, filters by type and place, and each mention opens its sentence with context
from the paper's canonical text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from pipeline.events.timex import GRANULARITY_ORDER

TIMELINE_COLUMNS = [
    "timeline_id",
    "date_start",
    "date_end",
    "granularity",
    "event_type",
    "label",
    "location",
    "participants",
    "mention_ids",
    "doc_ids",
]
CONTEXT_CHARS = 300


def _parts(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return [str(v) for v in value] if value is not None and not isinstance(value, float) else []


def _stem(word: str) -> str:
    w = re.sub(r"[^a-z]", "", str(word).lower())
    for suf in ("ation", "ions", "ion", "ies", "ed", "es", "s", "ing", "al"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def _norm(s: Any) -> str | None:
    if s is None or (isinstance(s, float) and pd.isna(s)) or s is pd.NA:
        return None
    return re.sub(r"^the\s+", "", str(s).strip().lower()) or None


def same_event(a: dict, b: dict) -> bool:
    """Whether two event mentions tell the same event (see the module docstring)."""
    if a["event_type"] != b["event_type"]:
        return False
    if not (a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]):
        return False
    la, lb = _norm(a.get("location")), _norm(b.get("location"))
    pa = {_norm(p) for p in _parts(a.get("participants"))}
    pb = {_norm(p) for p in _parts(b.get("participants"))}
    if la and lb and la != lb:
        return False
    return _stem(a["trigger"]) == _stem(b["trigger"]) or bool(la and la == lb) or bool(pa & pb - {None})


def build_timeline(events: pd.DataFrame) -> pd.DataFrame:
    """One row per merged event, sorted by date (columns :data:`TIMELINE_COLUMNS`)."""
    rows = events.to_dict("records")
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    members: dict[int, list[int]] = {i: [i] for i in range(len(rows))}
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            gi, gj = find(i), find(j)
            # complete linkage: every pair of the two groups tells the same event, so a broad
            # mention ("the 20th century") never chains distinct decades into one row
            if gi != gj and all(same_event(rows[a], rows[b]) for a in members[gi] for b in members[gj]):
                parent[gj] = gi
                members[gi] += members.pop(gj)
    groups: dict[int, list[dict]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(find(i), []).append(r)
    out: list[dict] = []
    for group in groups.values():
        finest = min(group, key=lambda r: (GRANULARITY_ORDER.index(r["granularity"]), r["date_start"]))
        same = [r for r in group if r["granularity"] == finest["granularity"]]
        start = max(r["date_start"] for r in same)
        end = min(r["date_end"] for r in same)
        if start > end:
            start, end = finest["date_start"], finest["date_end"]
        locs = [r.get("location") for r in group if _norm(r.get("location"))]
        parts: list[str] = []
        for r in group:
            parts += [p for p in _parts(r.get("participants")) if p not in parts]
        location = str(max(set(locs), key=locs.count)) if locs else None
        label = f"{finest['event_type']}: {finest['trigger']}" + (f" ({location})" if location else "")
        ids = sorted(str(r["event_id"]) for r in group)
        out.append(
            {
                "timeline_id": "T" + ids[0][1:],
                "date_start": start,
                "date_end": end,
                "granularity": finest["granularity"],
                "event_type": finest["event_type"],
                "label": label,
                "location": location,
                "participants": parts,
                "mention_ids": ids,
                "doc_ids": sorted({str(r["doc_id"]) for r in group}),
            }
        )
    df = pd.DataFrame(out, columns=TIMELINE_COLUMNS)
    return df.sort_values(["date_start", "date_end", "timeline_id"], ignore_index=True)


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:8px 16px}
main{padding:8px 16px}.ev{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:6px 0;padding:6px 10px}
.date{font-weight:600;min-width:12em;display:inline-block}.type{font-size:12px;padding:1px 6px;border-radius:8px;background:#e8eefc}
.m{margin:4px 0 0 1em;font-size:13px}.m summary{cursor:pointer;color:#235}.ctx{white-space:pre-wrap;color:#555}
mark{background:#ffe58a}"""
_JS = """function f(){var t=document.getElementById('t').value,p=document.getElementById('p').value;
document.querySelectorAll('.ev').forEach(function(e){e.style.display=(!t||e.dataset.type==t)&&(!p||e.dataset.place==p)?'':'none'})}"""


def _options(values: Iterable[str]) -> str:
    return "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in sorted(set(values)) if v)


def render_html(timeline: pd.DataFrame, events: pd.DataFrame, texts: dict[str, str]) -> str:
    """A self-contained page listing ``timeline`` by date, each mention with its sentence in context."""
    by_id = {str(r["event_id"]): r for r in events.to_dict("records")}
    items = []
    for r in timeline.sort_values(["date_start", "date_end"]).to_dict("records"):
        date = r["date_start"] if r["date_start"] == r["date_end"] else f"{r['date_start']} – {r['date_end']}"
        mentions = []
        for mid in r["mention_ids"]:
            m = by_id.get(str(mid))
            if m is None:
                continue
            text = texts.get(str(m["doc_id"]), "")
            s, e = int(m["start"]), int(m["end"])
            before, after = text[max(0, s - CONTEXT_CHARS) : s], text[e : e + CONTEXT_CHARS]
            mentions.append(
                f'<details class="m"><summary>{html.escape(str(m["doc_id"]))}: {html.escape(str(m["date_text"]))}'
                f' — {html.escape(str(m["trigger"]))}</summary><div class="ctx">…{html.escape(before)}'
                f"<mark>{html.escape(text[s:e])}</mark>{html.escape(after)}…</div></details>"
            )
        place = _norm(r["location"]) and str(r["location"]) or ""
        items.append(
            f'<div class="ev" data-type="{html.escape(r["event_type"])}" data-place="{html.escape(place)}" '
            f'data-start="{r["date_start"]}"><span class="date">{html.escape(date)}</span> '
            f'<span class="type">{html.escape(r["event_type"])}</span> {html.escape(r["label"])}'
            f"{' · ' + html.escape(', '.join(r['participants'])) if len(r['participants']) else ''}"
            f"{''.join(mentions)}</div>"
        )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Corpus timeline</title>'
        f"<style>{_CSS}</style></head><body><header><b>Corpus timeline</b> ({len(timeline)} events) "
        f'<select id="t" onchange="f()"><option value="">all types</option>{_options(timeline["event_type"])}</select> '
        f'<select id="p" onchange="f()"><option value="">all places</option>'
        f"{_options(str(v) for v in timeline['location'] if _norm(v))}</select></header><main>{''.join(items)}</main>"
        f"<script>{_JS}</script></body></html>"
    )
