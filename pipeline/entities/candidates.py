"""Candidate mentions from every NER source, cleaned the same way, as plain records.

A candidate is ``(start, end, label, source, score, key)`` over the canonical text. Every source's
spans pass :func:`clean_span` (leading "the", trailing possessive and punctuation off) and
:func:`keep` (no entity from the references, front matter, URLs or e-mails).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from .. import names
from ..model import Document

#: Pretrained OntoNotes labels kept as they are; the others (DATE, CARDINAL, …) belong to other tables.
PRETRAINED_LABELS = frozenset(names.ENTITY_LABELS)
#: Prior precision of each source, used as its score before calibration.
SOURCE_PRIOR = {names.SRC_RULES: 0.85, names.SRC_SPACY: 0.6, names.SRC_SPACY_FT: 0.75, names.SRC_TRANSFORMER: 0.7}
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+\.(?:com|org|net|kz|ru|uz|gov|edu|info)(?:/\S*)?\b")
_LEAD = re.compile(r"^(?:the|The|THE)\s+")
_TRAIL = re.compile(r"(?:['’]s|['’]|[\s,.;:!?)\]”\"]+)$")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    source: str
    score: float
    key: str = ""  # gazetteer id, when the source knows the canonical entity


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a leading article and trailing possessive/punctuation; never grows the span."""
    s, e = start, end
    while True:
        m = _LEAD.match(text[s:e])
        if m and e - s > m.end():
            s += m.end()
            continue
        t = _TRAIL.search(text[s:e])
        if t and t.start() > 0 and not (text[s:e].endswith(".") and re.search(r"\b[A-Z]\.$", text[s:e])):
            e = s + t.start()
            continue
        break
    while s < e and text[s] in "“\"'‘(":
        if text[s] in "“\"" and any(q in text[s + 1:e] for q in "”\""):
            break
        s += 1
    return s, e


def keep(doc: Document, start: int, end: int, urls: list[tuple[int, int]]) -> bool:
    """Whether a span may be an entity: body-like section, not inside a URL or e-mail, has a letter."""
    if doc.section_of(start) in names.SECTIONS_NOT_EXTRACTED:
        return False
    if any(a < end and start < b for a, b in urls):
        return False
    return any(c.isalpha() for c in doc.text[start:end])


def url_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _URL.finditer(text)]


def candidates_from_spans(doc: Document, spans, source: str, score: float | None = None) -> list[Candidate]:
    """Clean and filter spaCy spans (``doc.ents`` or ``doc.spans[...]``) into candidates."""
    urls = url_spans(doc.text)
    out: list[Candidate] = []
    for span in spans:
        if span.label_ not in PRETRAINED_LABELS:
            continue
        s, e = clean_span(doc.text, span.start_char, span.end_char)
        if e > s and keep(doc, s, e, urls):
            out.append(Candidate(s, e, span.label_, source, SOURCE_PRIOR.get(source, 0.5) if score is None else score,
                                 getattr(span, "id_", "") or ""))
    return out


def pretrained(doc: Document, parsed: Doc) -> list[Candidate]:
    return candidates_from_spans(doc, parsed.ents, names.SRC_SPACY)
