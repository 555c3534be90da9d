"""The reader's fast paths give what the slow ones give: line tidying, box packing for the watchdog's pipe."""

from __future__ import annotations

import pytest

from pipeline.ingest.layout import _normalize_line
from pipeline.ingest.lines import SourceLine
from pipeline.ingest.pdf_child import _pack, _unpack


@pytest.mark.parametrize(
    ("text", "expected", "kept"),
    [
        ("a b", "a b", [0, 1, 2]),  # tidy already: the fast path
        ("ﬁnd it", "ﬁnd it", [0, 1, 2, 3, 4, 5]),  # a ligature is the builder's business, not tidying's
        ("a  b", "a b", [0, 1, 3]),
        (" a b ", "a b", [1, 2, 3]),
        ("a\tb", "a b", [0, 1, 2]),
        ("a\u00a0b", "a b", [0, 1, 2]),  # a no-break space is whitespace: one space
        ("soft\u00adhyphen", "softhyphen", [0, 1, 2, 3, 5, 6, 7, 8, 9, 10]),
        ("a\x7fb\x02", "ab", [0, 2]),  # control characters dropped
        ("a \u200b b", "a b", [0, 1, 4]),  # a zero-width space between two spaces: one space
    ],
)
def test_normalize_line_drops_and_collapses_with_their_origins(text, expected, kept):
    line = SourceLine(text, list(range(len(text))), page=3, size=9.5)
    got = _normalize_line(line)
    assert (got.text, got.origins, got.page, got.size) == (expected, kept, 3, 9.5)


def test_normalize_line_keeps_a_table_row_as_it_is():
    row = SourceLine("a  b\tc", list(range(6)), hint="table_row", cells=[(0, 4), (5, 6)])
    assert _normalize_line(row) is row


def test_pack_unpack_round_trip_keeps_separators_and_shared_boxes():
    a = (1, 10.5, 20.25, 14.0, 30.0)
    b = (2, 0.1, 700.0, 3.3, 712.5)
    origins = [a, a, None, None, b, b, tuple(list(b)), None]  # an equal box, another tuple
    pages, coords, none, repeat = _pack(origins)
    assert (none, repeat) == ([2, 3, 7], [1, 5])  # the same tuple again, not an equal one
    assert len(pages) == 4 * len(origins) and len(coords) == 32 * len(origins)
    got = _unpack(pages, coords, none, repeat)
    assert got == origins
    assert got[1] is got[0] and got[5] is got[4]  # a repeated box is one tuple again
    assert got[6] is not got[5] and got[6][1] is got[5][1]  # equal coordinates are one float object
    assert all(isinstance(o[0], int) for o in got if o is not None)
