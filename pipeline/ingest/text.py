"""Reader for ``.txt`` and ``.md`` inputs (often text converted from PDFs, with markdown left in).

Tables written as text (aligned columns, a captioned block of number rows, a fact box) become
table blocks with cells (:mod:`.texttables`), as PDF ruled tables do.
"""

from __future__ import annotations

import re

from pipeline.core import names
from pipeline.core.document import Document, Page, SourceMap
from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import build
from pipeline.ingest.lines import SourceLine
from pipeline.ingest.markdown import strip_markdown

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def decode(data: bytes, name: str) -> tuple[str, str | None]:
    """Decode a text file's bytes; returns the text and a warning when it was not UTF-8.

    Raises :class:`IngestError` for empty files and binary content.
    """
    if not data.strip():
        raise IngestError("empty file")
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > 0.05 * len(sample):
        raise IngestError("binary content, not text (is it a PDF or an office file renamed?)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        where = f"byte {e.start}"
    try:
        return data.decode("cp1252"), f"not UTF-8 ({where}); decoded as Windows-1252 — re-save the file as UTF-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"not UTF-8 ({where}); decoded as Latin-1 — re-save the file as UTF-8"


def source_lines(text: str) -> list[SourceLine]:
    """Split decoded text into markdown-stripped lines, each character keeping its source offset."""
    lines: list[SourceLine] = []
    offset = 0
    for m in _LINE.finditer(text):
        raw = m.group()
        if not raw:
            continue
        body = raw.rstrip("\r\n")
        line = strip_markdown(body, offset)
        if line is not None:
            lines.append(line)
        offset += len(raw)
    return lines


def read_text(doc: Document, data: bytes) -> Document:
    """Fill ``doc`` (id, source, hash already set) from a text file's bytes."""
    text, warning = decode(data, doc.source)
    layout = build(source_lines(text), text_tables=True)
    if not layout.text.strip():
        raise IngestError("no text after removing markup")
    doc.text = layout.text
    doc.blocks = layout.blocks
    doc.cells = layout.cells
    doc.pages = [Page(1, 0, len(layout.text))]
    doc.source_map = SourceMap.from_offsets(layout.origins, text)
    if warning:
        doc.status, doc.error = names.STATUS_WARNING, warning
    return doc
