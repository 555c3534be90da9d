"""The document creation time (DCT): the date a document was written or published, with where it was read.

``creation_date(doc)`` returns ``(iso date, source)``: ``"2021-03-03"`` (day), ``"2019-08"`` (month) or
``"1968"`` (year), and one of ``names.DATE_SOURCES``, strongest first:

* ``dateline`` – a news dateline opening a paragraph: "ALMATY, March 3, 2021 –",
  "BISHKEK (Kabar) – 3 March 2021:";
* ``published`` – "Published: 12 March 2021", "Published online January 30, 2023", "Posted on …", "Date: …";
* ``header`` – a short line of the first blocks made of a date and at most a byline: "March 3, 2021",
  "By A. Sultanova | 3 March 2021", "Alexey Bessudnov April 2023";
* ``article_history`` – "Received … Revised … Accepted …" (the latest of them: the text as accepted);
* ``pdf_metadata`` – the PDF's ``CreationDate``, a weaker fallback: kept only when no printed year
  contradicts it (a 2008 scan of a 1968 article keeps 1968);
* ``copyright`` / ``front_matter`` – the year of "© 2021" / "Copyright 2021", or the year read from the
  front matter (``doc.metadata["year"]``, a journal line "Vol. 27, No. 3 (Sep., 1968)").

Access and retrieval dates ("Accessed: 12/06/2014", "Retrieved …", "Downloaded …") are never creation dates.
The events stage resolves relative and year-less dates against this date in news-style documents.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from pipeline.core import names
from pipeline.core.document import Document

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
#: A written date, most precise forms first; named groups give its parts.
_DATE = (
    rf"(?:(?P<y1>{_YEAR})-(?P<m1>[01]\d)-(?P<d1>[0-3]\d)"  # 2021-03-03
    rf"|(?P<d2>[0-3]?\d)\.(?P<m2>[01]?\d)\.(?P<y2>{_YEAR})"  # 03.03.2021
    rf"|(?P<mn3>{_MONTH})\s(?P<d3>{_DAY}),?\s(?P<y3>{_YEAR})"  # March 3, 2021
    rf"|(?P<d4>{_DAY})\s(?:of\s)?(?P<mn4>{_MONTH}),?\s(?P<y4>{_YEAR})"  # 3 March 2021
    rf"|(?P<mn5>{_MONTH}),?\s(?P<y5>{_YEAR}))"  # March 2021
)
_DATE_RX = re.compile(r"\b" + _DATE + r"\b", re.I)
#: "ALMATY, March 3, 2021 –": a place in capitals or title case, an optional agency, the date, a dash or colon.
_DATELINE = re.compile(
    r"\s*[A-ZÀ-Ý][\w.'’-]*(?:[ ,/-]+[A-ZÀ-Ý][\w.'’-]*){0,3}\s*(?:\([^()\n]{1,40}\))?\s*[,–—-]\s*"
    + r"(?P<date>(?i:"
    + _DATE.replace("(?P<", "(?P<dl_")
    + r"))\s*(?:\([^()\n]{1,40}\)\s*|/[^/\n]{1,30}/\s*)?[–—:-]",
)


def _label(words: str, line_only: str = "") -> re.Pattern:
    """A label of the head's metadata: at the start of a line or after a separator ("Published: …",
    "…; accepted August 2019"), or anywhere when a colon follows it ("s p t Received: January 29, 2021") —
    never a word of a sentence ("the book was published on 3 May 1901"). ``line_only`` words count only at the
    start of a line ("Date: …", not "Submission Date: …")."""
    first = f"{words}|{line_only}" if line_only else words
    return re.compile(
        rf"(?:(?:^|[;|•])[ \t]*(?:{first})\b[ \t]*(?:on\s)?[:.]?|\b(?:{words})[ \t]*:)[ \t]*", re.I | re.M
    )


_PUBLISHED = _label(
    r"published(?:\sonline)?|first\spublished|posted(?:\son)?|date\sof\spublication|publication\sdate|"
    r"release\sdate|issued|updated",
    line_only="date",
)
_HISTORY = _label(r"received|submitted|submission\sdate|revised|accepted|acceptance\sdate")
_NOT_CREATION = re.compile(r"\b(?:accessed|retrieved|downloaded|visited|viewed)\b", re.I)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|\bcopyright\b)\s*(?:©\s*)?(?:the\s+authors?(?:\(s\))?,?\s*)?(?P<y>" + _YEAR + ")", re.I
)
_VOLUME_YEAR = re.compile(r"\bvol(?:ume)?\.?\s*\d+[^()\n]{0,30}\((?:[a-z]{3,9}\.?,?\s*)?(?P<y>" + _YEAR + r")\)", re.I)
#: What may share a header line with its date: a byline ("By A. Sultanova |", "Alexey Bessudnov*"), or nothing.
_BYLINE = re.compile(r"[\s|•·,;*∗–—-]*(?:(?:[Bb]y|and)\s+|[A-ZÀ-ÝА-Я][\w.'’-]*[\s|•·,;*∗–—-]*){0,6}")
#: How far into the text a creation date is looked for (characters): the head of a paper or a news story.
HEAD_CHARS = 5000
#: A header line holding a date is short: the date and at most a byline.
HEADER_MAX_CHARS = 80


@dataclass(frozen=True)
class CreationDate:
    """The document's creation date as ISO (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), its source, and the
    characters of the canonical text it was read from (``None`` for the PDF metadata)."""

    date: str
    source: str
    start: int | None = None
    end: int | None = None


def parse_date(m: re.Match, prefix: str = "") -> str | None:
    """The ISO date of a :data:`_DATE` match ("March 3, 2021" → "2021-03-03", "March 2021" → "2021-03");
    None for an impossible day."""
    g = {k.removeprefix(prefix): v for k, v in m.groupdict().items() if v is not None and k.startswith(prefix)}
    year = next(int(g[k]) for k in ("y1", "y2", "y3", "y4", "y5") if k in g)
    if "m1" in g or "m2" in g:
        month = int(g.get("m1") or g["m2"])
    else:
        month = _MONTHS[(g.get("mn3") or g.get("mn4") or g["mn5"]).lower().rstrip(".")]
    day_text = g.get("d1") or g.get("d2") or g.get("d3") or g.get("d4")
    if not 1 <= month <= 12:
        return None
    if day_text is None:
        return f"{year:04d}-{month:02d}"
    day = int(re.sub(r"\D", "", day_text))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _head_blocks(doc: Document):
    for b in doc.blocks:
        if b.start >= HEAD_CHARS:
            break
        if b.section != names.SEC_REFERENCES:
            yield b


def _dateline(doc: Document) -> CreationDate | None:
    for b in _head_blocks(doc):
        m = _DATELINE.match(doc.text, b.start, b.end)
        if m and (iso := parse_date(m, "dl_")) and len(iso) == 10:  # a dateline gives the day
            return CreationDate(iso, names.DATE_DATELINE, m.start("date"), m.end("date"))
    return None


def _after(doc: Document, rx: re.Pattern, source: str) -> CreationDate | None:
    """A date right after a label ("Published online: 31 March 2022") in the head of the text."""
    head = doc.text[:HEAD_CHARS]
    for label in rx.finditer(head):
        m = _DATE_RX.match(head, label.end())
        if m and not _NOT_CREATION.search(head[max(0, label.start() - 20) : label.start()]):
            iso = parse_date(m)
            if iso:
                return CreationDate(iso, source, m.start(), m.end())
    return None


def _history(doc: Document) -> CreationDate | None:
    """The latest of "Received … Revised … Accepted …" (ISO strings of equal precision sort as dates)."""
    head = doc.text[:HEAD_CHARS]
    found = []
    for label in _HISTORY.finditer(head):
        m = _DATE_RX.match(head, label.end())
        if m and (iso := parse_date(m)):
            found.append(CreationDate(iso, names.DATE_HISTORY, m.start(), m.end()))
    return max(found, key=lambda c: c.date) if found else None


def _header(doc: Document) -> CreationDate | None:
    for b in list(_head_blocks(doc))[:15]:
        line = doc.text[b.start : b.end]
        if len(line.strip()) > HEADER_MAX_CHARS or _NOT_CREATION.search(line):
            continue
        m = _DATE_RX.search(line)
        if m and _BYLINE.fullmatch(line[: m.start()] + " " + line[m.end() :]) and (iso := parse_date(m)):
            return CreationDate(iso, names.DATE_HEADER, b.start + m.start(), b.start + m.end())
    return None


def _pdf_date(doc: Document) -> str | None:
    """ "D:20191008122205+05'30'" → "2019-10-08"."""
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(doc.metadata.get("CreationDate") or ""))
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    if not (1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _printed_year(doc: Document) -> CreationDate | None:
    head = doc.text[:HEAD_CHARS]
    m = _COPYRIGHT.search(head)
    if m:
        return CreationDate(m.group("y"), names.DATE_COPYRIGHT, m.start("y"), m.end("y"))
    m = _VOLUME_YEAR.search(head)
    if m:
        return CreationDate(m.group("y"), names.DATE_FRONT_MATTER, m.start("y"), m.end("y"))
    if doc.metadata.get("year"):
        return CreationDate(str(doc.metadata["year"]), names.DATE_FRONT_MATTER)
    return None


def find_creation_date(doc: Document) -> CreationDate | None:
    """The strongest creation date of ``doc`` (see the module docstring for the order), or None."""
    found = _dateline(doc) or _after(doc, _PUBLISHED, names.DATE_PUBLISHED) or _header(doc) or _history(doc)
    if found:
        return found
    printed, pdf = _printed_year(doc), _pdf_date(doc)
    if pdf and (printed is None or printed.date == pdf[:4]):
        return CreationDate(pdf, names.DATE_PDF)
    return printed


def creation_date(doc: Document) -> tuple[str | None, str | None]:
    """``(iso date, source)`` of the document creation time, ``(None, None)`` when nothing dates it."""
    found = find_creation_date(doc)
    return (found.date, found.source) if found else (None, None)


def creation_date_metadata(doc: Document) -> dict[str, object]:
    """The metadata keys of the creation date: ``date``, ``date_source`` and ``date_span`` (its characters)."""
    found = find_creation_date(doc)
    if found is None:
        return {}
    span = [found.start, found.end] if found.start is not None else None
    return {"date": found.date, "date_source": found.source, "date_span": span}
