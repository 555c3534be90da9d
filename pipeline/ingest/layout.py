"""From source lines to the canonical text: reflow, dehyphenation, blocks — origins carried along.

:func:`build` is shared by every reader. It groups lines into blocks, joins a block's lines into one
paragraph (joining a word hyphenated across a line end only when the document itself says it is one
word), normalizes ligatures, soft hyphens and runs of whitespace, and records for each code point of
the canonical text the origin of the source character it came from. An inserted space takes the
origin of the character before it.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from pipeline.core import names
from pipeline.core.document import Block, TableCell
from pipeline.ingest.block_roles import relabel
from pipeline.ingest.lines import HINT_HEADING, HINT_LIST, HINT_MARGIN, HINT_TABLE_ROW, Origin, SourceLine
from pipeline.ingest.sections import EMAIL, REFERENCES, assign_sections
from pipeline.ingest.texttables import TextTable, detect

BLOCK_SEP = "\n\n"
ROW_SEP = "\n"
CELL_SEP = "\t"

#: Prefixes that keep their hyphen at a line break ("post-\nSoviet" stays "post-Soviet").
HYPHEN_PREFIXES = frozenset(
    "anti co counter cross ex inter intra mid multi neo non post pre pro quasi re self semi socio sub "
    "super trans ultra well half ethno geo euro afro".split()
)
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "ft", "ﬆ": "st"}
_DROP = {"\u00ad", "\u200b", "\ufeff", "\u200e", "\u200f"}  # soft hyphen, zero-width, BOM, marks
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_CAPTION = re.compile(r"^(?:Table|Figure|Fig\.|Chart|Map|Diagram)\s*\d+", re.I)
#: What :func:`_normalize_line` changes: a character it drops (invisible, or a control character),
#: whitespace other than a single space between other characters.
_UNTIDY = re.compile("[" + re.escape("".join(sorted(_DROP))) + r"\x00-\x1f\x7f-\x9f]|[^\S ]|\s\s|^\s|\s\Z")
#: Characters :meth:`_Builder.add` writes as other characters (ligatures as their letters).
_LIGATURE = re.compile("[" + re.escape("".join(_LIGATURES)) + "]")


@dataclass
class Layout:
    """The canonical text, one origin per code point, and the blocks and table cells over it."""

    text: str
    origins: list[Origin]
    blocks: list[Block] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    block_pages: list[int | None] = field(default_factory=list)


@dataclass
class _RawBlock:
    lines: list[SourceLine]
    hint: str | None
    table: TextTable | None = None  # a table found in text lines (:mod:`.texttables`)


class _Builder:
    """Appends text with origins; the only place canonical text is written."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.origins: list[Origin] = []

    @property
    def pos(self) -> int:
        return len(self.chars)

    def add(self, ch: str, origin: Origin) -> None:
        for c in _LIGATURES.get(ch, ch):
            self.chars.append(c)
            self.origins.append(origin)

    def add_synthetic(self, s: str) -> None:
        origin = self.origins[-1] if self.origins else None
        for c in s:
            self.chars.append(c)
            self.origins.append(origin)


def build(lines: list[SourceLine], text_tables: bool = False) -> Layout:
    """Make the canonical text and its blocks from ``lines`` (in reading order).

    With ``text_tables`` (text inputs), tables written as text are found first
    (:func:`.texttables.detect`), before whitespace is collapsed, since runs of spaces may be what
    separates their cells. PDF readers hand over their ruled tables' rows with cells already set.
    """
    found = detect(lines) if text_tables else lines
    items = [x if isinstance(x, TextTable) else _normalize_line(x) for x in found]
    vocab = _vocabulary([x for x in items if isinstance(x, SourceLine)])
    raw_blocks = _group(items)
    builder = _Builder()
    blocks: list[tuple[int, int, str, _RawBlock]] = []
    cells: list[TableCell] = []
    n_tables = 0
    for rb in raw_blocks:
        if blocks:
            builder.add_synthetic(BLOCK_SEP)
        start = builder.pos
        if rb.hint == HINT_TABLE_ROW:
            header_rows = rb.table.header_rows if rb.table else 1
            cols = rb.table.cols if rb.table else None
            _write_table(builder, rb.lines, n_tables, cells, header_rows, cols)
            n_tables += 1
            kind = names.TABLE
        else:
            _write_paragraph(builder, rb.lines, vocab)
            kind = _kind_of(rb, "".join(builder.chars[start:]))
            if (
                blocks
                and blocks[-1][2] == names.TABLE
                and _TABLE_NOTE.match("".join(builder.chars[start : start + 12]))
            ):
                kind = names.FOOTNOTE  # "Note:", "Source:" under a table
        blocks.append((start, builder.pos, kind, rb))
    text = "".join(builder.chars)
    _number_sequence_footnotes(text, blocks)
    out = Layout(text, builder.origins, cells=cells)
    sections = assign_sections(text, [(s, e, k) for s, e, k, _ in blocks])
    kinds = [k for _, _, k, _ in blocks]
    relabel([text[s:e] for s, e, _, _ in blocks], kinds, sections, [rb.lines[0].size for *_, rb in blocks])
    for (start, end, _, rb), kind, section in zip(blocks, kinds, sections):
        out.blocks.append(Block(start, end, kind, section))
        out.block_pages.append(rb.lines[0].page)
    return out


