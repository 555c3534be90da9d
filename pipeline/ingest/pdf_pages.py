"""A PDF's pages read into source lines: pypdfium2 characters and boxes, page by page, in reading order.

Each page is opened, read into characters with their boxes (:mod:`.pdf_chars`: rotated text set
apart, ligatures, accents and invalid code points resolved), put in reading order
(:mod:`.reading_order`) and closed before the next one; only the page's source lines are kept, so a
long PDF's memory grows with its text, not with its pages' objects. Tables (:mod:`.tables`): ruled
ones from the page's drawn lines, on pages that draw some (pdfplumber's table finder, given those
lines); unruled ones from lines whose fragments line up in columns, on every page. Each table is one
block in the reading order. Running headers, footers and page numbers (lines in the top or bottom
margin that repeat across pages or look like page numbers) are dropped; so are rotated lines that
repeat across pages (a publisher's vertical "Downloaded from …" line); other rotated lines (a
figure's axis label, a side stamp) end their page as margin lines, which the layout makes front
matter. Raised, smaller digits are footnote markers, written as Unicode superscript digits.

Speed: see ``benchmarks/ingest.py --real DIR``.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import build
from pipeline.ingest.lines import HINT_MARGIN, SourceLine
from pipeline.ingest.ocr import OcrReader, ocr_failure
from pipeline.ingest.pdf_chars import PageChars, page_chars, rotated_runs, run_text
from pipeline.ingest.reading_order import Char, Fragment, Line, fragments, reading_order
from pipeline.ingest.tables import MIN_RULINGS, PageTable, aligned_tables, page_tables, ruling_edges

_PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\W*$", re.I)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MARGIN_ZONE = 0.09  # top and bottom share of the page where running heads and page numbers live


def _open(path: Path, password: str | None):
    import pypdfium2 as pdfium

    if path.stat().st_size == 0:
        raise IngestError("empty file (0 bytes)")
    try:
        return pdfium.PdfDocument(str(path), password=password or None)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == 4:  # FPDF_ERR_PASSWORD
            raise IngestError(
                "encrypted: password required (set ingest.passwords in params.yaml)"
                if not password
                else "encrypted: wrong password (check ingest.passwords in params.yaml)"
            ) from None
        if _page_count(path) == 0:  # pdfium refuses an empty page tree without saying why
            raise IngestError("PDF has no pages") from None
        raise IngestError(f"corrupt or unreadable PDF ({e})") from None


def _page_count(path: Path) -> int | None:
    """The page tree's ``/Count`` as pdfminer reads it, or None if it cannot say."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import resolve1

        with path.open("rb") as f:
            return int(resolve1(resolve1(PDFDocument(PDFParser(f)).catalog["Pages"])["Count"]))
    except Exception:  # noqa: BLE001 - any failure here means: no better diagnosis than pdfium's
        return None


def line_to_source(line: Line, page: int) -> SourceLine:
    """One line's text with one box per character; raised small digits become superscripts.

    A space goes between fragments, and inside one where pdfium saw a space or the gap is wider
    than a fifth of the type size; after a drop cap, only where the gap is a word space at the
    initial's size (pdfium sees a space wherever the initial stands apart, as in "I n Western").
    """
    main = line.size
    small = 0.8 * main
    chars = [c for f in line.frags for c in f.chars]
    normal = [c.bottom for c in chars if c.size >= small]
    raised = statistics.median(normal or [c.bottom for c in chars]) - 0.15 * main
    text: list[str] = []
    origins: list[tuple] = []
    add_text, add_origin = text.append, origins.append
    prev: Char | None = None
    for frag in line.frags:
        first = True
        for c in frag.chars:
            size = c.size
            sup = size < small and c.bottom < raised
            if prev is not None:
                dx = c.x0 - prev.x1
                if first:
                    brk = True
                elif prev.size > 2.5 * size:
                    brk = dx > 0.12 * prev.size
                else:
                    brk = c.space_before or dx > 0.2 * (size if size < prev.size else prev.size)
                if brk and not (sup and not c.space_before and dx < 1.5):
                    add_text(" ")
                    add_origin(origins[-1])
            first = False
            add_text(c.text.translate(_SUPERSCRIPT) if sup else c.text)
            add_origin((page, c.x0, c.top, c.x1, c.bottom))
            prev = c
    return SourceLine("".join(text), origins, page=page, size=round(main, 1))


