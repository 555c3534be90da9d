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
    """Author names from the ``authors`` blocks of the first page ("Urpekova Amina," / "A. B and C. D"), else
    from the PDF's ``Author`` entry; affiliations, e-mails and degree lines are left out."""
    blocks = [doc.text[b.start : b.end] for b in doc.blocks[:40] if b.kind == names.AUTHORS]
    if not blocks and doc.metadata.get("Author") and not _JUNK_TITLE.search(doc.metadata["Author"]):
        blocks = [doc.metadata["Author"]]
    out: list[str] = []
    for text in blocks:
        for name in _names(text.replace("*", " ")):
            name = _HONORIFIC.sub("", " ".join(name.split())).strip(" .,")
            if name and len(name.split()) <= 5 and not _NOT_A_NAME.search(name) and name not in out:
                out.append(name)
    return out


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
    """The journal's name: a title-cased line naming a journal among the first blocks, before the article's title
    (none without a title: a section heading such as "Literature Review" is not a journal)."""
    if not any(b.kind == names.TITLE for b in doc.blocks[:25]):
        return None
    for b in doc.blocks[:25]:
        if b.kind == names.TITLE:
            break
        line = " ".join(doc.text[b.start : b.end].split())
        if len(line) <= 120 and _JOURNAL_WORD.search(line) and _JOURNAL.match(line):
            return line
    return None


def fill_metadata(doc: Document) -> None:
    """Set ``doc.title`` and ``doc.metadata`` (authors; doi, year, journal, creation date when found) from the text."""
    meta = dict(doc.metadata)
    head = doc.text[:5000]
    titles = [b for b in doc.blocks if b.section == names.SEC_TITLE]
    if titles:
        doc.title = doc.text[titles[0].start : titles[0].end]
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
    m = _YEAR.search(
        " ".join(doc.text[b.start : b.end] for b in doc.blocks[:20] if b.section == names.SEC_FRONT_MATTER)
    )
    if m:
        meta["year"] = int(m.group(1))
    doc.metadata = meta
    doc.metadata.update(creation_date_metadata(doc))
