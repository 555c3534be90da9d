"""Calendar arithmetic on inclusive ISO intervals, and the time-expression record every reader returns.

A :class:`Timex` is a span of a text (``start``/``end``) with an inclusive interval ``date_start``..``date_end``
(``YYYY-MM-DD``), its ``granularity`` (:data:`GRANULARITY_ORDER`), a ``date_mod`` and how it was resolved
(``names.DATE_RESOLUTIONS``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.core import names

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
#: Finest first; "week" is the unit of "last week".
GRANULARITY_ORDER = ("day", "week", "month", "year", "decade", "century")


@dataclass(frozen=True)
class Timex:
    """A time expression: ``relative`` marks an anaphoric one ("two years later"), read from an earlier date and
    never itself a reference point; ``resolution`` says what its interval was read against."""

    start: int
    end: int
    date_start: str
    date_end: str
    granularity: str
    date_mod: str | None = None
    relative: bool = False
    resolution: str = names.RES_ABSOLUTE

    @property
    def year(self) -> int:
        return int(self.date_start[:4])

    @property
    def month(self) -> int:
        return int(self.date_start[5:7])

    @property
    def day(self) -> date:
        return date.fromisoformat(self.date_start)


def month_number(name: str) -> int:
    """ "Sept." / "september" → 9."""
    return MONTHS[name.lower().rstrip(".")]


def last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def year_span(a: int, b: int | None = None) -> tuple[str, str]:
    return iso(a, 1, 1), iso(b if b is not None else a, 12, 31)


def month_span(y: int, a: int, b: int | None = None) -> tuple[str, str]:
    """Months ``a``..``b`` of year ``y`` (``b`` may be > 12: it runs into the next year)."""
    b = a if b is None else b
    yb, mb = y + (b - 1) // 12, (b - 1) % 12 + 1
    return iso(y, a, 1), iso(yb, mb, last_day(yb, mb))


def coarser(a: str, b: str) -> str:
    return max(a, b, key=GRANULARITY_ORDER.index)


def day_interval(d: date) -> tuple[str, str, str]:
    return d.isoformat(), d.isoformat(), "day"


def week_interval(d: date) -> tuple[str, str, str]:
    """The Monday-to-Sunday week holding ``d``."""
    monday = d - timedelta(days=d.weekday())
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "week"


def shift(ref: Timex, n: int, unit: str) -> tuple[str, str, str] | None:
    """The ``unit`` ``n`` units after (``n`` < 0: before) the reference; None when the reference is too coarse
    ("a week later" needs a day, "the following month" a month)."""
    if unit in ("year", "decade"):
        return *year_span(ref.year + n * (10 if unit == "decade" else 1)), "year"
    if unit == "month":
        if ref.granularity not in ("day", "week", "month"):
            return None
        y, m = divmod(ref.year * 12 + ref.month - 1 + n, 12)
        return *month_span(y, m + 1), "month"
    if unit in ("day", "week") and ref.granularity == "day":
        return day_interval(ref.day + timedelta(days=n * (7 if unit == "week" else 1)))
    return None
