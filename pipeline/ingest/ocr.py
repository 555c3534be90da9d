"""OCR for PDF pages without a text layer: Tesseract words, with their boxes, as page characters.

A page whose text layer holds no characters (a scan) is rendered with pypdfium2 at a fixed
``DPI`` and read by Tesseract through pytesseract (``image_to_data``: one row per word with its
box and confidence). Each word becomes characters in page coordinates, PDF points from the page's
top-left corner like the text layer's boxes: the word's box is cut into equal slices, one per
character, the first marked as following a space. The characters then go through the same
fragments, tables, reading order and canonical text as any page's, so every OCR word keeps its
page and box (provenance holds).

Why pytesseract: it calls Debian's ``tesseract`` binary (installed by ``make ocr``) and needs no
compiler or libtesseract headers at install time; tesserocr binds the C++ API (faster, but builds
against a matching libtesseract and breaks on upgrades); ocrmypdf rewrites the whole PDF with a
new text layer, which would hide the boxes and confidences this reader keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.params import IngestParams
from pipeline.ingest.errors import IngestError
from pipeline.ingest.reading_order import Char

DPI = 300  # render resolution: Tesseract's own recommendation for print
DEFAULT_LANGUAGES = IngestParams.ocr_languages
INSTALL_HINT = "install it with `make ocr` (apt-get install tesseract-ocr tesseract-ocr-eng), or set ingest.ocr: false"


@dataclass
class OcrReader:
    """OCR settings for one PDF, and what it did: the 1-based pages read and each word's confidence."""

    languages: str = DEFAULT_LANGUAGES
    dpi: int = DPI
    pages: list[int] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)

    def page_chars(self, page, number: int, height: float) -> list[Char]:
        """The characters Tesseract reads on pypdfium2 ``page`` (1-based ``number``, ``height`` in points)."""
        image = page.render(scale=self.dpi / 72).to_pil()
        words = read_words(image, self.languages)
        self.pages.append(number)
        self.confidences.extend(w[5] for w in words)
        return words_to_chars(words, 72 / self.dpi)

    @property
    def confidence(self) -> float | None:
        """The mean word confidence (0-100) over the pages read, or None if no word was read."""
        return round(sum(self.confidences) / len(self.confidences), 2) if self.confidences else None


def read_words(image, languages: str = DEFAULT_LANGUAGES) -> list[tuple[str, int, int, int, int, float]]:
    """Tesseract's words on a PIL ``image``: ``(text, left, top, right, bottom, confidence)`` in pixels,
    in Tesseract's reading order (block, paragraph, line, word)."""
    try:
        import pytesseract
    except ImportError:
        raise IngestError(
            f"no text layer, and OCR is unavailable: pytesseract is not installed; {INSTALL_HINT}"
        ) from None
    try:
        data = pytesseract.image_to_data(image, lang=languages, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError:
        raise IngestError(f"no text layer, and OCR is unavailable: tesseract not found; {INSTALL_HINT}") from None
    except pytesseract.TesseractError as e:
        raise IngestError(
            f"no text layer, and OCR failed ({e.message.strip() or e.status}); "
            f"check ingest.ocr_languages ({languages!r}: each needs its tesseract-ocr-<lang> package)"
        ) from None
    lines: dict[tuple[int, int, int], tuple[int, int]] = {}  # each line's top and bottom
    out = []
    for k, text in enumerate(data["text"]):
        key = (data["block_num"][k], data["par_num"][k], data["line_num"][k])
        top, bottom = data["top"][k], data["top"][k] + data["height"][k]
        if data["level"][k] == 4:
            lines[key] = (top, bottom)
        conf = float(data["conf"][k])
        if conf < 0 or not text.strip():  # layout rows (blocks, lines) carry conf -1 and no text
            continue
        # a word takes its line's top and bottom, as text-layer characters share their line's
        top, bottom = lines.get(key, (top, bottom))
        left = data["left"][k]
        out.append((text.strip(), left, top, left + data["width"][k], bottom, conf))
    return out


def words_to_chars(words: list[tuple[str, int, int, int, int, float]], scale: float) -> list[Char]:
    """Words (pixel boxes) as characters in points: each word's box cut into one slice per character."""
    chars: list[Char] = []
    for text, left, top, right, bottom, _ in words:
        x0, x1 = left * scale, right * scale
        y0, y1 = round(top * scale, 2), round(bottom * scale, 2)
        step = (x1 - x0) / len(text)
        size = round((y1 - y0) / 1.2, 2) or 1.0
        for j, ch in enumerate(text):
            a, b = round(x0 + j * step, 2), round(x0 + (j + 1) * step, 2)
            chars.append(Char(ch, a, y0, b, y1, size, space_before=j == 0))
    return chars


def ocr_failure(ocr: OcrReader | None) -> str:
    """What to add to a "no text layer" error: why OCR did not help, and the fix."""
    if ocr is None:
        return ": OCR is off (set ingest.ocr: true, with tesseract installed: make ocr)"
    if not ocr.pages:
        return ""
    pages = ", ".join(map(str, ocr.pages))
    return (
        f": OCR read no words on page(s) {pages} (a blank or unreadable scan: check it, or set "
        f"ingest.ocr_languages, now {ocr.languages!r}, to the document's languages)"
    )
