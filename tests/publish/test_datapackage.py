"""outputs/ as a data package: the reference validator (``frictionless validate``, run as a user runs it) accepts
the corpus run's outputs, the CSV copies give back the Parquet lists exactly, the Parquet columns and dtypes are
the contract's, and publishing the same tables twice writes the same bytes."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core import names
from pipeline.core.schema import LIST, TABLES, columns
from pipeline.publish import load_dataset
from pipeline.publish import main as publish

pytestmark = pytest.mark.model

FRICTIONLESS = Path(sys.executable).with_name("frictionless")
CSV_RESOURCES = ["citations", "documents", "entities", "entity_index", "events", "figures", "timeline"]
PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "array": "object"}


def _validate(descriptor: Path) -> tuple[int, dict]:
    if not FRICTIONLESS.exists():
        pytest.fail(f"{FRICTIONLESS} is missing: pip install 'frictionless[parquet]' (requirements.txt)", pytrace=False)
    proc = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(descriptor)], capture_output=True, text=True, timeout=300
    )
    return proc.returncode, json.loads(proc.stdout)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_datapackage_the_reference_validator_accepts_the_corpus_outputs(corpus_run):
    _, out, _ = corpus_run
    rc, report = _validate(out / "datapackage.json")
    errors = [(t["name"], e["message"]) for t in report["tasks"] for e in t["errors"]]
    assert rc == 0 and report["valid"], errors[:10]
    tasks = {t["name"]: t for t in report["tasks"]}
    assert sorted(tasks) == sorted(CSV_RESOURCES + [f"{t}-parquet" for t in CSV_RESOURCES])
    for table in CSV_RESOURCES:  # every row of both forms was read and typed
        n = len(pd.read_parquet(out / f"{table}.parquet"))
        assert tasks[table]["stats"]["rows"] == tasks[f"{table}-parquet"]["stats"]["rows"] == n, table
        assert (tasks[table]["place"], tasks[f"{table}-parquet"]["place"]) == (f"{table}.csv", f"{table}.parquet")


def test_datapackage_csv_resources_are_the_standard_form(corpus_run):
    _, out, _ = corpus_run
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    entities = by_name[names.T_ENTITIES]
    assert (entities["path"], entities["format"], entities["mediatype"], entities["encoding"]) == (
        "entities.csv",
        "csv",
        "text/csv",
        "utf-8",
    )
    sources = next(f for f in entities["schema"]["fields"] if f["name"] == "sources")
    assert (sources["type"], sources["arrayItem"]) == ("array", {"type": "string"})
    assert sources["description"].startswith("a list of strings written as a JSON array")
    assert entities["schema"]["foreignKeys"][0] == {
        "fields": "doc_id",
        "reference": {"resource": "documents", "fields": "doc_id"},
    }
    parquet = by_name["entities-parquet"]
    assert (parquet["path"], parquet["format"]) == ("entities.parquet", "parquet")
    assert next(f for f in parquet["schema"]["fields"] if f["name"] == "sources")["type"] == "any"
    assert parquet["schema"]["foreignKeys"][0]["reference"]["resource"] == "documents-parquet"


def test_datapackage_the_validator_rejects_a_list_cell_that_is_no_json_array(corpus_run, tmp_path):
    """The check above can fail: one entities.csv ``sources`` cell written as a Python list is a type error."""
    _, out, _ = corpus_run
    broken = tmp_path / "outputs"
    shutil.copytree(out, broken)
    rows = _csv_rows(broken / "entities.csv")
    rows[4]["sources"] = "['spacy']"
    with open(broken / "entities.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    rc, report = _validate(broken / "datapackage.json")
    assert rc == 1
    errors = [(t["name"], e["type"], e["rowNumber"], e["fieldName"]) for t in report["tasks"] for e in t["errors"]]
    assert errors == [("entities", "type-error", 6, "sources")]  # row 6: the header is row 1


def test_datapackage_csv_list_columns_round_trip_to_the_parquet_lists(corpus_run):
    _, out, _ = corpus_run
    checked = 0
    for table in CSV_RESOURCES:
        parquet = pd.read_parquet(out / f"{table}.parquet")
        rows = _csv_rows(out / f"{table}.csv")
        assert len(rows) == len(parquet), table
        for col in (c for c, t in TABLES[table]["columns"] if t == LIST):
            from_csv = [json.loads(r[col]) for r in rows]
            assert from_csv == [list(v) for v in parquet[col]], (table, col)
            checked += sum(map(len, from_csv))
    assert checked > 500
    events = pd.read_parquet(out / "events.parquet").set_index("event_id")
    row = next(r for r in _csv_rows(out / "events.csv") if r["event_id"] == "Vc30c911f28c7")
    assert row["participants"] == '["Turkish", "European", "Kazakh", "Turks", "Kusçu I.,2016"]'
    assert list(events.at["Vc30c911f28c7", "participants"]) == [
        "Turkish",
        "European",
        "Kazakh",
        "Turks",
        "Kusçu I.,2016",
    ]


def test_datapackage_parquet_columns_and_dtypes_are_the_contract(corpus_run):
    _, out, _ = corpus_run
    data = load_dataset(out)
    assert sorted(data) == sorted(CSV_RESOURCES)
    for table in CSV_RESOURCES:
        df = data[table]
        assert list(df.columns[: len(columns(table))]) == columns(table), table
        for col, typ in TABLES[table]["columns"]:
            assert str(df[col].dtype) == PANDAS_DTYPES[typ], (table, col, df[col].dtype)
            if typ == LIST:  # lists stay lists (numpy arrays of str, as pandas reads Parquet lists)
                assert all(hasattr(v, "tolist") and all(isinstance(x, str) for x in v) for v in df[col]), (table, col)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_datapackage_publishing_twice_writes_the_same_bytes(corpus_run, tmp_path):
    _, out, work = corpus_run
    publish(work / "reviewed", work / "ingest", tmp_path / "again")
    again = _snapshot(tmp_path / "again")
    assert again == _snapshot(out)
    assert {"datapackage.json", "timeline.html", "timeline.csv", "entities.csv"} <= set(again)


def test_datapackage_the_documented_csv_reading_gives_the_parquet_values(corpus_run):
    """docs/dataset.md's pandas recipe, as written there: lists and texts of entities.csv as in entities.parquet."""
    _, out, _ = corpus_run
    df = pd.read_csv(out / "entities.csv", dtype=str, keep_default_na=False, na_values=[""])
    df["sources"] = df["sources"].map(json.loads)
    df["text"] = df["text"].map(lambda s: s[1:] if isinstance(s, str) and s.startswith("'") else s)
    parquet = pd.read_parquet(out / "entities.parquet")
    assert list(df["text"]) == list(parquet["text"])
    assert list(df["sources"]) == [list(v) for v in parquet["sources"]]
    assert list(df["start"].astype(int)) == list(parquet["start"])
