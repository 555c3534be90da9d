"""Document metadata from the first page's blocks and the PDF's own metadata: title, authors, year, DOI, journal.

Text first (what the paper prints is what a reader cites), the PDF's ``Title``/``Author`` entries as a fallback
(they are often a file name or a typesetter's account: junk values are ignored).
"""

from __future__ import annotations

import re

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.ingest.creation_date import creation_date_metadata

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)])")
_JUNK_TITLE = re.compile(r"^\s*(untitled|microsoft word|document\d*|.*\.(docx?|pdf|tex|indd))\b|^\W*$", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
#: A journal's name as printed on a first page: "Turkish Journal of Diaspora Studies", "Central Asian Survey".
_JOURNAL = re.compile(r"^(?:[A-Z][\w&'’.-]*|of|and|for|the|on|in|&)(?:\s(?:[A-Z][\w&'’.-]*|of|and|for|the|on|in|&))*$")
_JOURNAL_WORD = re.compile(
    r"\b(?:Journal|Review|Studies|Survey|Quarterly|Bulletin|Annals|Proceedings|Affairs|Papers|"
    r"Yearbook|Forum|Perspectives|Letters|Transactions)\b"
)
_HONORIFIC = re.compile(r"^(?:Dr|Prof|Professor|Mr|Mrs|Ms|PhD)\.?\s+", re.I)
_NOT_A_NAME = re.compile(
    r"\d|@|\b(?:University|Institute|School|Department|College|Academy|Faculty|Centre|Center|"
    r"student|professor|researcher|fellow|lecturer)\b",
    re.I,
)


def authors_of(doc: Document) -> list[str]:
    """Author names from the first page's byline, else from the PDF's ``Author`` entry.

    The byline is read from the ``authors`` blocks and the short blocks around the title, before the
    abstract or the text begins: a block whose first part is a person's name gives its names
    ("Yang-Yang Zhou a,⇑ , Guy Grossman b", "CHRISTOPHER W. BLAIR University of …", "Author(s): J. William
    Leasure and Robert A. Lewis"); affiliations, e-mails, addresses and degree lines are left out, and
    so is what follows an affiliation in its block. The PDF's own entry wins when it names everyone
    the page does and more (a byline cut by the layout).
    """
    if doc.fmt != names.FORMAT_PDF:
        return _authors_from_blocks(doc)  # a text file: its ``authors`` blocks are its byline
    found: list[str] = []
    for text in _byline_blocks(doc):
        for name in _byline_names(text):
            if name not in found:
                found.append(name)
    listed: list[str] = []
    entry = doc.metadata.get("Author") or ""
    if entry and not _JUNK_TITLE.search(entry):
        for name in _names(entry.replace("*", " ")):
            name = _HONORIFIC.sub("", " ".join(name.split())).strip(" .,")
            if name and len(name.split()) <= 5 and not _NOT_A_NAME.search(name) and name not in listed:
                listed.append(name)
    surnames = {n.split()[-1].lower() for n in listed}
    if listed and (not found or (len(listed) > len(found) and all(n.split()[-1].lower() in surnames for n in found))):
        return listed
    return found


def _authors_from_blocks(doc: Document) -> list[str]:
    """Author names from the ``authors`` blocks ("Urpekova Amina," / "A. B and C. D")."""
    out: list[str] = []
    for b in doc.blocks[:40]:
        if b.kind != names.AUTHORS:
            continue
        for name in _names(doc.text[b.start : b.end].replace("*", " ")):
            name = _HONORIFIC.sub("", " ".join(name.split())).strip(" .,")
            if name and len(name.split()) <= 5 and not _NOT_A_NAME.search(name) and name not in out:
                out.append(name)
    return out


#: Marks after an author's name that point to an affiliation or a note: superscripts, stars, daggers.
_MARKS = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰*∗⇑†‡§]+|(?<=[^\W\d_]{2})\d{1,2}\b")
#: A one-letter affiliation mark after a name ("Zhou a,", "Ge c").
_LETTER_MARK = re.compile(r"(?<=[^\W\d_]{2})\s+[a-h](?=\s*(?:[,;]|$))")
_LABEL = re.compile(r"^\W*(?:authors?(?:\(s\))?|by|correspondence|corresponding author)\s*:?\s+", re.I)
#: Where a labelled field of a cover page ends the byline ("… Lewis Source: Slavic Review").
_NEXT_FIELD = re.compile(r"\s+(?:Source|Published by|Reviewed work\(s\)|Stable URL|Accessed):.*$", re.S)
#: A cover page's byline field inside the title's block ("… Century Author(s): J. William Leasure and …").
AUTHOR_FIELD = re.compile(r"\s+Authors?(?:\(s\))?:\s")
_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "bin", "al", "del"}
_NAME_WORD = re.compile(r"^(?:[^\W\d_][\w'’-]*|[^\W\d_]\.(?:-?[^\W\d_]\.)*)$")
_STARTS_BODY = re.compile(r"^\W*(?:abstract|summary|keywords?|introduction|аннотация|ключевые слова)\b", re.I)


