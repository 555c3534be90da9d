"""Underspecified time expressions, resolved the way HeidelTime does (its ``ResolveAmbiguousValues``).

Three kinds, each a small table of patterns:

* *anaphoric* ("two years later", "a year earlier", "the following month", "in the same year", "that June", "during this time",
  "Later,"): read from the last date mentioned before them, in every document (HeidelTime's ``REF``).
  They are ``relative`` and never become a reference point themselves.
* *deictic* ("yesterday", "today", "last week", "this year", "last year", "next month", "last April",
  "this summer", "on Monday", "last Friday", "the turn of the century"): read from the document creation time (DCT) in news mode, from the
  last mentioned date in narrative mode (HeidelTime's ``this``/``last``/``next``); "today" only in news mode.
* *year-less* ("on March 3", "3 March", "in April", "in the summer"): the year is the DCT's in news mode,
  moved by the sentence's tense as HeidelTime does (past tense and a month after the DCT's → the year before;
  future tense and a month before it → the year after), the last mentioned year in narrative mode.

``resolution`` is ``names.RES_DCT`` when the DCT was used, ``names.RES_NARRATIVE`` when a mentioned date was.
Without a reference nothing is returned: an unresolvable expression is not a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.core import names
from pipeline.core.number_words import SMALL_CARDINALS
from pipeline.events.isodates import (
    GRANULARITY_ORDER,
    MONTHS,
    Timex,
    day_interval,
    iso,
    last_day,
    month_number,
    month_span,
    shift,
    week_interval,
    year_span,
)

PAST, FUTURE = "past", "future"
_NUMBER_WORDS = {"a": 1, "an": 1, **SMALL_CARDINALS}
#: Capitalized month names only: "may" is a verb.
_MONTH_CAP = r"(?:(?:" + "|".join(m.capitalize() for m in MONTHS if len(m) > 4 or m in ("may", "june", "july"))
_MONTH_CAP += r")\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_NUM = r"(?P<n>\d+|" + "|".join(_NUMBER_WORDS) + ")"
#: Seasons as months (northern hemisphere); winter runs December to February of the next year.
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = r"(?:" + "|".join(_WEEKDAYS) + r")\b"
#: A number that could be a day or a year: one or two digits, or four, not part of a longer number ("1,200",
#: "300" and "12.5" are neither: "in April, 1,200 people" is a month and a figure).
_DAY_OR_YEAR = r"(?:\d{1,2}|\d{4})(?!\d|[,.]\d)"
_NOT_A_YEAR_AFTER = rf"(?!,?\s*(?:of\s)?(?:the\s)?{_DAY_OR_YEAR})"

_ANAPHORIC = re.compile(
    rf"\b(?:(?P<later>{_NUM}\s(?P<unit>day|week|month|year|decade)s?\s(?:later|after(?:wards)?|(?P<earlier>earlier)))"
    rf"|(?P<following>(?:the\s)(?:following|next)\s(?P<unit2>day|week|month|year|decade)|following\s(?P<unit2b>day|week|month|year))"
    rf"|(?P<same>(?:in\s|during\s)?(?:the\s(?:same|very\ssame)|that)\s(?P<unit3>day|month|year))"
    rf"|(?P<that>(?:that|the\ssame)\s(?P<month>(?-i:{_MONTH_CAP})))"
    rf"|(?P<this>(?:in\s|during\s)?(?:this|that)\s(?:time|period)(?:\sof\s[a-z]+)?)"
    rf"|(?P<bare_later>(?:^\s*|(?<=[.;]\s))Later\b(?=,)))",
    re.I | re.M,
)
_DEICTIC = re.compile(
    rf"(?:\b(?P<word>yesterday|today|tomorrow)\b"
    rf"|(?<!\bthe\s)\b(?P<rel>last|this|next)\s(?P<unit>week|month|year)\b(?!s|\s(?:of|and)\b)"
    rf"|(?<!\bthe\s)\b(?P<rel_m>last|this|next)\s(?P<month>(?-i:{_MONTH_CAP}))(?!\s?{_DAY_OR_YEAR})"
    rf"|\b(?P<rel_w>last|this|next|on|since|by|until|till)\s(?P<weekday>(?-i:{_WEEKDAY}))(?!\s?\d)"
    rf"|(?<!\bthe\s)\b(?P<rel_s>last|this|next)\s(?P<season>{_SEASON})\b{_NOT_A_YEAR_AFTER}"
    rf"|\b(?P<turn>the\sturn\sof\sthe\scentury)\b)",
    re.I,
)
#: Year-less dates; a month alone needs a preposition before it ("in April"), a season "in the".
_YEARLESS = re.compile(
    rf"(?:\b(?P<md_m>{_MONTH_CAP})\s(?P<md_d>{_DAY})\b(?![,.]\d)(?![,.]?\s?{_DAY_OR_YEAR})(?!\s?(?:%|percent|per\b|million|thousand))"
    rf"|\b(?:the\s)?(?P<dm_d>{_DAY})\s(?:of\s)?(?P<dm_m>{_MONTH_CAP})(?![,.]?\s?{_DAY_OR_YEAR})"
    rf"|\b(?i:in|on|by|since|until|till|during|from|through|before|after|early|late|mid)[\s-]"
    rf"(?P<m>{_MONTH_CAP}){_NOT_A_YEAR_AFTER}"
    rf"|\b(?i:in|during|by|until|since)\s(?P<season>the\s{_SEASON})\b(?!\sof\b){_NOT_A_YEAR_AFTER})",
)


@dataclass(frozen=True)
class Reference:
    """What an underspecified expression is read against: the last date mentioned before it, the document
    creation time (news mode only), and the tense of its sentence (``PAST``, ``FUTURE`` or None)."""

    prior: Timex | None
    dct: Timex | None = None
    tense: str | None = None


Interval = tuple[str, str, str, str | None]


def _anaphoric(m: re.Match, ref: Timex) -> Interval | None:
    g = m.groupdict()
    iv = None
    if g["later"]:
        n = g["n"].lower()
        n = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        iv = shift(ref, -n if g["earlier"] else n, g["unit"].lower())
    elif g["following"]:
        iv = shift(ref, 1, (g["unit2"] or g["unit2b"]).lower())
    elif g["same"]:
        unit = g["unit3"].lower()
        if GRANULARITY_ORDER.index(unit) < GRANULARITY_ORDER.index(ref.granularity):
            return None
        iv = shift(ref, 0, unit)
    elif g["that"]:
        if ref.granularity not in ("day", "week", "month", "year"):
            return None
        mo = month_number(g["month"])
        iv = (*month_span(ref.year, mo), "month")
    elif g["this"]:
        return ref.date_start, ref.date_end, ref.granularity, None
    elif g["bare_later"]:
        return ref.date_start, ref.date_end, ref.granularity, "after"
    return (*iv, None) if iv else None


def _season(year: int, name: str) -> tuple[str, str, str]:
    a, b = SEASONS[name.lower()]
    return *month_span(year, a, b), "month"


def _deictic(m: re.Match, base: Timex, news: bool, tense: str | None = None) -> Interval | None:
    g = m.groupdict()
    if g["word"]:
        word = g["word"].lower()
        if base.granularity != "day" or word == "today" and not news:
            return None
        return (*day_interval(base.day + timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[word])), None)
    if g["rel"]:
        n = {"last": -1, "this": 0, "next": 1}[g["rel"].lower()]
        unit = g["unit"].lower()
        if unit == "week":
            return (*week_interval(base.day + timedelta(days=7 * n)), None) if base.granularity == "day" else None
        iv = shift(base, n, unit)
        return (*iv, None) if iv else None
    if g["rel_m"]:  # "last April": the latest April before the reference; "next April" the first after it
        mo, rel = month_number(g["month"]), g["rel_m"].lower()
        if rel != "this" and base.granularity not in ("day", "week", "month"):
            return None
        y = base.year
        if rel == "last":
            y -= mo >= base.month
        elif rel == "next":
            y += mo <= base.month
        return (*month_span(y, mo), "month", None)
    if g["rel_s"]:
        a, b = SEASONS[g["season"].lower()]
        rel, y = g["rel_s"].lower(), base.year
        if rel != "this" and base.granularity not in ("day", "week", "month"):
            return None
        if rel == "last":
            y -= b >= base.month
        elif rel == "next":
            y += a <= base.month
        return (*_season(y, g["season"]), None)
    if g["rel_w"]:  # "on Monday": the nearest Monday on or before the reference day, after it in the future tense
        if base.granularity != "day":
            return None
        rel, wd = g["rel_w"].lower(), _WEEKDAYS.index(g["weekday"])
        back = (base.day.weekday() - wd) % 7
        ahead = (wd - base.day.weekday()) % 7
        if rel == "last":
            delta = -(back or 7)
        elif rel == "next" or rel == "this" and tense == FUTURE:
            delta = ahead or 7
        else:
            delta = ahead if tense == FUTURE else -back
        return (*day_interval(base.day + timedelta(days=delta)), None)
    if g["turn"]:  # the century boundary nearest the reference year
        boundary = round(base.year / 100) * 100
        return (*year_span(boundary - 5, boundary + 5), "decade", None)
    return None


def _yearless(m: re.Match, ref: Reference) -> Interval | None:
    g = {k: v for k, v in m.groupdict().items() if v}
    if "season" in g:
        name = g["season"].split()[-1]
        month, day = SEASONS[name.lower()][0], None
    else:
        month = month_number(g.get("md_m") or g.get("dm_m") or g["m"])
        day_text = g.get("md_d") or g.get("dm_d")
        day = int(re.sub(r"\D", "", day_text)) if day_text else None
    if ref.dct is not None:
        year = ref.dct.year
        if ref.dct.granularity in ("day", "week", "month"):  # HeidelTime compares months; a stated day refines it
            by_day = day is not None and ref.dct.granularity == "day"
            stated = (month, day if day is not None and by_day else 0)
            now = (ref.dct.month, ref.dct.day.day if by_day else 0)
            later, earlier = stated > now, stated < now
            if ref.tense == PAST and later:
                year -= 1
            elif ref.tense == FUTURE and earlier:
                year += 1
    elif ref.prior is not None and ref.prior.granularity in ("day", "week", "month", "year"):
        year = ref.prior.year
    else:
        return None
    if "season" in g:
        return (*_season(year, g["season"].split()[-1]), None)
    if day is None:
        return (*month_span(year, month), "month", None)
    if day > last_day(year, month):
        return None
    d = iso(year, month, day)
    return d, d, "day", None


def resolve(
    text: str,
    absolute: list[Timex],
    anchor: Timex | None,
    dct: Timex | None = None,
    tense: str | None = None,
    same_segment: bool = True,
) -> list[Timex]:
    """The underspecified expressions of ``text`` that do not overlap ``absolute`` (its absolute ones), each read
    from the last date before it (``anchor`` when none is in the text) or from ``dct`` in news mode.

    In narrative mode a deictic or year-less expression takes its year from ``anchor`` only when the anchor was
    stated in the same paragraph (``same_segment``): "on July 9" three paragraphs after "in 2019" is not dated by
    it. Anaphoric expressions ("two years later") always read ``anchor``."""
    candidates: list[tuple[int, int, str, re.Match]] = []
    for kind, rx in (("anaphoric", _ANAPHORIC), ("deictic", _DEICTIC), ("yearless", _YEARLESS)):
        for m in rx.finditer(text):
            s, e = m.span()
            if kind == "anaphoric" and m.group("bare_later"):
                s = m.start("bare_later") + len(m.group("bare_later")) - len("Later")
            elif kind == "yearless" and (m.group("m") or m.group("season")):  # the words after the preposition
                s = m.start("m") if m.group("m") else m.start("season")
            elif kind == "deictic" and m.group("rel_w") and m.group("rel_w").lower() not in ("last", "this", "next"):
                s = m.start("weekday")
            candidates.append((s, e, kind, m))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    taken: list[Timex] = list(absolute)
    out: list[Timex] = []
    for s, e, kind, m in candidates:
        if any(t.start < e and s < t.end for t in taken):
            continue
        mentioned = [t for t in taken if t.end <= s and not t.relative]
        prior = max(mentioned, key=lambda t: t.end) if mentioned else anchor
        if kind != "anaphoric" and not mentioned and not same_segment:
            prior = None
        timex = _read(kind, m, s, e, Reference(prior, dct, tense))
        if timex is not None:
            taken.append(timex)
            out.append(timex)
    return out


def _read(kind: str, m: re.Match, s: int, e: int, ref: Reference) -> Timex | None:
    if kind == "anaphoric":
        iv = _anaphoric(m, ref.prior) if ref.prior is not None else None
        return Timex(s, e, *iv, relative=True, resolution=names.RES_NARRATIVE) if iv else None
    if kind == "deictic":
        base = ref.dct or ref.prior
        iv = _deictic(m, base, ref.dct is not None, ref.tense) if base is not None else None
    else:
        iv = _yearless(m, ref)
    if iv is None:
        return None
    return Timex(s, e, *iv, resolution=names.RES_DCT if ref.dct is not None else names.RES_NARRATIVE)


def dct_timex(value: str | None) -> Timex | None:
    """The document creation time ("2021-03-03", "2021-03", "2021") as a zero-width :class:`Timex`."""
    if not value or not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value):
        return None
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 3:
        return Timex(0, 0, *day_interval(date(*parts)), resolution=names.RES_DCT)
    if len(parts) == 2:
        return Timex(0, 0, *month_span(parts[0], parts[1]), "month", resolution=names.RES_DCT)
    return Timex(0, 0, *year_span(parts[0]), "year", resolution=names.RES_DCT)
