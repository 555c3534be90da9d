"""Tables on a PDF page, ruled and unruled, filled with the page's own pypdfium2 characters.

*Ruled* tables: the page's path objects (read with pypdfium2, :func:`ruling_edges`) become the
horizontal and vertical edges that pdfplumber's table finder turns into cells (its ``explicit``
strategy, so pdfplumber never opens the PDF nor parses a content stream: that parse is what made it
slow).

*Unruled* tables (:func:`aligned_tables`): runs of consecutive lines that each split into several
fragments (runs of characters without a wide gap, :func:`.columns.fragments`) whose x-extents,
taken together, leave the same empty gaps: the gaps are the column separators. A run needs three
lines or more and two columns or more, one of them (after the first) numeric, or else three columns
and four lines (so an author block is not a table); each column must be filled in most rows, its
body cells aligned (left, right, centre or decimal point), and not be running text (line numbers
beside prose are not a table). Two-column prose (one fragment per column line) and reference lists
(one per line) never qualify. The cells
come straight from the fragments' boxes. Measured on a dense generated page: finding the table this
way takes about 3 ms a page, and its cells are the rows as drawn; pdfplumber's ``text`` strategy on
the table's cropped region took 70-110 ms (it parses the whole page) and put an empty row between
every two rows.

Either way a cell takes the characters whose centre falls inside it, so its text keeps each
character's box and gets its own char range in the canonical text; row 0 is the header row and
column 0 holds the row headers.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, cast

import numpy as np

from pipeline.ingest.lines import HINT_TABLE_ROW, SourceLine
from pipeline.ingest.reading_order import Char, Fragment, find_gutter, fragments, same_baseline

MIN_RULINGS = 4  # edges a page needs before its ruled tables are looked for
_NUMERIC = re.compile(r"^[-+−–(]?[$€£]?\.?\d[\d,.\s]*%?\)?[*†‡]*$")  # ".070": no leading zero


@dataclass
class PageTable:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[SourceLine]  # one table-row line per row, with ``cells`` ranges
    chars: list[Char]  # the page characters inside the table (taken out of the text flow)


# --- ruled tables -------------------------------------------------------------------------------------


def ruling_edges(page, height: float, thin: float = 2.0) -> list[dict]:
    """The page's drawn lines and rectangle sides as pdfplumber edges (top-left origin).

    A path whose bounds are thin one way is one edge; any other path gives its bounding box's four
    sides (a rectangle, a cell background). Curves give their box too: harmless, as a table needs a grid.
    """
    edges: list[dict] = []
    for left, bottom, right, top in _path_bounds(page):
        x0, x1, y0, y1 = left, right, height - top, height - bottom
        if y1 - y0 <= thin and x1 - x0 > thin:
            edges.append(_edge("h", x0, x1, (y0 + y1) / 2, (y0 + y1) / 2))
        elif x1 - x0 <= thin and y1 - y0 > thin:
            edges.append(_edge("v", (x0 + x1) / 2, (x0 + x1) / 2, y0, y1))
        elif x1 - x0 > thin and y1 - y0 > thin:
            edges += [
                _edge("h", x0, x1, y0, y0),
                _edge("h", x0, x1, y1, y1),
                _edge("v", x0, x0, y0, y1),
                _edge("v", x1, x1, y0, y1),
            ]
    return edges


def _path_bounds(page) -> list[tuple[float, float, float, float]]:
    """The bounds (left, bottom, right, top) of the page's own path objects (not those inside a form
    XObject), read with pdfium's C calls: no wrapper object per page object."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    count = raw.FPDFPage_CountObjects(page)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    left, bottom, right, top = bounds = [ctypes.c_float() for _ in range(4)]
    out = []
    for i in range(count):
        obj = raw.FPDFPage_GetObject(page, i)
        if not obj:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        if not raw.FPDFPageObj_GetBounds(obj, *bounds):
            raise pdfium.PdfiumError("Failed to locate pageobject.")
        out.append((left.value, bottom.value, right.value, top.value))
    return out


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {
        "object_type": "line_edge",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def page_tables(number: int, chars: list[Char], edges: list[dict]) -> list[PageTable]:
    """The ruled tables of page ``number`` (1-based) drawn by ``edges``, cells filled from ``chars``.

    pdfplumber's table finder is given the edges as explicit lines, for both directions: it then
    never looks at a page of its own, so none is opened (the PDF is not parsed by pdfminer at all).
    """
    from pdfplumber.table import TableFinder

    settings = {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": edges,
        "explicit_horizontal_lines": edges,
    }
    out = []
    for t in TableFinder(cast(Any, None), settings).tables:  # explicit lines only: no page needed
        rows = [row.cells for row in t.rows]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        bbox = t.bbox  # computed from all the cells at each access
        inside = [c for c in chars if _within(c, bbox)]
        if not inside:
            continue
        table = PageTable(bbox, [_row(cells, inside, number) for cells in rows], inside)
        if _filled(table):
            out.append(table)
    return out


def _filled(table: PageTable) -> bool:
    """Whether a grid holds a table: two rows or more with two filled cells, and half its cells filled
    (a chart's gridlines make a grid too, with a few axis labels in it)."""
    filled = [[b > a for a, b in row.cells or []] for row in table.rows]
    cells = sum(len(r) for r in filled)
    return sum(1 for r in filled if sum(r) >= 2) >= 2 and sum(map(sum, filled)) >= 0.5 * cells


# --- unruled tables -----------------------------------------------------------------------------------


def aligned_tables(frags: list[Fragment], number: int, width: float, min_rows: int = 3) -> list[PageTable]:
    """Unruled tables of page ``number``: runs of lines whose fragments line up in columns.

    On a page with a gutter the rows are read three ways: as the gutter places them (full-width
    rows, and lines of the left and right columns), and as the left and the right halves of every
    row that no fragment crosses the gutter in (a table in one column beside another table or
    prose). The candidates are taken largest first, each character in one table only.
    """
    text = _without_stacks([f for f in frags if f.table is None and f.chars])
    if len(text) < min_rows * 2:
        return []
    g = find_gutter(text, width)
    left_edge, right_edge = min(f.x0 for f in text), max(f.x1 for f in text)
    col_w = min(g - left_edge, right_edge - g) if g is not None else right_edge - left_edge
    lines = same_baseline(text)
    tracks: dict[str, list[list[Fragment]]] = {"full": [], "left": [], "right": []}
    for split in _with_neighbours([_split_row(row, g, col_w) for row in lines], col_w):
        for track, members in split:
            tracks[track].append(members)
    spans = {"full": right_edge - left_edge, "left": col_w, "right": col_w}
    if g is not None:
        crossed = [any(f.x0 < g < f.x1 for f in row) for row in lines]
        # a row crossing the gutter becomes an empty row: it ends any run on either side
        tracks["left half"] = [[] if c else [f for f in row if f.x1 <= g] for row, c in zip(lines, crossed)]
        tracks["right half"] = [[] if c else [f for f in row if f.x0 >= g] for row, c in zip(lines, crossed)]
        spans["left half"] = spans["right half"] = col_w
    found: list[PageTable] = []
    for track, rows in tracks.items():
        for run in _runs(rows, min_rows, spans[track]):
            table = _run_table(run, number, min_rows)
            if table is not None:
                found.append(_with_header_above(table, run, rows, number))
    found.sort(key=lambda t: (-sum(len(r.cells or []) for r in t.rows), t.bbox[1], t.bbox[0]))
    return sorted(_disjoint(found), key=lambda t: (t.bbox[1], t.bbox[0]))


def _disjoint(tables: list[PageTable]) -> list[PageTable]:
    """The tables less any that shares a character with one found before it (each character is in
    one table only, so the canonical text never holds it twice)."""
    taken: set[int] = set()
    out = []
    for t in tables:
        ids = {id(c) for c in t.chars}
        if not ids & taken:
            out.append(t)
            taken |= ids
    return out


def _with_header_above(
    table: PageTable, run: list[list[Fragment]], rows: list[list[Fragment]], number: int
) -> PageTable:
    """The table with the header lines just above it that its run left out (a rule between a header
    and the first row leaves a wider gap): up to three lines, each within the table's width, words in
    two cells or more, no caption, no prose; kept only if the table keeps its columns."""
    x0, _, x1, _ = table.bbox
    k = next((i for i, row in enumerate(rows) if row is run[0]), None)
    if k is None:
        return table
    above: list[list[Fragment]] = []
    first = run[0]
    for row in reversed(rows[max(0, k - 3) : k]):
        if not row:
            break
        h = _bottom(first) - _top(first)
        gap = _top(first) - _bottom(row)
        if (
            gap > (3 if not above else 1.5) * h
            or _CAPTION.match(_text(row[0]))
            or any(f.x0 < x0 - 2 or f.x1 > x1 + 2 or f.x1 - f.x0 > 0.6 * (x1 - x0) for f in row)
        ):
            break
        above.insert(0, row)
        first = row
    while above and len(above[0]) < 2:  # a header starts with words over two columns or more
        above.pop(0)
    if not above:
        return table
    wider = _aligned_table(above + run, number)
    if wider is None or len(wider.rows[0].cells or []) != len(table.rows[0].cells or []):
        return table
    return wider


def _run_table(run: list[list[Fragment]], number: int, min_rows: int) -> PageTable | None:
    """The run as a table; failing that, the run less its first row (a header spanning two columns,
    a stray line above the table)."""
    return _aligned_table(run, number) or (_aligned_table(run[1:], number) if len(run) > min_rows else None)


def _without_stacks(frags: list[Fragment], least: int = 5) -> list[Fragment]:
    """The fragments less those of a vertical line of text (a rotated margin line, a stamp): one
    character each, stacked at one x, ``least`` or more; each would be a row of the page's tables."""
    singles = [f for f in frags if len(f.chars) == 1]
    if len(singles) < least:
        return frags
    xs = np.array([round(f.x0) for f in singles])
    values, counts = np.unique(xs, return_counts=True)
    stacked = set(values[counts >= least].tolist())
    stacked |= {x + d for x in stacked for d in (-1, 1)}
    drop = {id(f) for f, x in zip(singles, xs.tolist()) if x in stacked}
    return [f for f in frags if id(f) not in drop] if drop else frags


def _split_row(row: list[Fragment], g: float | None, col_w: float) -> list[tuple[str, list[Fragment]]]:
    """A row is one full-width line unless the page has a gutter that the row leaves free and one
    side of it is a prose line (one wide fragment) or empty: then each side is a line of its column."""
    if g is None or any(f.x0 < g < f.x1 for f in row):
        return [("full", row)]
    left = [f for f in row if f.x1 <= g]
    right = [f for f in row if f.x0 >= g]

    if left and right and not _is_prose(left, col_w) and not _is_prose(right, col_w):
        return [("full", row)]
    return [(name, side) for name, side in (("left", left), ("right", right)) if side]


def _with_neighbours(
    splits: list[list[tuple[str, list[Fragment]]]], col_w: float
) -> list[list[tuple[str, list[Fragment]]]]:
    """Rows the gutter cannot place go the way of their neighbours. A row with words on one side of
    the gutter only (no prose line) goes the way of the nearest placed row above: inside a
    full-width table it is one of the table's rows (a standard error under the first model only),
    beside a column of prose a line of its column. A row with a long label on one side and numbers
    on the other is a full-width table row when the placed rows above and below it are full width."""

    def lone(split: list[tuple[str, list[Fragment]]]) -> bool:
        return len(split) == 1 and split[0][0] != "full" and not _is_prose(split[0][1], col_w)

    def label_and_numbers(split: list[tuple[str, list[Fragment]]]) -> bool:
        if len(split) != 2:
            return False
        (_, left), (_, right) = split
        return _is_prose(left, col_w) and len(right) >= 2 and all(_NUMERIC.match(_text(f)) for f in right)

    placed = ["full" if s[0][0] == "full" else "split" for s in splits]
    unknown = [lone(s) or label_and_numbers(s) for s in splits]
    out = []
    for k, split in enumerate(splits):
        if unknown[k]:
            above = next((placed[j] for j in range(k - 1, -1, -1) if not unknown[j]), "split")
            below = next((placed[j] for j in range(k + 1, len(splits)) if not unknown[j]), "split")
            if (lone(split) and "full" in (above, below)) or (above == below == "full"):
                split = [("full", [f for _, side in split for f in side])]
        out.append(split)
    return out


def _is_prose(side: list[Fragment], col_w: float) -> bool:
    return len(side) == 1 and side[0].x1 - side[0].x0 > 0.6 * col_w


def _runs(rows: list[list[Fragment]], min_rows: int, span: float) -> list[list[list[Fragment]]]:
    """Maximal runs of vertically close rows of two fragments or more that keep two columns or more.

    A row of one short fragment (a row label such as "Ethnic group", a header's second line) may
    sit inside a run, between rows of two fragments or more; it never starts or ends one.
    """
    out: list[list[list[Fragment]]] = []
    run: list[list[Fragment]] = []

    def flush() -> None:
        while run and len(run[-1]) < 2:
            run.pop()
        if sum(1 for r in run if len(r) >= 2) >= min_rows:
            out.append(list(run))

    for row in rows:
        close = bool(run) and bool(row) and _close(run, row)
        label = len(row) == 1 and row[0].x1 - row[0].x0 < 0.4 * span
        if close and (label or (len(row) >= 2 and len(_columns(run + [row])) >= 2)):
            run.append(row)
            continue
        flush()
        run = [row] if len(row) >= 2 else []
    flush()
    return out


def _close(run: list[list[Fragment]], row: list[Fragment]) -> bool:
    """Whether ``row`` is near enough below the run's last row to continue it: a gap of one and a
    half line heights, or up to twice the run's usual gap (double-spaced tables), never past 2.5."""
    h = _bottom(run[-1]) - _top(run[-1])
    gap = _top(row) - _bottom(run[-1])
    gaps = sorted(_top(b) - _bottom(a) for a, b in pairwise(run))
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    return gap <= 1.5 * h or gap <= min(2 * usual, 2.5 * h)


def _columns(rows: list[list[Fragment]]) -> list[tuple[float, float]]:
    """The x-intervals that the rows of two fragments or more cover together, left to right.

    A fragment that bridges a gap left free by all the other rows (a header spanning two columns)
    does not close that gap when at least four rows keep it open.
    """
    numeric = [row for row in rows if len(row) >= 2 and any(_NUMERIC.match(_text(f)) for f in row[1:])]
    if len(numeric) >= 3:  # the rows of numbers draw the columns; a header's words may bridge two of them
        rows = numeric
    multi = [f for row in rows if len(row) >= 2 for f in row]
    if not multi:
        return []
    x0 = np.array([f.x0 for f in multi])
    x1 = np.array([f.x1 for f in multi])
    lo = float(x0.min()) - 1
    n = int(np.ceil(float(x1.max()) - lo)) + 2
    cover = np.zeros(n + 1, dtype=np.int32)  # fragments covering each 1-pt slot (1 pt of slack each side)
    np.add.at(cover, np.floor(x0 - lo - 1.0).astype(int).clip(0, n), 1)
    np.add.at(cover, np.ceil(x1 - lo + 1.0).astype(int).clip(0, n), -1)
    cover = np.cumsum(cover)[:n]
    bridging = max(1, len(rows) // 8) if len(rows) >= 4 else 0
    filled = cover > bridging
    edges = np.flatnonzero(np.diff(np.concatenate(([0], filled.astype(np.int8), [0]))))
    return [(lo + a + 1.0, lo + b - 1.0) for a, b in zip(edges[::2], edges[1::2])]


def _aligned_table(run: list[list[Fragment]], number: int) -> PageTable | None:
    """The run as a table, or None unless its columns look like a table's (see the module docstring)."""
    while run and _CAPTION.match(_text(run[0][0])):  # "Table 2. …" over the table is its caption
        run = run[1:]
    cols = _columns(run)
    while run and cols and any(_bridges(f, cols) for f in run[0]):  # a header spanning columns: left out
        run = run[1:]
    cols = _columns(run)
    if len(cols) < 2:
        return None
    k = _header_lines(run, cols)
    body_rows = [row for row in run[k:] if len(row) >= 2]
    if len(body_rows) < 2:
        return None
    bounds = [cols[0][0] - 1] + [(b + a) / 2 for (_, b), (a, _) in pairwise(cols)] + [cols[-1][1] + 1]
    inner = np.array(bounds[1:-1])  # cell borders: the middles of the gaps
    members: list[list[Fragment]] = [[] for _ in cols]
    for row in run[k:]:
        for f in row:
            members[int(np.searchsorted(inner, (f.x0 + f.x1) / 2))].append(f)
    numeric = any(len(m) >= 2 and sum(1 for f in m if _NUMERIC.match(_text(f))) >= 0.6 * len(m) for m in members[1:])
    if not numeric and (len(cols) < 3 or len(run) < 4):  # word-only columns: an author block is not a table
        return None
    n = len(body_rows)
    crowded = sum(1 for row in body_rows if _crowded(row, inner))
    if crowded > n / 4:  # two numbers side by side in one cell, row after row: not this table's columns (a chart)
        return None
    for j, m in enumerate(members):
        need = 0.6 * n if j else 0.4 * n  # a row label may stand for two rows (an estimate and its s.e.)
        # row labels may indent, and a column of estimates, errors in brackets and stars need not
        # share an edge: the alignment test is for columns of words
        if len(m) < need or (j and not _mostly_numeric(m) and not _aligned(m)) or _prose(m):
            return None
    rows = []
    for group in [run[:k]] + [[row] for row in run[k:]]:
        cells: list[list[Char]] = [[] for _ in cols]
        for line in group:
            for f in line:
                home = _home(f, cols) if any(f.x0 < m < f.x1 for m in inner) else None
                if home is not None:  # a header wider than its column
                    cells[home].extend(f.chars)
                    continue
                for c in f.chars:  # by the character's centre: a header's words may run on without a gap
                    cells[int(np.searchsorted(inner, (c.x0 + c.x1) / 2))].append(c)
        rows.append(_cells_row(cells, number))
    chars = [c for row in run for f in row for c in f.chars]
    return PageTable((bounds[0], _top(run[0]), bounds[-1], _bottom(run[-1])), rows, chars)


_CAPTION = re.compile(r"^(?:Table|TABLE|Tab\.)\s*[A-Z]?\d+\b")


def _bridges(f: Fragment, cols: list[tuple[float, float]]) -> bool:
    """Whether a fragment spans columns: it covers a whole gap between two, or a cell border (a gap's
    middle) cuts one of its words."""
    for (_, b), (a, _) in pairwise(cols):
        if f.x0 < b and f.x1 > a:
            return True
        mid = (a + b) / 2
        if f.x0 < mid < f.x1 and _home(f, cols) is None:
            after = next((c for c in f.chars if (c.x0 + c.x1) / 2 > mid), None)
            if after is not None and not after.space_before:
                return True
    return False


def _home(f: Fragment, cols: list[tuple[float, float]]) -> int | None:
    """The column a fragment belongs to whole although it runs past a cell border on the right: it
    starts past the border on its left, inside that column's extent or the half gap before it, and
    reaches no other column's extent (a header wider than its column of numbers)."""
    for j, (a, b) in enumerate(cols):
        left = (cols[j - 1][1] + a) / 2 if j else a - 2
        if left <= f.x0 <= b:
            return j if all(f.x1 <= a2 for a2, _ in cols[j + 1 :]) else None
    return None


def _header_lines(run: list[list[Fragment]], cols: list[tuple[float, float]], most: int = 5) -> int:
    """How many lines at the top of the run are its column header: those above the first line with
    a number beyond the row-label column (one at least; a header of years is still one line)."""
    label_end = cols[0][1]
    for k, row in enumerate(run[: most + 1]):
        if any(f.x0 > label_end and _NUMERIC.match(_text(f)) for f in row):
            return max(k, 1)
    return 1


def _crowded(row: list[Fragment], inner: np.ndarray) -> bool:
    """Whether two numbers of a row fall in one cell."""
    cells = [int(np.searchsorted(inner, (f.x0 + f.x1) / 2)) for f in row if _NUMERIC.match(_text(f))]
    return len(cells) != len(set(cells))


def _mostly_numeric(frags: list[Fragment]) -> bool:
    return sum(1 for f in frags if _NUMERIC.match(_text(f))) >= len(frags) / 2


def _aligned(frags: list[Fragment], tol: float = 1.5) -> bool:
    """Whether two thirds of a column's body cells share their left or right edge, centre or decimal point."""
    if len(frags) < 2:
        return True
    need = 2 * len(frags) / 3
    x0 = np.array([f.x0 for f in frags])
    x1 = np.array([f.x1 for f in frags])
    dots = [next((c.x0 for c in reversed(f.chars) if c.text == "."), None) for f in frags]
    for xs in (x0, x1, (x0 + x1) / 2, np.array([d for d in dots if d is not None])):
        if len(xs) < need:
            continue
        xs = np.sort(xs)  # how many lie within ``tol`` of each: two binary searches per point
        within = np.searchsorted(xs, xs + tol, side="right") - np.searchsorted(xs, xs - tol, side="left")
        if within.max() >= need:
            return True
    return False


def _text(f: Fragment) -> str:
    return "".join(c.text for c in f.chars)


def _prose(frags: list[Fragment], words: int = 7) -> bool:
    """Whether a column holds running text (most cells of ``words`` words or more), as next to line numbers."""
    counts = sorted(1 + sum(1 for c in f.chars[1:] if c.space_before) for f in frags)
    return counts[len(counts) // 2] >= words


def _top(row: list[Fragment]) -> float:
    return min(f.top for f in row)


def _bottom(row: list[Fragment]) -> float:
    return max(f.bottom for f in row)


# --- cells --------------------------------------------------------------------------------------------


def _within(c: Char, bbox) -> bool:
    x0, top, x1, bottom = bbox
    return x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom


def _row(cells: list, chars: list[Char], page: int) -> SourceLine:
    """One ruled table row: each cell takes the characters whose centre falls inside its box."""
    return _cells_row([[c for c in chars if _within(c, bbox)] if bbox is not None else [] for bbox in cells], page)


def _cells_row(cells: list[list[Char]], page: int) -> SourceLine:
    """One table row: its cells' characters joined with tabs, each cell's [a, b) range in ``cells``."""
    text: list[str] = []
    origins: list[tuple] = []
    spans: list[tuple[int, int]] = []
    for k, mine in enumerate(cells):
        if k:
            text.append("\t")
            origins.append(origins[-1] if origins else (page, 0.0, 0.0, 0.0, 0.0))
        start = len(text)
        for f_i, f in enumerate(fragments(mine)):
            for j, c in enumerate(f.chars):
                if (j and c.space_before) or (f_i and not j):
                    text.append(" ")
                    origins.append(origins[-1])
                text.append(c.text)
                origins.append((page, c.x0, c.top, c.x1, c.bottom))
        spans.append((start, len(text)))
    return SourceLine("".join(text), origins, hint=HINT_TABLE_ROW, page=page, cells=spans)
