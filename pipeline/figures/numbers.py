"""Find and normalize number expressions in text: values, ranges, magnitudes, percents, money, qualifiers.

Pure functions over strings (:func:`find_numbers`), so every written form has a test on a literal.
Years, ordinals, footnote markers and reference numbering are filtered here; the figure stage adds
what the number counts, where, when and on whose authority.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
FRACTIONS = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fourth": 0.25, "fifth": 0.2, "thirds": 1 / 3,
             "quarters": 0.25, "fifths": 0.2, "tenth": 0.1}
MAGNITUDES = {"thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6, "mln": 1e6, "mn": 1e6,
              "billion": 1e9, "billions": 1e9, "bn": 1e9, "trillion": 1e12, "hundred": 1e2, "k": 1e3}
QUALIFIERS = [
    ("approx", r"approximately|about|around|roughly|some|nearly|almost|close to|estimated|an estimated|circa|ca\.|c\.|over the"),
    ("gt", r"more than|over|above|exceeding|exceeded|in excess of"),
    ("ge", r"at least|no less than|not less than|a minimum of"),
    ("lt", r"less than|fewer than|under|below"),
    ("le", r"up to|at most|no more than|not more than|a maximum of"),
]
_QUAL_RX = "|".join(f"(?P<q_{name}>\\b(?:{rx}))" for name, rx in QUALIFIERS)

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORDNUM = r"(?:" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")(?:[\s-](?:" + "|".join(
    sorted(WORD_NUMBERS, key=len, reverse=True)) + r"))?"
_MAG = r"(?:thousands?|millions?|billions?|trillion|mln|mn|bn)\b"
_PCT = r"(?:\s?%|\s?per\s?cent\b|\s?percent\b|\s?percentage points?\b)"
_CUR_PRE = r"(?:US\$|\$|€|£|USD\s?|EUR\s?|KZT\s?|₸\s?)"
_CUR_POST = r"(?:\s?(?:USD|EUR|dollars|euros?|tenge|KZT|rubles|roubles|som|sum)\b)"
_RANGE_SEP = r"\s?(?:-|–|—|to)\s?"

FIGURE_RX = re.compile(
    rf"(?:(?:{_QUAL_RX})\s+)?"
    rf"(?:(?P<between>between|from)\s+)?"
    rf"(?P<cur>{_CUR_PRE})?"
    rf"(?P<a>{_NUM}|{_WORDNUM}\b)"
    rf"(?:\s?(?P<amag>{_MAG}))?"
    rf"(?:(?P<sep>{_RANGE_SEP}|\s+and\s+)(?P<cur2>{_CUR_PRE})?(?P<b>{_NUM}|{_WORDNUM}\b))?"
    rf"(?:\s?(?P<mag>{_MAG}))?"
    rf"(?P<pct>{_PCT})?"
    rf"(?P<curpost>{_CUR_POST})?",
    re.I,
)
FRACTION_RX = re.compile(
    rf"(?:(?:{_QUAL_RX})\s+)?\b(?P<num>one|two|three|a)[\s-](?P<den>half|thirds?|quarters?|fourths?|fifths?|tenths?)\b", re.I
)
MONEY_HEADER_RX = re.compile(r"\((?P<cur>USD|EUR|US\$)\s(?P<mag>million|billion|thousand)\)\s*:\s*(?P<a>" + _NUM + ")")

_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_BEFORE_NOT = re.compile(
    r"(?:\b(?:table|figure|fig\.|chart|map|art\.|article|articles|para\.?|paragraph|no\.|nos\.|number|p\.|pp\.|vol\.|"
    r"volume|issue|chapter|section|§|page|pages|grade|class|resolution|decree|law|part|item|point|stage|phase|"
    r"level|step|wave|round|ranking|rank|top)\s*)$",
    re.I,
)
_AFTER_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b|^[-–](?:year|th)\b", re.I)


@dataclass(frozen=True)
class NumberExpr:
    """A number expression at ``[start, end)`` with its normalized reading."""

    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    kind: str
    unit: str | None
    qualifier: str


def _to_float(s: str) -> float | None:
    s = s.strip().lower()
    if re.fullmatch(_NUM, s):
        return float(s.replace(",", ""))
    parts = re.split(r"[\s-]+", s)
    if all(p in WORD_NUMBERS for p in parts):
        total = 0
        for p in parts:
            total = total * 100 if p == "hundred" and total else total + WORD_NUMBERS[p]
        return float(total)
    return None


def _qualifier(m: re.Match) -> str:
    for name, _ in QUALIFIERS:
        if m.groupdict().get(f"q_{name}"):
            return name
    return "eq"


def is_year(s: str) -> bool:
    return bool(_YEAR.match(s))


def find_numbers(text: str) -> list[NumberExpr]:
    """Every figure-like number expression in ``text``, years, ordinals and labels excluded."""
    out: list[NumberExpr] = []
    taken: list[tuple[int, int]] = []
    for m in MONEY_HEADER_RX.finditer(text):
        mag = MAGNITUDES[m.group("mag").lower()]
        v = float(m.group("a").replace(",", "")) * mag
        out.append(NumberExpr(m.start(), m.end(), v, None, None, "money", m.group("cur").replace("US$", "USD"), "eq"))
        taken.append(m.span())
    for m in FRACTION_RX.finditer(text):
        num = 1 if m.group("num").lower() == "a" else WORD_NUMBERS[m.group("num").lower()]
        v = num * FRACTIONS[m.group("den").lower()]
        out.append(NumberExpr(m.start(), m.end(), round(v, 4), None, None, "share", "fraction", _qualifier(m)))
        taken.append(m.span())
    for m in FIGURE_RX.finditer(text):
        s, e = m.span()
        if any(a < e and s < b for a, b in taken) or not m.group("a"):
            continue
        a_txt, b_txt = m.group("a"), m.group("b")
        is_word = not a_txt[0].isdigit()
        pct, cur = m.group("pct"), m.group("cur") or m.group("cur2") or m.group("curpost")
        mag = m.group("mag") or m.group("amag")
        # guards: glued to letters/digits, years, ordinals, labels, decimals of something else
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "./") and not m.group(0)[0].isalpha():
            continue
        if e < len(text) and (text[e].isalnum() and not text[e - 1].isspace()) and not pct:
            continue
        if _AFTER_ORDINAL.match(text[e:e + 6]) or _BEFORE_NOT.search(text[max(0, s - 20):s]):
            continue
        if (m.group("between") and not b_txt) or (m.group("sep") and m.group("sep").strip() == "and" and not m.group("between")):
            m2 = re.match(rf"(?:(?:{_QUAL_RX})\s+)?(?P<cur>{_CUR_PRE})?(?P<a>{_NUM}|{_WORDNUM}\b)(?:\s?(?P<mag>{_MAG}))?(?P<pct>{_PCT})?", text[s:], re.I)
            if m.group("between"):
                continue
            e = s + m2.end()
            b_txt, mag, pct = None, m2.group("mag"), m2.group("pct")
        a = _to_float(a_txt)
        b = _to_float(b_txt) if b_txt else None
        if a is None:
            continue
        if is_word and not (mag or pct or cur) and a < 2 and not b_txt:
            continue  # "one of the", "a" — not a quantity
        if not (mag or pct or cur) and not b_txt and is_year(a_txt):
            continue
        if not (mag or pct or cur) and b_txt and is_year(a_txt) and (is_year(b_txt) or len(b_txt) == 2):
            continue  # 2009-2010, 1992-93
        if b_txt and "," not in a_txt and a is not None and b is not None and b < a and not mag:
            continue  # 24-5, page ranges backwards
        scale = MAGNITUDES[mag.lower()] if mag else 1.0
        a_val = a * scale
        b_val = b * scale if b is not None else None
        kind, unit = "count", None
        if pct:
            kind, unit = "percent", "percent"
            a_val, b_val = a, b
        elif cur:
            kind = "money"
            unit = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₸": "KZT"}.get(cur.strip(), cur.strip().upper())
            unit = {"DOLLARS": "USD", "EUROS": "EUR", "EURO": "EUR", "TENGE": "KZT", "ROUBLES": "RUB", "RUBLES": "RUB"}.get(unit, unit)
        end = e
        while end > s and text[end - 1].isspace():
            end -= 1
        if b_val is not None:
            out.append(NumberExpr(s, end, None, min(a_val, b_val), max(a_val, b_val), kind, unit, _qualifier(m)))
        else:
            out.append(NumberExpr(s, end, a_val, None, None, kind, unit, _qualifier(m)))
    return sorted(out, key=lambda n: (n.start, n.end))
