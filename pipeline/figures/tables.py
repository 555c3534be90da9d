"""Tables and fact boxes: which row and column each number cell belongs to.

Three shapes are read, all from what ingest gives:

* markdown tables: ``doc.cells`` (row header = column 0 of the row, column header = the header cell);
* text tables: a ``Table N`` caption followed by blocks whose lines were joined by spaces, so a row
  reads ``Label num num Label num num …``. Each number takes the label before it as its row, and
  its position in the row as its column when the row is full; the column headers are split out of
  the header blocks between the caption and the first number;
* fact boxes: a run of blocks holding one number each, paired in order with the nearest preceding
  run of as many place-name blocks (per the parse's GPE/LOC entities).

:func:`cell_contexts` returns, per figure start offset, the fields the cell gives
(``place``/``object``/``source``/``time``) or ``drop`` for rank numbers and stray markers.
"""

from __future__ import annotations

import re
import statistics
from typing import Any

from spacy.tokens import Doc

from ..model import Document
from .numbers import NumberExpr, find_numbers

CAPTION_RX = re.compile(r"^\s*(?:Table|Tab\.)\s*\d+[.:]?\s*[-–—:.]?\s*(?P<title>.*)$", re.I | re.S)
_COUNT_OF_RX = re.compile(r"\bnumbers? of\s+(?P<obj>.+?)\s*(?:\(|$|,| in \d)", re.I)
_YEARS_RX = re.compile(r"(?:1[89]|20)\d\d(?:\s?[-–]\s?(?:(?:1[89]|20)\d\d|\d\d))?")
_FIRST_COLUMN_TITLES = re.compile(r"^(?:(?:Ranking|Rank|No\.?|Nr\.?|#|Countr(?:y|ies)|Regions?|States?|Names?|Years?|"
                                  r"Category|Categories|Indicator)\s+)+", re.I)
_NOT_PLACES = frozenset({"total", "sum", "all", "overall", "other", "others", "world", "note", "source"})
_PROSE_LEN = 60


def _numbers(doc: Document, start: int, end: int) -> list[NumberExpr]:
    return [NumberExpr(start + n.start, start + n.end, n.value, n.low, n.high, n.kind, n.unit, n.qualifier)
            for n in find_numbers(doc.text[start:end])]


def _is_data(n: NumberExpr, text: str) -> bool:
    return bool(re.search(r"\d[,.\s]\d{3}|\d{3}", text)) or n.low is not None


def split_headers(header: str, k: int) -> list[str] | None:
    """``"Country Official data Field study data 2007–2009"``, 2 → ``["Official data", "Field study data 2007–2009"]``."""
    header = _FIRST_COLUMN_TITLES.sub("", header.strip())
    toks = header.split()
    parts: list[list[str]] = []
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i else ""
        boundary = not parts or (t[:1].isupper() and prev and not prev[:1].isupper() and not prev.endswith("."))
        if boundary:
            parts.append([t])
        else:
            parts[-1].append(t)
    out = [" ".join(p) for p in parts]
    return out if len(out) == k else None


def header_fields(header: str | None) -> dict[str, str | None]:
    """A column header's source and time: ``"Mendikulova G. (as in 2001)"`` → Mendikulova G. / 2001."""
    if not header:
        return {"source": None, "time": None}
    m = _YEARS_RX.search(header)
    src = re.sub(r"\((?:as )?(?:in|of)?\s*[^)]*\d{4}[^)]*\)|" + _YEARS_RX.pattern, "", header).strip(" ,;-–")
    return {"source": src or None, "time": m.group(0) if m else None}


def _label(raw: str) -> str:
    from .numbers import _QUAL_ONLY  # qualifier words before a cell belong to the cell, not to the label

    raw = _QUAL_ONLY.sub("", raw.strip() + " ").strip()
    raw = re.sub(r"^(?:\d{1,2}\s+)+", "", raw)  # rank numbers and stray markers before the label
    return re.sub(r"\s+", " ", raw).strip(" ,;:")