def _byline_blocks(doc: Document) -> list[str]:
    """The texts of the blocks that may hold the byline: ``authors`` blocks and short blocks near the
    title on the first page, up to the abstract or the first long paragraph."""
    blocks = doc.blocks[:40]
    title = next((i for i, b in enumerate(blocks) if b.kind == names.TITLE), None)
    out = []
    for i, b in enumerate(blocks):
        text = doc.text[b.start : b.end]
        if b.kind == names.AUTHORS:
            out.append(text)
            continue
        if b.kind == names.TITLE and (field := AUTHOR_FIELD.search(text)):
            out.append(text[field.end() :])
            continue
        if (
            title is None
            or b.kind in (names.TITLE, names.ABSTRACT, names.KEYWORDS)
            or doc.page_of(b.start) not in (1, None)
        ):
            continue
        if not -1 <= i - title <= 12 or (i < title and _JOURNAL_WORD.search(text)):
            continue
        if i > title and (_STARTS_BODY.match(text) or (b.kind == names.PARAGRAPH and len(text) > 300)):
            break
        if len(text) <= 300:
            out.append(text)
    return out


def _byline_names(text: str) -> list[str]:
    """The names in one byline block, in order; none unless its first part is a name."""
    text = _NEXT_FIELD.sub("", _LABEL.sub("", text.strip()))
    text = _LETTER_MARK.sub(" ;", _MARKS.sub(" ; ", text))
    out: list[str] = []
    for k, part in enumerate(p.strip(" .,") for p in re.split(r"\s*(?:;|,|\band\b|&|\bи\b)\s*", text)):
        if not part:
            continue
        name, rest = _leading_caps_name(part)
        candidate = _HONORIFIC.sub("", name)
        if not _is_name(candidate):
            if not out and k == 0:
                return []  # the block does not open with a name: not a byline
            if _NOT_A_NAME.search(part) or rest:
                break  # an affiliation: what follows in the block is its address
            continue
        out.append(_name_case(candidate))
        if rest:
            break  # "BLAIR University of Pennsylvania": the affiliation follows the name
    return out


def _leading_caps_name(part: str) -> tuple[str, str]:
    """Split "CHRISTOPHER W. BLAIR University of Pennsylvania" into the capitals' name and the rest."""
    words = part.split()
    k = 0
    while k < len(words) and words[k].isupper():
        k += 1
    if 2 <= k < len(words) and any(len(w.strip(".")) > 1 for w in words[:k]):
        return " ".join(words[:k]), " ".join(words[k:])
    return part, ""


def _is_name(part: str) -> bool:
    words = part.split()
    if not 2 <= len(words) <= 5 or _NOT_A_NAME.search(part):
        return False
    if not all(_NAME_WORD.match(w) and (w[0].isupper() or w.lower() in _PARTICLES) for w in words):
        return False
    if any(len(w) == 1 for w in words):
        return False  # a bare letter is no initial ("ART I C L E" is a spaced-out word)
    return any(len(w.strip(".")) > 1 and not w.endswith(".") for w in words)


def _name_case(name: str) -> str:
    """A name printed in capitals as it is written ("GUY GROSSMAN" → "Guy Grossman")."""
    if not name.isupper():
        return name
    return " ".join(w if len(w.strip(".")) <= 1 else w[0] + w[1:].lower() for w in name.split())


