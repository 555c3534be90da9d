"""The transformer NER source (windows, BIO tags, offsets, tiny training) and the score calibration."""

from __future__ import annotations

import json

import pytest
from conftest import tiny_training_set

from pipeline.consolidate.calibration import Calibration, evidence
from pipeline.consolidate.ensemble import merge
from pipeline.core import names
from pipeline.entities.candidates import Candidate
from pipeline.entities.transformer import TAGS, Encoded, decode, shape_id, windows, word_tags
from pipeline.training.calibration import fit

TEXT = "The Otandastar Foundation helps Kazakhs in Mongolia."


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from pipeline.entities.transformer import encoder_dir

    return AutoTokenizer.from_pretrained(encoder_dir())


@pytest.mark.parametrize(
    "word,shape",
    [
        ("kazakhs", "lower"),
        ("Kazakhs", "title"),
        ("UNESCO", "upper"),
        ("1997", "digit"),
        ("“", "other"),
        ("McDonald", "title"),
        ("iPhone", "other"),
    ],
)
def test_transformer_shape_id(word, shape):
    from pipeline.entities.transformer import SHAPES

    assert SHAPES[shape_id(word)] == shape


@pytest.mark.parametrize(
    "words,max_len,stride,expected",
    [
        ([0, 1, 2], 128, 32, [(0, 3)]),
        ([0, 0, 1, 2, 2, 3, 4], 5, 1, [(0, 3), (2, 5), (5, 7)]),
        ([0, 1, 2, 3, 4, 5, 6, 7], 6, 2, [(0, 4), (2, 6), (4, 8)]),
        ([0, 0, 0, 0, 0, 0, 1], 4, 1, [(0, 2), (2, 4), (4, 6), (6, 7)]),  # a word longer than a window is cut
    ],
)
def test_transformer_windows(words, max_len, stride, expected):
    assert windows(words, max_len, stride) == expected


@pytest.mark.model
def test_transformer_word_tags_and_decode_round_trip(tokenizer):
    from pipeline.entities.transformer import encode

    enc = encode(tokenizer, TEXT)
    gold = [(4, 25, names.ORG), (32, 39, names.NORP), (43, 51, names.GPE)]
    tags = word_tags(enc, gold)
    # one-hot "probabilities" of the gold tags, on every sub-token (decode reads first sub-tokens only)
    probs, last = [], TAGS.index("O")
    for t in tags:
        last = t if t != -100 else last
        probs.append([1.0 if k == last else 0.0 for k in range(len(TAGS))])
    assert [(TEXT[s:e], lab) for s, e, lab, _ in decode(enc, probs)] == [
        ("Otandastar Foundation", "ORG"),
        ("Kazakhs", "NORP"),
        ("Mongolia", "GPE"),
    ]


def test_transformer_word_tags_ignore_span_cutting_a_word():
    # words: "Kazakhstan" (0-10) "’" (10-11) "s" (11-12); gold "Kazakh" cuts the first word
    enc = Encoded(
        ids=[1, 2, 3, 4], offsets=[(0, 6), (6, 10), (10, 11), (11, 12)], words=[0, 0, 1, 2], shapes=[2, 2, 5, 1]
    )
    assert word_tags(enc, [(0, 6, names.NORP)]) == [-100, -100, 0, 0]
    assert word_tags(enc, [(0, 10, names.GPE)]) == [TAGS.index("B-GPE"), -100, 0, 0]


def test_transformer_decode_stray_inside_opens_span_and_mean_score():
    # label probability = P(B-X) + P(I-X): 0.9 + 0.1/16, 0.7 + 0.3/16 (mean 0.8125); 0.6 + 0.4/16
    enc = Encoded(ids=[1, 2, 3], offsets=[(0, 5), (6, 11), (12, 15)], words=[0, 1, 2], shapes=[2, 2, 2])
    p = lambda tag, x: [x if t == tag else (1 - x) / (len(TAGS) - 1) for t in TAGS]  # noqa: E731
    spans = decode(enc, [p("I-ORG", 0.9), p("I-ORG", 0.7), p("B-GPE", 0.6)])
    assert [(s, e, lab, round(sc, 4)) for s, e, lab, sc in spans] == [(0, 11, "ORG", 0.8125), (12, 15, "GPE", 0.625)]


