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
import logging
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dc_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from pipeline.core import names

log = logging.getLogger(__name__)

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
#: The labels a relabel (or an add) may give, per table: entity labels, figure kinds, event types.
LABELS: dict[str, tuple[str, ...]] = {
    names.T_ENTITIES: names.ENTITY_LABELS,
    names.T_FIGURES: names.FIGURE_KINDS,
    names.T_EVENTS: names.EVENT_TYPES,
}
#: Fields whose values come from a fixed vocabulary.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "kind": names.FIGURE_KINDS,
    "qualifier": names.QUALIFIERS,
    "event_type": names.EVENT_TYPES,
    "granularity": names.GRANULARITIES,
    "date_mod": names.DATE_MODS,
    "label": names.ENTITY_LABELS,
}
FILE_SUFFIX = ".jsonl"
REQUIRED: tuple[str, ...] = ("action", "table", "author", "created")
CONTEXT = 32  # code points of prefix/suffix kept in an anchor (at least)
MAX_CONTEXT = 256  # ... and at most, when the quote's surroundings repeat elsewhere in the text
#: The context of a candidate place must agree at least this well (:meth:`Anchor.context_score`) for it to be the
#: anchor's place; :meth:`Anchor.of` records enough context that every other occurrence of the quote in the text
#: it was made on scores below it (:meth:`Anchor.distinct_in`).
MIN_CONTEXT = 70.0


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

    def __post_init__(self) -> None:
        _check_anchor(self)

    @classmethod
    def of(
        cls, text: str, doc_id: str, start: int, end: int, sha256: str | None = None, context: int = CONTEXT
    ) -> Anchor:
        """The anchor of ``text[start:end]`` (code points, end-exclusive), with at least ``context`` code points of
        prefix and suffix: more (doubled up to :data:`MAX_CONTEXT`) while another occurrence of the quote in the
        text has a context that agrees about as well (a repeated title, sentence or table row), so that the
        anchor tells its place from its twins (:meth:`distinct_in`)."""
        if not 0 <= start <= end <= len(text):
            raise InvalidDecision(
                f"{doc_id}: span [{start}, {end}) outside a text of {len(text)} code points: "
                "give code-point offsets within the document's canonical text"
            )
        while True:
            a = cls(
                doc_id,
                text[start:end],
                start,
                end,
                text[max(0, start - context) : start],
                text[end : end + context],
                sha256,
            )
            if context >= MAX_CONTEXT or a.distinct_in(text):
                return a
            context *= 2

    def context_score(self, text: str, start: int, end: int) -> float | None:
        """How well the text around ``[start, end)`` agrees with this anchor's prefix and suffix (0-100, each side's
        ``fuzz.ratio`` weighted by its length: more agreeing characters, more evidence); an empty side means the
        quote touched the text's edge (weight 2). ``None`` when the anchor records no context."""
        if not (self.prefix or self.suffix):
            return None
        sides = []
        for part, actual, at_edge in (
            (self.prefix, text[max(0, start - len(self.prefix)) : start], start == 0),
            (self.suffix, text[end : end + len(self.suffix)], end == len(text)),
        ):
            sides.append((fuzz.ratio(part, actual), len(part)) if part else (100.0 if at_edge else 0.0, 2))
        return sum(score * weight for score, weight in sides) / sum(weight for _, weight in sides)

    def distinct_in(self, text: str) -> bool:
        """Whether this anchor's context tells its own place from every other occurrence of its quote in ``text``
        (each scores below :data:`MIN_CONTEXT`): else :meth:`of` records more context."""
        at = text.find(self.quote) if self.quote else -1
        while at != -1:
            if at != self.start:
                score = self.context_score(text, at, at + len(self.quote))
                if score is not None and score >= MIN_CONTEXT:
                    return False
            at = text.find(self.quote, at + 1)
        return True

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
        check_decision(self)
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
    def from_dict(cls, d: Any) -> Decision:
        """The decision a JSON object describes; :class:`InvalidDecision` says what is wrong and the fix."""
        if not isinstance(d, dict):
            raise InvalidDecision(f"a decision is a JSON object, not {type(d).__name__}")
        known = {f.name for f in dc_fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise InvalidDecision(
                f"unknown keys {', '.join(sorted(unknown))} (the keys are: {', '.join(sorted(known))})"
            )
        missing = [k for k in REQUIRED if k not in d]
        if missing:
            raise InvalidDecision(f"missing {', '.join(missing)} (every decision has {', '.join(REQUIRED)})")
        d = dict(d)
        for key in ("target", "span"):
            if d.get(key) is not None:
                d[key] = _anchor_from(key, d[key])
        return cls(**d)


class InvalidDecision(ValueError):
    """A decision that cannot be used: the message says what is wrong and how to fix it."""


def _anchor_from(key: str, v: Any) -> Anchor:
    if not isinstance(v, dict):
        raise InvalidDecision(f"{key} must be an object with doc_id, quote, start, end (prefix, suffix, sha256)")
    known = {f.name for f in dc_fields(Anchor)}
    if set(v) - known:
        raise InvalidDecision(
            f"{key}: unknown keys {', '.join(sorted(set(v) - known))} (the keys are: {', '.join(sorted(known))})"
        )
    missing = {"doc_id", "quote", "start", "end"} - set(v)
    if missing:
        raise InvalidDecision(f"{key}: missing {', '.join(sorted(missing))}")
    return Anchor(**v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_anchor(a: Anchor) -> None:
    """An anchor's types and invariants: ``0 <= start <= end`` code points and ``end - start == len(quote)``."""
    if not isinstance(a.doc_id, str) or not a.doc_id:
        raise InvalidDecision(f"anchor doc_id must be a document id (a non-empty string), not {a.doc_id!r}")
    for k in ("quote", "prefix", "suffix"):
        if not isinstance(getattr(a, k), str):
            raise InvalidDecision(f"anchor {k} must be a string, not {getattr(a, k)!r}")
    if a.sha256 is not None and not isinstance(a.sha256, str):
        raise InvalidDecision(f"anchor sha256 must be the document's sha256 (a string) or absent, not {a.sha256!r}")
    for k in ("start", "end"):
        if not _is_int(getattr(a, k)):
            raise InvalidDecision(f"anchor {k} must be an integer (code points), not {getattr(a, k)!r}")
    if not 0 <= a.start <= a.end:
        raise InvalidDecision(f"anchor offsets {a.start}..{a.end} are not 0 <= start <= end (code points of the text)")
    if a.end - a.start != len(a.quote):
        raise InvalidDecision(
            f"anchor offsets {a.start}..{a.end} do not span its quote of {len(a.quote)} code points "
            "(end - start must equal the quote's length)"
        )


def check_time(created: Any) -> datetime:
    """``created`` as a datetime; :class:`InvalidDecision` unless it is an ISO 8601 timestamp string."""
    fix = "write an ISO 8601 timestamp string such as 2025-03-01T10:00:00Z"
    if not isinstance(created, str):
        raise InvalidDecision(f"created must be a timestamp string, not {created!r}: {fix}")
    try:
        return parse_time(created)
    except ValueError:
        raise InvalidDecision(f"created {created!r} is not a timestamp: {fix}") from None


def check_field(table: str, name: str, value: Any) -> Any:
    """A field value as it is kept: numbers as finite floats (``"1,200"`` → 1200.0), vocabulary checked, None clears."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if name in NUMERIC_FIELDS:
        fix = "write it as 1200 or 3.5"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InvalidDecision(f"field {name}: {value!r} is not a number ({fix})")
        try:
            number = float(value.replace(",", "")) if isinstance(value, str) else float(value)
        except ValueError:
            raise InvalidDecision(f"field {name}: {value!r} is not a number ({fix})") from None
        if not math.isfinite(number):
            raise InvalidDecision(f"field {name}: {value!r} is not a finite number ({fix})")
        return number
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InvalidDecision(f"field {name} must be a string, not {value!r}")
    vocabulary = VOCABULARY.get(name) if name != "label" or table == names.T_ENTITIES else None
    if vocabulary and value not in vocabulary:
        raise InvalidDecision(f"field {name}: {value!r} is not one of {', '.join(vocabulary)}")
    return value if isinstance(value, str) else str(value)


def check_decision(d: Decision) -> None:
    """The one validator of a decision, whatever its route (JSONL, Label Studio, sheet, page): action and table,
    types, labels and field values from :mod:`pipeline.names`, what the action needs. Normalizes field values
    (:func:`check_field`); raises :class:`InvalidDecision` with what is wrong and the fix."""
    if d.action not in ACTIONS:
        raise InvalidDecision(f"unknown action {d.action!r} (one of: {', '.join(ACTIONS)})")
    if d.table not in ID_COLUMN:
        raise InvalidDecision(f"unknown table {d.table!r} (one of: {', '.join(ID_COLUMN)})")
    if not isinstance(d.author, str) or not d.author.strip():
        raise InvalidDecision(f"author must be the annotator's name (a non-empty string), not {d.author!r}")
    check_time(d.created)
    for k in ("target_id", "other_id", "note", "label"):
        v = getattr(d, k)
        if v is not None and not isinstance(v, str):
            raise InvalidDecision(f"{k} must be a string or absent, not {v!r}")
    for k in ("target", "span"):
        v = getattr(d, k)
        if v is not None and not isinstance(v, Anchor):
            raise InvalidDecision(f"{k} must be an anchor (doc_id, quote, start, end, prefix, suffix), not {v!r}")
    for k in ("fields", "seen"):
        if not isinstance(getattr(d, k), dict):
            raise InvalidDecision(f"{k} must be an object of field: value, not {getattr(d, k)!r}")
    if not isinstance(d.decision_id, str):
        raise InvalidDecision(f"decision_id must be a string or absent, not {d.decision_id!r}")
    need = {RELABEL: d.label, MOVE: d.span, EDIT: d.fields or None, ADD: d.target, MERGE: d.other_id}
    if d.action in need and need[d.action] is None:
        what = {RELABEL: "label", MOVE: "span", EDIT: "fields", ADD: "target", MERGE: "other_id"}[d.action]
        raise InvalidDecision(f"a {d.action} decision needs {what}")
    if d.action != ADD and not (d.target_id or d.target):
        raise InvalidDecision(f"a {d.action} decision needs target_id or target")
    if d.table == names.T_ENTITY_INDEX and d.action not in (EDIT, MERGE):
        raise InvalidDecision(f"a decision on entity_index is an edit (canonical) or a merge, not {d.action!r}")
    if d.span is not None and d.target is not None and d.span.doc_id != d.target.doc_id:
        raise InvalidDecision(f"span is in {d.span.doc_id!r}, its target in {d.target.doc_id!r}: one document")
    labelled = d.action == RELABEL or (d.action == ADD and d.table == names.T_ENTITIES)
    if labelled and d.table in LABELS and d.label not in LABELS[d.table]:
        raise InvalidDecision(f"label {d.label!r} is not one of {', '.join(LABELS[d.table])} (the {d.table} labels)")
    bad = set(d.fields) - set(EDITABLE[d.table]) - {"entity_id"}
    if d.action in (EDIT, ADD) and bad:
        raise InvalidDecision(
            f"fields not editable in {d.table}: {', '.join(sorted(bad))} (editable: {', '.join(EDITABLE[d.table])})"
        )
    table = d.table
    object.__setattr__(d, "fields", {k: check_field(table, k, v) for k, v in d.fields.items()})
    object.__setattr__(d, "seen", {k: check_field(table, k, v) for k, v in d.seen.items()})


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(s: str) -> datetime:
    t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def decision_id(d: dict[str, Any]) -> str:
    """A content hash: the same decision written twice has the same id."""
    body = {k: v for k, v in d.items() if k != "decision_id"}
    return "D" + hashlib.sha1(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class InvalidLine:
    """A line of a decision file that is not a valid decision: skipped, reported, listed in the audit."""

    file: str
    line: int
    error: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.error}"


def read_decisions(path: Path, invalid: list[InvalidLine] | None = None, name: str | None = None) -> list[Decision]:
    """The valid decisions of one JSONL file; each bad line is added to ``invalid`` as ``file:line: what is
    wrong and the fix`` (``name``: the file as reported) and skipped, or raises when ``invalid`` is None."""
    out = []
    name = name or str(path)
    for n, line in enumerate(Path(path).read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Decision.from_dict(json.loads(line, parse_constant=_no_constant)))
        except (ValueError, TypeError, RecursionError) as e:
            why = f"not JSON ({e}): write one JSON object per line" if isinstance(e, json.JSONDecodeError) else str(e)
            bad = InvalidLine(name, n, f"bad decision: {why}", line)
            if invalid is None:
                raise InvalidDecision(str(bad)) from None
            invalid.append(bad)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load_decisions(reviews_dir: Path, invalid: list[InvalidLine] | None = None) -> list[tuple[Decision, str]]:
    """Every valid decision under ``reviews_dir`` with the file it came from (ids deduplicated).

    The same decision in two files (a re-import) is kept once; a different decision that reuses a
    ``decision_id`` is invalid (ids must name decisions uniquely). Invalid lines are skipped: logged as
    warnings and, when ``invalid`` is given, added to it (the review stage lists them in its audit).
    """
    found: list[InvalidLine] = []
    seen: dict[str, tuple[Decision, str]] = {}
    reviews_dir = Path(reviews_dir)
    for path in sorted(reviews_dir.rglob(f"*{FILE_SUFFIX}")):
        rel = path.relative_to(reviews_dir)
        if any(part.startswith((".", "_")) for part in rel.parts) or not path.is_file():
            continue
        lines = [x for x in path.read_text(encoding="utf-8", errors="replace").splitlines()]
        for d in read_decisions(path, found, rel.as_posix()):
            if d.decision_id in seen and seen[d.decision_id][0] != d:
                n = next((i for i, x in enumerate(lines, 1) if d.decision_id in x), 0)
                found.append(
                    InvalidLine(
                        rel.as_posix(),
                        n,
                        f"decision_id {d.decision_id} also names a different decision in {seen[d.decision_id][1]}: "
                        "remove decision_id from this line (it is computed from the content)",
                        lines[n - 1] if n else "",
                    )
                )
                continue
            seen.setdefault(d.decision_id, (d, rel.as_posix()))
    for bad in found:
        log.warning("skipped %s", bad)
    if invalid is not None:
        invalid.extend(found)
    return list(seen.values())


def append_decisions(path: Path, decisions: Iterable[Decision]) -> int:
    """Append decisions to a JSONL file (created if missing); never rewrites what is there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(d.to_dict(), ensure_ascii=False, sort_keys=True, allow_nan=False) for d in decisions]
    with path.open("a", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    return len(lines)


def session_file(reviews_dir: Path, author: str, created: str | None = None) -> Path:
    """``reviews/<author>/<UTC timestamp>.jsonl``: one file per annotator session."""
    stamp = (created or now()).replace(":", "").replace("-", "")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in author) or "anonymous"
    return Path(reviews_dir) / safe / f"{stamp}{FILE_SUFFIX}"
