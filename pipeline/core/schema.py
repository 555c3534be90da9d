"""The output contract: every published table's columns, types and keys, defined once.

Downstream code relies on these names: add columns, never rename or drop one. ``normalize_frame``
gives a table its contract's column order, types and row order (so outputs are byte-identical run
after run); :mod:`pipeline.publish.package` describes them in ``outputs/datapackage.json``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.core import names

STR, INT, NUM, LIST = "string", "integer", "number", "array"
_BOX = [("page", INT), ("x0", NUM), ("top", NUM), ("x1", NUM), ("bottom", NUM)]

TABLES: dict[str, dict[str, Any]] = {
    names.T_DOCUMENTS: {
        "columns": [
            ("doc_id", STR),
            ("source", STR),
            ("sha256", STR),
            ("title", STR),
            ("n_pages", INT),
            ("n_chars", INT),
            ("status", STR),
            ("error", STR),
            ("format", STR),
            ("doi", STR),
            ("year", INT),
            ("authors", LIST),
            ("journal", STR),
            ("ocr_pages", LIST),
            ("ocr_confidence", NUM),
            ("date", STR),
            ("date_source", STR),
        ],
        "primary_key": ["doc_id"],
        "sort": ["doc_id"],
    },
    names.T_ENTITIES: {
        "columns": [
            ("mention_id", STR),
            ("doc_id", STR),
            ("entity_id", STR),
            ("text", STR),
            ("label", STR),
            ("start", INT),
            ("end", INT),
            *_BOX,
            ("section", STR),
            ("sources", LIST),
            ("score", NUM),
            ("review_status", STR),
        ],
        "primary_key": ["mention_id"],
        "sort": ["doc_id", "start", "end", "label"],
        "foreign_keys": [("doc_id", names.T_DOCUMENTS, "doc_id"), ("entity_id", names.T_ENTITY_INDEX, "entity_id")],
    },
    names.T_ENTITY_INDEX: {
        "columns": [
            ("entity_id", STR),
            ("canonical", STR),
            ("label", STR),
            ("aliases", LIST),
            ("n_mentions", INT),
            ("n_docs", INT),
        ],
        "primary_key": ["entity_id"],
        "sort": ["entity_id"],
    },
    names.T_FIGURES: {
        "columns": [
            ("figure_id", STR),
            ("doc_id", STR),
            ("text", STR),
            ("start", INT),
            ("end", INT),
            *_BOX,
            ("value", NUM),
            ("low", NUM),
            ("high", NUM),
            ("kind", STR),
            ("unit", STR),
            ("qualifier", STR),
            ("object", STR),
            ("place", STR),
            ("time", STR),
            ("time_start", STR),
            ("time_end", STR),
            ("time_resolution", STR),
            ("source", STR),
            ("section", STR),
            ("review_status", STR),
        ],
        "primary_key": ["figure_id"],
        "sort": ["doc_id", "start", "end"],
        "foreign_keys": [("doc_id", names.T_DOCUMENTS, "doc_id")],
    },
    names.T_EVENTS: {
        "columns": [
            ("event_id", STR),
            ("doc_id", STR),
            ("text", STR),
            ("start", INT),
            ("end", INT),
            *_BOX,
            ("date_text", STR),
            ("date_start", STR),
            ("date_end", STR),
            ("granularity", STR),
            ("date_mod", STR),
            ("event_type", STR),
            ("trigger", STR),
            ("location", STR),
            ("participants", LIST),
            ("section", STR),
            ("review_status", STR),
            ("date_resolution", STR),
        ],
        "primary_key": ["event_id"],
        "sort": ["doc_id", "start", "end", "date_start"],
        "foreign_keys": [("doc_id", names.T_DOCUMENTS, "doc_id")],
    },
    names.T_CITATIONS: {
        "columns": [
            ("citation_id", STR),
            ("doc_id", STR),
            ("n", INT),
            ("text", STR),
            ("start", INT),
            ("end", INT),
            ("authors", LIST),
            ("year", INT),
            ("title", STR),
            ("container", STR),
            ("doi", STR),
            ("url", STR),
        ],
        "primary_key": ["citation_id"],
        "sort": ["doc_id", "n"],
        "foreign_keys": [("doc_id", names.T_DOCUMENTS, "doc_id")],
    },
    names.T_TIMELINE: {
        "columns": [
            ("timeline_id", STR),
            ("date_start", STR),
            ("date_end", STR),
            ("granularity", STR),
            ("event_type", STR),
            ("label", STR),
            ("location", STR),
            ("participants", LIST),
            ("mention_ids", LIST),
            ("doc_ids", LIST),
        ],
        "primary_key": ["timeline_id"],
        "sort": ["date_start", "date_end", "timeline_id"],
    },
}
_PANDAS = {STR: "string", INT: "Int64", NUM: "Float64", LIST: "object"}

#: Text cells a spreadsheet would read as a formula (or a command) start with one of these; a
#: leading ``'`` (which spreadsheets show as text and do not display) is written before them, and
#: before a text that starts with ``'`` itself, so that removing one leading ``'`` always gives the text back.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell that spreadsheets show as text (formula injection defused).

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-2 percent"), spreadsheet_safe("Almaty")
    ("'=1+1", "'-2 percent", 'Almaty')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def spreadsheet_text(cell: str) -> str:
    """The text a :func:`spreadsheet_safe` cell holds (one leading ``'`` removed)."""
    return cell[1:] if cell.startswith("'") else cell


def columns(table: str) -> list[str]:
    return [c for c, _ in TABLES[table]["columns"]]


def empty_frame(table: str) -> pd.DataFrame:
    return normalize_frame(table, pd.DataFrame())


def normalize_frame(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Contract columns first (in order, typed), extra columns after them (sorted), rows in key order."""
    spec = TABLES[table]
    df = df.copy()
    for col, typ in spec["columns"]:
        if col not in df.columns:
            df[col] = pd.Series([None] * len(df), dtype=object)
        if typ == LIST:
            df[col] = df[col].map(
                lambda v: [] if v is None or (isinstance(v, float) and pd.isna(v)) else [str(x) for x in v]
            )
        else:
            df[col] = df[col].astype(_PANDAS[typ])
    extra = sorted(c for c in df.columns if c not in columns(table))
    df = df[columns(table) + extra]
    if len(df):
        df = df.sort_values(spec["sort"] + spec["primary_key"], kind="stable").reset_index(drop=True)
    return df
