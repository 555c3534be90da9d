"""Table cells as figure context: which row and column each number in a table belongs to.

Reads ``doc.cells``, the one table model for every input (PDF ruled tables, markdown pipe tables,
text tables and fact boxes, all made at ingestion), never the text around them. For a number in
a table:

* in a **value cell**: ``place`` is the row header (None for "Total", "Other" …), ``source`` and
  ``time`` come from the column header (``"Mendikulova G. (as in 2001)"`` → Mendikulova G. / 2001),
  ``object`` from the caption (``"Estimated numbers of Kazakhs Abroad"`` → Kazakhs Abroad). A row
  with fewer values than the table has value columns takes no column header: the text did not
  say which column its values are in;
* at the start of a **row header** and followed by words (``43 other countries``): a count of
  those words, with no place;
* in a **rank column** (1, 2, 3 … down the rows), a header cell, a row header otherwise, or in the
  table's text outside every cell (a footnote marker): ``drop``, not a figure.

:func:`cell_contexts` returns these fields per figure start offset.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from pipeline.core import names
from pipeline.core.document import Block, Document, TableCell
from pipeline.figures.numbers import NumberExpr, find_numbers

CAPTION_RX = re.compile(r"^\s*(?:Table|Tab\.)\s*\d+[.:]?\s*[-–—:.]?\s*(?P<title>.*)$", re.I | re.S)
_COUNT_OF_RX = re.compile(r"\bnumbers? of\s+(?P<obj>.+?)\s*(?:\(|$|,| in \d)", re.I)
_YEARS_RX = re.compile(r"(?:1[89]|20)\d\d(?:\s?[-–]\s?(?:(?:1[89]|20)\d\d|\d\d))?")
_NOT_PLACES = frozenset({"total", "sum", "all", "overall", "other", "others", "world", "note", "source"})
_COUNTED = re.compile(r"\s+((?:[a-z]+\s?){1,3})")


def header_fields(header: str | None) -> dict[str, str | None]:
    """A column header's source and time: ``"Mendikulova G. (as in 2001)"`` → Mendikulova G. / 2001."""
    if not header:
        return {"source": None, "time": None}
    m = _YEARS_RX.search(header)
    src = re.sub(r"\((?:as )?(?:in|of)?\s*[^)]*\d{4}[^)]*\)|" + _YEARS_RX.pattern, "", header).strip(" ,;-–")
    return {"source": src or None, "time": m.group(0) if m else None}


def _numbers(doc: Document, start: int, end: int) -> list[NumberExpr]:
    return [
        NumberExpr(start + n.start, start + n.end, n.value, n.low, n.high, n.kind, n.unit, n.qualifier)
        for n in find_numbers(doc.text[start:end])
    ]


def _text(doc: Document, c: TableCell) -> str:
    return doc.text[c.start : c.end].strip()


def _caption_object(doc: Document, table_block: Block) -> str | None:
    """What the table counts, from a "Table N. … numbers of X" caption among the two blocks before it."""
    k = doc.blocks.index(table_block)
    for b in reversed(doc.blocks[max(0, k - 2) : k]):
        m = CAPTION_RX.match(doc.text[b.start : b.end]) if b.kind == names.CAPTION else None
        if m:
            obj = _COUNT_OF_RX.search(m.group("title"))
            return obj.group("obj") if obj else None
    return None


# Language that says a table (its caption, headers or notes) or a column (its header) holds model
# statistics, not quantities of something: estimates, errors, test statistics, intervals, fit.
_STATISTICS_RX = re.compile(
    r"\bcoefficients?\b|\bstandard (?:errors?|deviations?)\b|\bs\.\s?e\.|\bmodels?\b|\bregressions?\b"
    r"|\bt-?(?:stat|value)|\bz-?(?:score|stat|value)|\bp\s?[<>≤=]|\*\*\*"
    r"|\bconfidence intervals?\b|\bstatistics\b|\bstd\.?\s?(?:dev|err)|\bR2\b|\bR²|\bpseudo\b",
    re.I,
)
_MODEL_HEADER_RX = re.compile(r"\(\d{1,2}\)|[MΜ]odel\s?\d+")  # "(1) (2)", "Model 3": one column per model
_STATISTIC_COLUMN_RX = re.compile(
    r"^(?:SD|SE|s\.d\.|s\.e\.|Std\.?.*|Mean|Median|Min\.?|Max\.?|t|z|p|CI|coef\.?.*|b|β|OR|RR)$"
    r"|\bconfidence interval\b|\b\d\d% CI\b|\bp-?value\b|\bt-?stat|\brelative risk\b|\b(?:odds )?ratios?\b|^9[059]% ",
    re.I,
)


def statistics_table(doc: Document, table_block: Block, heads: dict[int, list[str]]) -> bool:
    """Whether a table reports model statistics: its caption, notes or headers speak of them, or its
    columns are numbered models ("(1) (2)")."""
    header = " ".join(" ".join(v) for v in heads.values())
    if _MODEL_HEADER_RX.search(header) or _STATISTICS_RX.search(header):
        return True
    k = doc.blocks.index(table_block)
    caption = " ".join(doc.text[b.start : b.end] for b in doc.blocks[max(0, k - 2) : k] if b.kind == names.CAPTION)
    notes = " ".join(doc.text[b.start : b.end] for b in doc.blocks[k + 1 : k + 3] if b.kind == names.FOOTNOTE)
    table = doc.text[table_block.start : table_block.end]
    return bool(_STATISTICS_RX.search(caption) or _STATISTICS_RX.search(notes) or "***" in table)


