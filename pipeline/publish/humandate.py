"""An inclusive ISO interval as a reader writes it, from its granularity: "1992-09-29", "March 1993", "1990s",
"17th–18th c.".

:func:`human_date` inverts what :mod:`pipeline.events.timex` reads: whole units of the granularity are named
("1930s–1950s", "May–June 2019"), the parts of a decade (early = years 0–2, mid = 3–6, late = 7–9) and of a
century (halves; early = years 1–33, mid = 34–67, late = 68–100, as :mod:`pipeline.events.words`) by their
part; an interval that is none of these falls back to the next finer unit that fits it (years, months, days),
so the text never claims more than the interval holds. ``date_mod`` adds "onwards" (``after``) or "up to"
(``before``).
"""

from __future__ import annotations

import calendar
from datetime import date

from pipeline.core import names
from pipeline.events.words import CENTURY_PARTS as WORD_PARTS

DASH = "–"  # between the two ends of a range
BEFORE, AFTER = names.DATE_MODS
#: Parts of a decade as years from its first, as :mod:`pipeline.events.timex` reads "the early 1990s".
DECADE_PARTS = {(0, 2): "early", (3, 6): "mid-", (7, 9): "late"}
#: Parts of a century as years from its first (year 1 of the century is offset 0), as :mod:`.words` reads them.
CENTURY_PARTS = {
    WORD_PARTS[part]: text
    for part, text in (
        ("first half", "first half of the"),
        ("second half", "second half of the"),
        ("early", "early"),
        ("mid", "mid-"),
        ("late", "late"),
    )
}


def ordinal(n: int) -> str:
    """``n`` as an English ordinal.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _whole_years(a: date, b: date) -> bool:
    return (a.month, a.day, b.month, b.day) == (1, 1, 12, 31)


def _whole_months(a: date, b: date) -> bool:
    return a.day == 1 and b.day == calendar.monthrange(b.year, b.month)[1]


def _days(a: date, b: date) -> str:
    return a.isoformat() if a == b else f"{a.isoformat()} {DASH} {b.isoformat()}"


def _months(a: date, b: date) -> str:
    name_a, name_b = calendar.month_name[a.month], calendar.month_name[b.month]
    if (a.year, a.month) == (b.year, b.month):
        return f"{name_a} {a.year}"
    if a.year == b.year:
        return f"{name_a}{DASH}{name_b} {a.year}"
    return f"{name_a} {a.year} {DASH} {name_b} {b.year}"


def _years(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}{DASH}{b}"


def _part(parts: dict[tuple[int, int], str], first: int, last: int) -> str | None:
    return parts.get((first, last))


def _decades(a: int, b: int) -> str | None:
    lo, hi = a - a % 10, b - b % 10
    if a % 10 == 0 and b % 10 == 9:
        return f"{lo}s" if lo == hi else f"{lo}s{DASH}{hi}s"
    part = _part(DECADE_PARTS, a % 10, b % 10) if lo == hi else None
    return f"{part}{'' if part.endswith('-') else ' '}{lo}s" if part else None


def _centuries(a: int, b: int) -> str | None:
    ca, cb = (a - 1) // 100 + 1, (b - 1) // 100 + 1  # 1601 → 17th, 1800 → 18th
    oa, ob = (a - 1) % 100, (b - 1) % 100  # years from the century's first
    if oa == 0 and ob == 99:
        return f"{ordinal(ca)} c." if ca == cb else f"{ordinal(ca)}{DASH}{ordinal(cb)} c."
    part = _part(CENTURY_PARTS, oa, ob) if ca == cb else None
    return f"{part}{'' if part.endswith('-') else ' '}{ordinal(ca)} c." if part else None


def human_date(date_start: str, date_end: str, granularity: str, date_mod: str | None = None) -> str:
    """The interval ``date_start``..``date_end`` (inclusive ISO dates) in words, at ``granularity``.

    >>> human_date("1601-01-01", "1800-12-31", "century"), human_date("1992-09-29", "1992-09-29", "day")
    ('17th–18th c.', '1992-09-29')
    >>> human_date("1990-01-01", "1999-12-31", "decade"), human_date("1993-03-01", "1993-03-31", "month")
    ('1990s', 'March 1993')
    >>> human_date("1943-01-01", "1943-12-31", "year", "after"), human_date("1980-01-01", "1980-12-31", "year", "before")
    ('1943 onwards', 'up to 1980')
    """
    a, b = date.fromisoformat(date_start), date.fromisoformat(date_end)
    text = None
    if _whole_years(a, b):
        if granularity == "century":
            text = _centuries(a.year, b.year)
        elif granularity == "decade":
            text = _decades(a.year, b.year)
        if text is None and granularity not in ("day", "week", "month"):
            text = _years(a.year, b.year)
    if text is None and granularity not in ("day", "week") and _whole_months(a, b):
        text = _months(a, b)
    if text is None:
        text = _days(a, b)
    if date_mod == AFTER:
        return f"{text} onwards"
    if date_mod == BEFORE:
        return f"up to {text}"
    return text
