"""Review decisions as data: one JSON object per line in ``reviews/*.jsonl``, never rewritten.

A :class:`Decision` names its target twice: by the stable row id the pipeline gave it
(``target_id``: a mention_id, figure_id, event_id or entity_id) and by an :class:`Anchor` over the
canonical text (a W3C TextQuoteSelector + TextPositionSelector: exact quote, prefix, suffix,
start/end in code points, end-exclusive, plus the document's id and sha256). The id is fast; the
anchor survives a change of ingestion or extractors (:mod:`.anchor`).

One decision, one action (``ACTIONS``). What the action needs:

==========  =====================================================================================
accept      nothing
reject      nothing
relabel     ``label`` (the new label)
move        ``span`` (the new boundaries: an :class:`Anchor` with the new quote and start/end)
edit        ``fields`` (normalized fields: figure value/low/high/unit/object/place/time, event
            date_start/date_end/event_type/location, entity_index canonical)
add         ``table``, ``target`` (the span), ``label`` (entities) and ``fields``
merge       ``target_id`` and ``other_id``: two entity_ids, the second becomes an alias group of the first
split       a mention (``target_id`` + ``target``) leaves its entity for a new one (``fields.entity_id``
            optional: joins that entity instead)
==========  =====================================================================================

``seen`` is what the annotator saw (label and normalized fields): with it a decision whose row
has vanished (an extractor rule was removed) can re-create the row it judged.

Files are append-only: a correction is a new decision (the latest by the same author on the same
target and aspect supersedes the earlier one); nothing is ever edited in place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dc_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.core import names

ACCEPT, REJECT, RELABEL, MOVE, EDIT, ADD, MERGE, SPLIT = (
    "accept",
    "reject",
    "relabel",
    "move",
    "edit",
    "add",
    "merge",
    "split",
)
ACTIONS: tuple[str, ...] = (ACCEPT, REJECT, RELABEL, MOVE, EDIT, ADD, MERGE, SPLIT)
#: Tables whose rows are spans in a text (anchored decisions), and the id column of every table.
SPAN_TABLES: tuple[str, ...] = (names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS)
ID_COLUMN: dict[str, str] = {
    names.T_ENTITIES: "mention_id",
    names.T_FIGURES: "figure_id",
    names.T_EVENTS: "event_id",
    names.T_ENTITY_INDEX: "entity_id",
}
#: The normalized fields an ``edit`` decision may change, per table.
EDITABLE: dict[str, tuple[str, ...]] = {
    names.T_FIGURES: ("value", "low", "high", "kind", "unit", "qualifier", "object", "place", "time"),
    names.T_EVENTS: ("date_text", "date_start", "date_end", "granularity", "date_mod", "event_type", "location"),
    names.T_ENTITIES: (),
    names.T_ENTITY_INDEX: ("canonical",),
}
NUMERIC_FIELDS: frozenset[str] = frozenset({"value", "low", "high"})
FILE_SUFFIX = ".jsonl"
CONTEXT = 32  # code points of prefix/suffix kept in an anchor


@dataclass(frozen=True)
class Anchor:
    """Where a span lies: TextQuoteSelector (quote, prefix, suffix) + TextPositionSelector (start, end)."""

    doc_id: str
    quote: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""
    sha256: str | None = None

    @classmethod
    def of(
        cls, text: str, doc_id: str, start: int, end: int, sha256: str | None = None, context: int = CONTEXT
    ) -> Anchor:
        """The anchor of ``text[start:end]`` (code points, end-exclusive)."""
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"{doc_id}: span [{start}, {end}) outside a text of {len(text)} code points")
        return cls(
            doc_id,
            text[start:end],
            start,
            end,
            text[max(0, start - context) : start],
            text[end : end + context],
            sha256,
        )

    def to_w3c(self) -> list[dict[str, Any]]:
        """The W3C Web Annotation selectors of this anchor."""
        return [
            {"type": "TextQuoteSelector", "exact": self.quote, "prefix": self.prefix, "suffix": self.suffix},
            {"type": "TextPositionSelector", "start": self.start, "end": self.end},
        ]


@dataclass(frozen=True)
class Decision:
    """One annotator's judgment on one extraction (see the module docstring for the actions)."""

    action: str
    table: str
    author: str
    created: str
    target_id: str | None = None
    target: Anchor | None = None
    label: str | None = None
    span: Anchor | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    other_id: str | None = None
    seen: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    decision_id: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r} (one of: {', '.join(ACTIONS)})")
        if self.table not in ID_COLUMN:
            raise ValueError(f"unknown table {self.table!r} (one of: {', '.join(ID_COLUMN)})")
        need = {RELABEL: self.label, MOVE: self.span, EDIT: self.fields or None, ADD: self.target, MERGE: self.other_id}
        if self.action in need and need[self.action] is None:
            raise ValueError(
                f"a {self.action} decision needs "
                + {RELABEL: "label", MOVE: "span", EDIT: "fields", ADD: "target", MERGE: "other_id"}[self.action]
            )
        if self.action != ADD and not (self.target_id or self.target):
            raise ValueError(f"a {self.action} decision needs target_id or target")
        bad = set(self.fields) - set(EDITABLE[self.table]) - {"entity_id"}
        if self.action == EDIT and bad:
            raise ValueError(f"fields not editable in {self.table}: {', '.join(sorted(bad))}")
        if not self.decision_id:
            object.__setattr__(self, "decision_id", decision_id(self.to_dict()))

    @property
    def aspect(self) -> str:
        """What part of the target the decision judges: decisions on different aspects combine."""
        if self.action in (ACCEPT, REJECT):
            return "verdict"
        if self.action == EDIT:
            return "fields:" + ",".join(sorted(self.fields))
        if self.action == MERGE:  # merging B into A and C into A are two judgments, not a change of mind
            return f"merge:{self.other_id}"
        return self.action

    @property
    def doc_id(self) -> str | None:
        return self.target.doc_id if self.target else None

    @property
    def when(self) -> datetime:
        return parse_time(self.created)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: v for k, v in d.items() if v not in (None, {}, "")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Decision:
        known = {f.name for f in dc_fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown keys {', '.join(sorted(unknown))}")
        d = dict(d)
        for key in ("target", "span"):
            if d.get(key) is not None:
                d[key] = Anchor(**d[key])
        return cls(**d)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(s: str) -> datetime:
    t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def decision_id(d: dict[str, Any]) -> str:
    """A content hash: the same decision written twice has the same id."""
    body = {k: v for k, v in d.items() if k != "decision_id"}
    return "D" + hashlib.sha1(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def read_decisions(path: Path) -> list[Decision]:
    """The decisions of one JSONL file; a bad line raises with its file and line number."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Decision.from_dict(json.loads(line)))
        except (ValueError, TypeError) as e:
            raise ValueError(f"{path}:{n}: bad decision: {e}") from e
    return out


def load_decisions(reviews_dir: Path) -> list[tuple[Decision, str]]:
    """Every decision under ``reviews_dir`` with the file it came from (ids deduplicated).

    The same decision in two files (a re-import) is kept once; two different decisions with one
    ``decision_id`` are an error, since ids must name decisions uniquely.
    """
    seen: dict[str, tuple[Decision, str]] = {}
    reviews_dir = Path(reviews_dir)
    for path in sorted(reviews_dir.rglob(f"*{FILE_SUFFIX}")):
        rel = path.relative_to(reviews_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        for d in read_decisions(path):
            if d.decision_id in seen and seen[d.decision_id][0] != d:
                raise ValueError(
                    f"{rel}: decision_id {d.decision_id} also names a different decision in {seen[d.decision_id][1]}"
                )
            seen.setdefault(d.decision_id, (d, rel.as_posix()))
    return list(seen.values())


def append_decisions(path: Path, decisions: Iterable[Decision]) -> int:
    """Append decisions to a JSONL file (created if missing); never rewrites what is there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(d.to_dict(), ensure_ascii=False, sort_keys=True) for d in decisions]
    with path.open("a", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    return len(lines)


def session_file(reviews_dir: Path, author: str, created: str | None = None) -> Path:
    """``reviews/<author>/<UTC timestamp>.jsonl``: one file per annotator session."""
    stamp = (created or now()).replace(":", "").replace("-", "")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in author) or "anonymous"
    return Path(reviews_dir) / safe / f"{stamp}{FILE_SUFFIX}"
