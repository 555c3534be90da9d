"""Reader for ``.txt`` and ``.md`` inputs (often text converted from PDFs, with markdown left in).

Tables written as text (aligned columns, a captioned block of number rows, a fact box) become
table blocks with cells (:mod:`.texttables`), as PDF ruled tables do.
"""

from __future__ import annotations

import codecs
import re

from pipeline.core import names
from pipeline.core.document import Document, Page, SourceMap
from pipeline.ingest.errors import IngestError, too_long
from pipeline.ingest.layout import build
from pipeline.ingest.lines import SourceLine
from pipeline.ingest.markdown import strip_markdown

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


#: Byte order marks of the wider Unicode encodings (UTF-32 first: its little-endian mark starts like UTF-16's).
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
#: When the detector finds several code pages that read the bytes equally well, the commonest legacy
#: encoding of papers in Latin script is named (charset-normalizer lists equivalent ones together).
PREFERRED_LEGACY = "cp1252"
CHAOS_MARGIN, COHERENCE_MARGIN = 0.01, 0.005
RESAVE = "re-save the file as UTF-8"


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str | None]:
    """Decode a text file's bytes; returns the text and a warning when it was not UTF-8.

    UTF-16 and UTF-32 files with a byte order mark are read as such; other bytes that are not
    UTF-8 are decoded in the encoding charset-normalizer detects (named in the warning), or in
    ``encoding`` when given (params ``ingest.encodings``). Raises :class:`IngestError` for empty
    files and binary content.
    """
    if encoding:
        try:
            return _checked(data.decode(encoding)), f"decoded as {encoding} (ingest.encodings); {RESAVE}"
        except (LookupError, UnicodeDecodeError) as e:
            raise IngestError(f"cannot decode as {encoding} (ingest.encodings in params.yaml): {e}") from e
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise IngestError(f"starts with a {label} byte order mark but byte {e.start} is not {label}") from e
            return _checked(text), f"{label} text (byte order mark); read as {label} — {RESAVE}"
    if not data.strip():
        raise IngestError("empty file")
    _refuse_binary(data[:65536])
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        where = f"byte {e.start}"
    detected = detect_encoding(data)
    if detected is not None:
        try:
            text = data.decode(detected)
        except UnicodeDecodeError:
            pass
        else:
            return text, f"not UTF-8 ({where}); detected {detected} and decoded as {detected} — {RESAVE}"
    try:
        return data.decode("cp1252"), f"not UTF-8 ({where}); decoded as Windows-1252 — {RESAVE}"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"not UTF-8 ({where}); decoded as Latin-1 — {RESAVE}"


def detect_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer finds for ``data`` (Python's codec name), or None.

    The candidates that read the bytes best (chaos within ``CHAOS_MARGIN`` of the least, then the
    highest coherence) are often several code pages; when Windows-1252 is one of them it is named.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    clean = [m for m in matches if m.chaos <= matches[0].chaos + CHAOS_MARGIN]
    top = max(m.coherence for m in clean)
    best = [m for m in clean if m.coherence >= top - COHERENCE_MARGIN]
    if any(PREFERRED_LEGACY in m.could_be_from_charset for m in best):
        return PREFERRED_LEGACY
    return best[0].encoding


def _refuse_binary(sample: bytes | str) -> None:
    """Raise for a NUL or more than 5% control characters (other than tab, line and form feed, CR)."""
    codes = list(sample) if isinstance(sample, bytes) else [ord(c) for c in sample]
    controls = sum(1 for code in codes if code < 32 and code not in (9, 10, 12, 13))
    if 0 in codes or controls > 0.05 * len(codes):
        raise IngestError("binary content, not text (is it a PDF or an office file renamed?)")


def _checked(text: str) -> str:
    """``text`` decoded from a declared encoding, refused when empty or not text."""
    if not text.strip():
        raise IngestError("empty file")
    _refuse_binary(text[:65536])
    return text


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


def read_text(doc: Document, data: bytes, max_chars: int | None = None, encoding: str | None = None) -> Document:
    """Fill ``doc`` (id, source, hash already set) from a text file's bytes.

    A text longer than ``max_chars`` is refused before its layout is built (the costly part).
    """
    text, warning = decode(data, doc.source, encoding)
    if max_chars is not None and len(text) > max_chars:
        raise IngestError(too_long(len(text), max_chars))
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