def _text_table(doc: Document, caption_idx: int) -> dict[int, dict[str, Any]]:
    blocks = doc.blocks
    cap = doc.text[blocks[caption_idx].start:blocks[caption_idx].end]
    m = _COUNT_OF_RX.search(CAPTION_RX.match(cap).group("title"))
    obj = m.group("obj") if m else None
    header_parts: list[str] = []
    body: list[tuple[int, int]] = []
    for b in blocks[caption_idx + 1:]:
        text = doc.text[b.start:b.end]
        nums = _numbers(doc, b.start, b.end)
        data = [n for n in nums if _is_data(n, doc.text[n.start:n.end])]
        if b.kind == "caption" or b.section != blocks[caption_idx].section:
            break
        digits = sum(len(doc.text[n.start:n.end]) for n in nums)
        if len(text) > _PROSE_LEN and digits < 0.2 * len(text) and (body or len(text) > 2 * _PROSE_LEN):
            break  # prose resumes
        if not data and not body:
            header_parts.append(text)
            continue
        body.append((b.start, b.end))
    if not body:
        return {}
    nums = [n for s, e in body for n in _numbers(doc, s, e)]
    big = statistics.median([n.value or n.high or 0 for n in nums]) >= 1000 if nums else False
    out: dict[int, dict[str, Any]] = {}
    rows: list[tuple[str, list[NumberExpr]]] = []
    prev_end = body[0][0]
    for n in nums:
        raw = doc.text[prev_end:n.start]
        after = doc.text[n.end:n.end + 40]
        if big and re.fullmatch(r"\d{1,2}", doc.text[n.start:n.end]) and not re.match(r"\s[a-z]", after):
            out[n.start] = {"drop": True}
            continue
        label = _label(raw)
        if re.match(r"\s[a-z]", after) and re.fullmatch(r"\d+", doc.text[n.start:n.end]):
            words = re.match(r"\s((?:[a-z]+\s?){1,3})", after).group(1).strip()
            out[n.start] = {"object": words, "place": None}
            rows.append(("", []))
            prev_end = n.end + len(words) + 1
            continue
        if label or not rows:
            rows.append((label, []))
        rows[-1][1].append(n)
        prev_end = n.end
    k = max((len(r[1]) for r in rows), default=0)
    headers = split_headers(" ".join(header_parts), k)
    if headers is None and len(header_parts) == k:
        headers = [_FIRST_COLUMN_TITLES.sub("", h).strip() for h in header_parts]
    for label, cells in rows:
        place = None if not label or label.split()[0].lower() in _NOT_PLACES else label
        for i, n in enumerate(cells):
            fields = header_fields(headers[i]) if headers and len(cells) == k else header_fields(None)
            out[n.start] = {"place": place, "object": obj, **fields}
    return out


def _fact_box(doc: Document, parsed: Doc | None) -> dict[int, dict[str, Any]]:
    """Runs of one-number blocks paired with the nearest preceding run of as many place-name blocks."""
    out: dict[int, dict[str, Any]] = {}
    blocks = doc.blocks

    def single_number(b) -> NumberExpr | None:
        nums = _numbers(doc, b.start, b.end)
        rest = re.sub(r"[\s⁰¹²³⁴⁵⁶⁷⁸⁹]", "", doc.text[b.start:b.end])
        return nums[0] if len(nums) == 1 and len(rest) == len(re.sub(r"\s", "", doc.text[nums[0].start:nums[0].end])) else None

    def place_like(b) -> bool:
        text = doc.text[b.start:b.end].strip()
        if parsed is None or not text or len(text) > 40:
            return False
        span = parsed.char_span(b.start, b.end, alignment_mode="expand")
        return span is not None and any(e.label_ in ("GPE", "LOC") and len(e.text) >= len(text.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")) - 1
                                        for e in span.ents)

    i = 0
    while i < len(blocks):
        j = i
        run: list[NumberExpr] = []
        while j < len(blocks) and (n := single_number(blocks[j])) is not None:
            run.append(n)
            j += 1
        if len(run) >= 2:
            k = i - 1
            while k >= 0:
                if place_like(blocks[k]):
                    end = k
                    while k >= 0 and place_like(blocks[k]):
                        k -= 1
                    labels = blocks[k + 1:end + 1]
                    if len(labels) == len(run):
                        for lab, n in zip(labels, run):
                            out[n.start] = {"place": doc.text[lab.start:lab.end].strip()}
                        break
                k -= 1
                if i - k > 3 * len(run) + 10:
                    break
        i = max(j, i + 1)
    return out


def _markdown_cells(doc: Document) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    by_pos = {(c.table, c.row, c.col): c for c in doc.cells}
    for c in doc.cells:
        if c.header or c.col == 0:
            continue
        row = by_pos.get((c.table, c.row, 0))
        head = next((h for (t, r, col), h in by_pos.items() if t == c.table and col == c.col and h.header), None)
        label = doc.text[row.start:row.end].strip() if row else None
        fields = header_fields(doc.text[head.start:head.end].strip() if head else None)
        for n in _numbers(doc, c.start, c.end):
            out[n.start] = {"place": None if not label or label.lower().split()[0] in _NOT_PLACES else label, **fields}
    return out


def cell_contexts(doc: Document, parsed: Doc | None = None) -> dict[int, dict[str, Any]]:
    """Per figure start offset: what its table cell says (``place``, ``object``, ``source``, ``time``) or ``drop``."""
    out = _markdown_cells(doc)
    for i, b in enumerate(doc.blocks):
        if b.kind == "caption" and CAPTION_RX.match(doc.text[b.start:b.end]):
            out.update(_text_table(doc, i))
    out.update({k: v for k, v in _fact_box(doc, parsed).items() if k not in out})
    return out
