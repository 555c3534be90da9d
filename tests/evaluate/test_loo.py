"""Leave-one-document-out scoring (pipeline.evaluate.loo): what a fold may use, how it is scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import names
from pipeline.core.document import Block, Document, Page
from pipeline.core.normalize import norm_text
from pipeline.entities.candidates import Candidate
from pipeline.entities.rules import EntityRules, load_patterns
from pipeline.evaluate.folds import PDF, TEXT, GoldDoc, fold_labels
from pipeline.evaluate.loo import (
    FoldResult,
    gold_strings,
    held_out_patterns,
    loo_calibration,
    score_fold,
    single_document_strings,
)

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "gold"
PATTERNS = ROOT / "models" / "patterns"


def test_loo_single_document_strings_are_those_no_other_gold_has():
    only = single_document_strings({"a": {"Osh", "Astana"}, "b": {"Astana", "Bishkek"}, "c": set()})
    assert only == {"a": {"Osh"}, "b": {"Bishkek"}, "c": set()}


def test_loo_held_out_patterns_drop_every_variant_of_a_held_out_string():
    patterns = [
        {"label": "GPE", "pattern": "Osh", "id": "osh"},
        {"label": "GPE", "pattern": "Astana", "id": "astana"},
        {"label": "GPE", "pattern": "Nur-Sultan", "id": "astana"},
    ]
    kept, dropped = held_out_patterns(patterns, {"Nur-Sultan", "Osh"})
    assert kept == [{"label": "GPE", "pattern": "Astana", "id": "astana"}]
    assert dropped == ["Nur-Sultan", "Osh"]


@pytest.fixture(scope="module")
def corpus_texts():
    """The corpus papers of raw/ as ingested (the gold of gold/entities annotates them)."""
    from pipeline.ingest import read_document

    docs = [read_document(p, ROOT / "raw") for p in sorted((ROOT / "raw").iterdir()) if p.is_file()]
    return {d.doc_id: d.text for d in docs if (GOLD / "entities" / f"{d.doc_id}.jsonl").exists()}


def test_loo_gazetteer_of_each_fold_never_matches_a_string_only_its_held_out_gold_names(nlp, corpus_texts):
    """The gazetteer against the gold of each held-out fold: run over the held-out paper, the fold's
    gazetteer matches no string that only that paper's gold names (while the full gazetteer does:
    the gazetteer holds such names by design, as a knowledge base of the field, and LOO drops them)."""
    only = single_document_strings(gold_strings(GOLD))
    patterns = load_patterns(PATTERNS)
    assert set(corpus_texts) <= set(only)
    leaked_by_full = set()
    full_rules = EntityRules(nlp, "full", str(PATTERNS))
    for doc_id, text in sorted(corpus_texts.items()):
        kept, dropped = held_out_patterns(patterns, only[doc_id])
        fold = EntityRules(nlp, "loo_test", str(PATTERNS), patterns=kept)
        matched = {norm_text(s.text) for s in fold.ruler.match(nlp.make_doc(text))}
        assert matched & only[doc_id] == set(), doc_id
        full = {norm_text(s.text) for s in full_rules.ruler.match(nlp.make_doc(text))}
        leaked_by_full |= full & only[doc_id]
        assert set(dropped) <= {p["pattern"] for p in patterns}
    assert {"Astana", "Kyrgyz", "Nursultan Nazarbayev"} <= leaked_by_full  # 001's gold alone names these


def _pdf_doc() -> Document:
    """Two pages of 20 code points with one block each; the char boxes put each page's text on it."""
    text = "Osh is in the south " + "Astana and Kazakhs ."
    boxes = [(1 if i < 20 else 2, float(i), 0.0, float(i) + 1, 10.0) for i in range(len(text))]
    return Document(
        "p",
        "p.pdf",
        "0" * 64,
        "pdf",
        text,
        pages=[Page(1, 0, 20), Page(2, 20, 40)],
        blocks=[Block(0, 20, "paragraph", names.SEC_BODY), Block(20, 40, "paragraph", names.SEC_BODY)],
        char_boxes=boxes,
    )


def test_loo_fold_labels_of_a_pdf_are_its_annotated_pages_only():
    doc = _pdf_doc()
    g = GoldDoc("p", PDF, doc, None, [("Astana", "GPE", 2), ("Osh", "GPE", 2)], (2,))
    labels = fold_labels(g)
    assert [(s, e, lab, doc.text[s:e]) for s, e, lab in labels.spans] == [(20, 26, "GPE", "Astana")]
    assert labels.outside == [(20, 40)]  # page 1 is unlabelled: neither entity nor "O"


def test_loo_fold_labels_of_a_text_document_are_exhaustive():
    text = "Osh and Astana; Osh again."
    doc = Document("t", "t.txt", "0" * 64, "txt", text, blocks=[Block(0, len(text), "paragraph", names.SEC_BODY)])
    labels = fold_labels(GoldDoc("t", TEXT, doc, None, [("Osh", "GPE", 0)]))
    assert [(doc.text[s:e], s) for s, e, _ in labels.spans] == [("Osh", 0), ("Osh", 16)]
    assert labels.outside is None


def test_loo_score_fold_scores_a_pdf_on_its_annotated_pages_only():
    doc = _pdf_doc()
    g = GoldDoc("p", PDF, doc, None, [("Astana", "GPE", 2)], (2,))
    cands = [
        Candidate(0, 3, "GPE", names.SRC_RULES, 0.8, "osh"),  # page 1: not annotated, not scored
        Candidate(20, 26, "GPE", names.SRC_RULES, 0.8, "astana"),
        Candidate(20, 26, "GPE", names.SRC_SPACY, 0.5),
        Candidate(31, 38, "NORP", names.SRC_SPACY, 0.5),
    ]
    r = score_fold(g, cands)
    assert r.by_source["rules"] == {("p", 2, "Astana", "GPE")}
    assert r.by_source["gazetteer"] == {("p", 2, "Astana", "GPE")}
    assert r.by_source["spacy"] == {("p", 2, "Astana", "GPE"), ("p", 2, "Kazakhs", "NORP")}
    assert r.by_source["ensemble"] == {("p", 2, "Astana", "GPE"), ("p", 2, "Kazakhs", "NORP")}
    assert sorted(r.mentions) == [("gazetteer+rules+spacy", "GPE", True, 0.97), ("spacy", "NORP", False, 0.5)]


def test_loo_calibration_fits_each_document_on_the_others_only():
    rows_a = [("rules", "GPE", True, 0.8), ("rules", "GPE", True, 0.8)]
    rows_b = [("rules", "GPE", False, 0.8), ("rules", "GPE", True, 0.8)]
    m = loo_calibration([FoldResult("a", TEXT, {}, rows_a), FoldResult("b", TEXT, {}, rows_b)], m=2.0)
    assert m["before"]["n"] == 4 and m["before"]["brier"] == pytest.approx((3 * 0.04 + 0.64) / 4, abs=1e-4)
    # a is scored by b's table: by_evidence (1 + 2*0.8)/4 = 0.65, cell (1 + 2*0.65)/4 = 0.575;
    # b by a's: by_evidence (2 + 1.6)/4 = 0.9, cell (2 + 1.8)/4 = 0.95
    after = m["after"]["bins"]
    assert after == {
        "0.5-0.7": {"n": 2, "mean_score": 0.575, "correct": 1.0},
        "0.95-1": {"n": 2, "mean_score": 0.95, "correct": 0.5},
    }
