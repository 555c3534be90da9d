"""What a document's underspecified dates are read against, chosen per document as HeidelTime does.

HeidelTime is told a document type: *news* (the document creation time is the reference of "on March 3",
"last week", "this year") or *narrative* (the reference is the last date mentioned in the text; the DCT is
ignored). Here the type is read from the document itself (``events.mode: auto``, the default):

* **news** – the creation date was printed as a dateline, or as a "Published …" / header date of a short text
  (at most ``events.news_max_chars`` characters) with no abstract and no reference list: a news story, an agency
  feature, a press release, a statement;
* **narrative** – everything else: research papers (their "Received … Accepted …" dates, copyright years and PDF
  metadata date the paper, not what it tells), encyclopedia entries, undated texts.

``events.mode: news`` or ``narrative`` forces one type for every document.
"""

from __future__ import annotations

from typing import Any

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.params import defaults
from pipeline.events.isodates import Timex
from pipeline.events.relative import dct_timex

#: Creation-date sources that make a document news-style (with the length and structure tests above).
NEWS_SOURCES = frozenset({names.DATE_PUBLISHED, names.DATE_HEADER})


def document_mode(doc: Document, params: dict[str, Any] | None = None) -> str:
    """``names.MODE_NEWS`` or ``names.MODE_NARRATIVE`` for ``doc`` (see the module docstring)."""
    params = {**defaults("events"), **(params or {})}
    forced = params["mode"]
    if forced in (names.MODE_NEWS, names.MODE_NARRATIVE):
        return forced
    source = doc.metadata.get("date_source")
    if source == names.DATE_DATELINE:
        return names.MODE_NEWS
    if source not in NEWS_SOURCES or len(doc.text) > params["news_max_chars"]:
        return names.MODE_NARRATIVE
    paper = any(b.section in (names.SEC_ABSTRACT, names.SEC_REFERENCES) for b in doc.blocks)
    return names.MODE_NARRATIVE if paper else names.MODE_NEWS


def reference_time(doc: Document, params: dict[str, Any] | None = None) -> Timex | None:
    """The document creation time as a :class:`Timex` in news mode, else None (narrative mode)."""
    if document_mode(doc, params) != names.MODE_NEWS:
        return None
    return dct_timex(doc.metadata.get("date"))
