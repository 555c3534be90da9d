"""Training is a choice: the train stages are frozen, their models committed to git, small, and up to date."""

import subprocess
from pathlib import Path

import yaml

from pipeline.entities.transformer import META_FILE, TOP_FILE
from pipeline.training.status import RECORD_FILE, pending

ROOT = Path(__file__).resolve().parents[2]
MODELS = {"train": "models/ner_spacy", "train_transformer": "models/ner_transformer"}


def test_training_stages_are_frozen_with_git_tracked_models():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    for stage, out in MODELS.items():
        assert stages[stage]["frozen"] is True, f"{stage} must be frozen: dvc repro never trains"
        assert stages[stage]["outs"] == [{out: {"cache": False}}]
        assert out in stages["entities"]["deps"] and out in stages["pdf_run"]["deps"]


def test_training_committed_models_are_small_and_complete():
    tracked = subprocess.run(
        ["git", "ls-files", *MODELS.values()], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    names = {Path(p).relative_to(out).as_posix() for out in MODELS.values() for p in tracked if p.startswith(out)}
    assert {"meta.json", "ner/model", RECORD_FILE, TOP_FILE, META_FILE} <= names
    assert "model.safetensors" not in names, "the transformer is saved as its trained top layers only"
    for out in MODELS.values():
        size = sum((ROOT / p).stat().st_size for p in tracked if p.startswith(out))
        assert size < 10_000_000, f"{out} is {size / 1e6:.1f} MB in git"


def test_training_committed_models_are_trained_on_the_committed_labels(tmp_path):
    """The record in each committed model names the gold and the reviewed labels that reviews/ places on
    raw/ today (as the labels stage does): a review of a training paper committed without `make train`
    fails here, as `make run`'s summary says."""
    from pipeline.ingest import read_document
    from pipeline.training.labels import load_reviewed, write_reviewed

    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    train_docs = params["train"]["train_docs"]
    docs = {p.stem: read_document(p, ROOT / "raw") for p in sorted((ROOT / "raw").iterdir()) if p.stem in train_docs}
    assert {d: doc.doc_id for d, doc in docs.items()} == {d: d for d in train_docs}
    spans = load_reviewed(ROOT / "reviews", docs, train_docs, params["evaluate"]["dev_docs"], params["review"])
    labels = tmp_path / "train_labels.jsonl"
    write_reviewed(spans, labels)
    models = [ROOT / m for m in MODELS.values()]
    assert pending(models, ROOT / "gold" / "entities", labels, train_docs) == []