@pytest.mark.model
@pytest.mark.parametrize("casing", [False, True])
def test_transformer_tiny_config_trains_reloads_and_predicts(tmp_path, casing):
    from dataclasses import replace

    from pipeline.entities.transformer import CI_CONFIG, META_FILE, SHAPES_FILE, load
    from pipeline.training.transformer import train

    doc, ingest, gold = tiny_training_set(tmp_path)
    out = train(gold, ingest, ["d"], tmp_path / "ner", replace(CI_CONFIG, casing=casing))
    assert (out / SHAPES_FILE).exists() == casing
    meta = json.loads((out / META_FILE).read_text())
    assert meta["tags"] == list(TAGS) and meta["train_docs"] == ["d"] and meta["config"]["steps"] == CI_CONFIG.steps
    tagger = load(out)
    long_block = doc.text  # longer than one 32-sub-token window: several overlapping windows
    first = tagger.predict(long_block)
    assert first == load(out).predict(long_block)  # deterministic, and the same after a reload
    for s, e, label, score in first:
        assert label in names.ENTITY_LABELS and 0.0 < score <= 1.0
        assert long_block[s:e] == long_block[s:e].strip() and e > s
    from pipeline.entities import transformer_spans

    blocks = [(b.start, b.end) for b in doc.blocks]
    for sp in transformer_spans(doc, out):  # canonical offsets, inside one block, score capped at the prior
        assert any(a <= sp.start_char < sp.end_char <= b for a, b in blocks) and 0.0 < sp.score <= 0.4


@pytest.mark.model
def test_transformer_long_block_offsets_exact(tokenizer):
    """Every word of a long block is read from exactly one window, and spans land on the text exactly."""
    from pipeline.entities.transformer import encode, owner

    text = " ".join(f"Kusçu{i} met Mendikulova’s Kazakhs in Ulaanbaatar." for i in range(40))
    enc = encode(tokenizer, text)
    ranges = windows(enc.words, 128, 32)
    assert len(ranges) > 2 and ranges[0][0] == 0 and ranges[-1][1] == len(enc.ids)
    assert all(b - a <= 126 for a, b in ranges) and all(a2 < b1 for (_, b1), (a2, _) in zip(ranges, ranges[1:]))
    own = owner(ranges, len(enc.ids))
    assert all(ranges[own[i]][0] <= i < ranges[own[i]][1] for i in range(len(enc.ids)))
    target = TAGS.index("B-PERSON")
    probs = [
        [1.0 if k == (target if text[s:e].startswith("Ku") else 0) else 0.0 for k in range(len(TAGS))]
        for s, e in enc.offsets
    ]
    spans = decode(enc, probs)
    assert [text[s:e] for s, e, _, _ in spans][:2] == ["Kusçu0", "Kusçu1"] and len(spans) == 40


def test_calibration_fit_exact_numbers():
    rows = [
        ("rules", names.GPE, True, 0.8),
        ("rules", names.GPE, True, 0.8),
        ("rules", names.ORG, False, 0.8),
        ("gazetteer+rules", names.ORG, True, 0.97),
        ("spacy", names.ORG, False, 0.4),
        ("spacy", names.ORG, False, 0.6),
    ]
    t = fit(rows, m=2.0)
    assert t["by_evidence"] == {
        "gazetteer+rules": {"n": 1, "tp": 1, "prior": 0.97, "p": 0.98},  # (1 + 2·0.97) / 3
        "rules": {"n": 3, "tp": 2, "prior": 0.8, "p": 0.72},  # (2 + 2·0.8) / 5
        "spacy": {"n": 2, "tp": 0, "prior": 0.5, "p": 0.25},  # (0 + 2·0.5) / 4
    }
    assert t["cells"]["rules|GPE"] == {"n": 2, "tp": 2, "p": 0.86}  # (2 + 2·0.72) / 4
    assert t["cells"]["rules|ORG"] == {"n": 1, "tp": 0, "p": 0.48}  # (0 + 2·0.72) / 3
    assert t["cells"]["spacy|ORG"] == {"n": 2, "tp": 0, "p": 0.125}  # (0 + 2·0.25) / 4


def test_calibration_sets_scores_not_winners():
    table = Calibration(by_evidence={"rules": 0.72}, cells={"rules|GPE": 0.86})
    assert evidence(["spacy_ft", "rules"]) == "rules+spacy_ft"
    cands = [
        Candidate(0, 10, names.GPE, names.SRC_RULES, 0.8),
        Candidate(12, 20, names.ORG, names.SRC_RULES, 0.8),
        Candidate(22, 30, names.ORG, names.SRC_SPACY, 0.5),
        Candidate(22, 26, names.GPE, names.SRC_RULES, 0.8),
    ]
    plain, calibrated = merge(cands), merge(cands, calibration=table)
    assert [(m.start, m.end, m.label) for m in plain] == [(m.start, m.end, m.label) for m in calibrated]
    assert [m.score for m in plain] == [0.8, 0.8, 0.8]
    assert [m.score for m in calibrated] == [0.86, 0.72, 0.86]  # cell, evidence only, cell


