"""The PDF reader on generated papers: reading order, running heads, hyphens, footnotes, tables,
citations, boxes; and every awkward PDF as a clean error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.consolidate.citations import citations, parse_reference
from pipeline.core import names
from pipeline.ingest import provenance, read_document
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
    assert (
        paper.text.index(pdfs.TITLE) < paper.text.index("This abstract spans") < paper.text.index("Sentence number 1 ")
    )
    assert paper.text.index("Sentence number 14 ") < paper.text.index("Country")


def test_ingest_pdf_drops_running_header_and_page_numbers(paper):
    assert "Journal of Synthetic Tests" not in paper.text
    assert not any(re.fullmatch(r"\d+", paper.text[b.start : b.end]) for b in paper.blocks)


def test_ingest_pdf_dehyphenates_and_keeps_real_hyphens(paper):
    assert "new information on the long-term movement" in paper.text
    assert "informa-" not in paper.text


def test_ingest_pdf_superscript_marker_and_footnote(paper):
    assert "1,500,000¹ lives abroad" in paper.text
    notes = [b for b in paper.blocks if b.kind == names.FOOTNOTE]
    assert [paper.text[b.start : b.end] for b in notes] == ["¹ Source: national census of 2009, table 4."]


def test_ingest_pdf_title_authors_sections(paper):
    assert paper.title == pdfs.TITLE
    kinds = {paper.text[b.start : b.end]: b.kind for b in paper.blocks}
    assert kinds[pdfs.AUTHORS] == names.AUTHORS
    assert kinds["References"] == names.HEADING


def test_ingest_pdf_table_cells(paper):
    got = {(c.row, c.col): (paper.text[c.start : c.end], c.header) for c in paper.cells}
    assert got == {(r, k): (v, r == 0) for r, row in enumerate(pdfs.TABLE_ROWS) for k, v in enumerate(row)}
    table = [b for b in paper.blocks if b.kind == names.TABLE]
    assert len(table) == 1 and all(table[0].start <= c.start < c.end <= table[0].end for c in paper.cells)


def test_ingest_pdf_citations(paper):
    cs = citations(paper)
    assert [(c["authors"], c["year"]) for c in cs] == [(["Brubaker, R."], 2005), (["King, C.", "Melvin, N. J."], 2000)]
    assert cs[0]["doi"] == "10.1080/0141987042000289997" and cs[0]["container"] == "Ethnic and Racial Studies"
    assert cs[1]["title"] == "Diaspora politics: Ethnic linkages, foreign policy, and security in Eurasia"
    assert all(paper.text[c["start"] : c["end"]] == c["text"] for c in cs)


@pytest.mark.parametrize(
    "phrase", ["Sentence number 12", "national census", "long-term diaspora", "Mongolia", "Melvin"]
)
def test_ingest_pdf_box_holds_exactly_the_span(paper, paper_path, phrase):
    import pypdfium2 as pdfium

    start = paper.text.index(phrase)
    prov = provenance(paper, start, start + len(phrase))
    page = pdfium.PdfDocument(str(paper_path))[prov["page"] - 1]
    h = page.get_height()
    inside = page.get_textpage().get_text_bounded(
        left=prov["x0"] - 0.3, bottom=h - prov["bottom"] - 0.3, right=prov["x1"] + 0.3, top=h - prov["top"] + 0.3
    )
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
    if kind == "zero_pages":
        return pdfs.zero_pages(p)
    p.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF")
    return p


@pytest.mark.parametrize(
    "kind, error",
    [
        ("locked", "encrypted: password required"),
        ("scan", "no text layer (needs OCR)"),
        ("truncated", "corrupt or unreadable PDF"),
        ("empty", "empty file (0 bytes)"),
        ("zero_pages", "PDF has no pages"),
        ("malformed", "corrupt or unreadable PDF"),
    ],
)
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

    from pipeline.ingest import pdf_child

    monkeypatch.setattr(pdf_child, "read_pages", lambda path, password, ocr=None: time.sleep(30))
    doc = read_document(_write("open_encrypted", tmp_path), tmp_path, {"timeout_s": 0.5})
    assert doc.status == names.STATUS_ERROR and "timed out after 0.5 s" in doc.error


def test_ingest_pdf_round_trips_json(paper):
    from pipeline.core.document import Document

    again = Document.from_json(paper.to_json())
    assert again.text == paper.text and again.box(0, 10) == paper.box(0, 10)


@pytest.mark.parametrize(
    "ref, expected",
    [
        (
            "Cohen, R. (2008). Global Diasporas: An Introduction. Routledge. https://doi.org/10.4324/9780203928943",
            {
                "authors": ["Cohen, R."],
                "year": 2008,
                "title": "Global Diasporas: An Introduction",
                "container": "Routledge",
                "doi": "10.4324/9780203928943",
            },
        ),
        (
            "Clifford, J. (1994). Diasporas. Cultural Anthropology, 9(3), 302–338.",
            {
                "authors": ["Clifford, J."],
                "year": 1994,
                "title": "Diasporas",
                "container": "Cultural Anthropology",
                "doi": None,
            },
        ),
    ],
)
def test_citations_parse_reference(ref, expected):
    got = parse_reference(ref)
    assert {k: got[k] for k in expected} == expected


# --- dense journal-like pages: unruled tables, no false tables, many pages --------------------------


@pytest.fixture(scope="module")
def dense_path(tmp_path_factory):
    """60 dense two-column pages; tables on every fourth page, unruled (pages 4, 12, ...) and ruled (8, 16, ...)."""
    return pdfs.dense_paper(tmp_path_factory.mktemp("dense") / "dense.pdf", pages=60)


@pytest.fixture(scope="module")
def dense(dense_path):
    return read_document(dense_path, dense_path.parent)


def _tables(doc) -> dict[int, dict[tuple[int, int], tuple[str, bool]]]:
    out: dict[int, dict] = {}
    for c in doc.cells:
        out.setdefault(c.table, {})[(c.row, c.col)] = (doc.text[c.start : c.end], c.header)
    return out


def test_ingest_pdf_unruled_table_cells_and_headers(dense):
    tables = _tables(dense)
    first = min(tables)
    expected = {(r, k): (v, r == 0) for r, row in enumerate(pdfs.UNRULED_ROWS) for k, v in enumerate(row)}
    assert tables[first] == expected
    start = min(c.start for c in dense.cells if c.table == first)
    assert dense.page_of(start) == 4
    # the caption above stays text, outside the table block
    block = next(b for b in dense.blocks if b.kind == names.TABLE and b.start <= start < b.end)
    caption = dense.text.index("Table 1. Population by region")
    assert caption < block.start and dense.text[block.start : block.end].startswith("Region")


def test_ingest_pdf_tables_only_where_drawn(dense, paper_path, tmp_path):
    """Dense two-column prose, running heads and footnotes never make a table; ruled and unruled ones alternate."""
    pages = {t: dense.page_of(min(c.start for c in dense.cells if c.table == t)) for t in _tables(dense)}
    assert sorted(pages.values()) == list(range(4, 61, 4))
    ruled = {(r, k): (v, r == 0) for r, row in enumerate(pdfs.TABLE_ROWS) for k, v in enumerate(row)}
    assert all(_tables(dense)[t] == ruled for t, page in pages.items() if page % 8 == 0)
    plain = read_document(pdfs.two_column_paper(tmp_path / "plain.pdf", pages=3, table=False), tmp_path)
    assert plain.cells == [] and not [b for b in plain.blocks if b.kind == names.TABLE]


def test_ingest_pdf_many_pages(dense, dense_path):
    assert dense.status == names.STATUS_OK, dense.error
    assert [p.number for p in dense.pages] == list(range(1, 61))
    last = [c for c in dense.cells if c.table == max(_tables(dense))]
    cell = next(c for c in last if dense.text[c.start : c.end] == "Turkistan")
    prov = provenance(dense, cell.start, cell.end)
    assert prov["page"] == 60 and dense.page_of(cell.start) == 60
    assert _text_in_box(dense_path, prov) == "Turkistan"


def test_ingest_pdf_random_spans_boxes_hold_exactly_their_text(dense, dense_path):
    import random

    rng = random.Random(3)
    words = [m for m in re.finditer(r"[A-Za-z][\w,.-]{3,}", dense.text)]
    for m in rng.sample(words, 25):
        prov = provenance(dense, m.start(), m.end())
        assert _text_in_box(dense_path, prov) == m.group(), (m.group(), prov)


def _text_in_box(path: Path, prov: dict) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[prov["page"] - 1]
        h = page.get_height()
        inside = page.get_textpage().get_text_bounded(
            left=prov["x0"] - 0.3, bottom=h - prov["bottom"] - 0.3, right=prov["x1"] + 0.3, top=h - prov["top"] + 0.3
        )
        return re.sub(r"\s+", "", inside)
    finally:
        pdf.close()


def _chars(rows: list[list[tuple[float, str]]], top: float = 100.0, pitch: float = 13.0):
    """Characters 5 pt wide and 10 pt tall for text drawn at (x, row) positions."""
    from pipeline.ingest.reading_order import Char

    out = []
    for r, row in enumerate(rows):
        for x, s in row:
            space = False
            for ch in s:
                if ch == " ":
                    space, x = True, x + 3
                    continue
                out.append(Char(ch, x, top + r * pitch, x + 5, top + r * pitch + 10, 10.0, space))
                space, x = False, x + 5
    return out


LONG_LINE = "a line of running text across the one wide column of this page, with many words in it"
PROSE = [[(60, "plain words of one column line"), (320, "and the other column line too")]] * 6


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [
                [(60, "Region"), (200, "1999"), (300, "Change")],
                [(60, "Almaty"), (200, "2,130"), (300, "-4.2")],
                [(60, "Aktau"), (200, "314"), (300, "54.5")],
            ],
            [["Region", "1999", "Change"], ["Almaty", "2,130", "-4.2"], ["Aktau", "314", "54.5"]],
        ),
        (
            [[(60, "Name"), (200, "Share")], [(60, "Oral"), (200, "12%")], [(60, "Semey"), (200, "8%")]],
            [["Name", "Share"], ["Oral", "12%"], ["Semey", "8%"]],
        ),
        (PROSE, None),  # two columns of prose: one fragment per column line
        # two word columns
        ([[(60, "Name"), (200, "Kind")], [(60, "Oral"), (200, "town")], [(60, "Semey"), (200, "city")]], None),
        (
            [
                [(60, "a line with"), (200, "a gap")],
                [(60, "another"), (150, "gap elsewhere")],
                [(60, "third"), (260, "7")],
            ],
            None,
        ),  # gaps that do not line up
        (
            [
                [(60, "Aigerim Sato"), (220, "Daniel Okafor"), (380, "Li Wei")],
                [(60, "Almaty University"), (220, "Leeds University"), (380, "Fudan University")],
                [(60, "a@uni.kz"), (220, "d@leeds.ac.uk"), (380, "l@fudan.cn")],
            ],
            None,
        ),  # an author block
        ([[(60, LONG_LINE), (530, str(n))] for n in range(11, 17)], None),  # line numbers beside prose
    ],
)
def test_tables_aligned_tables(rows, expected):
    from pipeline.ingest.reading_order import fragments
    from pipeline.ingest.tables import aligned_tables

    found = aligned_tables(fragments(_chars(rows)), 1, 595.0)
    if expected is None:
        assert found == []
        return
    [table] = found
    assert [[r.text[a:b] for a, b in r.cells] for r in table.rows] == expected


@pytest.mark.parametrize("style, rows", [("column", pdfs.COLUMN_ROWS), ("booktabs", pdfs.UNRULED_ROWS)])
def test_ingest_pdf_unruled_table_styles(tmp_path, style, rows):
    """A table inside one column reads after that column's text above it; booktabs rules make no grid."""
    doc = read_document(pdfs.table_page(tmp_path / f"{style}.pdf", style), tmp_path)
    assert {k: v for t in _tables(doc).values() for k, v in t.items()} == {
        (r, k): (v, r == 0) for r, row in enumerate(rows) for k, v in enumerate(row)
    }
    [table] = [b for b in doc.blocks if b.kind == names.TABLE]
    before = doc.char_boxes[table.start - 3]  # the last character of the text just before the table
    after = doc.char_boxes[table.end + 2]
    x_text = pdfs.MARGIN + (pdfs.COL_W + pdfs.GUTTER if style == "column" else 0)
    assert before[2] < doc.char_boxes[table.start][2] < after[2]
    assert round(after[1]) == round(x_text)


