"""Document metadata (title, authors, journal, DOI, year) from a paper's first page."""

import pytest
from conftest import ROOT, ingest_text

from pipeline.ingest import read_document

RAW = ROOT / "raw"


def test_metadata_from_a_journal_first_page():
    doc = read_document(RAW / "003_afb25aa48fd0f95b.txt", RAW)
    assert doc.title == "Building the Bonds: A Comparison of Diaspora Engagement Policies in Kazakhstan and Uzbekistan"
    assert doc.metadata["authors"] == ["Amina Urpekova"]
    assert doc.metadata["journal"] == "Turkish Journal of Diaspora Studies"
    assert (doc.metadata["doi"], doc.metadata["year"]) == ("10.52241/TJDS.2022.0034", 2022)


def test_metadata_authors_leave_out_degrees_and_affiliations():
    doc = read_document(RAW / "000_95dc770c8c7f5368.txt", RAW)
    assert doc.metadata["authors"] == ["Urpekova Amina"]
    assert "journal" not in doc.metadata  # nothing on the page names one


def test_metadata_several_authors_split():
    doc = ingest_text(
        "# Return Migration to Kazakhstan\n\n*Dr. Aigerim Sadyk, John Smith and Maria Rossi*\n\n"
        "## Introduction\n\nThe paper studies return migration since 1991.\n",
        name="paper.md",
    )
    assert doc.metadata["authors"] == ["Aigerim Sadyk", "John Smith", "Maria Rossi"]


@pytest.mark.parametrize(
    "byline,authors",
    [
        ("Smith, John and Rossi, Maria", ["John Smith", "Maria Rossi"]),
        ("A. Sadyk; J. Smith", ["A. Sadyk", "J. Smith"]),
        ("Urpekova Amina,", ["Urpekova Amina"]),
    ],
)
def test_metadata_byline_forms(byline, authors):
    from pipeline.ingest.metadata import _names

    assert [n.strip(" .,") for n in _names(byline)] == authors


def test_metadata_no_journal_from_a_section_heading():
    doc = ingest_text(
        "Introduction\n\nReturn migration to Kazakhstan has grown since 1991 and it is studied here in depth.\n\n"
        "Literature Review\n\nThe literature on diasporas is large and it is reviewed here in some detail.\n"
    )
    assert "journal" not in doc.metadata