def test_calibration_reads_evidence_over_the_sources_it_measured():
    """A LOO table knows rules, spacy and spacy_ft: the transformer's agreement is not in its evidence keys."""
    table = Calibration(
        by_evidence={"rules+spacy_ft": 0.9, "spacy": 0.3},
        cells={"rules+spacy_ft|GPE": 0.95},
        sources=frozenset({names.SRC_RULES, names.SRC_SPACY, names.SRC_SPACY_FT}),
    )
    srcs = [names.SRC_RULES, names.SRC_SPACY_FT, names.SRC_TRANSFORMER]
    assert table.score(srcs, names.GPE, False, 0.5) == 0.95  # read as rules+spacy_ft
    assert table.score(srcs, names.ORG, False, 0.5) == 0.9  # its evidence's estimate
    assert table.score([names.SRC_TRANSFORMER], names.ORG, False, 0.33) == 0.33  # nothing measured: the prior
    assert table.score([names.SRC_RULES], names.ORG, True, 0.97) == 0.97  # unseen evidence: the prior
    every = Calibration(by_evidence={"spacy+transformer": 0.6})  # no sources named: every source is known
    assert every.score([names.SRC_SPACY, names.SRC_TRANSFORMER], names.ORG, False, 0.7) == 0.6


def test_calibration_table_named_but_missing_is_an_error(tmp_path):
    from pipeline.consolidate.calibration import load

    assert load("") is None
    with pytest.raises(FileNotFoundError, match="consolidate.calibration is missing"):
        load(tmp_path / "ner_calibration.json")


def test_calibrate_writes_the_loo_table(tmp_path):
    """The calibrate stage serves the table the loo stage fitted on every fold's held-out mentions."""

    from pipeline.consolidate.calibration import load
    from pipeline.training.calibration import main

    table = {**fit([("rules", names.GPE, True, 0.8), ("rules", names.GPE, False, 0.8)]), "sources": ["rules"]}
    after = {"ece": 0.01, "brier": 0.08, "n": 2, "bins": {}}
    loo = {
        "entities": {
            "scored_on": "leave-one-document-out",
            "by_doc": {"b": {}, "a": {}},
            "calibration": {"table": table, "after": after},
        }
    }
    (tmp_path / "loo.json").write_text(json.dumps(loo))
    out = tmp_path / "models" / "ner_calibration.json"
    written = main(tmp_path / "loo.json", out)
    assert written["documents"] == ["a", "b"] and written["held_out_check"] == after
    cal = load(out)
    assert cal is not None and cal.sources == frozenset({"rules"})
    # (1 + 2·0.8) / 4 = 0.65 per evidence; the cell (1 + 2·0.65) / 4 = 0.575
    assert cal.score([names.SRC_RULES, names.SRC_TRANSFORMER], names.GPE, False, 0.8) == 0.575

    from pipeline.training.calibration import stale

    assert stale(out, tmp_path / "loo.json") is None  # the served table is the one loo.json measures
    loo["entities"]["calibration"]["table"] = {**table, "m": 3.0}
    (tmp_path / "loo.json").write_text(json.dumps(loo))
    assert stale(out, tmp_path / "loo.json").endswith(
        "run make train (or dvc commit after `python -m pipeline calibrate`)"
    )


def test_ensemble_transformer_counts_by_agreement_only():
    ft = Candidate(40, 46, names.GPE, names.SRC_SPACY_FT, 0.7)  # the fine-tuned model ran on this document
    alone = Candidate(0, 8, names.ORG, names.SRC_TRANSFORMER, 0.4)
    pre_alone = Candidate(10, 16, names.NORP, names.SRC_SPACY, 0.5)
    agreed = [
        Candidate(20, 30, names.PERSON, names.SRC_SPACY, 0.5),
        Candidate(20, 30, names.PERSON, names.SRC_TRANSFORMER, 0.4),
    ]
    got = merge([ft, alone, pre_alone, *agreed])
    assert [(m.start, m.end, m.label, m.sources, m.score) for m in got] == [
        (20, 30, "PERSON", ("spacy", "transformer"), 0.7),
        (40, 46, "GPE", ("spacy_ft",), 0.7),
    ]
