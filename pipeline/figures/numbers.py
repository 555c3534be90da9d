"""Find and normalize number expressions in text: values, ranges, magnitudes, percents, money, qualifiers.

Pure functions over strings (:func:`find_numbers`), so every written form has a test on a literal.
What is *not* a figure is masked first (:func:`not_figure_spans`: URLs, DOIs, ISSNs, phone numbers,
dates, volume(issue) references, names with digits, list numbering); then fractions, "a million",
and digit/word numbers with their magnitude, range, percent, currency and qualifier are read.
The span of a figure leaves out its qualifier word ("more than ``180``"), as the gold does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.number_words import CARDINALS

WORD_NUMBERS = CARDINALS  # one … ninety, hundred, dozen (pipeline/core/number_words.py)
FRACTIONS = {
    "half": 0.5,
    "halves": 0.5,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 0.25,
    "quarters": 0.25,
    "fourth": 0.25,
    "fourths": 0.25,
    "fifth": 0.2,
    "fifths": 0.2,
    "tenth": 0.1,
    "tenths": 0.1,
}
MAGNITUDES = {
    "thousand": 1e3,
    "thousands": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "hundred": 1e2,
    "dozen": 12,
}
QUALIFIERS = [
    (
        "approx",
        r"approximately|about|around|roughly|some|nearly|almost|close to|an estimated|estimated|circa|"
        r"ca\.|c\.|more or less(?: than)?|at around|at about|estimated at|estimated to be|estimated as|"
        r"estimates? that there (?:are|were|is|was)",
    ),
    ("ge", r"at least|no less than|not less than|no fewer than|a minimum of"),
    ("le", r"up to|at most|no more than|not more than|a maximum of"),
    ("gt", r"more than|over|above|exceeding|exceeded|exceeds|in excess of"),
    ("lt", r"less than|fewer than|under|below"),
]
QUALIFIER_NAMES = ("approx", "gt", "ge", "lt", "le", "eq")
CURRENCIES = {
    "$": "USD",
    "US$": "USD",
    "USD": "USD",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "₸": "KZT",
    "KZT": "KZT",
    "dollars": "USD",
    "dollar": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "tenge": "KZT",
    "rubles": "RUB",
    "roubles": "RUB",
    "RUB": "RUB",
    "GBP": "GBP",
    "pounds": "GBP",
}
MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)

_QUAL_RX = "|".join(f"(?P<q_{name}>\\b(?:{rx}))" for name, rx in QUALIFIERS)
_QUAL_ONLY = re.compile(rf"(?:{_QUAL_RX})\s+$", re.I)

# Thousands grouped with spaces: a no-break or thin space always groups; a plain space groups after
# a first group of one or two digits ("20 000", "1 250 000"), or joins two three-digit groups that no
# other number touches ("647 732"), so "878 878 878" (a table row's cells read as text) stays three.
_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+(?![\d])|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?![\d,.])"
    r"|\d{1,2}(?: \d{3})+(?![\d,.])|(?<!\d )\d{3} \d{3}(?![\d,.]| \d)|\d+)(?:\.\d+)?"
)
_WORDS_ALT = "|".join(sorted((w for w in WORD_NUMBERS if w != "dozen"), key=len, reverse=True))
_WORDNUM = rf"\b(?:{_WORDS_ALT})(?:[\s-](?:{_WORDS_ALT}))?\b"
_MAG = r"(?:thousands?|millions?|billions?|trillion|mln|mn|bn)\b"
_PCT = r"(?:\s?%|\s?per\s?cent\b|\s?percent\b|\s?percentage points?\b)"
_CUR_PRE = r"(?:US\$|\$|€|£|₸|\b(?:USD|EUR|KZT|GBP|RUB)\s?)"
_CUR_POST = r"(?:\s(?:USD|EUR|KZT|dollars|euros?|tenge|rubles|roubles)\b)"
_RANGE_SEP = r"\s?(?:-|–|—)\s?|\s(?:to)\s"

FIGURE_RX = re.compile(
    rf"(?:(?:{_QUAL_RX})\s+)?"
    rf"(?:(?P<between>\bbetween|\bfrom)\s+)?"
    rf"(?P<cur>{_CUR_PRE})?"
    rf"(?P<a>{_NUM}|{_WORDNUM})"
    rf"(?:\s?(?P<amag>{_MAG}))?"
    rf"(?:(?P<sep>{_RANGE_SEP}|(?(between)\s+and\s+|(?!)))(?P<cur2>{_CUR_PRE})?(?P<b>{_NUM}|{_WORDNUM}))?"
    rf"(?:\s?(?P<mag>{_MAG}))?"
    rf"(?P<pct>{_PCT})?"
    rf"(?P<curpost>{_CUR_POST})?"
    rf"(?P<rate>\s(?:a|per)\s(?:month|year|day|week|person|capita)\b)?",
    re.I,
)
FRACTION_RX = re.compile(
    rf"(?:(?:{_QUAL_RX})\s+)?\b(?:(?P<num>one|two|three|four|a)[\s-])?(?P<den>half|thirds?|quarters?|fourths?|fifths?|tenths?)\b"
    rf"(?:\s(?P<a>an?)\s(?P<mag>{_MAG}|dozen\b))?",
    re.I,
)
A_MAG_RX = re.compile(rf"(?:(?:{_QUAL_RX})\s+)?\b(?P<a>an?)\s(?P<mag>{_MAG}|dozen\b)", re.I)
A_UNIT_RX = re.compile(rf"(?:(?:{_QUAL_RX})\s+)(?P<a>an?)\s(?P<unit>year|month|week|day|decade|century)\b", re.I)
MONEY_LABEL_RX = re.compile(
    rf"\(?(?P<cur>USD|EUR|KZT|US\$)\s(?P<mag>million|billion|thousand|mln|bn)\)?\s*:\s*(?P<a>{_NUM})(?![\d,.]\d)"
)
AGE_RX = re.compile(rf"\b(?:(?:{_QUAL_RX})\s+)the age of\s(?P<a>\d{{1,3}})\b|\baged\s(?P<b>\d{{1,3}})\b", re.I)

_NOTE_AFTER = r"(?:\s\d{1,3}(?=\s+(?:https?://|www\.|[A-Z])))?"
# Spans that hold digits but no figure: masked before any number is read.
_NOT_FIGURE = [
    rf"(?:https?://|www\.)\S+{_NOTE_AFTER}",  # URLs, and the footnote number after one
    rf"\b[\w.-]+\.(?:com|org|net|gov|edu|int|info|io|kz|ru|uz|kg|de|fr|uk|eu|tr|cn)(?:/\S*|\b){_NOTE_AFTER}",  # domains
    r"\A\s*\d{1,3}(?=\s+(?:https?://|www\.))",  # a note number before a URL opening a block
    r"\S+@\S+\.\w+",  # e-mail
    r"\b(?:doi:\s?|DOI:?\s?)?10\.\d{4,}/\S+",  # DOIs
    r"\bISSN:?\s*\d{4}-?\d{3}[\dXx]\b|\b\d{4}-\d{3}[\dXx]\b",  # ISSNs
    r"\b\d{4}-\d{4}-\d{4}-\d{3}[\dXx]\b",  # ORCID
    r"(?<![\w,.])\+\d[\d ()\-]{7,}\d",  # phone numbers
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?(?:{MONTHS})(?:,?\s\d{{4}})?",  # 30 April 2020
    rf"\b(?:{MONTHS})\s\d{{1,2}}(?:st|nd|rd|th)?(?:,\s?\d{{4}})?",  # June 23, 2017
    r"\b\d+\s?\(\d+\)(?:\s?[,:]\s?\d+(?:\s?[-–]\s?\d+)?)?",  # volume(issue), pages
    r"\b[A-Za-z]+[-‐]\d+\b",  # EXPO-2017, COVID-19
    r"\b\d+(?:st|nd|rd|th)\b(?:\s?[-–]\s?\d+(?:st|nd|rd|th)?\b)?|\b\d+\s?[-–]\s?\d+(?:st|nd|rd|th)\b",  # ordinals
    r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b",  # 12.05.2019
    r"(?<![\w(])\(\d{1,2}\)",  # (3): clause and list markers
    r"(?<![\w.,])\d{1,2}[.)](?=\s+[A-Za-z(\"“])(?!\s+(?:million|thousand|percent|per)\b)",  # "1. Is", "1) language"
]
NOT_FIGURE_RX = re.compile("|".join(f"(?:{p})" for p in _NOT_FIGURE), re.I)
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_DECADE_AFTER = re.compile(r"^'?s\b")
_BEFORE_NOT = re.compile(
    r"(?:\b(?:table|tables|figure|figures|fig\.?|chart|map|graph|appendix|annex|art\.?|article|articles|para\.?|"
    r"paragraph|clause|no\.|nos\.|number|nr\.?|p\.|pp\.|vol\.?|volume|issue|iss\.|chapter|ch\.|section|sec\.|§|page|"
    r"pages|grade|class|resolution|decree|law|part|item|point|stage|phase|level|step|wave|round|ranking|rank|top|"
    r"question|q|hypothesis|h|model|footnote|note|box|room|tel\.?|fax|code|ed\.|edn\.|id)\s*)$",
    re.I,
)
_AFTER_NOT = re.compile(r"^(?:st|nd|rd|th)\b|^[-–]?(?:year-old|th)\b|^'?s\b|^\s?[-–]\s?\d+(?:st|nd|rd|th)\b", re.I)
_COUNTED_ONE = re.compile(r"\b(?:only|just|exactly|had|has|have|held|hold|holds)\s+$", re.I)

UNIT_WORDS: dict[str, tuple[str, str]] = {
    **{
        w: ("count", "people")
        for w in (
            "people",
            "persons",
            "person",
            "individuals",
            "refugees",
            "members",
            "returnees",
            "repatriates",
            "students",
            "delegates",
            "migrants",
            "emigrants",
            "immigrants",
            "inhabitants",
            "residents",
            "citizens",
            "workers",
            "compatriots",
            "respondents",
            "participants",
            "applicants",
            "children",
            "women",
            "men",
            "descendants",
            "nomads",
            "oralmans",
            "kandases",
            "qandases",
            "diasporas",
        )
    },
    **{
        w: ("duration", w) for w in ("years", "months", "days", "hours", "weeks", "decades", "centuries", "generations")
    },
    **{w: ("duration", w + "s") for w in ("year", "month", "day", "hour", "week", "decade", "generation")},
    "square": ("area", "km2"),
    "sq": ("area", "km2"),
    "km2": ("area", "km2"),
    "km²": ("area", "km2"),
    "hectares": ("area", "ha"),
    "km": ("length", "km"),
    "kilometres": ("length", "km"),
    "kilometers": ("length", "km"),
    "miles": ("length", "miles"),
    "metres": ("length", "m"),
    "meters": ("length", "m"),
}
_UNIT_STOP = frozenset(
    "of in from who that which and or to for with at on by were are is was have had has live lived "
    "living the a an this these those their its his her our".split()
)


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


def to_float(s: str) -> float | None:
    """``"1,057,280"`` → 1057280, ``"647 732"`` → 647732, ``"twenty-five"`` → 25; None if not a number."""
    s = s.strip().lower()
    if re.fullmatch(_NUM, s):
        return float(re.sub(r"[,\s]", "", s))
    parts = re.split(r"[\s-]+", s)
    if parts and all(p in WORD_NUMBERS for p in parts):
        total = 0
        for p in parts:
            total = total * 100 if p == "hundred" and total else total + WORD_NUMBERS[p]
        return float(total)
    return None


def unit_after(after: str) -> tuple[str, str | None]:
    """Kind and unit from the words after a count: ``"square kilometres"`` → area/km2, ``"Kazakh families"`` → families."""
    words = re.findall(r"[A-Za-zÀ-ÿ²’'-]+|[^\sA-Za-z]", after)[:4]
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in UNIT_WORDS:
            if lw == "square" and not (
                i + 1 < len(words) and words[i + 1].lower().startswith(("kilomet", "km", "mile"))
            ):
                break
            return UNIT_WORDS[lw]
        if lw in _UNIT_STOP or not w[0].isalpha():
            break
        if lw.endswith("s") and len(lw) > 3 and not lw.endswith("ss"):
            if w[0].isupper():
                return "count", "people"  # Kazakhs, Uzbeks, Germans
            return "count", lw
    return "count", None


def is_year(s: str) -> bool:
    return bool(_YEAR.match(s))


def qualifier_of(m: re.Match) -> str:
    for name, _ in QUALIFIERS:
        if m.groupdict().get(f"q_{name}"):
            return name
    return "eq"


def not_figure_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that hold digits but no figure (URLs, DOIs, dates, list markers, …)."""
    return [m.span() for m in NOT_FIGURE_RX.finditer(text)]


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a < e and s < b for a, b in spans)


