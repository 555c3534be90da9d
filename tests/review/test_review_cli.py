"""End to end through the real command line: Label Studio export → annotated export file → ``review import``
→ ``run``; then the text and the extractors change and every decision stays on its words.

The project is a temporary folder with one short text document and its own small pattern file (no
pretrained or fine-tuned NER), so a removed rule removes exactly one extraction.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from pipeline import load_dataset
from pipeline.core import names
from pipeline.review.apply import load_docs, load_tables
from pipeline.review.labelstudio import export_label_studio

FIRST = (
    "Returnees 🇰🇿\n\n"
    "In 1991 the Congress of the Alash movement met in Almaty. About 60,000 Kazakhs came from Bayan-Ölgii. "
    "President Nazarbayev welcomed them.\n\n"
    "Some returned to Mongolia later.\n"
)
# the second edition: a paragraph before every span, whitespace changed inside spans, the last paragraph cut
SECOND = (
    "Returnees 🇰🇿\n\n"
    "A preface added in the second edition, before every span.\n\n"
    "In 1991 the Congress of the Alash movement met in   Almaty. About 60,000 Kazakhs came from Bayan-Ölgii.\n"
    "President   Nazarbayev welcomed them.\n"
)
RULES = [
    {"label": "GPE", "pattern": "Almaty", "id": "almaty"},
    {"label": "GPE", "pattern": "Mongolia", "id": "mongolia"},
    {"label": "GPE", "pattern": "Alash", "id": "alash"},  # wrong: a movement (relabelled ORG)
    {"label": "ORG", "pattern": "Congress", "id": "congress"},  # too loose (rejected)
    {"label": "PERSON", "pattern": "President Nazarbayev", "id": "nazarbayev"},
]  # too long (moved)


def cli(project: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def write_rules(project: Path, rules: list[dict]) -> None:
    (project / "models" / "patterns").mkdir(parents=True, exist_ok=True)
    (project / "models" / "patterns" / "rules.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rules))


def cp(text: str, quote: str) -> tuple[int, int]:
    """Label Studio 1.23.2's offsets of ``quote``: code points, like the canonical text's."""
    s = text.index(quote)
    return s, s + len(quote)


def annotate(task: dict) -> dict:
    """In Label Studio: accept Almaty, Mongolia and the event (left as predicted), reject "Congress", relabel
    "Alash" ORG, shrink "President Nazarbayev", fix the figure's value, and add "Bayan-Ölgii"."""
    text = task["data"]["text"]
    result = copy.deepcopy(task["predictions"][0]["result"])
    rid = {i["value"]["text"]: i["id"] for i in result if i["type"] == "labels"}
    result = [i for i in result if i["id"] != rid["Congress"]]
    for i in result:
        if i["id"] == rid["Alash"] and i["type"] == "labels":
            i["value"]["labels"] = [names.ORG]
        if i["id"] == rid["President Nazarbayev"]:
            i["value"]["start"], i["value"]["end"] = cp(text, "Nazarbayev")
            if i["type"] == "labels":
                i["value"]["text"] = "Nazarbayev"
        if i["id"] == rid["60,000"] and i["from_name"] == "value":
            i["value"]["text"] = ["61000"]
    s, e = cp(text, "Bayan-Ölgii")
    result.append(
        {
            "id": "added1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": s, "end": e, "text": "Bayan-Ölgii", "labels": [names.GPE]},
        }
    )
    return {
        **copy.deepcopy(task),
        "id": 1,
        "annotations": [
            {
                "id": 1,
                "completed_by": {"id": 1, "email": "alice@example.org"},
                "result": result,
                "was_cancelled": False,
                "created_at": "2025-05-01T10:00:00.000000Z",
                "updated_at": "2025-05-01T10:30:00.000000Z",
                "parent_prediction": 1,
            }
        ],
    }


def statuses(out: Path) -> dict[tuple[str, str], tuple]:
    """(table, quote) → (label or value, review_status) of every published row; offsets checked on the way."""
    data = load_dataset(out)
    got = {}
    for table, col in ((names.T_ENTITIES, "label"), (names.T_FIGURES, "value"), (names.T_EVENTS, "event_type")):
        for r in data[table].to_dict("records"):
            text = (out / "texts" / f"{r['doc_id']}.txt").read_text(encoding="utf-8")
            assert text[r["start"] : r["end"]] == r["text"]
            key = (table, re.sub(r"\s+", " ", r["text"]))
            assert key not in got, key
            got[key] = (r[col], r["review_status"])
    return got


