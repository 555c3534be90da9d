"""Reader for ``.pdf`` inputs: pypdfium2 characters and boxes, page by page, into source lines.

Each page is opened, read into characters with their boxes, put in reading order
(:mod:`.columns`) and closed before the next one; only the page's source lines are kept, so a
long PDF's memory grows with its text, not with its pages' objects. Tables (:mod:`.tables`): ruled
ones from the page's drawn lines, on pages that draw some (pdfplumber's table finder, given those
lines); unruled ones from lines whose fragments line up in columns, on every page. Each table is one
block in the reading order. Running headers, footers and page numbers (lines in the top or bottom
margin that repeat across pages or look like page numbers) are dropped. Raised, smaller digits are
footnote markers, written as Unicode superscript digits. The reader runs in a forked child under a
time limit (``timeout_s``), so a file that hangs or crashes the PDF library becomes an error, never
a stuck pipeline; the child builds the canonical text and sends it back with its boxes.

Speed: about 35-48 pages/s per core on dense two-column pages (``benchmarks/ingest.py``).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import re
import statistics
from array import array
from pathlib import Path

from pipeline.core import names
from pipeline.core.document import Document, Page
from pipeline.ingest.columns import Char, Fragment, Line, fragments, reading_order
from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import build
from pipeline.ingest.lines import HINT_TABLE_ROW, SourceLine
from pipeline.ingest.tables import MIN_RULINGS, PageTable, aligned_tables, page_tables, ruling_edges

_PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\W*$", re.I)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MARGIN_ZONE = 0.09  # top and bottom share of the page where running heads and page numbers live
_HYPHEN_CHARS = {"\x02": "-", "\ufffe": "-", "\u00ad": "-"}  # pdfium: a line-end hyphen is U+0002 (U+FFFE in GetText)


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


def page_chars(textpage, height: float) -> list[Char]:
    """The page's visible characters in content-stream order, boxes from the top-left corner.

    This loop is the reader's hot spot (one pass over every character), so it makes as few calls
    into pdfium as it can: the page's text comes in one call, each character's box is its *loose*
    box (the glyph's advance across, the font's ascent to descent up and down: no false gaps inside
    words, and the same height along a line), and its font size is asked for only when the box height
    changes (a new font or size). Generated characters (pdfium's own spaces and line breaks) have an
    empty box and are skipped with the other whitespace.
    """
    import pypdfium2.raw as raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    buf = (ctypes.c_ushort * (n + 1))()
    raw.FPDFText_GetText(tp, 0, n, buf)
    text = bytes(buf)[: 2 * n].decode("utf-16-le", errors="replace")
    if len(text) != n:  # a character outside the BMP shifts the indices: ask for each one instead
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, k) or 0xFFFD) for k in range(n))
    loose_box, font_size = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetFontSize
    box = raw.FS_RECTF()
    out: list[Char] = []
    space = False
    last_h, size = -1.0, 0.0
    memo: dict[float, float] = {}
    for k, ch in enumerate(text):
        if ch.isspace() or ch == "\x00":
            space = True
            continue
        if not loose_box(tp, k, box):
            continue
        x0, x1, top, bottom = box.left, box.right, height - box.top, height - box.bottom
        if x1 <= x0 or bottom <= top:  # generated (no glyph) or invisible
            space = True
            continue
        h = bottom - top
        if h != last_h:
            size, last_h = round(font_size(tp, k) or h, 2), h
        # Rounded coordinates are shared float objects: a line's characters share top and bottom, and
        # each one's x0 is the previous one's x1, so a page's boxes cost one new float per character.
        if (rx0 := memo.get(x0)) is None:
            rx0 = memo[x0] = round(x0, 2)
        if (rx1 := memo.get(x1)) is None:
            rx1 = memo[x1] = round(x1, 2)
        if (rtop := memo.get(top)) is None:
            rtop = memo[top] = round(top, 2)
        if (rbottom := memo.get(bottom)) is None:
            rbottom = memo[bottom] = round(bottom, 2)
        out.append(Char(_HYPHEN_CHARS.get(ch, ch), rx0, rtop, rx1, rbottom, size, space))
        space = False
    return out


def line_to_source(line: Line, page: int) -> SourceLine:
    """One line's text with one box per character; raised small digits become superscripts."""
    chars = [c for f in line.frags for c in f.chars]
    main = line.size
    normal = [c.bottom for c in chars if c.size >= 0.8 * main] or [c.bottom for c in chars]
    baseline = statistics.median(normal)
    text: list[str] = []
    origins: list[tuple] = []
    prev: Char | None = None
    for f_i, f in enumerate(line.frags):
        for j, c in enumerate(f.chars):
            sup = c.size < 0.8 * main and c.bottom < baseline - 0.15 * main
            gap = prev is not None and (c.x0 - prev.x1 > 0.2 * min(c.size, prev.size) or c.space_before)
            new_frag = prev is not None and j == 0 and f_i > 0
            if prev is not None and (new_frag or gap) and not (sup and not c.space_before and c.x0 - prev.x1 < 1.5):
                text.append(" ")
                origins.append(origins[-1])
            text.append(c.text.translate(_SUPERSCRIPT) if sup else c.text)
            origins.append((page, c.x0, c.top, c.x1, c.bottom))
            prev = c
    return SourceLine("".join(text), origins, page=page, size=round(main, 1))


def page_lines(lines: list[Line], page: int) -> list[SourceLine]:
    """Source lines of one page, with a break at a column or band change, a wide gap or a size change."""
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
            out.extend(line.frags[0].table)
            out.append(SourceLine("", []))
            prev = None
            continue
        sl = line_to_source(line, page)
        if prev is not None and (
            (prev.band, prev.column) != (line.band, line.column)
            or line.baseline - prev.baseline > max(usual * 1.4, usual + 3)
            or abs((out[-1].size or 0) - (sl.size or 0)) > 0.6
        ):
            out.append(SourceLine("", []))
        out.append(sl)
        prev = line
    return out


def _is_table(line: Line) -> bool:
    return line.frags[0].table is not None


def _read_page(page, number: int, plumber) -> tuple[list[SourceLine], list[SourceLine]]:
    """One page's lines in reading order, and those of them in the top and bottom margins."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        chars = page_chars(textpage, height)
    finally:
        textpage.close()
    frags = fragments(chars)
    tables: list[PageTable] = []
    if chars:
        edges = ruling_edges(page, height)
        if len(edges) >= MIN_RULINGS:
            tables = page_tables(plumber(), number, chars, edges)
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
    src = page_lines(lines, number)
    zone = MARGIN_ZONE * height
    heads = [
        sl
        for sl in src
        if sl.origins
        and sl.cells is None
        and (max(o[4] for o in sl.origins) < zone or min(o[2] for o in sl.origins) > height - zone)
    ]
    return src, heads


def _running_keys(pages_heads: list[list[SourceLine]]) -> set[str]:
    counts: dict[str, int] = {}
    for heads in pages_heads:
        for key in {re.sub(r"\d+", "#", h.text) for h in heads}:
            counts[key] = counts.get(key, 0) + 1
    n = len(pages_heads)
    return {k for k, c in counts.items() if n >= 2 and c >= max(2, 0.5 * n)}


def _read(path: Path, password: str | None) -> dict:
    pdf = _open(path, password)
    plumber_pdf = None

    def plumber():
        nonlocal plumber_pdf
        if plumber_pdf is None:
            import pdfplumber

            plumber_pdf = pdfplumber.open(path, password=password or "")
        return plumber_pdf

    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise IngestError("PDF has no pages")
        sizes, bodies, heads = [], [], []
        for i in range(n_pages):
            page = pdf[i]
            try:
                sizes.append(tuple(float(v) for v in page.get_size()))
                body, head = _read_page(page, i + 1, plumber)
            finally:
                page.close()
            bodies.append(body)
            heads.append(head)
        meta = {k: str(v) for k, v in (pdf.get_metadata_dict() or {}).items() if v}
    finally:
        pdf.close()
        if plumber_pdf is not None:
            plumber_pdf.close()
    running = _running_keys(heads)
    lines: list[SourceLine] = []
    for body, head in zip(bodies, heads):
        # A margin line that is neither a page number nor repeated on other pages is real text: kept in place.
        drop = {id(h) for h in head if _PAGE_NUMBER.match(h.text) or re.sub(r"\d+", "#", h.text) in running}
        lines.extend(sl for sl in body if id(sl) not in drop)
        lines.append(SourceLine("", []))
    if not any(line.text.strip() for line in lines):
        raise IngestError("no text layer (needs OCR)")
    # The canonical text is built here, in the reader's child when there is one: the parent then
    # receives only the finished text and boxes, never the per-line objects as well.
    return {"layout": build(lines), "sizes": sizes, "meta": meta}


def _pack(origins: list) -> tuple[bytes, bytes, list[int], list[int]]:
    """Character boxes as two flat arrays (pages, coordinates) for the trip from the reader's child.

    Pickled as tuples, every coordinate would arrive as its own float object (pickle does not share
    floats); as arrays they cost 36 bytes a character on the pipe, and :func:`_unpack` shares the
    repeated values again. ``None`` origins (synthetic separators) and origins repeated from the
    previous character (a space) are listed by index.
    """
    pages, coords = array("i"), array("d")
    none, repeat = [], []
    prev = None
    for i, o in enumerate(origins):
        if o is None:
            none.append(i)
            o = (0, 0.0, 0.0, 0.0, 0.0)
        elif o is prev:
            repeat.append(i)
        pages.append(o[0])
        coords.extend(o[1:])
        prev = o
    return pages.tobytes(), coords.tobytes(), none, repeat


def _unpack(pages_b: bytes, coords_b: bytes, none: list[int], repeat: list[int]) -> list:
    pages, coords = array("i"), array("d")
    pages.frombytes(pages_b)
    coords.frombytes(coords_b)
    shared: dict[float, float] = {}
    cols = [list(map(shared.setdefault, coords[k::4], coords[k::4])) for k in range(4)]
    out: list = list(zip(pages, *cols))
    for i in repeat:
        out[i] = out[i - 1]
    for i in none:
        out[i] = None
    return out


def _child(conn, path: Path, password: str | None) -> None:
    try:
        got = _read(path, password)
        got["origins"] = _pack(got["layout"].origins)
        got["layout"].origins = []
        conn.send(("ok", got))
    except IngestError as e:
        conn.send(("error", str(e)))
    except Exception as e:  # noqa: BLE001 - reported to the parent as the document's error
        conn.send(("error", f"unexpected {type(e).__name__}: {e}"))
    finally:
        conn.close()


def _read_with_watchdog(path: Path, password: str | None, timeout_s: float | None) -> dict:
    if not timeout_s:
        return _read(path, password)
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, path, password), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(timeout_s):
            proc.kill()
            raise IngestError(f"timed out after {timeout_s:g} s (raise ingest.timeout_s, or check the file)")
        try:
            status, payload = recv.recv()
        except EOFError:
            proc.join(1)
            raise IngestError(f"PDF reader crashed (exit code {proc.exitcode})") from None
    finally:
        proc.join(1)
        if proc.is_alive():
            proc.kill()
        recv.close()
    if status == "error":
        raise IngestError(payload)
    payload["layout"].origins = _unpack(*payload.pop("origins"))
    return payload


def read_pdf(doc: Document, path: Path, password: str | None = None, timeout_s: float | None = None) -> Document:
    """Fill ``doc`` from a PDF file; ``timeout_s`` runs the reader in a child process under that limit."""
    got = _read_with_watchdog(path, password, timeout_s)
    layout = got["layout"]
    doc.text = layout.text
    doc.blocks = layout.blocks
    doc.cells = layout.cells
    doc.char_boxes = [tuple(o) if o is not None else None for o in layout.origins]
    doc.metadata = got["meta"]
    doc.pages = _page_ranges(doc.char_boxes, got["sizes"])
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