def _body_start(m: re.Match, group: str) -> int:
    """Start of the figure proper: after the qualifier word (the gold span leaves it out)."""
    q = next((m.start(f"q_{n}") for n, _ in QUALIFIERS if m.groupdict().get(f"q_{n}")), None)
    if q is None:
        return m.start()
    s = m.end(f"q_{qualifier_of(m)}")
    while s < len(m.string) and m.string[s].isspace():
        s += 1
    return s


def _strip_end(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1].isspace():
        e -= 1
    return e


def _scale_thousands_sep(a_txt: str, a: float, pct: bool, mag: str | None, cur: str | None) -> float:
    """``224.467`` (a period as thousands separator, as in continental tables) → 224467."""
    if not (pct or mag or cur) and re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+", a_txt):
        return float(a_txt.replace(".", ""))
    return a


#: The note number opening a footnote ("12 See …", "3 https://…"); in any other block it is a figure ("300 Kazakh families").
FOOTNOTE_NUMBER_RX = re.compile(r"\A\s*\d{1,3}(?=\s+(?:https?://|www\.|[A-Z]))")


def find_numbers(text: str, footnote: bool = False) -> list[NumberExpr]:
    """Every figure-like number expression in ``text``; years, ordinals, labels and markers excluded.

    ``footnote``: ``text`` is a footnote, so a number opening it is the note's number, not a figure.
    """
    out: list[NumberExpr] = []
    masked = not_figure_spans(text)
    if footnote and (m := FOOTNOTE_NUMBER_RX.match(text)):
        masked.append(m.span())
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, value, low, high, kind, unit, qual, span=None) -> None:
        out.append(NumberExpr(s, _strip_end(text, s, e), value, low, high, kind, unit, qual))
        taken.append(span or (s, e))

    for m in MONEY_LABEL_RX.finditer(text):
        amount = to_float(m.group("a"))
        if amount is None:
            continue
        v = amount * MAGNITUDES[m.group("mag").lower().replace("mln", "million").replace("bn", "billion")]
        start = m.start("a") if m.group(0).startswith("(") else m.start()  # "(USD million): 481" vs "USD million: 481"
        add(start, m.end("a"), v, None, None, "money", CURRENCIES.get(m.group("cur"), "USD"), "eq", m.span())
    for m in AGE_RX.finditer(text):
        g = "a" if m.group("a") else "b"
        add(m.start(g), m.end(g), float(m.group(g)), None, None, "other", "years of age", qualifier_of(m), m.span())
    for m in FRACTION_RX.finditer(text):
        if _overlaps(taken, *m.span()):
            continue
        den, num = m.group("den").lower(), (m.group("num") or "").lower()
        s = _body_start(m, "den")
        if m.group("mag"):  # half a million
            v = FRACTIONS[den] * MAGNITUDES[m.group("mag").lower()]
            add(s, m.end(), v, None, None, "count", None, qualifier_of(m))
            continue
        if not num and den not in ("half",):
            continue  # "a third" needs its numerator; "third" alone is an ordinal
        if den == "half" and not num:
            after = text[m.end() : m.end() + 4].lower()
            if not (after.startswith(" of") or qualifier_of(m) != "eq"):
                continue  # "first half of the 20th century" is caught below; "on the one hand"
            if re.search(r"\b(?:first|second|latter|former|the)\s+$", text[max(0, m.start() - 8) : m.start()], re.I):
                continue
        if num == "one" and den.endswith("s"):
            continue
        value = (1 if num in ("", "a") else WORD_NUMBERS[num]) * FRACTIONS[den]
        add(s, m.end(), round(value, 4), None, None, "share", "fraction", qualifier_of(m))
    for m in A_MAG_RX.finditer(text):
        if _overlaps(taken, *m.span()):
            continue
        add(m.start("a"), m.end(), MAGNITUDES[m.group("mag").lower()], None, None, "count", None, qualifier_of(m))
    for m in A_UNIT_RX.finditer(text):
        if _overlaps(taken, *m.span()):
            continue
        unit = m.group("unit").lower() + "s"
        add(m.start("a"), m.end(), 1.0, None, None, "duration", unit, qualifier_of(m))

    for m in FIGURE_RX.finditer(text):
        s, e = m.span()
        if _overlaps(taken, s, e) or not m.group("a"):
            continue
        if _overlaps(masked, m.start("a"), m.end("a")):
            continue
        a_txt, b_txt = m.group("a"), m.group("b")
        if b_txt and _overlaps(masked, m.start("b"), m.end("b")):
            b_txt = None
        is_word = a_txt[0].isalpha()
        pct, cur = m.group("pct"), m.group("cur") or m.group("cur2") or m.group("curpost")
        mag = m.group("mag") or m.group("amag")
        a_s = m.start("a") if not m.group("cur") else m.start("cur")
        # glued to letters, digits, superscripts, paths: part of a name, code or marker
        before = text[a_s - 1] if a_s > 0 else " "
        if not is_word and (
            before.isalnum() or before in "./#=_&?-‐" and not (before == "-" and text[a_s - 2 : a_s - 1].isspace())
        ):
            if not (before == "$" or before in "€£₸"):
                continue
        a_e = m.end("a")
        after = text[a_e : a_e + 1]
        if not is_word and after and (after.isalpha() and not pct and not mag and not m.group("amag")):
            continue  # homeland3, 5th, 3a
        if _AFTER_NOT.match(text[a_e : a_e + 12]) or _DECADE_AFTER.match(text[a_e : a_e + 3]):
            continue
        if _BEFORE_NOT.search(text[max(0, a_s - 20) : a_s]):
            continue
        if m.group("between") and not b_txt:
            s = m.start("cur") if m.group("cur") else m.start("a")  # "up from 39.7 percent"
        if b_txt is None and m.group("sep") and m.group("sep").strip() != "and":
            e = m.end("amag") if m.group("amag") else m.end("a")
            mag, pct = m.group("amag"), None
        a = to_float(a_txt)
        b = to_float(b_txt) if b_txt else None
        if a is None:
            continue
        if (
            is_word
            and not b_txt
            and a < 2
            and not (mag or pct or cur)
            and not _COUNTED_ONE.search(text[max(0, s - 12) : s])
        ):
            continue  # "one of the", "on one hand": not a count (the context stage may add "only one")
        if is_word and b_txt and not b_txt[0].isalpha():
            b_txt, b = None, None
        if not (mag or pct or cur) and not b_txt and is_year(a_txt):
            continue
        if b_txt and is_year(a_txt) and (is_year(b_txt) or re.fullmatch(r"\d\d", b_txt)):
            continue  # 2009-2010, 1992-93, between 1991 and 2000
        if b_txt and b is not None and b < a and not mag and "," not in b_txt:
            continue  # 24-5, backwards page ranges
        if (
            b_txt
            and not (mag or pct or cur)
            and not m.group("between")
            and m.group("sep").strip() in ("-", "–", "—")
            and "," not in a_txt
            and re.search(r"\b(?:pp?\.|pages?)\s*$", text[max(0, s - 8) : s], re.I)
        ):
            continue
        a = _scale_thousands_sep(a_txt, a, bool(pct), mag, cur)
        scale = MAGNITUDES[mag.lower()] if mag else 1.0
        if mag and re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", a_txt):
            scale = 1.0  # "18,954,495 million": the magnitude repeats what the digits say
        a_val = a * scale
        b_val = b * scale if b is not None else None
        if b_val is not None and a_val < b_val / 100 and "," in (b_txt or "") and "," not in a_txt and not mag:
            a_val *= 10 ** (len(b_txt.split(",", 1)[1]) // 3 * 3)  # 60–70,000: the shared suffix
        kind, unit = "count", None
        if pct:
            kind, unit = "percent", "percent"
            a_val, b_val = a, b
        elif cur:
            kind = "money"
            key = cur.strip()
            unit = CURRENCIES.get(key, CURRENCIES.get(key.lower(), key.upper()))
            if m.group("rate"):
                unit += " per " + m.group("rate").split()[-1].lower()
                e = m.end("rate")
        if m.group("rate") and not cur:
            e = min(e, m.start("rate"))
        start = m.start("between") if m.group("between") and b_txt else _body_start(m, "a")
        if m.group("between") and not b_txt:
            start = s
        qual = qualifier_of(m)
        if kind == "count":
            kind, unit = unit_after(text[e : e + 60])
            if qual == "gt" and kind == "duration" and re.match(r"over\b", m.group(0), re.I):
                qual = "eq"  # "over two decades": a time span, not a lower bound
        if b_val is not None:
            add(start, e, None, min(a_val, b_val), max(a_val, b_val), kind, unit, qual, (s, e))
        else:
            add(start, e, a_val, None, None, kind, unit, qual, (s, e))
    return sorted(out, key=lambda n: (n.start, n.end))
