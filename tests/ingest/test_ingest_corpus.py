"""The five corpus papers: titles, no leftover line-end hyphens, provenance, reference entries, web notes."""

from __future__ import annotations

import re

import pytest

from pipeline.core import names
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


def test_ingest_corpus_000_numbered_references_one_entry_each(corpus):
    from pipeline.consolidate.citations import citations

    doc = corpus["000"]
    rows = citations(doc)
    assert [r["text"][:9] for r in rows[:3]] == ["Carment, ", "Germonova", "Ipek, N.,"]  # no "1." rows
    assert not [r for r in rows if r["text"].rstrip(".").isdigit()]
    moss = next(r for r in rows if r["text"].startswith("Moss"))
    assert doc.text[moss["start"] - 3 : moss["start"]] == "9. "  # the number stays in the text, outside the entry
    assert {k: moss[k] for k in ("authors", "year", "title", "container")} == {
        "authors": ["Moss, D. M."],
        "year": 2020,
        "title": "Voice After Exit: Explaining Diaspora Mobilization for the Arab Spring",
        "container": "Social Forces",
    }
    assert {b.kind for b in doc.blocks if b.section == names.SEC_REFERENCES} == {names.HEADING, names.REFERENCES}


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "1. Abai, K. (2001). First book. Almaty: Atamura.\n\n2. Baiken, B. (2003). Second book, vol. 2. Astana.\n",
            ["Abai, K. (2001). First book. Almaty: Atamura.", "Baiken, B. (2003). Second book, vol. 2. Astana."],
        ),
        (
            "[1] Abai, K. (2001). First book. [2] Baiken, B. (2003). Second book.\n",
            ["Abai, K. (2001). First book.", "Baiken, B. (2003). Second book."],
        ),
        (
            "1) Abai, K. (2001). First book.\n\n2) Baiken, B. (2003). Second book.\n",
            ["Abai, K. (2001). First book.", "Baiken, B. (2003). Second book."],
        ),
    ],
)
def test_ingest_citations_numbered_entries(text, expected):
    from pipeline.consolidate.citations import citations

    body = "A paper's body text that goes on for a while before its reference list starts.\n\nReferences\n\n"
    doc = ingest_text(body + text)
    assert [r["text"] for r in citations(doc)] == expected


def test_ingest_corpus_004_web_notes(corpus):
    """Reader prompts are front matter anywhere; the site's notes on the article, once it has begun, are text."""
    doc = corpus["004"]
    by_start = {doc.text[b.start : b.end][:24]: (b.kind, b.section) for b in doc.blocks}
    assert by_start["Enjoying this article? C"] == (names.FRONT_MATTER, names.SEC_FRONT_MATTER)
    assert by_start["This article was origina"] == (names.PARAGRAPH, names.SEC_BODY)
    assert by_start["Diplomat Brief Weekly Ne"] == (names.PARAGRAPH, names.SEC_BODY)  # not a title either


def test_footnote_told_from_a_sentence_by_its_numbering():
    from conftest import ingest_text

    doc = ingest_text(
        "The law changed twice.\n\n12 https://adilet.zan.kz/rus/docs/P1800000280\n\n"
        "13 Migration Policy Concept approved by the Government\n\n"
        "300 Kazakh families returned from Mongolia in 1991 and settled near Almaty.\n"
    )
    kinds = {doc.text[b.start : b.start + 6]: b.kind for b in doc.blocks}
    assert kinds == {"The la": "paragraph", "12 htt": "footnote", "13 Mig": "footnote", "300 Ka": "paragraph"}


def test_orcid_lines_are_front_matter():
    doc = read_document(RAW / "003_afb25aa48fd0f95b.txt", RAW)
    line = "Amina Urpekova https://orcid.org/0000-0002-8882-5562"
    block = next(b for b in doc.blocks if doc.text[b.start : b.end] == line)
    assert block.section == names.SEC_FRONT_MATTER


def test_numbered_headings_beside_a_footnote_stay_headings():
    doc = ingest_text(
        "Return Migration and the State in Kazakhstan\n\n1 Introduction\n\n"
        "The paper studies return migration since 1991 and its politics in detail across regions.\n\n"
        "1 See the statistics at https://stat.gov.kz for the details of the census\n\n2 Background\n\n"
        "The quota system began in 1993 and was changed several times afterwards.\n\n4 References\n\n"
        "Smith, J. (2000). Diasporas. London: Routledge.\n"
    )
    got = [(doc.text[b.start : b.end][:14], b.kind, b.section) for b in doc.blocks]
    assert ("2 Background", "heading", "body") in got and ("4 References", "heading", "references") in got
    assert ("Smith, J. (200", "references", "references") in got
