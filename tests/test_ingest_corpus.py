"""The five corpus papers: titles, no leftover line-end hyphens, text provenance by line and column."""

from __future__ import annotations

import re

import pytest

from pipeline import names
from pipeline.ingest import provenance, read_document
from tests.conftest import RAW, ingest_text

TITLES = {
    "000": "KAZAKH DIASPORA ACTIVISM BEFORE AND DURING 2022 JANUARY EVENTS: ATTITUDES, MOTIVATIONS AND ACTIONS",
    "001": "Diaspora Study as a Tool to Define ‘Kazakh Diaspora’: International Perspective",
    "002": "Diaspora engagement mapping KAZAKHSTAN",
    "003": "Building the Bonds: A Comparison of Diaspora Engagement Policies in Kazakhstan and Uzbekistan",
}


@pytest.fixture(scope="module")
def corpus():
    return {p.name[:3]: read_document(p, RAW) for p in sorted(RAW.glob("*.txt"))}


def test_ingest_corpus_titles(corpus):
    assert {k: corpus[k].title for k in TITLES} == TITLES


def test_ingest_corpus_no_line_end_hyphens(corpus):
    for doc in corpus.values():
        assert doc.status != names.STATUS_ERROR, doc.error
        left = re.findall(r"[^\W\d_]+-\n[^\W\d_]", doc.text) + re.findall(r"[a-z]+- [a-z]+", doc.text)
        assert not [w for w in left if not re.match(r"\w+- (and|or|to)\b", w)], (doc.doc_id, left[:5])


def test_ingest_corpus_dehyphenation_from_vocabulary(corpus):
    text = corpus["001"].text
    assert "to distinguish some historical stages" in text and "dis- tinguish" not in text


def test_ingest_provenance_text_line_col():
    doc = ingest_text("Title Line Here\n\nFirst para-\ngraph text.\n")
    i = doc.text.index("graph")
    assert provenance(doc, i, i + 5) == {"line": 4, "col": 1, "end_line": 4, "end_col": 6}


def test_ingest_provenance_rejects_bad_span():
    doc = ingest_text("Some text here.\n")
    with pytest.raises(ValueError, match="outside the text"):
        provenance(doc, 5, 500)
