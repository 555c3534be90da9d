"""Tables in text inputs: found among the source lines and rebuilt as rows of cells.

Text converted from a PDF keeps a table's words but loses its grid. Three shapes are recognised,
all by their form, never by what the table is about:

* **aligned tables**: two or more consecutive lines cut into the same number of cells by tabs,
  runs of two or more spaces, or `` | ``, with a number in every body row (markdown pipe tables
  are already marked by :mod:`.markdown` and are not handled here);
* **captioned tables**: after a ``Table N`` caption line, lines that end with one or more numbers
  (``China 1,500,000 1,296,000``). The text before the trailing numbers is the row header; a row
  header broken over several lines, or printed on the lines before its numbers, is joined. The
  lines between the caption and the first row are the column headers. The table ends at a
  ``Note``/``Source`` line (which stays, as the next block), at a caption, or at prose;
* **fact boxes**: a run of name lines (``Russia``, ``Germany`` …) and, a few lines later, a run
  of as many lines holding one number each (``2,559,711`` …), as a PDF fact box comes out when
  its columns are read one after the other. Each name is paired with its number, in order.

Each table becomes a :class:`TextTable`: one :class:`SourceLine` per row, holding its cells'
words joined by single spaces, cells separated by a tab, each character keeping its origin. A
fact box's rows pair characters from two places in the source, so the canonical text reads
``Russia<TAB>2,559,711`` where the source had the names first and the numbers after.

A cell's column is its position in the row, except that in a captioned table a row with fewer
numbers than the table has number columns fills them from the left: the text does not say which
column such a number is in (:mod:`pipeline.figures.tables` reads no column header for it).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.ingest.lines import HINT_TABLE_ROW, Origin, SourceLine

_CAPTION = re.compile(r"^\s*(?:Table|Tab\.)\s*\d+\b", re.I)
_NOTE = re.compile(r"^\s*(?:Notes?|Sources?)\b", re.I)
_ALIGNED_SEP = re.compile(r"\t+|\s{2,}|\s\|\s")
# a value never ends in "." or ",": "2009." closes a sentence, it is no cell
_NUMBER = re.compile(r"^[<>~≈±$€£]?\d(?:[\d,.]*\d)?(?:\s?[-–]\s?\d(?:[\d,.]*\d)?)?%?[⁰¹²³⁴⁵⁶⁷⁸⁹]*$")
_SENTENCE = re.compile(r"^\S+(?:\s+\S+){3,}.*[a-z)\d][.!?]$")  # four or more words ending a sentence
_YEAR = re.compile(r"^(?:1[6-9]|20)\d\d(?:[-–](?:(?:1[6-9]|20)\d\d|\d\d))?$")
_MAGNITUDE = frozenset("million millions thousand billion mln bn m k % percent per cent".split())
_QUALIFIERS = frozenset("about approx. approximately around over nearly almost ca. c. under some roughly".split())
_QUALIFIER_PAIRS = frozenset({("more", "than"), ("less", "than"), ("fewer", "than"), ("up", "to")})
_SUPERSCRIPT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_CONNECTORS = frozenset("of and the & de du la von van der da al el".split())
_MAX_LABEL = 40  # longest row header line; a longer line without numbers is prose
_FACT_WINDOW = 10  # how many lines a fact box's names may sit before its numbers (besides the names)

Token = tuple[int, int, int]  # (line index, start, end) of one word in ``lines[i].text``


@dataclass
class TextTable:
    """A table found in the source lines: one row line each (``cells`` set), their columns, header rows."""

    rows: list[SourceLine]
    cols: list[list[int]]
    header_rows: int = 0
    lines: list[int] = field(default_factory=list)  # the source lines it was made from


def detect(lines: list[SourceLine]) -> list[SourceLine | TextTable]:
    """``lines`` with each table's lines replaced by one :class:`TextTable` where the table starts."""
    tables: list[TextTable] = []
    used: set[int] = set()
    for finder in (_aligned_tables, _captioned_tables, _fact_boxes):
        for t in finder(lines, used):
            tables.append(t)
            used.update(t.lines)
    first = {min(t.lines): t for t in tables}
    out: list[SourceLine | TextTable] = []
    for i, line in enumerate(lines):
        if i in first:
            out.append(first[i])
        elif i not in used:
            out.append(line)
    return out


# --- reading words ------------------------------------------------------------------------------


