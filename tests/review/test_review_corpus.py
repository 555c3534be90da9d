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
