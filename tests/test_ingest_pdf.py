"""The PDF reader on generated papers: reading order, running heads, hyphens, footnotes, tables,
citations, boxes; and every awkward PDF as a clean error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import names
from pipeline.ingest import provenance, read_document
from pipeline.ingest.citations import citations, parse_reference
from tests import pdfs


@pytest.fixture(scope="module")
def paper_path(tmp_path_factory):
    return pdfs.two_column_paper(tmp_path_factory.mktemp("pdf") / "paper.pdf", pages=2)


@pytest.fixture(scope="module")
def paper(paper_path):
    return read_document(paper_path, paper_path.parent)


def test_ingest_pdf_reads_columns_in_order(paper):
    assert paper.status == names.STATUS_OK, paper.error
    found = [int(m.group(1)) for m in re.finditer(r"Sentence number (\d+) ", paper.text)]
    assert found == list(range(1, 15))
    # full-width title and abstract come before the columns, the table after the sentences
    assert paper.text.index(pdfs.TITLE) < paper.text.index("This abstract spans") < paper.text.index("Sentence number 1 ")
    assert paper.text.index("Sentence number 14 ") < paper.text.index("Country")


def test_ingest_pdf_drops_running_header_and_page_numbers(paper):
    assert "Journal of Synthetic Tests" not in paper.text
    assert not any(re.fullmatch(r"\d+", paper.text[b.start:b.end]) for b in paper.blocks)


def test_ingest_pdf_dehyphenates_and_keeps_real_hyphens(paper):
    assert "new information on the long-term movement" in paper.text
    assert "informa-" not in paper.text


def test_ingest_pdf_superscript_marker_and_footnote(paper):
    assert "1,500,000¹ lives abroad" in paper.text
    notes = [b for b in paper.blocks if b.kind == names.FOOTNOTE]
    assert [paper.text[b.start:b.end] for b in notes] == ["¹ Source: national census of 2009, table 4."]


def test_ingest_pdf_title_authors_sections(paper):
    assert paper.title == pdfs.TITLE
    kinds = {paper.text[b.start:b.end]: b.kind for b in paper.blocks}
    assert kinds[pdfs.AUTHORS] == names.AUTHORS
    assert kinds["References"] == names.HEADING


def test_ingest_pdf_table_cells(paper):
    got = {(c.row, c.col): (paper.text[c.start:c.end], c.header) for c in paper.cells}
    assert got == {(r, k): (v, r == 0) for r, row in enumerate(pdfs.TABLE_ROWS) for k, v in enumerate(row)}
    table = [b for b in paper.blocks if b.kind == names.TABLE]
    assert len(table) == 1 and all(table[0].start <= c.start < c.end <= table[0].end for c in paper.cells)


def test_ingest_pdf_citations(paper):
    cs = citations(paper)
    assert [(c["authors"], c["year"]) for c in cs] == [(["Brubaker, R."], 2005), (["King, C.", "Melvin, N. J."], 2000)]
    assert cs[0]["doi"] == "10.1080/0141987042000289997" and cs[0]["container"] == "Ethnic and Racial Studies"
    assert cs[1]["title"] == "Diaspora politics: Ethnic linkages, foreign policy, and security in Eurasia"
    assert all(paper.text[c["start"]:c["end"]] == c["text"] for c in cs)


@pytest.mark.parametrize("phrase", ["Sentence number 12", "national census", "long-term diaspora", "Mongolia", "Melvin"])
def test_ingest_pdf_box_holds_exactly_the_span(paper, paper_path, phrase):
    import pypdfium2 as pdfium

    start = paper.text.index(phrase)
    prov = provenance(paper, start, start + len(phrase))
    page = pdfium.PdfDocument(str(paper_path))[prov["page"] - 1]
    h = page.get_height()
    inside = page.get_textpage().get_text_bounded(
        left=prov["x0"] - 0.3, bottom=h - prov["bottom"] - 0.3, right=prov["x1"] + 0.3, top=h - prov["top"] + 0.3)
    assert re.sub(r"\s+", "", inside) == re.sub(r"\s+", "", phrase)
    assert paper.page_of(start) == prov["page"]


def _write(kind: str, d: Path) -> Path:
    p = d / f"{kind}.pdf"
    if kind == "open_encrypted":
        return pdfs.encrypted(p, "")
    if kind == "locked":
        return pdfs.encrypted(p, "s3cret")
    if kind == "scan":
        return pdfs.image_only(p)
    if kind == "truncated":
        return pdfs.truncated(p, d / "full.pdf")
    if kind == "empty":
        p.write_bytes(b"")
        return p
    p.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF")
    return p


@pytest.mark.parametrize("kind, error", [
    ("locked", "encrypted: password required"),
    ("scan", "no text layer (needs OCR)"),
    ("truncated", "corrupt or unreadable PDF"),
    ("empty", "empty file (0 bytes)"),
    ("malformed", "corrupt or unreadable PDF"),
])
def test_ingest_pdf_awkward_files_give_clean_errors(tmp_path, kind, error):
    doc = read_document(_write(kind, tmp_path), tmp_path)
    assert doc.status == names.STATUS_ERROR and error in doc.error, doc.error
    assert doc.error.startswith(f"{kind}.pdf: ")


def test_ingest_pdf_encrypted_empty_password_and_given_password(tmp_path):
    doc = read_document(_write("open_encrypted", tmp_path), tmp_path)
    assert doc.status == names.STATUS_OK and "encrypted paper about diaspora" in doc.text
    locked = _write("locked", tmp_path)
    doc = read_document(locked, tmp_path, {"passwords": {"locked.pdf": "s3cret"}})
    assert doc.status == names.STATUS_OK and "encrypted paper" in doc.text
    doc = read_document(locked, tmp_path, {"passwords": {"locked.pdf": "wrong"}})
    assert "encrypted: wrong password" in doc.error


def test_ingest_pdf_watchdog_times_out(tmp_path, monkeypatch):
    import time

    from pipeline.ingest import pdf as pdf_mod

    monkeypatch.setattr(pdf_mod, "_read", lambda path, password: time.sleep(30))
    doc = read_document(_write("open_encrypted", tmp_path), tmp_path, {"timeout_s": 0.5})
    assert doc.status == names.STATUS_ERROR and "timed out after 0.5 s" in doc.error


def test_ingest_pdf_round_trips_json(paper):
    from pipeline.model import Document

    again = Document.from_json(paper.to_json())
    assert again.text == paper.text and again.box(0, 10) == paper.box(0, 10)


@pytest.mark.parametrize("ref, expected", [
    ("Cohen, R. (2008). Global Diasporas: An Introduction. Routledge. https://doi.org/10.4324/9780203928943",
     {"authors": ["Cohen, R."], "year": 2008, "title": "Global Diasporas: An Introduction", "container": "Routledge",
      "doi": "10.4324/9780203928943"}),
    ("Clifford, J. (1994). Diasporas. Cultural Anthropology, 9(3), 302–338.",
     {"authors": ["Clifford, J."], "year": 1994, "title": "Diasporas", "container": "Cultural Anthropology", "doi": None}),
])
def test_citations_parse_reference(ref, expected):
    got = parse_reference(ref)
    assert {k: got[k] for k in expected} == expected
