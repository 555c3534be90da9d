"""The data model every stage shares: one canonical text per document, spans over it, boxes on pages.

After papermage's ``magelib``: a :class:`Document` holds one canonical ``text``; every layer
(pages, blocks, table cells, extractions) is made of half-open :class:`Span` ranges of code points
into that text. Offsets are made once, at ingestion, together with the provenance map that sends
each code point back to where it came from (a box on a PDF page, or an offset in a source text
file). No later stage searches strings back into the text.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.core import names


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of code points into a document's canonical text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Box:
    """A rectangle on a 1-based ``page``, in PDF points from the page's top-left corner."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    @staticmethod
    def union(boxes: list[Box]) -> Box:
        return Box(
            boxes[0].page,
            min(b.x0 for b in boxes),
            min(b.top for b in boxes),
            max(b.x1 for b in boxes),
            max(b.bottom for b in boxes),
        )


@dataclass(frozen=True)
class Page:
    """A page's char range in the canonical text and its size in points (None for text files)."""

    number: int
    start: int
    end: int
    width: float | None = None
    height: float | None = None


@dataclass(frozen=True)
class Block:
    """A layout block: a char range with a kind (``names.BLOCK_KINDS``) and a section (``names.SECTIONS``)."""

    start: int
    end: int
    kind: str
    section: str


@dataclass(frozen=True)
class TableCell:
    """One table cell: its char range, its table number, row and column (0-based), and whether it is a header."""

    start: int
    end: int
    table: int
    row: int
    col: int
    header: bool = False


@dataclass
class SourceMap:
    """Provenance of a text file's canonical text: each code point's offset in the decoded source.

    Stored as runs ``(canonical_start, source_start, length)`` over which both advance together, and
    the source's line starts, so ``line_col(i)`` gives the 1-based line and column of any code point.
    """

    runs: list[tuple[int, int, int]]
    line_starts: list[int]

    @classmethod
    def from_offsets(cls, offsets: list[int], source_text: str) -> SourceMap:
        runs: list[tuple[int, int, int]] = []
        for i, off in enumerate(offsets):
            if runs and runs[-1][1] + runs[-1][2] == off and runs[-1][0] + runs[-1][2] == i:
                c, s, n = runs[-1]
                runs[-1] = (c, s, n + 1)
            else:
                runs.append((i, off, 1))
        line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", source_text)]
        return cls(runs, line_starts)

    def source_offset(self, i: int) -> int:
        if len(getattr(self, "_starts", ())) != len(self.runs):
            self._starts = [r[0] for r in self.runs]
        k = bisect.bisect_right(self._starts, i) - 1
        c, s, n = self.runs[max(k, 0)]
        return s + min(i - c, max(n - 1, 0))

    def line_col(self, i: int) -> tuple[int, int]:
        off = self.source_offset(i)
        line = bisect.bisect_right(self.line_starts, off)
        return line, off - self.line_starts[line - 1] + 1


@dataclass
class Document:
    """One ingested document: canonical text, layers, provenance and metadata.

    ``char_boxes`` (PDFs) holds one ``(page, x0, top, x1, bottom)`` per code point of ``text``;
    ``source_map`` (text files) maps code points to offsets in the source file.
    """

    doc_id: str
    source: str
    sha256: str
    fmt: str
    text: str = ""
    status: str = names.STATUS_OK
    error: str | None = None
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    char_boxes: list[tuple[int, float, float, float, float]] | None = None
    source_map: SourceMap | None = None

    # --- layers -----------------------------------------------------------------------------
    def block_at(self, i: int) -> Block | None:
        """The block containing code point ``i`` (blocks never overlap)."""
        k = bisect.bisect_right([b.start for b in self.blocks], i) - 1
        if k >= 0 and self.blocks[k].start <= i < self.blocks[k].end:
            return self.blocks[k]
        return None

    def section_of(self, start: int, end: int | None = None) -> str:
        """The section of the block that holds ``start`` (``body`` outside any block)."""
        block = self.block_at(start)
        return block.section if block else names.SEC_BODY

    def page_of(self, i: int) -> int | None:
        for p in self.pages:
            if p.start <= i < p.end:
                return p.number if self.char_boxes is not None else None
        return None

    # --- provenance -------------------------------------------------------------------------
    def box(self, start: int, end: int) -> Box | None:
        """The box around ``text[start:end]`` on the page holding most of its characters (PDFs only)."""
        if self.char_boxes is None or end <= start:
            return None
        boxes = [Box(*self.char_boxes[i]) for i in range(start, end) if self.char_boxes[i] is not None]
        boxes = [b for b in boxes if b.x1 > b.x0 or b.bottom > b.top] or boxes
        if not boxes:
            return None
        by_page: dict[int, list[Box]] = {}
        for b in boxes:
            by_page.setdefault(b.page, []).append(b)
        page = max(by_page, key=lambda p: (len(by_page[p]), -p))
        return Box.union(by_page[page])

    # --- serialization ----------------------------------------------------------------------
    def to_json(self) -> str:
        d = asdict(self)
        return json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, s: str) -> Document:
        d = json.loads(s)
        d["pages"] = [Page(**p) for p in d["pages"]]
        d["blocks"] = [Block(**b) for b in d["blocks"]]
        d["cells"] = [TableCell(**c) for c in d["cells"]]
        if d.get("char_boxes") is not None:
            d["char_boxes"] = [tuple(b) if b is not None else None for b in d["char_boxes"]]
        if d.get("source_map") is not None:
            sm = d["source_map"]
            d["source_map"] = SourceMap([tuple(r) for r in sm["runs"]], sm["line_starts"])
        return cls(**d)
