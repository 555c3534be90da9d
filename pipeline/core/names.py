"""Every name the pipeline shares across modules: labels, sections, block kinds, tables, columns.

Defined once here (papermage's ``names.py``) so that no stage spells a label or a column twice.
"""

from __future__ import annotations

# --- entity labels (OntoNotes names) -------------------------------------------------------
PERSON, ORG, GPE, LOC, NORP, LAW, EVENT, FAC = "PERSON", "ORG", "GPE", "LOC", "NORP", "LAW", "EVENT", "FAC"
ENTITY_LABELS: tuple[str, ...] = (PERSON, ORG, GPE, LOC, NORP, LAW, EVENT, FAC)

# --- block kinds (the layout layer) ----------------------------------------------------------
TITLE, AUTHORS, ABSTRACT, KEYWORDS = "title", "authors", "abstract", "keywords"
HEADING, PARAGRAPH, FOOTNOTE, CAPTION = "heading", "paragraph", "footnote", "caption"
TABLE, REFERENCES, FRONT_MATTER, LIST_ITEM = "table", "references", "front_matter", "list_item"
BLOCK_KINDS: tuple[str, ...] = (
    TITLE,
    AUTHORS,
    ABSTRACT,
    KEYWORDS,
    HEADING,
    PARAGRAPH,
    FOOTNOTE,
    CAPTION,
    TABLE,
    REFERENCES,
    FRONT_MATTER,
    LIST_ITEM,
)

# --- sections (the `section` column of every output table) ----------------------------------
SEC_TITLE, SEC_ABSTRACT, SEC_BODY, SEC_FOOTNOTE = "title", "abstract", "body", "footnote"
SEC_TABLE, SEC_REFERENCES, SEC_FRONT_MATTER = "table", "references", "front_matter"
SECTIONS: tuple[str, ...] = (
    SEC_TITLE,
    SEC_ABSTRACT,
    SEC_BODY,
    SEC_FOOTNOTE,
    SEC_TABLE,
    SEC_REFERENCES,
    SEC_FRONT_MATTER,
)
#: Sections whose text no extractor reads (the citations table owns the references).
SECTIONS_NOT_EXTRACTED: frozenset[str] = frozenset({SEC_REFERENCES, SEC_FRONT_MATTER})

# --- document formats (the `format` column of documents; the ingest reader chosen by suffix) -----
FORMAT_PDF, FORMAT_TXT, FORMAT_MD = "pdf", "txt", "md"
FORMATS: tuple[str, ...] = (FORMAT_PDF, FORMAT_TXT, FORMAT_MD)

# --- document status --------------------------------------------------------------------------
STATUS_OK, STATUS_WARNING, STATUS_ERROR = "ok", "warning", "error"

# --- review status ------------------------------------------------------------------------------
UNREVIEWED, ACCEPTED, CORRECTED, REJECTED, ADDED = "unreviewed", "accepted", "corrected", "rejected", "added"
REVIEW_STATUSES: tuple[str, ...] = (UNREVIEWED, ACCEPTED, CORRECTED, REJECTED, ADDED)

# --- extractor (source) names ------------------------------------------------------------------
SRC_RULES, SRC_SPACY, SRC_SPACY_FT, SRC_TRANSFORMER = "rules", "spacy", "spacy_ft", "transformer"
SRC_ENSEMBLE, SRC_ANNOTATOR = "ensemble", "annotator"
SRC_FIGURE_RULES, SRC_EVENT_RULES = "figure_rules", "event_rules"

# --- figure vocabularies ------------------------------------------------------------------------
FIGURE_KINDS: tuple[str, ...] = ("count", "percent", "share", "money", "area", "length", "duration", "other")
QUALIFIERS: tuple[str, ...] = ("approx", "gt", "ge", "lt", "le", "eq")

# --- event vocabularies -------------------------------------------------------------------------
EVENT_TYPES: tuple[str, ...] = (
    "congress",
    "law",
    "founding",
    "agreement",
    "protest",
    "migration",
    "election",
    "conflict",
    "other",
)
GRANULARITIES: tuple[str, ...] = ("day", "month", "year", "decade", "century")
DATE_MODS: tuple[str, ...] = ("before", "after")
#: How an event's date was resolved: as written, against the document creation time (news mode), or against the
#: last absolute date stated before it (narrative mode).
RES_ABSOLUTE, RES_DCT, RES_NARRATIVE = "absolute", "dct", "narrative"
DATE_RESOLUTIONS: tuple[str, ...] = (RES_ABSOLUTE, RES_DCT, RES_NARRATIVE)
#: A document's style, chosen per document as HeidelTime does (pipeline/events/reference.py).
MODE_NEWS, MODE_NARRATIVE = "news", "narrative"

# --- document creation time (pipeline/ingest/creation_date.py) ---------------------------------
DATE_DATELINE, DATE_PUBLISHED, DATE_HEADER, DATE_HISTORY = "dateline", "published", "header", "article_history"
DATE_PDF, DATE_COPYRIGHT, DATE_FRONT_MATTER = "pdf_metadata", "copyright", "front_matter"
DATE_SOURCES: tuple[str, ...] = (
    DATE_DATELINE,
    DATE_PUBLISHED,
    DATE_HEADER,
    DATE_HISTORY,
    DATE_PDF,
    DATE_COPYRIGHT,
    DATE_FRONT_MATTER,
)

# --- published tables ---------------------------------------------------------------------------
T_DOCUMENTS, T_ENTITIES, T_FIGURES, T_EVENTS = "documents", "entities", "figures", "events"
T_ENTITY_INDEX, T_CITATIONS, T_TIMELINE = "entity_index", "citations", "timeline"
TABLES: tuple[str, ...] = (T_DOCUMENTS, T_ENTITIES, T_FIGURES, T_EVENTS, T_ENTITY_INDEX, T_CITATIONS, T_TIMELINE)
