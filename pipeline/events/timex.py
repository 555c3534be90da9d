"""Time expressions → inclusive ISO intervals with a granularity (TIMEX3-like), as pure functions.

``find_timexes(text, anchor=None, dct=None, tense=None)`` returns every time expression in ``text`` as a
:class:`~pipeline.events.isodates.Timex`: ``date_start``/``date_end`` (inclusive ``YYYY-MM-DD``), ``granularity``
(day, week, month, year, decade, century), ``date_mod`` (``before`` for "by 1980"/"until 2005", ``after`` for
"since 2019"/"from the 1990s to present"/"Later") and ``resolution`` (``names.DATE_RESOLUTIONS``).

Four passes, each a small table of patterns:

1. *atoms*: days ("the 29th of September 1992", "30 April 2020", "June 23, 2017"), day ranges ("5-6 May 2019",
   "May 5 and 6, 2019"), months ("June 2019"), month ranges ("March-May 2019", "March and May 2019" after "between"),
   parts of a year ("mid-2014", "early 2010", "the end of 2019", "spring 2010": the months they cover),
   years ("1992", "2009-2010", "2018 - 2022"), decades ("the 1990s", "the mid-1970s", "the 1960s - 80s",
   "the 1940-50s"), centuries ("the 18th century", "17-18th centuries", "the first half of the 20th century")
   and dates in words (:mod:`.words`: "nineteenth-century", "the early twentieth century", "the turn of the
   20th century", "the seventeenth and eighteenth centuries");
2. *ranges*: "from A to B" / "between A and B" over two atoms → one interval whose granularity is the
   coarser of the two; "from A to present" → A's own span with ``date_mod="after"``;
3. *lists*: "the summers of 2005, 2007 and 2011" → one interval per year (a list of plain years, "in 2016 and
   2017", is already one atom per year);
4. *underspecified* expressions (:mod:`.relative`): anaphoric ("two years later", "the following month"),
   deictic ("last week", "this year") and year-less ("on March 3", "in April"), read from the last date before
   them in ``text`` (or ``anchor``, the last one before the text) or, given ``dct``, from the document creation
   time, as HeidelTime does in its narrative and news modes.

Not time expressions: counts that look like years ("2021 signatures", "About 1500 families",
"12-14 thousand"), page ranges ("pp. 1992-2005"), citation years ("(Nurlanova, 2015)", "Safran (1991)").

>>> [(t.date_start, t.date_end, t.granularity) for t in find_timexes("Caravans came in the late 19th century.")]
[('1868-01-01', '1900-12-31', 'century')]
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.events.isodates import GRANULARITY_ORDER, MONTHS, Timex, coarser, iso, last_day, month_number, year_span
from pipeline.events.relative import resolve
from pipeline.events.words import WORD_ATOMS, word_interval

__all__ = ["GRANULARITY_ORDER", "Timex", "find_timexes", "last_absolute"]

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_YEAR = r"(?:1[0-9]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DASH = r"\s?[-–—]\s?"
_ORD = r"(?:st|nd|rd|th)"


# --- pass 1: atoms ------------------------------------------------------------------------------

_RJOIN = r"\s?(?:[-–—]|\bto\b|\band\b|\buntil\b|\bthrough\b)\s?"
#: Parts of a year (northern-hemisphere seasons; "winter" spans two years and is left to the year atom).
YEAR_PARTS = {
    "early": (1, 4),
    "beginning of": (1, 4),
    "start of": (1, 4),
    "mid": (5, 8),
    "middle of": (5, 8),
    "late": (9, 12),
    "end of": (9, 12),
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "first half of": (1, 6),
    "second half of": (7, 12),
}
_PART = (
    r"(?:" + "|".join(sorted((re.escape(k).replace("\\ ", r"\s") for k in YEAR_PARTS), key=len, reverse=True)) + r")"
)

_ATOMS: list[tuple[str, re.Pattern]] = [
    (
        "day_range",
        re.compile(
            rf"\b(?P<d1>{_DAY}){_RJOIN}(?P<d2>{_DAY})\s(?:of\s)?(?P<m>{_MONTH}),?\s(?:in\s|of\s)?(?P<y>{_YEAR})\b", re.I
        ),
    ),
    ("day_range", re.compile(rf"\b(?P<m>{_MONTH})\s(?P<d1>{_DAY}){_RJOIN}(?P<d2>{_DAY}),?\s(?P<y>{_YEAR})\b", re.I)),
    ("month_range", re.compile(rf"\b(?P<m1>{_MONTH}){_RJOIN}(?P<m2>{_MONTH})(?:\sof)?,?\s(?P<y>{_YEAR})\b", re.I)),
    (
        "year_part",
        re.compile(
            rf"\b(?:the\s)?(?P<part>{_PART})(?:[\s-]|\sof\s)(?:the\s)?(?:year\s)?(?P<y>{_YEAR})\b(?![-–]\d)", re.I
        ),
    ),
    (
        "dmy",
        re.compile(rf"\b(?:the\s)?(?P<d>{_DAY})\s(?:of\s)?(?P<m>{_MONTH}),?\s(?:in\s|of\s)?(?P<y>{_YEAR})\b", re.I),
    ),
    ("mdy", re.compile(rf"\b(?P<m>{_MONTH})\s(?P<d>{_DAY}),?\s(?P<y>{_YEAR})\b", re.I)),
    ("my", re.compile(rf"\b(?P<m>{_MONTH})(?:\sof)?\s(?P<y>{_YEAR})\b", re.I)),
    *((f"word_{kind}", rx) for kind, rx in WORD_ATOMS),  # ordinal centuries and their parts, the turn of a century
    (
        "century_range",
        re.compile(rf"\b(?:the\s)?(?P<a>\d{{1,2}}){_ORD}?{_DASH}(?P<b>\d{{1,2}}){_ORD}\scenturies\b", re.I),
    ),
    (
        "century",
        re.compile(
            rf"\b(?:the\s)?(?:(?P<half>first|second)\shalf\sof\sthe\s)?(?P<c>\d{{1,2}}){_ORD}[\s-]century\b", re.I
        ),
    ),
    ("decade_range", re.compile(rf"\b(?:the\s)?(?P<a>(?:1[0-9]|20)\d0)s?{_DASH}(?P<b>\d0)[’']?s\b", re.I)),
    ("decade", re.compile(r"\b(?:the\s)?(?:(?P<part>early|mid|late)[\s-])?(?P<a>(?:1[0-9]|20)\d0)[’']?s\b", re.I)),
    ("year_range", re.compile(rf"(?<![\d.,/])(?P<a>{_YEAR}){_DASH}(?P<b>{_YEAR}|\d\d)\b(?![-–.,]\d)", re.I)),
    (
        "year",
        re.compile(rf"(?<![\d.,/-])(?P<a>{_YEAR})(?![\d%])(?!\s?(?:million|thousand|people|percent|per\b))", re.I),
    ),
]


def _day(text: str) -> int:
    """ "29th" → 29."""
    return int(re.sub(r"\D", "", text))


def _atom_interval(kind: str, g: dict) -> tuple[str, str, str] | None:
    if kind.startswith("word_"):
        return word_interval(kind.removeprefix("word_"), g)
    if kind in ("dmy", "mdy"):
        y, mo, d = int(g["y"]), month_number(g["m"]), _day(g["d"])
        return (iso(y, mo, d), iso(y, mo, d), "day") if d <= last_day(y, mo) else None
    if kind == "day_range":
        y, mo = int(g["y"]), month_number(g["m"])
        a, b = (_day(g[k]) for k in ("d1", "d2"))
        return (iso(y, mo, a), iso(y, mo, b), "day") if a < b <= last_day(y, mo) else None
    if kind == "month_range":
        y, a, b = int(g["y"]), month_number(g["m1"]), month_number(g["m2"])
        return (iso(y, a, 1), iso(y, b, last_day(y, b)), "month") if a < b else None
    if kind == "year_part":
        y = int(g["y"])
        a, b = YEAR_PARTS[re.sub(r"\s+", " ", g["part"].lower())]
        return iso(y, a, 1), iso(y, b, last_day(y, b)), "month"
    if kind == "my":
        y, mo = int(g["y"]), month_number(g["m"])
        return iso(y, mo, 1), iso(y, mo, last_day(y, mo)), "month"
    if kind == "century_range":
        a, b = int(g["a"]), int(g["b"])
        return (*year_span((a - 1) * 100 + 1, b * 100), "century") if 0 < a < b <= 21 else None
    if kind == "century":
        c = int(g["c"])
        lo, hi = (c - 1) * 100 + 1, c * 100
        if g.get("half"):
            lo, hi = (lo, lo + 49) if g["half"].lower() == "first" else (lo + 50, hi)
        return (*year_span(lo, hi), "century") if 0 < c <= 21 else None
    if kind == "decade_range":
        a, b = int(g["a"]), int(g["b"])
        b_full = (a // 100) * 100 + b if b > a % 100 else (a // 100 + 1) * 100 + b
        return *year_span(a, b_full + 9), "decade"
    if kind == "decade":
        a = int(g["a"])
        lo, hi = {"early": (0, 2), "mid": (3, 6), "late": (7, 9), "": (0, 9)}[(g.get("part") or "").lower()]
        return *year_span(a + lo, a + hi), "decade"
    if kind == "year_range":
        a, b = int(g["a"]), g["b"]
        bb = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
        return (*year_span(a, bb), "year") if a < bb <= a + 100 else None
    if kind == "year":
        return *year_span(int(g["a"])), "year"
    return None


_PAGES = re.compile(r"\b(?:pp?|pages?|vol|no)\.?\s*$", re.I)
_COUNT_BEFORE = re.compile(
    r"\b(?:about|approximately|around|some|over|nearly|almost|than|gathered|only|total)\s+$", re.I
)
_DATE_BEFORE = re.compile(
    r"\b(?:in|the|since|by|during|until|till|from|to|and|between|after|before|of|early|late|mid|'s|’s)\s+$", re.I
)
_PLURAL_AFTER = re.compile(r"^\s[a-z]+s\b")


def _is_citation(text: str, s: int, e: int) -> bool:
    """A year in a parenthetical citation "(Author, 2015; …)", "(2014)" after a name, or "2011a"."""
    if e < len(text) and text[e : e + 1].isalpha() and text[e : e + 1].islower() and not text[e : e + 2] == "s":
        if re.match(r"[a-z]\b", text[e : e + 2]):
            return True
    open_ = text.rfind("(", 0, s)
    close = text.find(")", e)
    if open_ < 0 or close < 0 or ")" in text[open_:s] or "(" in text[e:close] or close - open_ > 200:
        return False
    inside = text[open_ + 1 : close]
    before = text[open_ + 1 : s]
    if re.fullmatch(r"\s*", before) and re.fullmatch(
        r"[a-z]?(?:[:,]\s*(?:pp?\.\s*)?\d+(?:[-–]\d+)?)?\s*", text[e:close]
    ):
        return bool(re.search(r"[A-Z][\w’'-]+(?:\s+(?:et al\.|and|&)\s*[A-Z]?[\w’'-]*)?\s*$", text[:open_]))
    return bool(re.search(r"[^\W\d_][^()]*,\s*$", before)) or ";" in inside and bool(re.search(r",\s*$", before))


def _joined(text: str, m: re.Match) -> bool:
    """A range joined by "and" ("5 and 16 May", "March and May 2019") names two dates, not the days or months
    between them, unless "between" opens it or the two are consecutive."""
    g = m.groupdict()
    a, b = ("d1", "d2") if "d1" in g else ("m1", "m2")
    if not re.search(r"\band\b", text[m.start(a) : m.start(b)], re.I):
        return True
    if re.search(r"\bbetween\s+$", text[max(0, m.start() - 10) : m.start()], re.I):
        return True
    num = _day if a == "d1" else month_number
    return num(g[b]) == num(g[a]) + 1


def _atoms(text: str) -> list[Timex]:
    out: list[Timex] = []
    for kind, rx in _ATOMS:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(t.start < e and s < t.end for t in out):
                continue
            iv = _atom_interval(kind, m.groupdict())
            if iv and kind in ("day_range", "month_range") and not _joined(text, m):
                continue
            if iv is None or _PAGES.search(text[max(0, s - 8) : s]):
                continue
            if kind in ("year", "year_range"):
                if _is_citation(text, s, e):
                    continue
                before = text[max(0, s - 25) : s]
                if _COUNT_BEFORE.search(before) or (
                    _PLURAL_AFTER.match(text[e : e + 30]) and not _DATE_BEFORE.search(before)
                ):
                    continue
            out.append(Timex(s, e, *iv))
    return sorted(out, key=lambda t: t.start)


# --- pass 2: ranges and modifiers -------------------------------------------------------------------

_MOD = re.compile(r"\b(since|after|by|until|till|before|up to|prior to|as early as|as of)\s+$", re.I)
_MOD_OF = {
    "since": "after",
    "after": "after",
    "by": "before",
    "until": "before",
    "till": "before",
    "before": "before",
    "up to": "before",
    "prior to": "before",
    "as early as": "before",
    "as of": "before",
}
_RANGE_OPEN = re.compile(r"\b(from|between)\s+$", re.I)
_RANGE_JOIN = re.compile(r"^\s+(?:to|and|until|till|through)\s+$", re.I)
_TO_PRESENT = re.compile(r"^\s+(?:to|until|till)\s+(?:the\s+)?(?:present(?:\s+day)?|today|now|date)\b", re.I)


_RANGE_ATOMS = [rx for kind, rx in _ATOMS if kind in ("day_range", "month_range")]


def _combine(text: str, atoms: list[Timex]) -> list[Timex]:
    out: list[Timex] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        opener = _RANGE_OPEN.search(text[max(0, a.start - 10) : a.start])
        start = a.start - len(opener.group(0)) if opener else a.start
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        if opener and nxt and _RANGE_JOIN.match(text[a.end : nxt.start]) and a.date_start <= nxt.date_end:
            out.append(Timex(start, nxt.end, a.date_start, nxt.date_end, coarser(a.granularity, nxt.granularity)))
            i += 2
            continue
        present = _TO_PRESENT.match(text[a.end :])
        if present and a.granularity != "day" or present and opener:
            out.append(replace(a, start=start, end=a.end + present.end(), date_mod="after"))
            i += 1
            continue
        if opener and any(rx.fullmatch(text, a.start, a.end) for rx in _RANGE_ATOMS):
            out.append(replace(a, start=start))  # "from March to May 2019": a day or month range takes its opener
            i += 1
            continue
        mod = _MOD.search(text[max(0, a.start - 14) : a.start])
        if mod:
            out.append(replace(a, start=a.start - len(mod.group(0)), date_mod=_MOD_OF[mod.group(1).lower()]))
        else:
            out.append(a)
        i += 1
    return out


# --- lists: one date per item ---------------------------------------------------------------------------

#: "the summers of 2005, 2007 and 2011": a season shared by a list of years.
_PART_LIST = re.compile(
    rf"\b(?:the\s)?(?P<part>springs|summers|autumns|falls)\sof\s"
    rf"(?P<years>{_YEAR}(?:\s?,\s?{_YEAR})*(?:,?\s(?:and|&)\s{_YEAR}))\b",
    re.I,
)


def _part_lists(text: str) -> list[Timex]:
    """One interval per listed year; the first carries the words before it ("the summers of 2005"), the others
    their year ("2007", "2011")."""
    out: list[Timex] = []
    for m in _PART_LIST.finditer(text):
        a, b = YEAR_PARTS[m.group("part").lower()[:-1]]
        for i, y in enumerate(re.finditer(_YEAR, m.group("years"))):
            s, e = m.start("years") + y.start(), m.start("years") + y.end()
            year = int(y.group(0))
            out.append(Timex(m.start() if i == 0 else s, e, iso(year, a, 1), iso(year, b, last_day(year, b)), "month"))
    return out


# --- the reader -----------------------------------------------------------------------------------------


def find_timexes(
    text: str,
    anchor: Timex | None = None,
    dct: Timex | None = None,
    tense: str | None = None,
    same_segment: bool = True,
) -> list[Timex]:
    """Every time expression in ``text``: absolute ones, then underspecified ones (:mod:`.relative`) read from the
    last date before them (or from ``anchor``, the reference time from earlier in the narrative), or, given ``dct``
    (news mode), deictic and year-less ones from the document creation time; ``tense`` is the sentence's
    (``"past"``, ``"future"`` or None) for year-less dates in news mode; ``same_segment`` False when ``anchor`` was
    stated in another paragraph (it then dates only anaphoric expressions, see :func:`.relative.resolve`)."""
    lists = _part_lists(text)
    atoms = [a for a in _combine(text, _atoms(text)) if not any(a.start < t.end and t.start < a.end for t in lists)]
    absolute = sorted(lists + atoms, key=lambda t: t.start)
    return sorted(absolute + resolve(text, absolute, anchor, dct, tense, same_segment), key=lambda t: t.start)


def last_absolute(text: str, anchor: Timex | None = None) -> Timex | None:
    """The reference time after reading ``text``: its last absolute expression, else ``anchor``."""
    absolute = [t for t in find_timexes(text) if not t.relative]
    return absolute[-1] if absolute else anchor