def page_lines(lines: list[Line], page: int, height: float = 0.0) -> list[SourceLine]:
    """Source lines of one page, with a break at a column or band change, a wide gap or a size change;
    notes at the foot of a column come after the page's text (:func:`footnotes_last`)."""
    lines = footnotes_last(lines, height)
    pitches = [
        b.baseline - a.baseline
        for a, b in zip(lines, lines[1:])
        if (a.band, a.column) == (b.band, b.column)
        and not _is_table(a)
        and not _is_table(b)
        and b.baseline > a.baseline
    ]
    usual = sorted(pitches)[len(pitches) // 3] if pitches else 0.0  # the line pitch: low, as gaps are rarer
    out: list[SourceLine] = []
    prev: Line | None = None
    for line in lines:
        if _is_table(line):
            out.append(SourceLine("", []))
            table = line.frags[0].table
            assert isinstance(table, list), "a table fragment carries its rows"
            out.extend(table)
            out.append(SourceLine("", []))
            prev = None
            continue
        sl = line_to_source(line, page)
        if prev is not None and (
            (prev.band, prev.column) != (line.band, line.column)
            or line.baseline - prev.baseline > max(usual * 1.4, usual + 3, 1.3 * min(prev.size, line.size))
            or abs((out[-1].size or 0) - (sl.size or 0)) > 0.6
        ):
            out.append(SourceLine("", []))
        out.append(sl)
        prev = line
    return out


#: Lines smaller than this share of the page's body size may be notes.
NOTE_SIZE = 0.9


def footnotes_last(lines: list[Line], height: float) -> list[Line]:
    """The lines with each column's foot notes moved after the page's other lines.

    A column's notes are its last lines, in smaller type than the line above them and than the
    column's text above, in the lower half of the page, set off from the text above by a gap (a reference list in small type right under
    its heading is not: no gap, and it is the column's text). Where a column's text goes on in the
    next column, the notes no longer stand between the two.
    """
    if not height or len(lines) < 4:
        return lines
    moved: list[Line] = []
    keep: list[Line] = []
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and (lines[end].band, lines[end].column) == (lines[start].band, lines[start].column):
            end += 1
        group = lines[start:end]
        notes = _column_notes(group, height)
        keep.extend(group[: len(group) - notes])
        moved.extend(group[len(group) - notes :])
        start = end
    return keep + moved


def _column_notes(group: list[Line], height: float) -> int:
    """How many of a column's last lines are its notes (0: none)."""
    last = len(group)
    while last > 0 and _PAGE_NUMBER.match(_line_text(group[last - 1])):
        last -= 1
    if last < 2 or _is_table(group[last - 1]):
        return 0
    note_size = group[last - 1].size
    k = last
    while k > 0 and not _is_table(group[k - 1]) and group[k - 1].size <= note_size * 1.05:
        k -= 1
    while k < last and _PAGE_NUMBER.match(_line_text(group[k])):
        k += 1  # a page number above the notes is not one of them
    if k < 2 or k == last or group[k].top < 0.5 * height or _is_table(group[k - 1]):
        return 0  # notes stand under some lines of text (not right under a heading)
    above = group[k - 1]
    text_size = statistics.median(line.size for line in group[:k])
    if note_size > NOTE_SIZE * min(above.size, text_size) or group[k].top - above.bottom < 0.6 * above.size:
        return 0
    return len(group) - k


def _line_text(line: Line) -> str:
    return "".join(c.text for f in line.frags for c in f.chars)


def _is_table(line: Line) -> bool:
    return line.frags[0].table is not None


def page_characters(page, number: int, height: float, ocr: OcrReader | None = None) -> PageChars:
    """Page ``number``'s characters from its text layer; none where it has no text layer.

    This is the one place a page's characters come from: a page without a text layer (a scan)
    gives an empty :class:`.PageChars` here, where OCR would read it instead.
    """
    textpage = page.get_textpage()
    try:
        got = page_chars(textpage, height)
    finally:
        textpage.close()
    if not got.upright and not got.rotated and ocr is not None:  # a scan: Tesseract reads it (see .ocr)
        got = PageChars(upright=ocr.page_chars(page, number, height))
    return got


def _read_page(page, number: int, ocr: OcrReader | None = None) -> tuple[list[SourceLine], list[SourceLine], int]:
    """One page's lines in reading order; those of them that may be page furniture (in the top and
    bottom margins, or rotated); and the number of invalid code points replaced on the page."""
    width, height = page.get_size()
    got = page_characters(page, number, height, ocr)
    chars = got.upright
    frags = fragments(chars)
    tables: list[PageTable] = []
    if chars:
        edges = ruling_edges(page, height)
        if len(edges) >= MIN_RULINGS:
            tables = page_tables(number, chars, edges)
            if tables:
                inside = {id(c) for t in tables for c in t.chars}
                frags = fragments([c for c in chars if id(c) not in inside])
        aligned = aligned_tables(frags, number, width)
        if aligned:
            inside = {id(c) for t in aligned for c in t.chars}
            frags = [f for f in frags if not any(id(c) in inside for c in f.chars)]
            tables += aligned
    for t in tables:
        frags.append(Fragment(table=t.rows, x0=t.bbox[0], top=t.bbox[1], x1=t.bbox[2], bottom=t.bbox[3]))
    lines = reading_order(frags, width)
    src = page_lines(lines, number, height)
    zone = MARGIN_ZONE * height
    heads = [
        sl
        for sl in src
        if sl.origins
        and sl.cells is None
        and (max(o[4] for o in sl.origins) < zone or min(o[2] for o in sl.origins) > height - zone)
    ]
    margin = rotated_lines(got, number)
    if margin:
        src.append(SourceLine("", []))
        src.extend(margin)
    return src, heads + margin, got.replaced


def rotated_lines(got: PageChars, page: int) -> list[SourceLine]:
    """The page's rotated runs of text as margin lines, one box per character (a space takes the box
    of the character before it)."""
    out: list[SourceLine] = []
    for run in rotated_runs(got.rotated):
        text, owners = run_text(run)
        if not text.strip():
            continue
        origins: list[tuple] = []
        for owner in owners:
            origins.append(origins[-1] if owner is None else (page, owner.x0, owner.top, owner.x1, owner.bottom))
        out.append(SourceLine(text, origins, HINT_MARGIN, page, round(statistics.median(c.size for c in run), 1)))
    return out


def _running_keys(pages_heads: list[list[SourceLine]]) -> set[str]:
    counts: dict[str, int] = {}
    for heads in pages_heads:
        for key in {re.sub(r"\d+", "#", h.text) for h in heads}:
            counts[key] = counts.get(key, 0) + 1
    n = len(pages_heads)
    return {k for k, c in counts.items() if n >= 2 and c >= max(2, 0.5 * n)}


def read_pages(path: Path, password: str | None, ocr: OcrReader | None = None) -> dict:
    """Read every page of the PDF at ``path``: its canonical layout, page sizes, metadata and warnings."""
    pdf = _open(path, password)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise IngestError("PDF has no pages")
        sizes, bodies, heads, warnings = [], [], [], []
        for i in range(n_pages):
            page = pdf[i]
            try:
                sizes.append(tuple(float(v) for v in page.get_size()))
                body, head, replaced = _read_page(page, i + 1, ocr)
            finally:
                page.close()
            bodies.append(body)
            heads.append(head)
            if replaced:
                warnings.append(f"page {i + 1}: {replaced} invalid character(s) replaced with U+FFFD")
        meta = {k: str(v) for k, v in (pdf.get_metadata_dict() or {}).items() if v}
    finally:
        pdf.close()
    running = _running_keys(heads)
    lines: list[SourceLine] = []
    for body, head in zip(bodies, heads):
        # A margin line that is neither a page number nor repeated on other pages is real text: kept in place.
        drop = {id(h) for h in head if _PAGE_NUMBER.match(h.text) or re.sub(r"\d+", "#", h.text) in running}
        lines.extend(sl for sl in body if id(sl) not in drop)
        lines.append(SourceLine("", []))
    if not any(line.text.strip() for line in lines):
        raise IngestError(f"no text layer (needs OCR){ocr_failure(ocr)}")
    # The canonical text is built here, in the reader's child when there is one: the parent then
    # receives only the finished text and boxes, never the per-line objects as well.
    ocr_meta = {"ocr_pages": ocr.pages, "ocr_confidence": ocr.confidence} if ocr and ocr.pages else {}
    return {"layout": build(lines), "sizes": sizes, "meta": meta | ocr_meta, "warnings": warnings}