def _normalize_line(line: SourceLine) -> SourceLine:
    """Drop invisible characters, collapse runs of whitespace, strip both ends."""
    if line.cells is not None:  # a PDF table row: cells are already split, keep the text as it is
        return line
    if not _UNTIDY.search(line.text):  # nothing to drop or collapse (most lines of a PDF)
        return SourceLine(line.text, list(line.origins), line.hint, line.page, line.size)
    chars: list[str] = []
    origins: list[Origin] = []
    for c, o in zip(line.text, line.origins):
        if c in _DROP or unicodedata.category(c) == "Cc" and c not in "\t":
            continue
        if c.isspace():
            if not chars or chars[-1] == " ":
                continue
            c = " "
        chars.append(c)
        origins.append(o)
    while chars and chars[-1] == " ":
        chars.pop()
        origins.pop()
    return SourceLine("".join(chars), origins, line.hint, line.page, line.size)


def _vocabulary(lines: list[SourceLine]) -> set[str]:
    vocab: set[str] = set()
    for line in lines:
        vocab.update(w.lower() for w in _WORD.findall(line.text))
    return vocab


def _wrap_width(items: list[SourceLine | TextTable]) -> float:
    """The typical length of a hard-wrapped line, or +inf when the source is not hard-wrapped."""
    lines = [x for x in items if isinstance(x, SourceLine)]
    lengths = sorted(len(line.text) for line in lines if not line.is_break and line.hint is None)
    if len(lengths) < 5:
        return float("inf")
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    return float("inf") if p90 > 160 else float(statistics.median([n for n in lengths if n >= p90 * 0.6]))


def _group(lines: list[SourceLine | TextTable]) -> list[_RawBlock]:
    """Group lines into blocks: breaks, headings, list items, tables and paragraph ends split them."""
    width = _wrap_width(lines)
    blocks: list[_RawBlock] = []
    current: _RawBlock | None = None

    def close() -> None:
        nonlocal current
        if current and current.lines:
            blocks.append(current)
        current = None

    pending_break = False
    for line in lines:
        if isinstance(line, TextTable):
            close()
            blocks.append(_RawBlock(line.rows, HINT_TABLE_ROW, line))
            pending_break = False
            continue
        if line.is_break:
            pending_break = True
            continue
        if pending_break:
            pending_break = False
            if not _continues(current, line):
                close()
        if line.hint == HINT_TABLE_ROW:
            if current is None or current.hint != HINT_TABLE_ROW:
                close()
                current = _RawBlock([], HINT_TABLE_ROW)
            current.lines.append(line)
            continue
        if line.hint in (HINT_HEADING, HINT_LIST, HINT_MARGIN) or _CAPTION.match(line.text):
            close()
            current = _RawBlock([line], line.hint)
            if line.hint in (HINT_HEADING, HINT_MARGIN):
                close()
            continue
        if current is None or current.hint == HINT_TABLE_ROW or _ends_paragraph(current.lines[-1], width):
            close()
            current = _RawBlock([line], None)
        else:
            current.lines.append(line)
    close()
    return blocks


def _continues(block: _RawBlock | None, line: SourceLine) -> bool:
    """A paragraph cut by a page or column break: no sentence end before it, lowercase after it."""
    if block is None or block.hint is not None or not line.text[:1].islower() or line.hint is not None:
        return False
    last = block.lines[-1].text
    return not _SENTENCE_END.search(last) and not _looks_like_heading(" ".join(x.text for x in block.lines))


def _ends_paragraph(line: SourceLine, width: float) -> bool:
    if width == float("inf"):
        return True  # not hard-wrapped: every line is a paragraph of its own
    if EMAIL.search(line.text.rsplit(" ", 1)[-1]):
        return True  # an author's address ends the affiliation block
    return bool(_SENTENCE_END.search(line.text)) and len(line.text) < 0.8 * width


def _write_paragraph(builder: _Builder, lines: list[SourceLine], vocab: set[str]) -> None:
    for k, line in enumerate(lines):
        text, origins = line.text, line.origins
        if k > 0:
            prev = "".join(builder.chars[-40:])
            joined = _join_hyphen(prev, text, vocab)
            if joined:
                builder.chars.pop()  # the line-end hyphen
                builder.origins.pop()
            elif joined is None:
                builder.add_synthetic(" ")
            # joined is False: a real hyphen at the line end ("long-\nterm"), kept with no space
        if _LIGATURE.search(text):
            for c, o in zip(text, origins):
                builder.add(c, o)
        else:  # each character written as it is: the line in one go
            builder.chars.extend(text)
            builder.origins.extend(origins)