def _names(line: str) -> list[str]:
    """Names in a byline: split at ";", "and", "&", then at commas, except that one-word parts come in
    "Surname, Given" pairs ("Smith, John and Rossi, Maria" → "John Smith", "Maria Rossi")."""
    out: list[str] = []
    for group in re.split(r"\s*(?:;|\band\b|&)\s*", line):
        parts = [p.strip() for p in group.split(",") if p.strip()]
        if len(parts) >= 2 and len(parts) % 2 == 0 and all(len(p.split()) == 1 for p in parts):
            out += [f"{parts[i + 1]} {parts[i]}" for i in range(0, len(parts), 2)]
        else:
            out += parts
    return out


def journal_of(doc: Document) -> str | None:
    """The journal's name: from a citation line on the first page ("European Sociological Review, 2019,
    1–17"), a copyright line ("© 2024 The Author(s). American Journal of Political Science published by"),
    or a title-cased line naming a journal before the article's title; a name with a journal word
    ("Review", "Journal") is preferred to one without ("World Development"), a full name to an
    abbreviation. None without a title (a section heading such as "Literature Review" is not a journal)."""
    if not any(b.kind == names.TITLE for b in doc.blocks[:25]):
        return None
    candidates = [name for name, _ in _citation_lines(doc)] if doc.fmt == names.FORMAT_PDF else []
    if doc.fmt == names.FORMAT_PDF:
        candidates += [m.group("name").strip() for m in _COPYRIGHT_JOURNAL.finditer(_first_page_text(doc))]
    before = []
    for b in doc.blocks[:25]:
        if b.kind == names.TITLE:
            break
        before.append(" ".join(doc.text[b.start : b.end].split()))
    for k, line in enumerate(before):
        masthead = k + 1 < len(before) and _MASTHEAD_NEXT.match(before[k + 1])  # "… journal homepage: www…"
        if len(line) <= 120 and (_JOURNAL_WORD.search(line) or masthead) and _JOURNAL.match(line):
            candidates.append(line)
    candidates = [_title_case(c) for c in candidates if len(c.split()) >= 2]
    with_word = [c for c in candidates if _JOURNAL_WORD.search(c)]
    found = with_word or candidates
    return found[0] if found else None


#: A citation line with the year: "Name (2021) 1–8", "Name 166 (2023) 106203", "Name, 2019, 1–17",
#: "Name. 2025;69:718–733", "Name, volume 85, number 2, April 2023", "Name, Vol. 27, No. 3 (Sep., 1968)",
#: "NAME. 2024. Vol.23".
_NAME = r"(?P<name>[^\W\d_][\w&'’-]*(?:\s+(?:[^\W\d_][\w&'’-]*|of|and|for|the|on|in|&))*)"
_CITATION = re.compile(
    rf"(?:^|Source:\s*){_NAME}(?:\s+\d+)?(?:"
    r"\s*\((?P<y1>(?:1[89]|20)\d\d)\)\s*\d"
    r"|,\s*(?P<y2>(?:1[89]|20)\d\d),\s*(?:\d|Vol)"
    r"|\.\s*(?P<y3>(?:1[89]|20)\d\d)\s*[;.]\s*(?:\d|Vol)"
    r"|,\s*(?i:vol\.?|volume)\s*\d+[^()\n]{0,40}?\(?(?:[A-Z][a-z]{2,8}\.?,?\s*)?(?P<y4>(?:1[89]|20)\d\d))",
    re.M,
)
_COPYRIGHT_JOURNAL = re.compile(r"\bThe Authors?(?:\(s\))?\.\s+(?P<name>[A-Z][\w&' -]{3,80}?)\s+published by\b")
_COPYRIGHT_YEAR = re.compile(
    r"(?:©|\(c\)|copyright|/)\s*((?:19|20)\d\d)\b|\bThe Author\(s\),?\s+((?:19|20)\d\d)\b", re.I
)
#: Dates of the editorial process, which are not the year of publication.
_PROCESS_DATE = re.compile(r"\b(?:received|revised|accepted|submitted|accessed|downloaded)\b[^;\n]*", re.I)


