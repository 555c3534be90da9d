"""``outputs/datapackage.json``: the published tables as a Frictionless Data Package the reference validator
accepts (``frictionless validate outputs/datapackage.json``).

Each table is two resources: ``<table>`` is the CSV copy in the standard form (a Table Schema whose types are
the cells' own: a list column is ``array`` of ``string`` items, written as a JSON array), and
``<table>-parquet`` the Parquet file beside it, with the same schema except that its list columns are
``any``: Parquet holds them as ``list<string>``, which the validator reads as values it cannot type as
arrays. Foreign keys point to the resource of the same form.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.core.schema import FORMULA_START, LIST, TABLES, columns

NAME = "diaspora-extractions"
CSV, PARQUET = ".csv", ".parquet"
PARQUET_RESOURCE = "{table}-parquet"
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}
LIST_IN_CSV = 'a list of strings written as a JSON array, e.g. ["a", "b"] (a list<string> column in the Parquet file)'
LIST_IN_PARQUET = "a list of strings (Parquet list<string>; as a JSON array in the CSV resource)"
_SPOKEN = [{"\t": "a tab", "\r": "a carriage return"}.get(c, c) for c in FORMULA_START]
CSV_TEXT = (
    "The CSV copy of {table}.parquet (the same rows and columns). A text cell that starts with "
    + ", ".join(_SPOKEN[:-1])
    + f" or {_SPOKEN[-1]} has one leading ' more (so that a spreadsheet shows it as text): remove one to get the text. An empty "
    "cell is a missing value."
)
PARQUET_TEXT = "The {table} table as Parquet: every text as extracted, list columns as lists (load_dataset)."


def _fields(table: str, df: pd.DataFrame, list_type: str, list_text: str) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    for name, typ in TABLES[table]["columns"]:
        if typ == LIST:
            field: dict[str, Any] = {"name": name, "type": list_type, "description": list_text}
            if list_type == LIST:
                field["arrayItem"] = {"type": "string"}
            fields.append(field)
        else:
            fields.append({"name": name, "type": typ})
    return fields + [{"name": c, "type": "any"} for c in df.columns if c not in columns(table)]


def _schema(table: str, fields: list[dict[str, Any]], resource: str) -> dict[str, Any]:
    spec = TABLES[table]
    schema: dict[str, Any] = {"fields": fields, "primaryKey": spec["primary_key"]}
    if spec.get("foreign_keys"):
        schema["foreignKeys"] = [
            {"fields": f, "reference": {"resource": resource.format(table=r), "fields": rf}}
            for f, r, rf in spec["foreign_keys"]
        ]
    return schema


def csv_resource(table: str, df: pd.DataFrame) -> dict[str, Any]:
    """The standard-form resource of ``<table>.csv``."""
    return {
        "name": table,
        "path": f"{table}{CSV}",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "description": CSV_TEXT.format(table=table),
        "dialect": CSV_DIALECT,
        "schema": _schema(table, _fields(table, df, LIST, LIST_IN_CSV), "{table}"),
    }


def parquet_resource(table: str, df: pd.DataFrame) -> dict[str, Any]:
    """The resource of ``<table>.parquet``, described beside the CSV one."""
    return {
        "name": PARQUET_RESOURCE.format(table=table),
        "path": f"{table}{PARQUET}",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "profile": "tabular-data-resource",
        "description": PARQUET_TEXT.format(table=table),
        "schema": _schema(table, _fields(table, df, "any", LIST_IN_PARQUET), PARQUET_RESOURCE),
    }


def datapackage(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The Data Package descriptor of the published tables: each contract table's CSV, then its Parquet resource."""
    resources: list[dict[str, Any]] = []
    for table, df in tables.items():
        if table in TABLES:
            resources += [csv_resource(table, df), parquet_resource(table, df)]
    return {"name": NAME, "profile": "tabular-data-package", "resources": resources}
