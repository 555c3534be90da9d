"""OCR of pages without a text layer: words, their boxes on the page, and the documents columns.

The scans are made here: text drawn with PIL (reportlab's bundled Vera font) into a page image at
a known place, the image wrapped in a PDF by reportlab, so the PDF has no text layer at all and the
place of every word is known in points. A page of the real Leasure (1968) scan is rasterised into
``tmp_path`` the same way (the shared file is never modified).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.core import names
from pipeline.core.document import Box
from pipeline.ingest import read_document
from tests.shared_pdfs import shared_pdf

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract missing: run `make ocr`")

W, H = 595.0, 842.0  # A4 in points
DPI = 200  # the image's resolution: not the reader's (it renders at its own), so boxes must be rescaled
LINES = [  # (x, top) in points, text, size in points
    ((72, 90), "Internal migration in the Russian Empire", 18),
    ((72, 140), "The census of 1897 counted migrants by province", 12),
    ((72, 170), "Moscow and Saint Petersburg drew the most workers", 12),
    ((320, 260), "Siberia gained settlers", 12),
]


def _scan(path: Path, lines=LINES) -> tuple[Path, list[tuple[str, Box]]]:
    """An image-only PDF of ``lines``, and each word with the box (points) it was drawn in."""
    import reportlab
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font_file = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    s = DPI / 72
    image = Image.new("L", (round(W * s), round(H * s)), 255)
    draw = ImageDraw.Draw(image)
    words: list[tuple[str, Box]] = []
    for (x, top), text, size in lines:
        font = ImageFont.truetype(str(font_file), round(size * s))
        pos = x * s
        for word in text.split():
            draw.text((pos, top * s), word, font=font, fill=0)
            x0, y0, x1, y1 = draw.textbbox((pos, top * s), word, font=font)
            words.append((word, Box(1, x0 / s, y0 / s, x1 / s, y1 / s)))
            pos += draw.textlength(word + " ", font=font)
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.drawImage(ImageReader(image), 0, 0, width=W, height=H)
    c.save()
    return path, words


def _words(doc) -> list[tuple[str, Box]]:
    return [(m.group(), doc.box(m.start(), m.end())) for m in re.finditer(r"\S+", doc.text)]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """The generated scan, read once: its document and the words as drawn."""
    folder = tmp_path_factory.mktemp("ocr")
    path, drawn = _scan(folder / "scan.pdf")
    return read_document(path, folder), drawn


def test_ingest_ocr_words_and_boxes_of_an_image_only_pdf(scanned):
    doc, drawn = scanned
    assert doc.status == names.STATUS_OK, doc.error
    got = _words(doc)
    assert [w for w, _ in got] == [w for w, _ in drawn]
    for (word, box), (_, want) in zip(got, drawn):
        assert box.page == 1
        # x: the word's own ink; top/bottom: its line's, so a few points of ascender/descender room
        assert abs(box.x0 - want.x0) < 3 and abs(box.x1 - want.x1) < 3, (word, box, want)
        assert box.top - 4 < want.top and want.bottom < box.bottom + 4, (word, box, want)
        assert box.bottom - box.top < 2 * (want.bottom - want.top) + 4, (word, box, want)
    assert doc.metadata["ocr_pages"] == [1]
    assert 80 < doc.metadata["ocr_confidence"] <= 100


def test_ingest_ocr_text_reads_in_order_with_provenance(scanned):
    doc, _ = scanned
    assert "The census of 1897 counted migrants by province" in doc.text
    i = doc.text.index("Siberia")
    box = doc.box(i, i + len("Siberia"))
    assert box.page == 1 and 318 < box.x0 < 322 and 255 < box.top < 265


def test_ingest_ocr_off_keeps_the_clear_error(tmp_path):
    path, _ = _scan(tmp_path / "scan.pdf")
    doc = read_document(path, tmp_path, {"ocr": False})
    assert doc.status == names.STATUS_ERROR
    assert doc.error.startswith("scan.pdf: no text layer (needs OCR): OCR is off (set ingest.ocr: true")


def test_ingest_ocr_blank_scan_names_the_file_and_the_fix(tmp_path):
    path, _ = _scan(tmp_path / "blank.pdf", lines=[])
    doc = read_document(path, tmp_path)
    assert doc.status == names.STATUS_ERROR
    assert doc.error.startswith("blank.pdf: no text layer (needs OCR): OCR read no words on page(s) 1")
    assert "ingest.ocr_languages" in doc.error


def test_ingest_ocr_missing_tesseract_names_the_fix(tmp_path, monkeypatch):
    import pytesseract

    path, _ = _scan(tmp_path / "scan.pdf")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-such-tesseract"))
    doc = read_document(path, tmp_path, {"timeout_s": 0})
    assert doc.status == names.STATUS_ERROR
    assert doc.error.startswith("scan.pdf: no text layer, and OCR is unavailable: tesseract not found")
    assert "make ocr" in doc.error and "ingest.ocr: false" in doc.error


def test_ingest_ocr_documents_columns(scanned):
    from pipeline.consolidate import documents_table

    doc, _ = scanned
    row = documents_table({doc.doc_id: doc}).iloc[0]
    assert list(row["ocr_pages"]) == ["1"]  # the contract's arrays hold strings
    assert row["ocr_confidence"] == doc.metadata["ocr_confidence"]


def test_ingest_ocr_rasterised_leasure_page(tmp_path):
    """The top third of page 3 of the Leasure scan (its first page of article text), as an image
    only, read again by OCR."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = pdfium.PdfDocument(str(shared_pdf("leasure1968_slavicreview_internal_migration_russia_scan.pdf")))
    page = pdf[2]
    w, h = page.get_size()
    image = page.render(scale=150 / 72, crop=(0, 2 * h / 3, 0, 0)).to_pil()  # crop: left, bottom, right, top
    pdf.close()
    path = tmp_path / "leasure_p3.pdf"
    h /= 3
    c = canvas.Canvas(str(path), pagesize=(w, h))
    c.drawImage(ImageReader(image), 0, 0, width=w, height=h)
    c.save()
    doc = read_document(path, tmp_path)
    assert doc.status == names.STATUS_OK, doc.error
    words = set(re.findall(r"[A-Za-z]+", doc.text))
    assert {"guberniia", "migration", "census", "enumeration", "migrants"} <= words
    assert all(box.page == 1 and 0 <= box.x0 < box.x1 <= w for _, box in _words(doc))
