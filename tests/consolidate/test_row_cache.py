"""consolidate keeps each document's rows between runs: only new or changed documents are read again,
and the tables are byte for byte those of a run that reads every document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.consolidate import main as consolidate
from pipeline.core.params import stage_params

pytestmark = pytest.mark.model
STAGES = ("ingest", "entities", "figures", "events")


def _work(corpus_run, tmp_path: Path) -> Path:
    """A copy of the corpus run's per-document stage outputs."""
    _, _, work = corpus_run
    for stage in STAGES:
        shutil.copytree(work / stage, tmp_path / "data" / stage)
    return tmp_path / "data"


def _run(work: Path, out: Path, params, cache: bool = True) -> dict:
    consolidate(
        *(work / s for s in STAGES),
        out,
        stage_params(params, "consolidate"),
        cache_dir=work / "consolidate-rows" if cache else None,
    )
    return json.loads((work / "logs" / "consolidate.json").read_text()) if cache else {}


def _same_tables(a: Path, b: Path) -> None:
    files = sorted(p.name for p in a.glob("*.parquet"))
    assert files == sorted(p.name for p in b.glob("*.parquet"))
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_second_run_reads_no_document_and_writes_the_same_tables(corpus_run, tmp_path, params):
    work = _work(corpus_run, tmp_path)
    first = _run(work, tmp_path / "t1", params)
    second = _run(work, tmp_path / "t2", params)
    _run(work, tmp_path / "cold", params, cache=False)
    ids = sorted(p.stem for p in (work / "ingest").glob("*.json") if p.name != "manifest.json")
    assert first["processed"] == ids and first["reused"] == []
    assert second["processed"] == [] and second["reused"] == ids
    _same_tables(tmp_path / "t1", tmp_path / "t2")
    _same_tables(tmp_path / "t1", tmp_path / "cold")
    _same_tables(tmp_path / "t1", corpus_run[2] / "tables")  # the pipeline run's own tables


def test_a_changed_document_is_read_again_and_only_it(corpus_run, tmp_path, params):
    work = _work(corpus_run, tmp_path)
    _run(work, tmp_path / "t1", params)
    doc_id = "002_a7ba452f2a3fc99c"
    path = work / "entities" / f"{doc_id}.parquet"
    cands = pd.read_parquet(path)
    first = cands.sort_values(["start", "end"]).iloc[0]
    cands[(cands["start"] != first["start"]) | (cands["end"] != first["end"])].to_parquet(path, index=False)
    manifest = json.loads((work / "entities" / "manifest.json").read_text())
    manifest["docs"][doc_id]["key"] = "changed"  # what the entities stage records when it makes the file again
    (work / "entities" / "manifest.json").write_text(json.dumps(manifest))

    log = _run(work, tmp_path / "t2", params)
    assert log["processed"] == [doc_id]
    assert doc_id not in log["reused"] and len(log["reused"]) == 4
    mentions = pd.read_parquet(tmp_path / "t2" / "entities.parquet")
    mine = mentions[mentions["doc_id"] == doc_id]
    assert not ((mine["start"] == first["start"]) & (mine["end"] == first["end"])).any()
    _run(work, tmp_path / "cold", params, cache=False)
    _same_tables(tmp_path / "t2", tmp_path / "cold")


def test_a_removed_document_loses_its_rows(corpus_run, tmp_path, params):
    work = _work(corpus_run, tmp_path)
    _run(work, tmp_path / "t1", params)
    doc_id = "004_079214a4568c4b32"
    (work / "ingest" / f"{doc_id}.json").unlink()
    log = _run(work, tmp_path / "t2", params)
    assert log["removed"] == [doc_id] and log["processed"] == []
    for table in ("documents", "entities", "figures", "events"):
        assert doc_id not in set(pd.read_parquet(tmp_path / "t2" / f"{table}.parquet")["doc_id"]), table


def test_an_unreadable_cache_means_every_document_is_read(corpus_run, tmp_path, params, caplog):
    work = _work(corpus_run, tmp_path)
    _run(work, tmp_path / "t1", params)
    (work / "consolidate-rows" / "mentions.parquet").write_bytes(b"not parquet")
    log = _run(work, tmp_path / "t2", params)
    assert len(log["processed"]) == 5 and log["reused"] == []
    assert "row cache" in caplog.text and "unreadable" in caplog.text
    _same_tables(tmp_path / "t1", tmp_path / "t2")


def test_a_run_killed_before_documents_was_written_reads_those_documents_again(corpus_run, tmp_path, params):
    """``documents`` vouches for the other cached tables: rows it does not list are made again."""
    work = _work(corpus_run, tmp_path)
    _run(work, tmp_path / "t1", params)
    cache = work / "consolidate-rows" / "documents.parquet"
    docs = pd.read_parquet(cache)
    docs[docs["_doc"] != "000_95dc770c8c7f5368"].to_parquet(cache, index=False)
    log = _run(work, tmp_path / "t2", params)
    assert log["processed"] == ["000_95dc770c8c7f5368"]
    _same_tables(tmp_path / "t1", tmp_path / "t2")