def _words(lines: list[SourceLine], i: int, a: int = 0, z: int | None = None) -> list[Token]:
    text = lines[i].text
    return [(i, a + m.start(), a + m.end()) for m in re.finditer(r"\S+", text[a : len(text) if z is None else z])]


def _w(lines: list[SourceLine], t: Token) -> str:
    return lines[t[0]].text[t[1] : t[2]]


def _is_value(word: str) -> bool:
    return bool(_NUMBER.match(word))


def _free(lines: list[SourceLine], i: int, used: set[int]) -> bool:
    return i not in used and lines[i].hint is None and lines[i].cells is None


def _row_line(lines: list[SourceLine], cells: list[list[Token]], extra: list[Token] | None = None) -> SourceLine:
    """One table row as a line: the cells' words joined by spaces, cells by a tab; ``extra`` words follow, in no cell."""
    text: list[str] = []  # one character each
    origins: list[Origin] = []
    spans: list[tuple[int, int]] = []

    def put(words: list[Token], sep: str) -> None:
        for k, t in enumerate(words):
            if k or text:
                text.append(" " if k else sep)
                origins.append(origins[-1])
            text.extend(_w(lines, t))
            origins.extend(lines[t[0]].origins[t[1] : t[2]])

    for words in cells:
        put(words[:1], "\t")
        start = len(text) - len(_w(lines, words[0]))
        put(words[1:], " ")
        spans.append((start, len(text)))
    put(extra or [], " ")
    line = lines[cells[0][0][0]]
    return SourceLine("".join(text), origins, HINT_TABLE_ROW, line.page, line.size, cells=spans)


# --- aligned tables ------------------------------------------------------------------------------


def _aligned_cells(lines: list[SourceLine], i: int) -> list[list[Token]]:
    text = lines[i].text
    stripped = text.strip()
    if not stripped:
        return []
    a0 = text.find(stripped)
    cuts = [(m.start() + a0, m.end() + a0) for m in _ALIGNED_SEP.finditer(stripped)]
    bounds = [a0] + [x for c in cuts for x in c] + [a0 + len(stripped)]
    return [w for w in (_words(lines, i, a, z) for a, z in zip(bounds[::2], bounds[1::2])) if w]


def _aligned_tables(lines: list[SourceLine], used: set[int]) -> list[TextTable]:
    out: list[TextTable] = []
    i = 0
    while i < len(lines):
        run: list[tuple[int, list[list[Token]]]] = []
        j = i
        while j < len(lines) and _free(lines, j, used) and len(cells := _aligned_cells(lines, j)) >= 2:
            run.append((j, cells))
            j += 1
        table = _aligned_table(lines, run)
        if table:
            out.append(table)
        i = max(j, i + 1)
    return out


def _aligned_table(lines: list[SourceLine], run: list[tuple[int, list[list[Token]]]]) -> TextTable | None:
    """The table in a run of cut lines: a header row, then body rows of one width with a number each."""
    if len(run) < 2:
        return None
    width = Counter(len(c) for _, c in run[1:]).most_common(1)[0][0]

    def numeric(cells: list[list[Token]]) -> bool:  # a number past the first cell, years not counted (headers)
        return any(_is_value(w := _w(lines, t)) and not _YEAR.match(w) for cell in cells[1:] for t in cell)

    head = [] if numeric(run[0][1]) else [run[0]]
    body = run[len(head) :]
    if len(body) < 2 or any(len(c) != width or not numeric(c) for _, c in body):
        return None
    if head and len(head[0][1]) not in (width, width - 1):
        return None
    rows, cols = [], []
    for _, cells in head + body:
        rows.append(_row_line(lines, cells))
        cols.append(list(range(width - len(cells), width)))
    return TextTable(rows, cols, len(head), [k for k, _ in run])


# --- captioned tables ----------------------------------------------------------------------------


@dataclass
class _Row:
    label: list[Token]
    values: list[list[Token]]
    extra: list[Token] = field(default_factory=list)
    rank: list[Token] = field(default_factory=list)


