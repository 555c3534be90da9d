"""Markdown markup removal for text inputs, one line at a time, keeping each character's origin.

Papers converted from PDF to text often carry markdown (``## Heading``, ``*emphasis*``,
``[text](url)``). The markup is not part of the paper's text: it is dropped here, and what it said
(heading, list item, table row) becomes the line's hint.
"""

from __future__ import annotations

import re

from pipeline.ingest.lines import HINT_HEADING, HINT_LIST, HINT_TABLE_ROW, SourceLine, keep_chars

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")
_LIST = re.compile(r"^\s*[-*+•]\s+")
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|[^>\s@]+@[^>\s]+)>")
_EMPHASIS = re.compile(r"\*{1,3}|(?<![\w/])_{1,3}(?=\w)|(?<=\w)_{1,3}(?![\w/])")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_SUP = re.compile(r"<sup>([^<]{0,12})</sup>", re.I)
_TAG = re.compile(r"</?(?:sub|i|b|em|strong|u|span|br|small)\b[^>]{0,40}>", re.I)
_TO_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def strip_markdown(text: str, start: int) -> SourceLine | None:
    """Turn one source line starting at source offset ``start`` into a :class:`SourceLine`.

    A horizontal rule becomes a paragraph break; a table's separator row (``|---|---|``) gives
    None, so that the header row and the body rows stay one table.
    """
    origins = list(range(start, start + len(text)))
    if _RULE.match(text):
        return SourceLine("", [])
    if _TABLE_SEP.match(text):
        return None
    hint = None
    drop: list[tuple[int, int]] = []
    m = _HEADING.match(text)
    if m:
        hint, drop = HINT_HEADING, [(0, m.end())]
    elif _TABLE_ROW.match(text):
        hint = HINT_TABLE_ROW
    else:
        m = _LIST.match(text)
        if m:
            hint, drop = HINT_LIST, [(0, m.end())]
    for m in _LINK.finditer(text):
        drop += [(m.start(), m.start(1)), (m.end(1), m.end())]
    for m in _AUTOLINK.finditer(text):
        drop += [(m.start(), m.start(1)), (m.end(1), m.end())]
    for m in _EMPHASIS.finditer(text):
        a, b = m.span()
        before = text[a - 1] if a > 0 else " "
        after = text[b] if b < len(text) else " "
        if not (before.isspace() and after.isspace()) and not _inside_url(text, a):
            drop.append((a, b))
    superscript: set[int] = set()
    for m in _SUP.finditer(text):
        drop += [(m.start(), m.start(1)), (m.end(1), m.end())]
        if m.group(1).isdigit():  # a footnote marker: written as superscript digits, never glued to a number
            superscript.update(range(m.start(1), m.end(1)))
    for m in _TAG.finditer(text):
        drop.append(m.span())
    if superscript:
        text = "".join(c.translate(_TO_SUPERSCRIPT) if i in superscript else c for i, c in enumerate(text))
    if text.endswith("\\"):
        drop.append((len(text) - 1, len(text)))
    new_text, new_origins = keep_chars(text, origins, drop)
    return SourceLine(new_text, new_origins, hint=hint)


def _inside_url(text: str, i: int) -> bool:
    for m in re.finditer(r"\S+", text):
        if m.start() <= i < m.end():
            return "://" in m.group() or "www." in m.group()
    return False
