"""What a number counts, where, when and on whose authority — read from the sentence around it.

* ``object``: the noun phrase the number modifies ("700 Kazakh families"), or for a percent or share
  the phrase after "of" ("90 % of the Kazakh diaspora"), or for a duration, area or length the
  subject of the clause ("The land area encompasses 2.72 million square kilometers");
* ``place``: the GPE/LOC entity of the sentence nearest to the number, people's names excluded
  ("Kazakhs" is sometimes tagged GPE);
* ``time``: the words of the sentence's time expression nearest to the number ("2010", "by 2015", "the 1990s",
  "last year", "two years later"), read by the events' reader (:func:`pipeline.events.sentences.dated_sentences`:
  absolute dates, decades, centuries, dates in words, ranges; underspecified ones against the document creation
  time in a news-style document, against the last date stated before them in a narrative one). Never its time:
  years in brackets (citations), the document's own dateline ("TARAZ, March 10, 2021 –", ``documents.date``), the
  figure's own words, and a date inside a phrase set off by commas that describes another noun ("the town, a
  trading post since the 1850s, had 300,000 inhabitants"). ``time_start``/``time_end`` are the inclusive ISO
  interval and ``time_resolution`` how it was read (``names.DATE_RESOLUTIONS``); a figure of a news-style
  document whose sentence states no time is as of the document's date (``time`` empty, resolution ``dct``);
* ``source``: an "according to X" / "X (2014) estimates" phrase, or a bracketed citation "(Karimi, 2011)".
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc, Span, Token

from pipeline.core.document import Document
from pipeline.events.timex import Timex, find_timexes

_SOURCE = re.compile(
    r"(?:according to|as reported by|estimated by|data (?:of|from)|reports? of)\s+(?:the\s+)?"
    r"([A-Z][\w.’'\- ]{1,80}?)(?=[,.;:)]|\s(?:in|the|there|is|was|were|,)\b)"
)
_AUTHOR_YEAR = re.compile(r"\b([A-Z][\w’'\-]+(?: (?:et al\.|[A-Z]\.))?) \((\d{4})\)")
_CITATION = re.compile(r"\(([A-Z][^()]{1,80}?,\s*(?:1[89]|20)\d\d[a-z]?)\)")
_PLURAL_COUNTRIES = frozenset(
    {
        "netherlands",
        "philippines",
        "united states",
        "bahamas",
        "maldives",
        "seychelles",
        "comoros",
        "emirates",
        "united arab emirates",
        "low countries",
    }
)
_MEASURES = ("duration", "area", "length")
_DROP_LEFT = frozenset({"the", "a", "an", "all", "total", "these", "those", "its", "their", "of"})


def _in_citation(sent_text: str, start: int, end: int) -> bool:
    """A year inside brackets with a name or alone: "(2014)", "(Mendikulova G., 2014)", "(Steppe Monitor 2019)"."""
    open_ = sent_text.rfind("(", 0, start)
    close = sent_text.find(")", end)
    return open_ != -1 and close != -1 and ")" not in sent_text[open_:start] and "(" not in sent_text[end:close]


def _is_people_name(ent: Span) -> bool:
    text = ent.text.removeprefix("the ").lower()
    return ent.root.tag_ == "NNPS" and text not in _PLURAL_COUNTRIES or text.endswith(("khs", "eks", "yzs"))


def _phrase(head: Token, left_limit: int) -> str:
    toks = [t for t in head.subtree if t.i >= left_limit]
    while toks and (toks[0].lower_ in _DROP_LEFT or toks[0].is_punct or toks[0].like_num):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].dep_ in ("cc", "prep")):
        toks = toks[:-1]
    words = [t for t in toks if t.dep_ not in ("relcl", "acl") or t == head]
    text = " ".join(t.text for t in toks[: (toks.index(words[-1]) + 1) if words else 0])
    return text if 0 < len(text) <= 60 else head.text


def object_of(span: Span, kind: str) -> str | None:
    doc, sent = span.doc, span.sent
    nxt = doc[span.end] if span.end < sent.end else None
    if kind in _MEASURES:
        root = sent.root
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        return _phrase(subj, subj.left_edge.i) if subj is not None and not subj.like_num else None
    if nxt is not None and nxt.lower_ == "of" and kind in ("percent", "share", "count"):
        pobj = next((c for c in nxt.children if c.dep_ == "pobj"), None)
        if pobj is not None:
            return _phrase(pobj, nxt.i + 1) if kind != "count" else pobj.text
    words: list[str] = []
    for t in doc[span.end : min(span.end + 6, sent.end)]:
        if t.pos_ in ("ADJ", "NOUN", "PROPN") and not t.like_num:
            words.append(t.text)
        else:
            break
    return " ".join(words) or None


def time_of(
    sent_text: str, rel: tuple[int, int], timexes: list[Timex], dateline: tuple[int, int]
) -> dict[str, str | None]:
    """The time of the figure at ``rel`` (offsets in ``sent_text``): the nearest of the sentence's ``timexes``
    outside brackets (a citation: "(Steppe Monitor 2019)", which the reader keeps for want of a comma), the ``dateline``
    and the figure itself; ``{}`` when there is none."""

    def allowed(tx: Timex) -> bool:
        overlaps = any(tx.start < hi and lo < tx.end for lo, hi in (dateline, rel))
        return not overlaps and not _in_citation(sent_text, tx.start, tx.end)

    candidates = [tx for tx in timexes if allowed(tx)]
    if not candidates:
        return {}
    best = min(candidates, key=lambda tx: max(tx.start - rel[1], rel[0] - tx.end, 0))
    return dated(sent_text[best.start : best.end], best)


_SET_OFF = ("appos", "relcl", "acl")  # an appositive, a relative clause, a participle phrase after a noun


def in_other_phrase(parsed: Doc, start: int, end: int, figure: Span) -> bool:
    """The text ``start:end`` lies in a phrase set off by a comma that describes a noun and holds not the figure:
    "the town, a trading post since the 1850s, had 300,000 inhabitants", "Kyzylorda, which was the capital until
    1929, …", "The town, founded in 1854, …": its date is that noun's. A restrictive clause ("the refugees
    registered in 2015 numbered 1,200") dates what the figure counts and is kept."""
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    token = span.root
    while token.head.i != token.i:
        if token.dep_ in _SET_OFF:
            edge = token.left_edge
            if edge.i > 0 and parsed[edge.i - 1].text == "," and figure.root not in token.subtree:
                return True
        token = token.head
    return False