def _split_values(lines: list[SourceLine], words: list[Token]) -> tuple[list[Token], list[list[Token]]]:
    """A line's words as (row header words, value cells): the numbers at its end, each with its qualifier."""
    values: list[list[Token]] = []
    k = len(words)
    while k > 0:
        w = _w(lines, words[k - 1]).lower()
        if w in _MAGNITUDE and k >= 2 and _is_value(_w(lines, words[k - 2])):
            values.insert(0, words[k - 2 : k])
            k -= 2
        elif _is_value(w):
            values.insert(0, [words[k - 1]])
            k -= 1
        else:
            break
    if values:
        if k >= 2 and tuple(_w(lines, t).lower() for t in words[k - 2 : k]) in _QUALIFIER_PAIRS:
            values[0][:0] = words[k - 2 : k]
            k -= 2
        elif k >= 1 and _w(lines, words[k - 1]).lower() in _QUALIFIERS:
            values[0].insert(0, words[k - 1])
            k -= 1
    return words[:k], values


def _is_year_only(lines: list[SourceLine], values: list[list[Token]]) -> bool:
    return all(len(v) == 1 and _YEAR.match(_w(lines, v[0])) for v in values)


def _captioned_tables(lines: list[SourceLine], used: set[int]) -> list[TextTable]:
    out = []
    for i, line in enumerate(lines):
        if _free(lines, i, used) and _CAPTION.match(line.text):
            table = _captioned_table(lines, i, used)
            if table:
                out.append(table)
                used = used | set(table.lines)
    return out


def _captioned_table(lines: list[SourceLine], cap: int, used: set[int]) -> TextTable | None:
    i = cap + 1
    while i < len(lines) and lines[i].text.strip() and lines[i].text.lstrip()[:1].islower():
        i += 1  # the caption goes on
    header: list[Token] = []
    rows: list[_Row] = []
    pending: list[Token] = []
    taken: list[int] = []
    last_row_line = None
    ended_by_note = False
    for j in range(i, len(lines)):
        text = lines[j].text.strip()
        if not _free(lines, j, used) or _CAPTION.match(text):
            break
        if not text:
            continue
        if _NOTE.match(text):
            ended_by_note = True
            break
        if rows and _SENTENCE.match(text):
            break  # "The numbers fell in 2009.": the text after the table
        label, values = _split_values(lines, _words(lines, j))
        if values and not _is_year_only(lines, values):
            if label and label[-1][2] - label[0][1] > _MAX_LABEL:
                break  # a sentence that ends in a number: prose
            if not rows:
                header, pending = header + pending, []
            if pending and label:
                rows.append(_Row(pending, []))
            rows.append(_Row(label or pending, values))
            pending = []
            taken.append(j)
            last_row_line = j
            continue
        if len(text) > _MAX_LABEL and rows or len(text) > 2 * _MAX_LABEL:
            break  # prose
        pending += _words(lines, j)
        taken.append(j)
    if ended_by_note and pending and rows:
        rows.append(_Row(pending, []))
    elif last_row_line is not None:
        taken = [j for j in taken if j <= last_row_line]
    counts = Counter(len(r.values) for r in rows if r.values)
    if not counts or counts.most_common(1)[0][1] < 2:
        return None  # not two rows with the same number of numbers
    width = max(c for c, n in counts.items() if n == counts.most_common(1)[0][1])  # number columns
    for r in rows:
        if len(r.values) == width + 1 and len(_w(lines, r.values[-1][-1])) <= 2 < len(_w(lines, r.values[-2][-1])):
            r.extra = r.values.pop()  # a footnote marker after the last number
    _split_ranks(lines, rows)
    ranked = any(r.rank for r in rows)
    lead = 1 + ranked
    table_rows, cols = [], []
    heads, head_cols = _header_cells(lines, header, width, lead)
    if heads:
        table_rows.append(_row_line(lines, heads))
        cols.append(head_cols)
    for r in rows:
        cells = ([r.rank] if ranked else []) + [r.label] + r.values
        keep = [k for k, c in enumerate(cells) if c]
        table_rows.append(_row_line(lines, [cells[k] for k in keep], r.extra))
        cols.append(keep)
    return TextTable(table_rows, cols, 1 if heads else 0, taken)


def _split_ranks(lines: list[SourceLine], rows: list[_Row]) -> None:
    """Leading 1, 2, 3 … on consecutive rows are a rank column, not part of the row headers."""
    firsts = [_w(lines, r.label[0]) if r.label else "" for r in rows]
    n = 0
    while n < len(firsts) and firsts[n] == str(n + 1) and len(rows[n].label) > 1:
        n += 1
    if n >= 2 and n >= len(rows) - 1:
        for r in rows[:n]:
            r.rank, r.label = r.label[:1], r.label[1:]


