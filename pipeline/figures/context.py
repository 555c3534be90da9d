"""What a number counts, where, when and on whose authority — read from the sentence around it.

First cut: the noun phrase right after the number (``object``), the GPE/LOC in the same sentence
(``place``), a year in the same sentence (``time``) and an "according to X" / "X (2014)" phrase
(``source``).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from ..model import Document

_YEAR = re.compile(r"(?<![\d,.])(?:(?:in|by|as (?:in|of)|since|until)\s+)?(1[89]\d\d|20\d\d)(?:\s?[-–]\s?(?:1[89]\d\d|20\d\d))?(?![\d,])")
_SOURCE = re.compile(r"(?:according to|as reported by|estimated by|data (?:of|from)|reports? of)\s+(?:the\s+)?([A-Z][\w.’'\- ]{1,80}?)(?=[,.;:)]|\s(?:in|the|there|is|was|were|,)\b)")


def describe(doc: Document, parsed: Doc, start: int, end: int) -> dict[str, str | None]:
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return {}
    sent = span.sent
    out: dict[str, str | None] = {}
    nxt = [t for t in parsed[span.end: min(span.end + 6, sent.end)]]
    words: list[str] = []
    for t in nxt:
        if t.pos_ in ("ADJ", "NOUN", "PROPN") and not t.like_num:
            words.append(t.text)
        elif words or t.pos_ not in ("ADP", "DET"):
            break
        else:
            break
    out["object"] = " ".join(words) or None
    places = [e for e in sent.ents if e.label_ in ("GPE", "LOC")]
    if places:
        best = min(places, key=lambda e: abs(e.start_char - start))
        out["place"] = best.text.removeprefix("the ")
    sent_text = parsed.text[sent.start_char:sent.end_char]
    years = [m for m in _YEAR.finditer(sent_text)]
    if years:
        rel = start - sent.start_char
        out["time"] = min(years, key=lambda m: abs(m.start() - rel)).group(0)
    m = _SOURCE.search(sent_text)
    if m:
        out["source"] = m.group(1).strip()
    return out
