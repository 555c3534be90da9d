"""Reader for ``.pdf`` inputs: a document filled from its pages (:mod:`.pdf_pages`), read in a
watchdog child (:mod:`.pdf_child`) under a time and a memory limit.

Speed: ``benchmarks/ingest.py --real DIR`` measures pages/s on real papers beside other readers.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core import names
from pipeline.core.document import Document, Page
from pipeline.ingest.lines import HINT_TABLE_ROW
from pipeline.ingest.ocr import OcrReader
from pipeline.ingest.pdf_child import DEFAULT_MAX_MEMORY_MB, read_with_watchdog


def read_pdf(
    doc: Document,
    path: Path,
    password: str | None = None,
    timeout_s: float | None = None,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
    ocr: OcrReader | None = None,
) -> Document:
    """Fill ``doc`` from a PDF file; ``timeout_s`` runs the reader in a child process under that limit
    (and ``max_memory_mb`` of memory growth). Invalid characters replaced make the status a warning
    that names their pages. ``ocr`` reads pages without a text layer (``doc.metadata`` then has
    ``ocr_pages`` and ``ocr_confidence``)."""
    got = read_with_watchdog(path, password, timeout_s, max_memory_mb, ocr)
    layout = got["layout"]
    doc.text = layout.text
    doc.blocks = layout.blocks
    doc.cells = layout.cells
    doc.char_boxes = list(layout.origins)  # (page, x0, top, x1, bottom) tuples, None between blocks
    doc.metadata = got["meta"]
    doc.pages = _page_ranges(doc.char_boxes, got["sizes"])
    if got.get("warnings"):
        doc.status = names.STATUS_WARNING
        doc.error = "; ".join(got["warnings"])
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


__all__ = ["read_pdf", "names", "HINT_TABLE_ROW"]