_FIRST_TITLES = re.compile(
    r"^(?:Ranking|Rank|No\.?|Nr\.?|#|Countr(?:y|ies)|Regions?|States?|Names?|Years?|"
    r"Category|Categories|Indicator|Items?)$",
    re.I,
)


def _part_starts(words: list[str]) -> list[int]:
    """Where each number column's header starts among ``words``: at a capitalized word after a lowercase one or ")"."""
    starts: list[int] = []
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        if (
            not starts
            or (w[:1].isupper() and prev and not prev[:1].isupper() and not prev.endswith("."))
            or (w[:1].isdigit() and prev[:1].isdigit())
        ):  # "2010 2020": one column each
            starts.append(i)
    return starts


def split_headers(header: str, k: int) -> list[str] | None:
    """``"Country Official data Field study data 2007–2009"``, 2 → ``["Official data", "Field study data 2007–2009"]``.

    The first columns' titles (``Country``, ``Ranking`` …) are left out; None when the header does
    not cut into ``k`` parts.
    """
    words = header.split()
    while words and _FIRST_TITLES.match(words[0]):
        words = words[1:]
    starts = _part_starts(words)
    parts = [" ".join(words[a:z]) for a, z in zip(starts, starts[1:] + [len(words)])]
    return parts if len(parts) == k else None


def _header_cells(
    lines: list[SourceLine], words: list[Token], width: int, lead: int
) -> tuple[list[list[Token]], list[int]]:
    """The header words cut into cells, and their columns: the first columns' titles, one header per number column.

    The number columns' headers are cut as :func:`split_headers` does. When the cut gives another
    count than the table has number columns, the whole header is one cell over column 0.
    """
    if not words:
        return [], []
    k = 0
    while k < len(words) and k < lead and _FIRST_TITLES.match(_w(lines, words[k])):
        k += 1
    starts = _part_starts([_w(lines, t) for t in words[k:]])
    if len(starts) != width:
        return [words], [0]
    parts = [words[k + a : k + z] for a, z in zip(starts, starts[1:] + [len(words) - k])]
    titles = [[t] for t in words[:k]]
    return titles + parts, list(range(lead - k, lead)) + list(range(lead, lead + width))


# --- fact boxes -----------------------------------------------------------------------------------


def _single_value(lines: list[SourceLine], i: int) -> bool:
    words = _words(lines, i)
    return len(words) == 1 and _is_value(_w(lines, words[0])) and not _YEAR.match(_w(lines, words[0]))


def _name_like(text: str) -> bool:
    """A short line of capitalized words with no digits: a place, a party, an organisation."""
    words = text.split()
    if not words or len(text) > _MAX_LABEL or len(words) > 5 or re.search(r"\d", text) or _SUPERSCRIPT.search(text):
        return False
    return words[0][:1].isupper() and all(w[:1].isupper() or w[:1] == "(" or w.lower() in _CONNECTORS for w in words)


def _fact_boxes(lines: list[SourceLine], used: set[int]) -> list[TextTable]:
    nonblank = [i for i, line in enumerate(lines) if line.text.strip() and _free(lines, i, used)]
    out = []
    k = 0
    while k < len(nonblank):
        m = k
        while m < len(nonblank) and _single_value(lines, nonblank[m]):
            m += 1
        if m - k >= 2:
            names = _name_run(lines, nonblank, k, m - k)
            if names:
                values = nonblank[k:m]
                rows = [_row_line(lines, [_words(lines, a), _words(lines, b)]) for a, b in zip(names, values)]
                out.append(TextTable(rows, [[0, 1]] * len(rows), 0, names + values))
        k = max(m, k + 1)
    return out


def _name_run(lines: list[SourceLine], nonblank: list[int], end: int, n: int) -> list[int] | None:
    """The nearest run of exactly ``n`` name lines among the few lines before ``nonblank[end]``."""
    k = end - 1
    while k >= 0 and end - k <= n + _FACT_WINDOW:
        if _name_like(lines[nonblank[k]].text.strip()):
            top = k
            while top > 0 and _name_like(lines[nonblank[top - 1]].text.strip()):
                top -= 1
            if k - top + 1 == n:
                return nonblank[top : k + 1]
            k = top
        k -= 1
    return None