@pytest.mark.model
def test_review_cli_labelstudio_roundtrip_survives_text_and_rule_changes(tmp_path, params):
    from pipeline.run import run

    project = tmp_path / "project"
    (project / "raw").mkdir(parents=True)
    (project / "raw" / "returnees.txt").write_text(FIRST, encoding="utf-8")
    write_rules(project, RULES)
    p = copy.deepcopy(params)
    p["entities"].update(patterns_dir="models/patterns", use_pretrained=False, spacy_ft="")
    p["consolidate"]["calibration"] = ""  # the project has no models/ner_calibration.json
    (project / "params.yaml").write_text(yaml.safe_dump(p))
    argv = [
        "run",
        "--raw",
        "raw",
        "--out",
        "outputs",
        "--work",
        "data",
        "--reviews",
        "reviews",
        "--params",
        "params.yaml",
    ]

    # the first run and the export (in process: the CLI path is the import and the runs after it)
    p["entities"]["patterns_dir"] = str(project / "models" / "patterns")
    assert run(project / "raw", project / "outputs", project / "data", p, reviews=project / "reviews") == 0
    tasks, _ = export_label_studio(load_tables(project / "data" / "tables"), load_docs(project / "data" / "ingest"))
    (project / "ls_export.json").write_text(json.dumps([annotate(tasks[0])], ensure_ascii=False), encoding="utf-8")

    log = cli(project, "review", "import", "ls_export.json")
    assert "review import: 8 decisions by alice@example.org" in log
    log = cli(project, *argv)
    assert "review: 8 decisions (8 applied); 0 in conflict; 1 rows rejected; 0 orphans" in log
    decided = {
        (names.T_ENTITIES, "Almaty"): (names.GPE, names.ACCEPTED),
        (names.T_ENTITIES, "Alash"): (names.ORG, names.CORRECTED),
        (names.T_ENTITIES, "Nazarbayev"): (names.PERSON, names.CORRECTED),
        (names.T_ENTITIES, "Bayan-Ölgii"): (names.GPE, names.ADDED),
        (names.T_ENTITIES, "Mongolia"): (names.GPE, names.ACCEPTED),
        (names.T_FIGURES, "60,000"): (61000.0, names.CORRECTED),
        (names.T_EVENTS, "In 1991 the Congress of the Alash movement met in Almaty."): ("congress", names.ACCEPTED),
    }
    assert statuses(project / "outputs") == decided
    rejected = pd.read_parquet(project / "outputs" / "review" / "rejected.parquet")
    assert rejected[["table", "text"]].values.tolist() == [[names.T_ENTITIES, "Congress"]]
    first = pd.read_parquet(project / "outputs" / "review" / "decisions.parquet").set_index("decision_id")

    # the second edition of the text, and the "Alash" rule removed
    (project / "raw" / "returnees.txt").write_text(SECOND, encoding="utf-8")
    write_rules(project, [r for r in RULES if r["pattern"] != "Alash"])
    log = cli(project, *argv)
    orphans = pd.read_parquet(project / "outputs" / "review" / "orphans.parquet")
    (mongolia,) = first.index[(first["action"] == "accept") & (first["quote"] == "Mongolia")]
    assert list(orphans["decision_id"]) == [mongolia]  # its paragraph is gone: listed, not applied elsewhere
    assert f"orphaned {mongolia} (accept by alice@example.org" in log and "quote 'Mongolia' not found" in log
    assert "review: 8 decisions (7 applied, 1 orphaned)" in log
    del decided[(names.T_ENTITIES, "Mongolia")]
    decided[(names.T_ENTITIES, "Alash")] = (names.ORG, names.ADDED)  # no rule finds it now: the relabel re-creates it
    assert statuses(project / "outputs") == decided
    second = pd.read_parquet(project / "outputs" / "review" / "decisions.parquet").set_index("decision_id")
    text = (project / "outputs" / "texts" / f"{second['doc_id'].iloc[0]}.txt").read_text(encoding="utf-8")
    for did, r in second[second["outcome"] == "applied"].iterrows():  # each decision on the same words as before
        assert " ".join(r["landed_text"].split()) == " ".join(first.loc[did, "landed_text"].split()), did
        assert text[r["start"] : r["end"]] == r["landed_text"]
    # every span moved (so every row id changed): all placed by quote + context. Ingest collapses the changed
    # whitespace runs; a quote whose whitespace changed in the canonical text is test_review.py's whitespace case.
    assert set(second.loc[second["outcome"] == "applied", "anchor_method"]) == {"quote"}
