"""Ruled tables on a PDF page: found with pdfplumber, filled with the page's own pypdfium2 characters.

pdfplumber is slow, so it only looks at pages that draw ruling lines (:func:`ruling_count`). Each
cell takes the characters whose centre falls inside it, so a cell's text keeps each character's box
and gets its own char range in the canonical text (row 0 is the header row).
"""

from __future__ import annotations

from dataclasses import dataclass

from .columns import Char, fragments
from .lines import HINT_TABLE_ROW, SourceLine


@dataclass
class PageTable:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[SourceLine]  # one table-row line per row, with ``cells`` ranges
    chars: list[Char]  # the page characters inside the table (taken out of the text flow)


def ruling_count(page) -> int:
    """How many path objects (lines, rectangles) the page draws: a cheap hint that it holds a ruled table."""
    import pypdfium2.raw as raw

    return sum(1 for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1))


def page_tables(plumber_pdf, number: int, chars: list[Char]) -> list[PageTable]:
    """The ruled tables of page ``number`` (1-based) with their cells filled from ``chars``."""
    ppage = plumber_pdf.pages[number - 1]
    try:
        found = ppage.find_tables()
        out = []
        for t in found:
            rows = [row.cells for row in t.rows]
            if len(rows) < 2 or max(len(r) for r in rows) < 2:
                continue
            x0, top, x1, bottom = t.bbox
            inside = [c for c in chars if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom]
            out.append(PageTable(tuple(t.bbox), [_row(cells, inside, number) for cells in rows], inside))
        return out
    finally:
        ppage.flush_cache()


def _row(cells: list, chars: list[Char], page: int) -> SourceLine:
    text: list[str] = []
    origins: list[tuple] = []
    spans: list[tuple[int, int]] = []
    for k, bbox in enumerate(cells):
        if k:
            text.append("\t")
            origins.append(origins[-1] if origins else (page, 0.0, 0.0, 0.0, 0.0))
        start = len(text)
        if bbox is not None:
            x0, top, x1, bottom = bbox
            mine = [c for c in chars if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom]
            for f_i, f in enumerate(fragments(mine)):
                for j, c in enumerate(f.chars):
                    if (j and c.space_before) or (f_i and not j):
                        text.append(" ")
                        origins.append(origins[-1])
                    text.append(c.text)
                    origins.append((page, c.x0, c.top, c.x1, c.bottom))
        spans.append((start, len(text)))
    return SourceLine("".join(text), origins, hint=HINT_TABLE_ROW, page=page, cells=spans)
