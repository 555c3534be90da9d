"""Dates written in words, as atoms for :mod:`.timex`: ordinal centuries ("the nineteenth century",
"nineteenth-century", "the XIX century"), their parts ("the early twentieth century" → its first third), century
pairs ("the seventeenth and eighteenth centuries"), and the turn of a century ("the turn of the 20th century",
"the turn of the nineteenth and twentieth centuries": five years either side of the boundary, decade granularity).

Parts of a century follow the decades' thirds: early = years 1–33, mid = 34–67, late = 68–100 of the century
(1901–1933, 1934–1967, 1968–2000 for the twentieth).
"""

from __future__ import annotations

import re

from pipeline.events.isodates import year_span

ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
    "twenty first": 21,
}
_ROMAN = {"I": 1, "V": 5, "X": 10}
_WORD = r"(?:" + "|".join(sorted((w.replace(" ", r"\s") for w in ORDINAL_WORDS), key=len, reverse=True)) + r")"
#: A century number: "19th", "nineteenth", "XIX".
_NTH = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_WORD}|[XVI]{{2,5}}(?:th)?)"
#: Parts of a century: (first, last) year offsets from its first year.
CENTURY_PARTS = {
    "early": (0, 32),
    "beginning": (0, 32),
    "start": (0, 32),
    "mid": (33, 66),
    "middle": (33, 66),
    "late": (67, 99),
    "end": (67, 99),
    "first half": (0, 49),
    "second half": (50, 99),
}
_PARTS = r"(?P<part>early|mid|middle|late|beginning|start|end|first\shalf|second\shalf)(?:[\s-]|\sof\sthe\s)"

WORD_ATOMS: list[tuple[str, re.Pattern]] = [
    (
        "turn_pair",
        re.compile(
            rf"\b(?:the\s)?turn\sof\sthe\s(?P<a>{_NTH})(?:\s?(?:and|[-–—/])\s?(?:the\s)?)(?P<b>{_NTH})\scenturies\b",
            re.I,
        ),
    ),
    ("turn", re.compile(rf"\b(?:the\s)?turn\sof\sthe\s(?P<a>{_NTH})[\s-]century\b", re.I)),
    ("millennium", re.compile(r"\b(?:the\s)?turn\sof\sthe\smillenn?ium\b", re.I)),
    (
        "century_pair",
        re.compile(
            rf"\b(?:the\s)?(?P<a>{_NTH}|{_WORD})\s?(?:and|[-–—/]|to)\s?(?:the\s)?(?P<b>{_NTH})[\s-]centuries\b", re.I
        ),
    ),
    ("century", re.compile(rf"\b(?:the\s)?(?:{_PARTS})?(?P<a>{_NTH})[\s-]century\b", re.I)),
]


def century_number(text: str) -> int | None:
    """ "19th" / "nineteenth" / "XIX" → 19; None outside 1..21."""
    low = " ".join(text.lower().split())
    if low in ORDINAL_WORDS:
        n = ORDINAL_WORDS[low]
    elif low[:1].isdigit():
        n = int(re.sub(r"\D", "", low))
    else:
        n = _roman(low.removesuffix("th").upper())
    return n if 1 <= n <= 21 else None


def _roman(s: str) -> int:
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def _turn(boundary: int) -> tuple[str, str, str]:
    return *year_span(boundary - 5, boundary + 5), "decade"


def word_interval(kind: str, g: dict) -> tuple[str, str, str] | None:
    """The interval of a :data:`WORD_ATOMS` match."""
    a = century_number(g["a"]) if g.get("a") else None
    if kind == "millennium":
        return _turn(2000)
    if a is None:
        return None
    if kind == "turn":  # "the turn of the 20th century": 1900 (the century's first year is 1901)
        return _turn((a - 1) * 100)
    b = century_number(g["b"]) if g.get("b") else None
    if kind == "turn_pair":  # "the turn of the 19th and 20th centuries": 1900
        return _turn(a * 100) if b == a + 1 else None
    if kind == "century_pair":
        return (*year_span((a - 1) * 100 + 1, b * 100), "century") if b is not None and a < b else None
    lo = (a - 1) * 100 + 1
    part = " ".join((g.get("part") or "").lower().split())
    if part:
        first, last = CENTURY_PARTS[part]
        return *year_span(lo + first, lo + last), "century"
    return *year_span(lo, lo + 99), "century"
