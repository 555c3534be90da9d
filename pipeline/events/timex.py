"""Time expressions → inclusive ISO intervals with a granularity (TIMEX3-like), as pure functions.

``find_timexes(text)`` returns every time expression with ``date_start``/``date_end`` (inclusive
``YYYY-MM-DD``), ``granularity`` (day, month, year, decade, century) and ``date_mod`` (before/after
for "by 1980", "since 2019"). First cut: days, months, years, year ranges, decades, centuries.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted((m for m in MONTHS), key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:1[0-9]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class Timex:
    start: int
    end: int
    date_start: str
    date_end: str
    granularity: str
    date_mod: str | None = None


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("dmy", re.compile(rf"\b(?:the\s)?(?P<d>{_DAY})\s(?:of\s)?(?P<m>{_MONTH})(?:,?\s(?:in\s)?(?P<y>{_YEAR}))\b", re.I)),
    ("mdy", re.compile(rf"\b(?P<m>{_MONTH})\s(?P<d>{_DAY}),?\s(?P<y>{_YEAR})\b", re.I)),
    ("my", re.compile(rf"\b(?P<m>{_MONTH})(?:\sof)?\s(?P<y>{_YEAR})\b", re.I)),
    ("century_range", re.compile(r"\b(?P<a>\d{1,2})(?:st|nd|rd|th)?\s?[-–]\s?(?P<b>\d{1,2})(?:st|nd|rd|th)\scenturies\b", re.I)),
    ("century", re.compile(r"\b(?:the\s)?(?:(?P<half>first|second)\shalf\sof\sthe\s)?(?P<c>\d{1,2})(?:st|nd|rd|th)[\s-]century\b", re.I)),
    ("decade_range", re.compile(rf"\b(?:the\s)?(?P<a>(?:1[0-9]|20)\d0)s\s?[-–]\s?(?P<b>\d0)s\b", re.I)),
    ("decade", re.compile(rf"\b(?:the\s)?(?:(?P<part>early|mid|late)[\s-])?(?P<a>(?:1[0-9]|20)\d0)[’']?s\b", re.I)),
    ("year_range", re.compile(rf"\b(?:(?:from|between)\s)?(?P<a>{_YEAR})\s?(?:[-–]|to|and|until)\s?(?P<b>{_YEAR}|\d\d)\b(?![-–.,]\d)", re.I)),
    ("year", re.compile(rf"(?<![\d.,/-])(?P<a>{_YEAR})(?![\d%])(?!\s?(?:million|thousand|people|percent))", re.I)),
]
_MOD = re.compile(r"\b(since|from|after|by|until|till|before|up to|prior to)\s+(?:the\s)?$", re.I)
_MOD_OF = {"since": "after", "from": "after", "after": "after", "by": "before", "until": "before",
           "till": "before", "before": "before", "up to": "before", "prior to": "before"}


def _interval(kind: str, m: re.Match) -> tuple[str, str, str] | None:
    g = m.groupdict()
    if kind in ("dmy", "mdy"):
        y, mo, d = int(g["y"]), MONTHS[g["m"].lower().rstrip(".")], int(re.sub(r"\D", "", g["d"]))
        if d > _last_day(y, mo):
            return None
        return _iso(y, mo, d), _iso(y, mo, d), "day"
    if kind == "my":
        y, mo = int(g["y"]), MONTHS[g["m"].lower().rstrip(".")]
        return _iso(y, mo, 1), _iso(y, mo, _last_day(y, mo)), "month"
    if kind == "century_range":
        a, b = int(g["a"]), int(g["b"])
        return _iso((a - 1) * 100 + 1, 1, 1), _iso(b * 100, 12, 31), "century"
    if kind == "century":
        c = int(g["c"])
        lo, hi = (c - 1) * 100 + 1, c * 100
        if g.get("half"):
            lo, hi = (lo, lo + 49) if g["half"].lower() == "first" else (lo + 50, hi)
        return _iso(lo, 1, 1), _iso(hi, 12, 31), "century"
    if kind == "decade_range":
        a = int(g["a"])
        b = int(g["b"])
        b_full = (a // 100) * 100 + b if b >= a % 100 else (a // 100 + 1) * 100 + b
        return _iso(a, 1, 1), _iso(b_full + 9, 12, 31), "decade"
    if kind == "decade":
        a = int(g["a"])
        lo, hi = {"early": (0, 2), "mid": (3, 6), "late": (7, 9), None: (0, 9)}[(g.get("part") or "").lower() or None]
        return _iso(a + lo, 1, 1), _iso(a + hi, 12, 31), "decade"
    if kind == "year_range":
        a, b = int(g["a"]), g["b"]
        bb = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
        if bb <= a:
            return None
        return _iso(a, 1, 1), _iso(bb, 12, 31), "year"
    if kind == "year":
        y = int(g["a"])
        return _iso(y, 1, 1), _iso(y, 12, 31), "year"
    return None


def find_timexes(text: str) -> list[Timex]:
    """Every absolute time expression in ``text``, longest first where they overlap."""
    out: list[Timex] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            iv = _interval(kind, m)
            if iv is None:
                continue
            mod = None
            pm = _MOD.search(text[max(0, s - 12):s])
            if pm and kind not in ("year_range",):
                mod = _MOD_OF[pm.group(1).lower()]
            out.append(Timex(s, e, iv[0], iv[1], iv[2], mod))
            taken.append((s, e))
    return sorted(out, key=lambda t: t.start)
