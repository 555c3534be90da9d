"""The output contract on the real corpus: columns, types, keys, provenance, determinism, round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import load_dataset, load_text
from pipeline.core import names
from pipeline.core.schema import TABLES, columns

pytestmark = pytest.mark.model
SPAN_TABLES = (names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS, names.T_CITATIONS)


@pytest.fixture(scope="module")
def data(corpus_run):
    _, out, _ = corpus_run
    return load_dataset(out)


def test_pipeline_publishes_every_contract_table_with_its_columns_in_order(data):
    for table in TABLES:
        assert table in data, table
        assert list(data[table].columns[: len(columns(table))]) == columns(table)


def test_pipeline_documents_table_lists_the_five_papers(data):
    docs = data[names.T_DOCUMENTS]
    assert list(docs["doc_id"]) == [
        "000_95dc770c8c7f5368",
        "001_ac88c79fe3d8c316",
        "002_a7ba452f2a3fc99c",
        "003_afb25aa48fd0f95b",
        "004_079214a4568c4b32",
    ]
    assert set(docs["status"]) == {names.STATUS_OK}
    assert docs.set_index("doc_id").loc["004_079214a4568c4b32", "source"] == "004_079214a4568c4b32.txt"


def test_pipeline_every_row_text_is_the_canonical_slice(corpus_run, data):
    _, out, _ = corpus_run
    texts = {d: load_text(out, d) for d in data[names.T_DOCUMENTS]["doc_id"]}
    for table in SPAN_TABLES:
        df = data[table]
        assert len(df), table
        for r in df.itertuples():
            assert texts[r.doc_id][r.start : r.end] == r.text, (table, r.doc_id, r.start, r.end)


def test_pipeline_ids_are_unique_and_foreign_keys_resolve(data):
    for table, spec in TABLES.items():
        df = data[table]
        assert not df.duplicated(spec["primary_key"]).any(), table
        for col, ref, ref_col in spec.get("foreign_keys", []):
            assert set(df[col]) <= set(data[ref][ref_col]), (table, col)


def test_pipeline_rows_are_unreviewed_and_never_from_references(data):
    for table in (names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS):
        df = data[table]
        assert set(df["review_status"]) == {names.UNREVIEWED}
        assert not set(df["section"]) & names.SECTIONS_NOT_EXTRACTED, table


def test_pipeline_dates_are_inclusive_iso_intervals(data):
    ev = data[names.T_EVENTS]
    assert (ev["date_start"] <= ev["date_end"]).all()
    assert ev["date_start"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def test_pipeline_figures_keep_percent_values_as_written(data):
    fig = data[names.T_FIGURES]
    row = fig[(fig["doc_id"] == "001_ac88c79fe3d8c316") & (fig["text"] == "39.7 percent")].iloc[0]
    assert (row["value"], row["kind"], row["unit"]) == (39.7, "percent", "percent")


def test_pipeline_list_columns_load_as_lists(data):
    assert all(isinstance(v, (list, tuple)) or hasattr(v, "tolist") for v in data[names.T_ENTITIES]["sources"])


def test_pipeline_csv_copies_sit_beside_parquet(corpus_run):
    _, out, _ = corpus_run
    for table in TABLES:
        csv = pd.read_csv(out / f"{table}.csv")
        assert list(csv.columns[: len(columns(table))]) == columns(table)


def test_pipeline_citations_table_parses_the_reference_lists(data):
    cit = data[names.T_CITATIONS]
    clifford = cit[(cit["doc_id"] == "003_afb25aa48fd0f95b") & (cit["doi"] == "10.1525/can.1994.9.3.02a00040")]
    assert len(clifford) == 1
    row = clifford.iloc[0]
    assert (list(row["authors"]), row["year"], row["title"]) == (["Clifford, J."], 1994, "Diasporas")
    assert cit["year"].dropna().between(1900, 2030).all()


def test_pipeline_timeline_merges_event_mentions_and_renders_in_date_order(corpus_run, data):
    _, out, _ = corpus_run
    tl, ev = data[names.T_TIMELINE], data[names.T_EVENTS]
    mentions = [m for ids in tl["mention_ids"] for m in ids]
    assert sorted(mentions) == sorted(ev["event_id"])  # every event in exactly one timeline row
    assert list(tl["date_start"]) == sorted(tl["date_start"])
    html = (out / "timeline.html").read_text(encoding="utf-8")
    assert "http://" not in html.split("<body", 1)[0] and "<script src" not in html
    kurultai = tl[(tl["date_start"] == "1992-09-29") & (tl["event_type"] == "congress")]
    assert len(kurultai) == 1 and "001_ac88c79fe3d8c316" in list(kurultai.iloc[0]["doc_ids"])