_SHARE_HEAD_RX = re.compile(r"%|\bper ?cent(?:age)?\b|\bshares?\b|\bproportions?\b|\brates?\b", re.I)
_PERCENT_HEAD_RX = re.compile(r"%|\bper ?cent(?:age)?\b", re.I)
_OF_HEAD_RX = re.compile(
    r"(?:\bnumbers?|\bper ?cent(?:age)?|%|\bshares?|\bproportions?|\bcounts?)\s+(?:of|in\s+the)\s+(?P<obj>[^()\d,;]+)",
    re.I,
)
_N_HEAD_RX = re.compile(r"^(?:n|no\.|#)\s+(?:of\s+)?(?P<unit>[A-Za-z][\w\s-]*)$", re.I)


def column_quantity(header: str | None, kind: str) -> dict[str, str]:
    """What a value column's header says its numbers are: ``kind`` (a share or percent beside
    counts), ``object`` ("Number of killed servicemen" → killed servicemen) and ``unit``
    ("n applications" → applications). Empty when the header says none of it."""
    if not header:
        return {}
    header = header.strip()
    out: dict[str, str] = {}
    if kind == "count" and _SHARE_HEAD_RX.search(header):
        out["kind"] = "percent" if _PERCENT_HEAD_RX.search(header) else "share"
    if m := _N_HEAD_RX.match(header):
        out["unit"] = m.group("unit").strip().lower()
    elif m := _OF_HEAD_RX.search(header):
        out["object"] = m.group("obj").strip()
    return out


def _rank_columns(body: dict[int, dict[int, TableCell]], doc: Document) -> set[int]:
    """Columns whose cells read 1, 2, 3 … down the rows."""
    cols = {c for row in body.values() for c in row}
    out = set()
    for c in cols:
        seq = [_text(doc, row[c]) for row in body.values() if c in row]
        if len(seq) >= 2 and seq == [str(i) for i in range(1, len(seq) + 1)]:
            out.add(c)
    return out


def _table_contexts(doc: Document, cells: list[TableCell]) -> dict[int, dict[str, Any]]:
    block = doc.block_at(cells[0].start)
    if block is None:
        return {}
    heads: dict[int, list[str]] = {}
    body: dict[int, dict[int, TableCell]] = {}
    for c in cells:
        if c.header:
            heads.setdefault(c.col, []).append(_text(doc, c))
        else:
            body.setdefault(c.row, {})[c.col] = c
    if statistics_table(doc, block, heads):  # estimates, errors, fit: not quantities of anything
        return {n.start: {"drop": True} for n in _numbers(doc, block.start, block.end)}
    stat_cols = {c for c, h in heads.items() if _STATISTIC_COLUMN_RX.search(" ".join(h).strip())}
    ranks = _rank_columns(body, doc) | stat_cols
    plain = [c for c in sorted({c for row in body.values() for c in row}) if c not in ranks]
    if not plain:
        return {}
    label_col = plain[0]
    value_cols = [c for c in plain if c > label_col]
    obj = _caption_object(doc, block)
    by_start = {c.start: c for c in cells}
    starts = sorted(by_start)
    out: dict[int, dict[str, Any]] = {}
    for n in _numbers(doc, block.start, block.end):
        i = next((s for s in reversed(starts) if s <= n.start), None)
        cell = by_start[i] if i is not None and n.start < by_start[i].end else None
        if cell is None or cell.header or cell.col in ranks:
            out[n.start] = {"drop": True}
            continue
        row = body[cell.row]
        label = _text(doc, row[label_col]) if label_col in row else ""
        if cell.col == label_col:
            counted = _COUNTED.match(doc.text[n.end : cell.end])
            out[n.start] = (
                {"object": counted.group(1).strip(), "place": None}
                if counted and n.start == cell.start
                else {"drop": True}
            )
            continue
        place = None if not label or label.lower().split()[0] in _NOT_PLACES else label
        full = all(c in row for c in value_cols)
        head = " ".join(heads.get(cell.col, [])) if full else None
        quantity = column_quantity(head, n.kind)
        fields = header_fields(head) if not quantity else {"source": None, "time": header_fields(head)["time"]}
        out[n.start] = {"place": place, "object": obj, **fields, **quantity}
    return out


def cell_contexts(doc: Document) -> dict[int, dict[str, Any]]:
    """Per figure start offset: what its table cell says (``place``, ``object``, ``source``, ``time``) or ``drop``."""
    out: dict[int, dict[str, Any]] = {}
    for _, cells in groupby(sorted(doc.cells, key=lambda c: (c.table, c.row, c.col)), key=lambda c: c.table):
        out.update(_table_contexts(doc, list(cells)))
    return out