def dated(words: str | None, tx: Timex) -> dict[str, str | None]:
    """The figure's time columns for the time expression ``tx`` written ``words``."""
    return {"time": words, "time_start": tx.date_start, "time_end": tx.date_end, "time_resolution": tx.resolution}


def header_time(cell: dict[str, Any]) -> dict[str, Any]:
    """A table cell's context (:func:`.tables.cell_contexts`) with the interval of its header's time
    ("2007–2009" → 2007-01-01..2009-12-31, absolute)."""
    words = cell.get("time")
    tx = next((t for t in find_timexes(words) if not t.relative), None) if words else None
    return {**cell, **dated(words, tx)} if tx is not None else cell


def describe(
    doc: Document | None,
    parsed: Doc,
    start: int,
    end: int,
    kind: str = "count",
    timexes: dict[int, list[Timex]] | None = None,
) -> dict[str, str | None]:
    """Object, place, time and source of the figure at ``start:end``; ``timexes`` holds each sentence's time
    expressions by the sentence's start offset (:func:`~pipeline.events.sentences.dated_sentences`), else the
    sentence is read alone."""
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return {}
    sent = span.sent
    out: dict[str, str | None] = {"object": object_of(span, kind)}
    places = [e for e in sent.ents if e.label_ in ("GPE", "LOC") and not _is_people_name(e)]
    if places:
        best = min(places, key=lambda e: abs(e.start_char - start))
        out["place"] = best.text.removeprefix("the ")
    # the canonical text (parse's text is equal), sliced: Doc.text would join every token of the document
    sent_text = doc.text[sent.start_char : sent.end_char] if doc is not None else sent.text
    s0 = sent.start_char
    span_of_date = (doc.metadata.get("date_span") if doc is not None else None) or (0, 0)  # it dates the story
    sent_timexes = timexes.get(s0, []) if timexes is not None else find_timexes(sent_text)
    sent_timexes = [tx for tx in sent_timexes if not in_other_phrase(parsed, s0 + tx.start, s0 + tx.end, span)]
    rel = (start - s0, end - s0)
    out.update(time_of(sent_text, rel, sent_timexes, (span_of_date[0] - s0, span_of_date[1] - s0)))
    m = _SOURCE.search(sent_text) or _AUTHOR_YEAR.search(sent_text) or _CITATION.search(sent_text)
    if m:
        out["source"] = m.group(0) if m.re is _AUTHOR_YEAR else m.group(1).strip()
    return out
