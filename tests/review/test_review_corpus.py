"""The review layer on the real pipeline tables, and its command line."""

from __future__ import annotations

import argparse
import copy
import json

import pandas as pd
import pytest
from conftest import ROOT

from pipeline.core import names
from pipeline.review.apply import apply, load_docs, load_tables
from pipeline.review.cli import COMMANDS, register
from pipeline.review.labelstudio import export_label_studio, import_label_studio


@pytest.mark.model
def test_review_corpus_accept_all_roundtrip(corpus_run, tmp_path):
    _, _, work = corpus_run
    tables, docs = load_tables(work / "tables"), load_docs(work / "ingest")
    tasks, _ = export_label_studio(tables, docs)
    assert len(tasks) == len(docs)
    for task in tasks:
        text16 = task["data"]["text"].encode("utf-16-le")
        for r in task["predictions"][0]["result"]:
            if r["type"] == "labels":
                assert text16[2 * r["value"]["start"] : 2 * r["value"]["end"]].decode("utf-16-le") == r["value"]["text"]
        task["annotations"] = [
            {
                "completed_by": {"email": "a@x"},
                "updated_at": "2025-01-01T00:00:00Z",
                "result": copy.deepcopy(task["predictions"][0]["result"]),
            }
        ]
    decisions = import_label_studio(json.dumps(tasks))
    n_rows = sum(len(tables[t]) for t in (names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS))
    assert len(decisions) == n_rows and {d.action for d in decisions} == {"accept"}
    from pipeline.annotations.decisions import append_decisions

    append_decisions(tmp_path / "reviews" / "a.jsonl", decisions)
    res = apply(work / "tables", work / "ingest", tmp_path / "reviews", tmp_path / "out")
    for t in (names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS):
        out = pd.read_parquet(tmp_path / "out" / f"{t}.parquet")
        assert len(out) == len(tables[t]) and set(out["review_status"]) == {names.ACCEPTED}, t
    assert set(res.decisions["outcome"]) == {"applied"} and res.orphans.empty
    assert (tmp_path / "out" / "review" / "decisions.parquet").exists()


def test_review_cli_register_and_documented():
    p = argparse.ArgumentParser(prog="pipeline")
    register(p.add_subparsers(dest="command", required=True))
    a = p.parse_args(["review", "apply", "--reviews", "r"])
    assert a.func.__name__ == "cmd_apply" and a.reviews == "r" and a.tables == "data/tables"
    guide = (ROOT / "docs" / "annotating.md").read_text()
    for name, (fn, _) in COMMANDS.items():
        assert "Example:" in fn.__doc__
        assert f"pipeline review {name}" in guide, name


@pytest.mark.model
def test_review_rebuilds_only_the_tables_a_decision_changes(corpus_run):
    from pipeline.annotations.decisions import Anchor, Decision
    from pipeline.core.schema import normalize_frame
    from pipeline.review.apply import apply_decisions

    _, _, work = corpus_run
    tables, docs = load_tables(work / "tables"), load_docs(work / "ingest")
    fig = tables[names.T_FIGURES].iloc[0]
    doc = docs[fig["doc_id"]]
    target = Anchor.of(doc.text, fig["doc_id"], int(fig["start"]), int(fig["end"]))
    reject = Decision(
        "reject", names.T_FIGURES, "alice", "2025-03-01T10:00:00Z", target_id=fig["figure_id"], target=target
    )
    res = apply_decisions(tables, docs, [reject])
    assert fig["figure_id"] not in set(res.tables[names.T_FIGURES]["figure_id"])
    assert list(res.rejected["row_id"]) == [fig["figure_id"]]
    for t in (names.T_ENTITIES, names.T_ENTITY_INDEX, names.T_EVENTS):  # untouched: as consolidate made them
        pd.testing.assert_frame_equal(res.tables[t], normalize_frame(t, tables[t]))
    # and as a rebuild from rows makes them: the entity index from its mentions
    from pipeline.consolidate import entity_index

    pd.testing.assert_frame_equal(res.tables[names.T_ENTITY_INDEX], entity_index(res.tables[names.T_ENTITIES]))
