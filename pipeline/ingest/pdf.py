"""Reader for ``.pdf`` inputs: characters and their boxes, page by page, into source lines.

First cut: pdfplumber's text lines (top-to-bottom), one origin box per character, a paragraph break
at a vertical gap larger than the page's usual line spacing, running headers/footers and page
numbers dropped. See issue 3 for reading order across columns, tables and speed.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from .. import names
from ..model import Document, Page
from .errors import IngestError
from .layout import build
from .lines import SourceLine

_PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\W*$", re.I)


def _open(path: Path, password: str | None):
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path, password=password or "")
        _ = len(pdf.pages)
        return pdf
    except PDFPasswordIncorrect:
        raise IngestError("encrypted: password required (set ingest.passwords in params.yaml)") from None
    except Exception as e:  # pdfminer raises many unrelated types for broken files
        if any(isinstance(a, PDFPasswordIncorrect) for a in e.args):
            raise IngestError("encrypted: password required (set ingest.passwords in params.yaml)") from None
        raise IngestError(f"corrupt or unreadable PDF ({type(e).__name__}: {e})".strip()) from None


def page_lines(page, number: int) -> list[SourceLine]:
    """One page's text lines, each character with its ``(page, x0, top, x1, bottom)`` origin."""
    out: list[SourceLine] = []
    raw = page.extract_text_lines(return_chars=True, strip=True)
    gaps = [b["top"] - a["bottom"] for a, b in zip(raw, raw[1:]) if b["top"] > a["bottom"]]
    usual = statistics.median(gaps) if gaps else 0.0
    prev_bottom = None
    for line in raw:
        chars = [c for c in line["chars"] if c["text"].strip() or c["text"] == " "]
        if not chars:
            continue
        if prev_bottom is not None and line["top"] - prev_bottom > max(usual * 1.8, 2.0):
            out.append(SourceLine("", []))
        prev_bottom = line["bottom"]
        text: list[str] = []
        origins: list[tuple] = []
        prev = None
        for c in chars:
            box = (number, round(c["x0"], 2), round(c["top"], 2), round(c["x1"], 2), round(c["bottom"], 2))
            if prev is not None and c["x0"] - prev["x1"] > 0.2 * c.get("size", 10) and c["text"] != " ":
                text.append(" ")
                origins.append(origins[-1])
            text.append(c["text"])
            origins.append(box)
            prev = c
        size = statistics.median(c.get("size", 10) for c in chars)
        out.append(SourceLine("".join(text), origins, page=number, size=size))
    return out


def _drop_running_lines(pages: list[list[SourceLine]]) -> list[list[SourceLine]]:
    """Remove page numbers and lines repeated at the top or bottom of most pages (running heads)."""
    def edge(lines: list[SourceLine]) -> list[SourceLine]:
        real = [line for line in lines if not line.is_break]
        return real[:2] + real[-2:]

    counts: dict[str, int] = {}
    for lines in pages:
        for key in {re.sub(r"\d+", "#", line.text) for line in edge(lines)}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= max(3, 0.5 * len(pages))}
    out = []
    for lines in pages:
        e = {id(line) for line in edge(lines)}
        out.append([
            line for line in lines
            if not (id(line) in e and (_PAGE_NUMBER.match(line.text) or re.sub(r"\d+", "#", line.text) in repeated))
        ])
    return out


def read_pdf(doc: Document, path: Path, password: str | None = None) -> Document:
    """Fill ``doc`` from a PDF file."""
    pdf = _open(path, password)
    with pdf:
        if not pdf.pages:
            raise IngestError("PDF has no pages")
        sizes = []
        pages = []
        for i, page in enumerate(pdf.pages, start=1):
            pages.append(page_lines(page, i))
            sizes.append((float(page.width), float(page.height)))
            page.flush_cache()
        meta = {k: str(v) for k, v in (pdf.metadata or {}).items() if isinstance(v, (str, int, float))}
    if not any(line.text.strip() for lines in pages for line in lines):
        raise IngestError("no text layer (needs OCR)")
    lines: list[SourceLine] = []
    for page_lines_ in _drop_running_lines(pages):
        lines.extend(page_lines_ + [SourceLine("", [])])
    layout = build(lines)
    doc.text = layout.text
    doc.blocks = layout.blocks
    doc.cells = layout.cells
    doc.char_boxes = [tuple(o) if o is not None else None for o in layout.origins]
    doc.metadata = meta
    doc.pages = _page_ranges(doc.char_boxes, sizes)
    return doc


def _page_ranges(boxes: list, sizes: list[tuple[float, float]]) -> list[Page]:
    """Each page's char range: from its first character to the next page's first."""
    firsts: dict[int, int] = {}
    for i, b in enumerate(boxes):
        if b is not None and b[0] not in firsts:
            firsts[b[0]] = i
    out: list[Page] = []
    numbers = sorted(firsts)
    for k, n in enumerate(numbers):
        end = firsts[numbers[k + 1]] if k + 1 < len(numbers) else len(boxes)
        out.append(Page(n, firsts[n], end, *sizes[n - 1]))
    return out


__all__ = ["read_pdf", "names"]