def _join_hyphen(prev: str, nxt: str, vocab: set[str]) -> bool | None:
    """Whether ``prev`` ends with a word hyphenated across the line break that continues in ``nxt``.

    True: drop the hyphen and join; False: a real hyphen, keep it and join; None: not a hyphenated word.
    """
    m1 = re.search(r"([^\W\d_]+)-$", prev)
    m2 = re.match(r"([^\W\d_]+)", nxt)
    if not (m1 and m2):
        return None
    head, tail = m1.group(1), m2.group(1)
    if tail[0].isupper():
        return False  # Kassym-\nJomart, post-\nSoviet
    if f"{head}-{tail}".lower() in vocab:
        return False  # the document writes it with a hyphen elsewhere
    if (head + tail).lower() in vocab:
        return True
    return head.lower() not in HYPHEN_PREFIXES


def _write_table(
    builder: _Builder,
    rows: list[SourceLine],
    table: int,
    cells: list[TableCell],
    header_rows: int = 1,
    cols: list[list[int]] | None = None,
) -> None:
    """Write a table's rows (one per line, cells tab-separated) and record each cell's char range.

    ``cols`` gives each row's cells their columns when they are not simply 0, 1, 2 … (a text table
    row that starts at a later column); the first ``header_rows`` rows are column headers.
    """
    for r, row in enumerate(rows):
        if r:
            builder.add_synthetic(ROW_SEP)
        if row.cells is not None:
            parts = list(row.cells)
        else:
            text = row.text.strip()
            offset = row.text.find(text)
            parts = [(m.start() + offset, m.end() + offset) for m in re.finditer(r"[^|]+", text)]
            parts = [(a, z) for a, z in parts if row.text[a:z].strip()] if len(parts) > 1 else parts
        for c, (a, z) in enumerate(parts):
            while a < z and row.text[a] == " ":
                a += 1
            while z > a and row.text[z - 1] == " ":
                z -= 1
            if c:
                builder.add_synthetic(CELL_SEP)
            start = builder.pos
            for ch, o in zip(row.text[a:z], row.origins[a:z]):
                if ch in _DROP:
                    continue
                builder.add(" " if ch.isspace() else ch, o)
            col = cols[r][c] if cols is not None else c
            cells.append(TableCell(start, builder.pos, table, r, col, header=r < header_rows))
        if row.cells is not None and parts and parts[-1][1] < len(row.text):  # words in no cell (a footnote marker)
            for ch, o in zip(row.text[parts[-1][1] :], row.origins[parts[-1][1] :]):
                builder.add(ch, o)


_TABLE_NOTE = re.compile(r"^(?:Notes?|Sources?)\b", re.I)
_FOOTNOTE = re.compile(r"^(?:\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,3})\.?\s+\S")


def _kind_of(rb: _RawBlock, text: str) -> str:
    if rb.hint == HINT_MARGIN:
        return names.FRONT_MATTER
    if _FOOTNOTE.match(text) and (rb.hint == HINT_LIST or "://" in text or re.match(r"^\D", text)):
        return names.FOOTNOTE
    if rb.hint == HINT_HEADING:
        return names.HEADING
    if _CAPTION.match(text):
        return names.CAPTION
    if rb.hint == HINT_LIST:
        return names.LIST_ITEM
    if _looks_like_heading(text) and len(rb.lines) <= 2:
        return names.HEADING
    return names.PARAGRAPH


_NOTE_NUMBER = re.compile(r"^(\d{1,3})\.?\s+[A-Z\"“(]")
#: A numbered line shorter than this is a heading or a list entry, not a note.
_NOTE_MIN_CHARS = 40


def _number_sequence_footnotes(text: str, blocks: list) -> None:
    """A paragraph opening with "14 Migration Policy Concept …" is a footnote when a footnote numbered 13 or
    15 stands beside it: the numbering, not the wording, tells a note from a sentence opening with a count
    ("300 Kazakh families …"). Numbered headings ("2 Background", "4 References") are never notes, and a
    block made a note here does not make its neighbour one (no chains). Changes ``blocks`` in place."""
    notes = {
        int(m.group(1)) for s, e, k, _ in blocks if k == names.FOOTNOTE and (m := re.match(r"(\d{1,3})\b", text[s:e]))
    }
    for i, (s, e, k, rb) in enumerate(blocks):
        m = _NOTE_NUMBER.match(text[s:e])
        if (
            m
            and k in (names.PARAGRAPH, names.LIST_ITEM)
            and e - s >= _NOTE_MIN_CHARS
            and not REFERENCES.match(text[s:e])
            and (int(m.group(1)) - 1 in notes or int(m.group(1)) + 1 in notes)
        ):
            blocks[i] = (s, e, names.FOOTNOTE, rb)


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    if not words or len(text) > 90 or len(words) > 12 or _SENTENCE_END.search(text) or text.endswith(","):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    content = [w for w in words if len(w) > 3]
    return all(w[0].isupper() or w[0].isdigit() or not w[0].isalpha() for w in content) or len(words) <= 3
