"""Document metadata from the first page's blocks and the PDF's own metadata: title, authors, year, DOI."""

from __future__ import annotations

import re

from .. import names
from ..model import Document

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)])")
_JUNK_TITLE = re.compile(r"^\s*(untitled|microsoft word|document\d*|.*\.(docx?|pdf|tex|indd))\b|^\W*$", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def fill_metadata(doc: Document) -> None:
    """Set ``doc.title`` and ``doc.metadata`` (doi, year, journal when found) from the text."""
    meta = dict(doc.metadata)
    head = doc.text[:5000]
    titles = [b for b in doc.blocks if b.section == names.SEC_TITLE]
    if titles:
        doc.title = doc.text[titles[0].start:titles[0].end]
    elif doc.metadata.get("Title") and not _JUNK_TITLE.search(doc.metadata["Title"]):
        doc.title = doc.metadata["Title"].strip()
    else:
        first = next((b for b in doc.blocks if b.section not in names.SECTIONS_NOT_EXTRACTED), None)
        if first is not None:
            t = doc.text[first.start:first.end]
            doc.title = t if len(t) <= 200 else t[:200].rsplit(" ", 1)[0] + "…"
    m = _DOI.search(head)
    if m:
        meta["doi"] = m.group(1)
    m = _YEAR.search(" ".join(doc.text[b.start:b.end] for b in doc.blocks[:20] if b.section == names.SEC_FRONT_MATTER))
    if m:
        meta["year"] = int(m.group(1))
    doc.metadata = meta
