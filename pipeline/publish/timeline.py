"""The corpus timeline: the same event told in several papers merged into one row.

``build_timeline(events)`` groups event mentions (the consolidated ``events`` table: ``event_id``,
``doc_id``, dates, ``event_type``, ``trigger``, ``location``, ``participants``, ``text``) into merged
events. Two mentions are the same event when they share ``event_type`` and ``granularity`` (a century is
never one row with a decade, nor a year with a day), their intervals overlap, and they agree on something
concrete: the trigger lemma-ish stem, a location, or a participant. Groups merge by complete linkage (every
pair must be the same event), so no mention chains distinct periods into one row. The merged interval is
the intersection of the told ones. :mod:`pipeline.publish.timeline_page` renders the page.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import pandas as pd

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


class _Told(NamedTuple):
    """What :func:`same_event` compares of one mention, normalized once."""

    event_type: Any
    granularity: Any
    start: Any
    end: Any
    location: str | None
    participants: frozenset[str]
    stem: str


def _told(r: dict) -> _Told:
    parts = frozenset(p for p in (_norm(x) for x in _parts(r.get("participants"))) if p is not None)
    return _Told(
        r["event_type"], r["granularity"], r["date_start"], r["date_end"], _norm(r.get("location")), parts,
        _stem(r["trigger"]),
    )  # fmt: skip


def _same(a: _Told, b: _Told) -> bool:
    if a.event_type != b.event_type or a.granularity != b.granularity:
        return False
    if not (a.start <= b.end and b.start <= a.end):
        return False
    if a.location and b.location and a.location != b.location:
        return False
    return a.stem == b.stem or bool(a.location and a.location == b.location) or bool(a.participants & b.participants)


def same_event(a: dict, b: dict) -> bool:
    """Whether two event mentions tell the same event (see the module docstring)."""
    return _same(_told(a), _told(b))


def candidate_pairs(rows: list[dict]) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, sorted, of mentions that :func:`same_event` may join: of one type and
    granularity, with overlapping dates (a sweep over each block sorted by start). Every other pair fails
    :func:`same_event`, so it could never merge two groups (complete linkage asks it of every pair): trying
    only these, in the same order, gives the same timeline as trying all ``n²/2``, in near-linear time for
    a corpus whose events spread over the years."""
    blocks: dict[tuple[Any, Any], list[int]] = {}
    for i, r in enumerate(rows):
        blocks.setdefault((r["event_type"], r["granularity"]), []).append(i)
    pairs = []
    for block in blocks.values():
        order = sorted(block, key=lambda i: (rows[i]["date_start"], i))
        for k, i in enumerate(order):
            end = rows[i]["date_end"]
            for j in order[k + 1 :]:
                if rows[j]["date_start"] > end:  # and so does every later one: no overlap
                    break
                pairs.append((min(i, j), max(i, j)))
    return sorted(pairs)


def build_timeline(events: pd.DataFrame) -> pd.DataFrame:
    """One row per merged event, sorted by date (columns :data:`TIMELINE_COLUMNS`)."""
    rows = events.to_dict("records")
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    told = [_told(r) for r in rows]
    kinds: dict[int, set[_Told]] = {i: {t} for i, t in enumerate(told)}
    for i, j in candidate_pairs(rows):  # in (i, j) order, as if every pair were tried
        gi, gj = find(i), find(j)
        # complete linkage: every pair of the two groups tells the same event, so a broad
        # mention ("the 20th century") never chains distinct decades into one row
        # (over the distinct mentions of each group: a mention told alike twice is compared once)
        if gi != gj and all(_same(a, b) for a in kinds[gi] for b in kinds[gj]):
            parent[gj] = gi
            kinds[gi] |= kinds.pop(gj)
    groups: dict[int, list[dict]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(find(i), []).append(r)
    out: list[dict] = []
    for group in groups.values():
        first = min(group, key=lambda r: r["date_start"])
        start = max(r["date_start"] for r in group)  # intervals that overlap pairwise share this one
        end = min(r["date_end"] for r in group)
        locs = [r.get("location") for r in group if _norm(r.get("location"))]
        parts: list[str] = []
        for r in group:
            parts += [p for p in _parts(r.get("participants")) if p not in parts]
        location = str(max(dict.fromkeys(locs), key=locs.count)) if locs else None  # ties: the first told
        label = f"{first['event_type']}: {first['trigger']}" + (f" ({location})" if location else "")
        ids = sorted(str(r["event_id"]) for r in group)
        out.append(
            {
                "timeline_id": "T" + ids[0][1:],
                "date_start": start,
                "date_end": end,
                "granularity": first["granularity"],
                "event_type": first["event_type"],
                "label": label,
                "location": location,
                "participants": parts,
                "mention_ids": ids,
                "doc_ids": sorted({str(r["doc_id"]) for r in group}),
            }
        )
    df = pd.DataFrame(out, columns=TIMELINE_COLUMNS)
    return df.sort_values(["date_start", "date_end", "timeline_id"], ignore_index=True)
