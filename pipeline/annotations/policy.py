"""The one conflict policy: which of the decisions placed on one target stand.

Used by the review stage (:mod:`pipeline.review.apply`) and by the training labels
(:mod:`pipeline.training.labels`), so a model never learns what the review stage rejected.

Decisions are resolved aspect by aspect (verdict, label, span, fields …). The same author's later
decision ``supersedes`` the earlier one; different authors who disagree are all flagged ``conflict``
and the policy (``review.policy``) picks the winner: ``latest``, or ``adjudicator: <name>`` to let one
person settle disagreements.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import ACCEPT, ADD, REJECT, Decision

APPLIED, SUPERSEDED, CONFLICT, ORPHANED, MOOT, INVALID = (
    "applied",
    "superseded",
    "conflict",
    "orphaned",
    "moot",
    "invalid",
)
OUTCOMES: tuple[str, ...] = (APPLIED, SUPERSEDED, CONFLICT, ORPHANED, MOOT, INVALID)
LANDED_ROW, LANDED_RECREATED, LANDED_ADDED = "row", "recreated", "added"


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
    noop: str = ""  # why the decision changes nothing: the row already carries its outcome


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


__all__ = ["OUTCOMES", "Placed", "resolve"]
