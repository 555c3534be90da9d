"""PDF page images for the review page: pypdfium2 renders, cached per (document, page).

Boxes in the published tables (``page``, ``x0``, ``top``, ``x1``, ``bottom``; :class:`~pipeline.model.Box`)
are PDF points from the page's top-left corner, measured by ingest on pypdfium2's page size
(``page.get_size()``), so the same page rendered at ``scale`` pixels per point puts a box at
``x0 * scale, top * scale`` in the image. The page sizes go to the browser with the document, and
the page scales the box by the image's displayed width over the page width: the image may be shown
at any size.

A source PDF is found as ``raw / documents.source`` and used only if its sha256 is still the one
the dataset records: boxes drawn on a changed file would point at the wrong place.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from pipeline.core.incremental import sha256_file

SCALE = 1.5  # pixels per PDF point: 108 dpi, an A4 page is 893 × 1263 px
MAX_CACHED = 32  # rendered pages kept in memory


class PageImages:
    """The source PDFs of a dataset's documents, their page sizes, and a cache of PNG renders."""

    def __init__(
        self, sources: dict[str, tuple[Path, str | None]], scale: float = SCALE, max_cached: int = MAX_CACHED
    ) -> None:
        """``sources``: doc_id → (the PDF's path, the sha256 the dataset records for it)."""
        self.scale, self.max_cached = scale, max_cached
        self._sources = dict(sources)
        self._usable: dict[str, str | None] = {}  # doc_id → None (usable) or why not
        self._sizes: dict[str, list[tuple[float, float]]] = {}
        self._png: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.RLock()

    def problem(self, doc_id: str) -> str | None:
        """Why the document has no page images (no PDF source, file missing or changed), or None."""
        if doc_id not in self._usable:
            if doc_id not in self._sources:
                why: str | None = "not a PDF document"
            else:
                path, sha = self._sources[doc_id]
                if not path.is_file():
                    why = f"source PDF {path} not found (pass --raw)"
                elif sha and sha256_file(path) != sha:
                    why = f"source PDF {path} changed since the run (sha256 differs): re-run the pipeline"
                else:
                    why = None
            self._usable[doc_id] = why
        return self._usable[doc_id]

    def sizes(self, doc_id: str) -> list[tuple[float, float]]:
        """Each page's (width, height) in PDF points, page 1 first; [] without a usable PDF."""
        if self.problem(doc_id):
            return []
        if doc_id not in self._sizes:
            import pypdfium2 as pdfium

            with self._lock:
                pdf = pdfium.PdfDocument(str(self._sources[doc_id][0]))
                try:
                    sizes: list[tuple[float, float]] = []
                    for i in range(len(pdf)):
                        width, height = pdf[i].get_size()
                        sizes.append((float(width), float(height)))
                    self._sizes[doc_id] = sizes
                finally:
                    pdf.close()
        return self._sizes[doc_id]

    def png(self, doc_id: str, page: int) -> bytes:
        """Page ``page`` (1-based) of the document as PNG; KeyError for an unknown document or page."""
        why = self.problem(doc_id)
        if why:
            raise KeyError(f"{doc_id}: {why}")
        if not 1 <= page <= len(self.sizes(doc_id)):
            raise KeyError(f"{doc_id} has no page {page}")
        key = (doc_id, page)
        with self._lock:
            if key in self._png:
                self._png.move_to_end(key)
                return self._png[key]
            data = render_png(self._sources[doc_id][0], page, self.scale)
            self._png[key] = data
            while len(self._png) > self.max_cached:
                self._png.popitem(last=False)
            return data


def render_png(path: Path, page: int, scale: float = SCALE) -> bytes:
    """Render page ``page`` (1-based) of the PDF at ``scale`` pixels per point, as PNG bytes."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        image = pdf[page - 1].render(scale=scale).to_pil()
    finally:
        pdf.close()
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


__all__ = ["PageImages", "render_png", "SCALE"]