def _first_page_text(doc: Document) -> str:
    end = doc.pages[1].start if len(doc.pages) > 1 else min(len(doc.text), 8000)
    return doc.text[:end]


def _citation_lines(doc: Document) -> list[tuple[str, int]]:
    """(journal, year) of each citation line on the first page, in order."""
    out = []
    head = _first_page_text(doc)
    for b in doc.blocks[:60]:
        if b.start >= len(head):
            break
        for m in _CITATION.finditer(doc.text[b.start : b.end][:400]):
            if m.start() > 0 and not doc.text[b.start + m.start() : b.start + m.end()].startswith("Source"):
                continue
            year = next(int(m.group(g)) for g in ("y1", "y2", "y3", "y4") if m.group(g))
            out.append((m.group("name").strip(), year))
    return out


#: The line under a journal's name in a publisher's masthead.
_MASTHEAD_NEXT = re.compile(r"^\W*journal homepage\b", re.I)


def _title_case(name: str) -> str:
    """A name printed in capitals as it is written ("RUSSIAN SOCIOLOGICAL REVIEW" → "Russian Sociological Review")."""
    if not name.isupper():
        return name
    small = {"of", "and", "for", "the", "on", "in"}
    words = name.lower().split()
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))


def year_of(doc: Document) -> int | None:
    """The year of publication: a citation line's year, else a copyright year, else a year in the first
    page's front matter that is no editorial date ("Received: 19 May 2022"), else the PDF's creation date."""
    if doc.fmt != names.FORMAT_PDF:  # a text file: a year in its front matter
        m = _YEAR.search(
            " ".join(doc.text[b.start : b.end] for b in doc.blocks[:20] if b.section == names.SEC_FRONT_MATTER)
        )
        return int(m.group(1)) if m else None
    lines = _citation_lines(doc)
    if lines:
        return lines[0][1]
    head = _first_page_text(doc)
    m = _COPYRIGHT_YEAR.search(head)
    if m:
        return int(m.group(1) or m.group(2))
    front = " ".join(
        doc.text[b.start : b.end]
        for b in doc.blocks[:20]
        if b.section in (names.SEC_FRONT_MATTER, names.SEC_TITLE) or b.kind == names.AUTHORS
    )
    m = _YEAR.search(_PROCESS_DATE.sub(" ", front))
    if m:
        return int(m.group(1))
    created = re.match(r"D:((?:19|20)\d\d)", doc.metadata.get("CreationDate", ""))
    return int(created.group(1)) if created else None


def fill_metadata(doc: Document) -> None:
    """Set ``doc.title`` and ``doc.metadata`` (authors; doi, year, journal, creation date when found) from the text."""
    meta = dict(doc.metadata)
    head = doc.text[:5000]
    titles = _title_blocks(doc)
    if titles:
        title = " ".join(doc.text[b.start : b.end] for b in titles)
        doc.title = _NEXT_FIELD.sub("", AUTHOR_FIELD.split(title, maxsplit=1)[0])
    elif doc.metadata.get("Title") and not _JUNK_TITLE.search(doc.metadata["Title"]):
        doc.title = doc.metadata["Title"].strip()
    else:
        first = next((b for b in doc.blocks if b.section not in names.SECTIONS_NOT_EXTRACTED), None)
        if first is not None:
            t = doc.text[first.start : first.end]
            doc.title = t if len(t) <= 200 else t[:200].rsplit(" ", 1)[0] + "…"
    meta["authors"] = authors_of(doc)
    journal = journal_of(doc)
    if journal:
        meta["journal"] = journal
    m = _DOI.search(head)
    if m:
        meta["doi"] = m.group(1)
    year = year_of(doc)
    if year:
        meta["year"] = year
    doc.metadata = meta
    doc.metadata.update(creation_date_metadata(doc))


def _title_blocks(doc: Document) -> list:
    """The title's blocks: the first one in the title section and those right after it."""
    out: list = []
    for b in doc.blocks:
        if b.section == names.SEC_TITLE:
            out.append(b)
        elif out:
            break
    return out