def test_tables_aligned_tables_leaves_out_a_spanning_first_row():
    from pipeline.ingest.reading_order import fragments
    from pipeline.ingest.tables import aligned_tables

    rows = [
        [(60, "Region"), (190, "Population in thousands")],
        [(60, "Name"), (200, "1999"), (300, "2009")],
        [(60, "Almaty"), (200, "2,130"), (300, "2,041")],
        [(60, "Aktau"), (200, "314"), (300, "485")],
    ]
    [table] = aligned_tables(fragments(_chars(rows)), 1, 595.0)
    assert [[r.text[a:b] for a, b in r.cells] for r in table.rows] == [
        ["Name", "1999", "2009"],
        ["Almaty", "2,130", "2,041"],
        ["Aktau", "314", "485"],
    ]


# --- a page as a reader sees it: ligatures, a rotated margin line, columns, a lone surrogate ----------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LEFT = ["The ﬁrst column reports the ﬁndings on", "migrant ﬂows and their eﬀects on the", "local oﬃce of the census §."]
RIGHT = ["The second column goes on with more", "words about the survey and its", "households in the region."]
ROWS = [("Region", "1999", "2009"), ("Almaty", "1,130", "1,365"), ("Aktau", "143", "178"), ("Oral", "195", "210")]


def _reader_paper(path: Path) -> Path:
    """One page in DejaVu Sans (which has ligature glyphs): a full-width title and byline, two columns
    whose words carry ﬁ, ﬂ, ﬀ and ﬃ, an unruled table, a rotated "Downloaded from" line in the left
    margin, and a "§" whose font maps it to a lone surrogate (U+D835) in the text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
    height = A4[1]
    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    c.setFont("DejaVu", 16)
    c.drawString(56, height - 80, "Ligatures and Margins in a Generated Paper")
    c.setFont("DejaVu", 11)
    c.drawString(56, height - 100, "Aigerim Sato and Daniel Okafor")
    c.setFont("DejaVu", 10)
    for k, (left, right) in enumerate(zip(LEFT, RIGHT)):
        c.drawString(56, height - 140 - 13 * k, left)
        c.drawString(310, height - 140 - 13 * k, right)
    for k, row in enumerate(ROWS):
        for x, cell in zip((56, 250, 400), row):
            c.drawString(x, height - 220 - 14 * k, cell)
    c.saveState()
    c.translate(30, 200)
    c.rotate(90)
    c.setFont("DejaVu", 8)
    c.drawString(0, 0, "Downloaded from https://example.org/journal on 1 May 2024")
    c.restoreState()
    c.save()
    data, n = re.subn(rb"(<[0-9A-Fa-f]{2,4}> <)00A7(>)", rb"\1D835\2", path.read_bytes())
    assert n == 1, "the ToUnicode entry of the section sign was not found"
    path.write_bytes(data)
    return path


@pytest.mark.skipif(not DEJAVU.exists(), reason=f"{DEJAVU} missing (Debian package fonts-dejavu-core)")
def test_ingest_pdf_reads_a_page_as_a_reader_does(tmp_path):
    doc = read_document(_reader_paper(tmp_path / "reader.pdf"), tmp_path)
    assert doc.status == names.STATUS_WARNING
    assert doc.error == "reader.pdf: page 1: 1 invalid character(s) replaced with U+FFFD"
    blocks = [(b.kind, b.section, doc.text[b.start : b.end]) for b in doc.blocks]
    assert blocks == [
        (names.TITLE, names.SEC_TITLE, "Ligatures and Margins in a Generated Paper"),
        (names.AUTHORS, names.SEC_FRONT_MATTER, "Aigerim Sato and Daniel Okafor"),
        (
            names.PARAGRAPH,
            names.SEC_BODY,
            "The first column reports the findings on migrant flows and their effects on the local office of the "
            "census \ufffd.",
        ),
        (
            names.PARAGRAPH,
            names.SEC_BODY,
            "The second column goes on with more words about the survey and its households in the region.",
        ),
        (names.TABLE, names.SEC_TABLE, "\n".join("\t".join(row) for row in ROWS)),
        (names.FRONT_MATTER, names.SEC_FRONT_MATTER, "Downloaded from https://example.org/journal on 1 May 2024"),
    ]
    # the unruled table's cells: row, column, header flag and text, exactly
    cells = {(c.row, c.col): (doc.text[c.start : c.end], c.header) for c in doc.cells}
    assert cells == {(r, k): (v, r == 0) for r, row in enumerate(ROWS) for k, v in enumerate(row)}
    # one box per code point: the letters of a ligature share its glyph's box, left to right
    start = doc.text.index("office")
    boxes = doc.char_boxes[start : start + 6]
    assert [b[1] < b[3] for b in boxes] == [True] * 6
    assert [round(b[3], 2) for b in boxes[:-1]] == [round(b[1], 2) for b in boxes[1:]]
    assert _text_in_box(tmp_path / "reader.pdf", provenance(doc, start, start + 6)) == "office"
    # the rotated line's boxes run up the margin
    margin = doc.blocks[-1]
    assert all(box[3] < 45 for box in doc.char_boxes[margin.start : margin.end])
    assert doc.metadata["authors"] == ["Aigerim Sato", "Daniel Okafor"]


def _bomb(path: Path, inflated_mb: int) -> Path:
    """A one-page PDF whose content stream inflates from about 1/1000 of its size: ASCII zeros after
    one line of text (a number operand repeated, never an operator)."""
    import zlib

    deflate = zlib.compressobj(9)
    chunk = b"0" * (1 << 20)
    data = deflate.compress(b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n")
    data += b"".join(deflate.compress(chunk) for _ in range(inflated_mb)) + deflate.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_ingest_pdf_decompression_bomb_is_too_large(tmp_path):
    """A stream that inflates past the reader's memory limit is "too large when decompressed", not "no
    text layer"; the same file under a limit it fits in reads."""
    import time

    bomb = _bomb(tmp_path / "bomb.pdf", inflated_mb=96)
    assert bomb.stat().st_size < 200_000
    began = time.monotonic()
    doc = read_document(bomb, tmp_path, {"max_memory_mb": 32, "timeout_s": 60})
    assert doc.status == names.STATUS_ERROR
    assert doc.error == (
        "bomb.pdf: too large when decompressed: a stream inflates past the reader's memory limit of 32 MB "
        "(raise ingest.max_memory_mb in params.yaml if the file is genuine)"
    )
    assert time.monotonic() - began < 30
    doc = read_document(bomb, tmp_path, {"max_memory_mb": 1024, "timeout_s": 60})
    assert doc.status == names.STATUS_OK and doc.text == "bomb"
