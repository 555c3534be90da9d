"""What the models were trained on, and the sentence that says a retrain is waiting (train-status)."""

import json

from conftest import tiny_training_set

from pipeline.cli import main
from pipeline.training.labels import ReviewedSpan, write_reviewed
from pipeline.training.status import RECORD_FILE, pending, record, write_record


def _span(start, end, label, decision, rejected=False):
    return ReviewedSpan(start, end, label, rejected, decision, "reviews/alice.jsonl")


def _setup(tmp_path):
    doc, ingest, gold = tiny_training_set(tmp_path)
    labels = tmp_path / "train_labels.jsonl"
    start = doc.text.index("Otandastar Foundation")
    spans = {"d": [_span(start, start + 21, "ORG", "dec-1")]}
    write_reviewed(spans, labels)
    models = [tmp_path / "ner_spacy", tmp_path / "ner_transformer"]
    for m in models:
        m.mkdir()
        write_record(m, record(gold, ["d"], spans))
    return doc, gold, labels, models, spans


def test_training_status_up_to_date_says_nothing(tmp_path):
    _, gold, labels, models, _ = _setup(tmp_path)
    assert pending(models, gold, labels, ["d"]) == []


def test_training_status_counts_new_and_changed_decisions_once_for_both_models(tmp_path):
    doc, gold, labels, models, spans = _setup(tmp_path)
    cohen = doc.text.index("Cohen")
    china = doc.text.index("China")
    moved = _span(spans["d"][0].start + 11, spans["d"][0].end, "ORG", "dec-1")  # dec-1 now places "Foundation"
    write_reviewed(
        {"d": [moved, _span(cohen, cohen + 5, "PERSON", "dec-2"), _span(china, china + 5, "GPE", "dec-3", True)]},
        labels,
    )
    assert pending(models, gold, labels, ["d"]) == [
        "3 reviewed decisions on training papers are not in the models: run make train"
    ]


def test_training_status_one_withdrawn_decision_gold_change_and_missing_record(tmp_path):
    _, gold, labels, models, _ = _setup(tmp_path)
    write_reviewed({}, labels)
    (gold / "d.jsonl").write_text(json.dumps({"text": "China", "label": "GPE"}) + "\n", encoding="utf-8")
    (models[1] / RECORD_FILE).unlink()
    assert pending(models, gold, labels, ["d"]) == [
        "the gold entities of d changed since the models were trained: run make train",
        "1 reviewed decision on training papers is not in the models: run make train",
        f"{models[1]} has no {RECORD_FILE} (not trained by this version, or missing): run make train",
    ]


def test_training_status_other_training_documents(tmp_path):
    _, gold, labels, models, _ = _setup(tmp_path)
    assert pending(models[:1], gold, labels, ["d", "e"]) == [
        "train.train_docs changed since the models were trained: run make train"
    ]


def test_training_status_cli_prints_and_check_exits_1(tmp_path, capsys):
    doc, gold, labels, models, spans = _setup(tmp_path)
    params = tmp_path / "params.yaml"
    params.write_text("train:\n  train_docs: [d]\n", encoding="utf-8")
    argv = ["train-status", "--gold", str(gold), "--labels", str(labels), "--params", str(params)]
    argv += ["--spacy-model", str(models[0]), "--transformer-model", str(models[1])]
    assert main(argv + ["--check"]) == 0
    assert "the models are trained on the current gold and reviewed labels" in capsys.readouterr().out
    cohen = doc.text.index("Cohen")
    write_reviewed({"d": spans["d"] + [_span(cohen, cohen + 5, "PERSON", "dec-2")]}, labels)
    assert main(argv) == 0  # the summary of `make run` informs, it does not fail the run
    assert main(argv + ["--check"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "train-status: 1 reviewed decision on training papers is not in the models: run make train"
    )
