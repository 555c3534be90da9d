"""Source lines: the one shape every reader hands to the layout builder.

A reader (text file or PDF) turns its input into :class:`SourceLine` objects whose characters each
carry an *origin*: an offset into the decoded source file, or a ``(page, x0, top, x1, bottom)`` box.
The layout builder (:mod:`pipeline.ingest.layout`) then makes the canonical text from them, carrying
each origin along, so provenance is made in the same loop that makes the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Origin = Any  # int (source offset) or tuple (page, x0, top, x1, bottom)

# Hints a reader may attach to a line (what the source's own markup says the line is).
HINT_HEADING = "heading"
HINT_LIST = "list_item"
HINT_TABLE_ROW = "table_row"
HINT_MARGIN = "margin"  # rotated text beside the page (a "Downloaded from" line, a stamp): front matter


@dataclass
class SourceLine:
    """One line of source text with one origin per character.

    ``text == ""`` marks a paragraph break (a blank line, or a large vertical gap in a PDF).
    ``page`` is the 1-based page for PDFs, None for text files.
    """

    text: str
    origins: list[Origin] = field(default_factory=list)
    hint: str | None = None
    page: int | None = None
    size: float | None = None  # font size, PDFs only
    cells: list[tuple[int, int]] | None = None  # a table row's cells as [a, b) ranges of ``text`` (PDF tables)

    def __post_init__(self) -> None:
        if len(self.text) != len(self.origins):
            raise ValueError(f"line has {len(self.text)} chars but {len(self.origins)} origins: {self.text!r}")

    @property
    def is_break(self) -> bool:
        return not self.text.strip()


def keep_chars(text: str, origins: list[Origin], drop: list[tuple[int, int]]) -> tuple[str, list[Origin]]:
    """Remove the half-open ranges ``drop`` from ``text`` and its ``origins`` together."""
    mask = [True] * len(text)
    for a, b in drop:
        for i in range(a, b):
            mask[i] = False
    return "".join(c for c, k in zip(text, mask) if k), [o for o, k in zip(origins, mask) if k]
