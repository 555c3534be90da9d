"""Reading order on one PDF page, from character geometry alone.

Characters (in content-stream order) become *fragments*: runs on one baseline with no gap wider than
about a font size. The page's gutter is the x position in its middle that the fewest fragments
cross while enough fragments lie wholly on each side of it, side by side; fragments that cross it
are full width (titles, abstracts, wide tables, footers). Walking the page from top to bottom,
consecutive full-width fragments make a full-width band and the others a column band, read left
column then right column. Each column's fragments are then merged into lines (same baseline,
left to right). One-column pages have no gutter and are one band.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import NamedTuple


class Char(NamedTuple):
    """One character with its box in points from the page's top-left corner.

    A named tuple, so that a page's characters can be made from columns of values in C
    (:func:`chars_from_columns`): every character of a PDF is one, and a class's ``__init__``
    was the reader's costliest line.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    space_before: bool = False  # a space (or a wide gap) separates it from the previous character


_new_char = partial(tuple.__new__, Char)


def chars_from_columns(*columns: Iterable) -> list[Char]:
    """Characters from their fields' columns (text, x0, top, x1, bottom, size, space_before), made in C."""
    return list(map(_new_char, zip(*columns, strict=True)))


@dataclass
class Fragment:
    chars: list[Char] = field(default_factory=list)
    table: object = None  # a table placed in the reading order as one fragment (see pdf.py)
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0

    @property
    def size(self) -> float:
        return statistics.median(c.size for c in self.chars) if self.chars else 0.0


@dataclass
class Line:
    """Fragments on one baseline in one column, left to right; ``band``/``column`` say where it sits."""

    frags: list[Fragment]
    band: int
    column: int

    @property
    def top(self) -> float:
        return min(f.top for f in self.frags)

    @property
    def bottom(self) -> float:
        return max(f.bottom for f in self.frags)

    @cached_property
    def size(self) -> float:
        chars = [c for f in self.frags for c in f.chars]
        return statistics.median(c.size for c in chars) if chars else 0.0

    @cached_property
    def baseline(self) -> float:
        """The median character bottom: steadier than the top or bottom under ascenders and descenders."""
        chars = [c for f in self.frags for c in f.chars]
        return statistics.median(c.bottom for c in chars) if chars else self.bottom


def fragments(chars: list[Char]) -> list[Fragment]:
    """Split characters (content-stream order) into same-baseline runs without wide gaps.

    A character joins the run before it when it overlaps the run's height and the gap from the
    previous character is more than minus half its size and less than 0.9 of the larger size.
    This runs once per character of the page (twice on a page with tables): the open run's box is
    kept in local variables and its :class:`Fragment` made when it closes.
    """
    out: list[Fragment] = []
    members: list[Char] = []
    x0 = top = x1 = bottom = 0.0
    prev: Char | None = None
    for c in chars:
        if prev is not None:
            size, prev_size = c.size, prev.size
            gap = c.x0 - prev.x1
            if (
                c.top < bottom
                and c.bottom > top
                and -0.5 * size < gap < 0.9 * (prev_size if prev_size > size else size)
            ):
                if len(members) == 1 and is_drop_cap(prev, c):
                    top, bottom = c.top, c.bottom  # the line's height, not the initial's
                if c.x0 < x0:
                    x0 = c.x0
                if c.x1 > x1:
                    x1 = c.x1
                if c.top < top:
                    top = c.top
                if c.bottom > bottom:
                    bottom = c.bottom
                members.append(c)
                prev = c
                continue
            out.append(Fragment(members, None, x0, top, x1, bottom))
        members = [c]
        x0, top, x1, bottom = c.x0, c.top, c.x1, c.bottom
        prev = c
    if prev is not None:
        out.append(Fragment(members, None, x0, top, x1, bottom))
    return out


def is_drop_cap(initial: Char, nxt: Char) -> bool:
    """Whether ``initial`` is a paragraph's large initial letter, several lines tall, that ``nxt``
    follows on the paragraph's first line."""
    tall = initial.bottom - initial.top
    return (
        initial.size > 2.5 * nxt.size
        and initial.text.isalpha()
        and nxt.top >= initial.top - 2
        and nxt.bottom < initial.top + 0.5 * tall
    )


#: At most this share of a region's fragments may cross its gutter (full-width title, abstract, notes).
MAX_CROSSING = 0.5


def find_gutter(frags: list[Fragment], width: float, left: float = 0.0) -> float | None:
    """The x of the gutter between two columns of the region from ``left`` to ``width``, or None for
    one column: the x in the region's middle that the fewest fragments cross, with at least three
    fragments on its left and three on its right standing beside one of them."""
    if len(frags) < 6:
        return None
    lo, hi = int(left + (width - left) * 0.3), int(left + (width - left) * 0.7)
    if hi <= lo:
        return None
    steps = [0] * (hi - lo + 1)  # a difference array: how many fragments begin and end covering each x
    for f in frags:
        a, b = max(lo, int(f.x0)), min(hi, int(f.x1) + 1)
        if a < b:
            steps[a - lo] += 1
            steps[b - lo] -= 1
    cover, running = [], 0
    for step in steps[:-1]:
        running += step
        cover.append(running)
    best = min(cover)
    if best > MAX_CROSSING * len(frags):
        return None
    runs, start = [], None
    for i, n in enumerate(cover + [best + 1]):
        if n == best and start is None:
            start = i
        elif n != best and start is not None:
            runs.append((i - start, start, i))
            start = None
    _, a, b = max(runs)
    gutter = lo + (a + b) / 2
    lefts = [f for f in frags if f.x1 <= gutter]
    rights = [f for f in frags if f.x0 >= gutter]
    lefts.sort(key=lambda f: f.top)
    tops = [f.top for f in lefts]
    tallest = max((f.bottom - f.top for f in lefts), default=0.0)
    side_by_side = 0
    for r in rights:  # a right fragment beside a left one: their heights overlap
        for f in lefts[bisect_left(tops, r.top - tallest) : bisect_left(tops, r.bottom)]:
            if f.bottom > r.top:
                side_by_side += 1
                break
    return gutter if len(lefts) >= 3 and side_by_side >= 3 else None


#: A full-width band with at least this many fragments is looked at for columns of its own (a
#: narrow column of affiliations beside an abstract).
MIN_BAND_FRAGMENTS = 8


def reading_order(frags: list[Fragment], width: float) -> list[Line]:
    """The page's lines in reading order: bands top to bottom, columns left to right.

    A full-width band may hold columns of its own, at another gutter than the page's (a side column
    of affiliations beside the abstract, under a full-width title): it is ordered the same way,
    within its own left and right edges.
    """
    lines: list[Line] = []
    text = [f for f in frags if f.table is None]
    # The text's own left and right edges: a page's box may start left of 0 or end short of its text.
    left = min((f.x0 for f in text), default=0.0)
    right = max((f.x1 for f in text), default=width)
    _order(sorted(frags, key=lambda f: (f.top, f.x0)), left, right, lines, depth=0)
    return lines


def _order(frags: list[Fragment], left: float, right: float, lines: list[Line], depth: int) -> None:
    """Append the lines of ``frags`` (sorted by top, then x0) in reading order to ``lines``."""
    gutter = find_gutter([f for f in frags if f.table is None], right, left)
    if gutter is None:
        _add_lines(frags, lines, column=0)
        return
    neighbours = _Neighbours(frags)
    crossing = [f.x0 < gutter < f.x1 for f in frags]
    _spread_to_same_line(frags, crossing, neighbours)
    bands: list[tuple[bool, list[Fragment]]] = []
    for i, f in enumerate(frags):
        full = crossing[i] or _ends_full_width(frags, i, gutter, neighbours)
        if bands and bands[-1][0] == full:
            bands[-1][1].append(f)
        else:
            bands.append((full, [f]))
    bands = _merge_one_sided(bands, gutter)
    for full, members in bands:
        if full and depth < 2 and len(members) >= MIN_BAND_FRAGMENTS and len(members) < len(frags):
            band_left = min(f.x0 for f in members)
            band_right = max(f.x1 for f in members)
            _order(members, band_left, band_right, lines, depth + 1)
        elif full:
            _add_lines(members, lines, column=0)
        else:
            band = _next_band(lines)
            for column, side in enumerate(
                ([f for f in members if f.x1 <= gutter], [f for f in members if f.x0 >= gutter])
            ):
                lines.extend(Line(group, band, column) for group in same_baseline(side))


def _spread_to_same_line(frags: list[Fragment], crossing: list[bool], near: _Neighbours) -> None:
    """Mark as crossing the gutter the fragments on one line with a fragment that crosses it (most of
    their heights shared): a line across the gutter is one line ("Alexey Bessudnov ¹,* and Andrey
    Shcherbak", whose raised marks start a fragment of their own). Changes ``crossing`` in place."""
    tops = near.tops
    for i in [k for k, c in enumerate(crossing) if c]:
        wide = frags[i]
        if wide.table is not None:
            continue
        for k in range(bisect_left(tops, wide.top - near.tallest), bisect_left(tops, wide.bottom)):
            other = frags[k]
            if crossing[k] or other.table is not None:
                continue
            shared = min(wide.bottom, other.bottom) - max(wide.top, other.top)
            if shared > 0.5 * min(wide.bottom - wide.top, other.bottom - other.top):
                crossing[k] = True


def _merge_one_sided(bands: list[tuple[bool, list[Fragment]]], gutter: float) -> list[tuple[bool, list[Fragment]]]:
    """Bands with a column band that has text on one side only made full width and joined with the
    full-width bands around them: between full-width text, a one-sided band is not two columns (an
    affiliation beside the abstract under the title is, at a gutter of its own)."""
    out: list[tuple[bool, list[Fragment]]] = []
    for full, members in bands:
        if not full and (all(f.x1 <= gutter for f in members) or all(f.x0 >= gutter for f in members)):
            full = True
        if out and out[-1][0] == full:
            out[-1] = (full, out[-1][1] + members)
        else:
            out.append((full, members))
    return out


def _next_band(lines: list[Line]) -> int:
    return lines[-1].band + 1 if lines else 0


def _add_lines(frags: list[Fragment], lines: list[Line], column: int) -> None:
    band = _next_band(lines)
    lines.extend(Line(group, band, column) for group in same_baseline(frags))


class _Neighbours:
    """Fragments sorted by top, with their tops for bisection and the tallest one's height."""

    def __init__(self, frags: list[Fragment]) -> None:
        self.tops = [f.top for f in frags]
        self.tallest = max((f.bottom - f.top for f in frags), default=0.0)


def _ends_full_width(frags: list[Fragment], i: int, gutter: float, near: _Neighbours) -> bool:
    """A one-side line that belongs to full-width content: alone at its height, and right under a
    full-width line aligned with it (a paragraph's short last line) or right above a full-width one
    (a table's caption). ``frags`` are sorted by top: only those near in height are looked at."""
    frag = frags[i]
    if frag.table is not None:
        return False
    on_left = frag.x1 <= gutter
    tops = near.tops
    first = bisect_left(tops, frag.top - 2 - near.tallest)
    for other in frags[first : bisect_left(tops, frag.bottom + 2)]:
        if (other.x0 >= gutter if on_left else other.x1 <= gutter) and other.bottom > frag.top - 2:
            return False  # something stands beside it on the other side
    height = frag.bottom - frag.top
    above: Fragment | None = None
    for k in range(i - 1, -1, -1):  # the fragment above whose bottom is lowest
        other = frags[k]
        if above is not None and other.top + near.tallest < above.bottom:
            break
        if other.bottom <= frag.top + 1 and (above is None or other.bottom > above.bottom):
            above = other
    if above is not None:
        if above.x0 < gutter < above.x1 and abs(above.x0 - frag.x0) <= 2 and frag.top - above.bottom <= 1.5 * height:
            return True
    start = max(i + 1, bisect_left(tops, frag.bottom - 1))
    if start < len(frags):
        below = frags[start]
        between = bisect_left(tops, below.top) - bisect_left(tops, frag.bottom - 1)
        return below.x0 < gutter < below.x1 and below.top - frag.bottom <= 1.5 * height and between <= 0
    return False


def same_baseline(frags: list[Fragment]) -> list[list[Fragment]]:
    groups: list[list[Fragment]] = []
    for f in sorted(frags, key=lambda f: (f.top, f.x0)):
        if f.table is None and groups and groups[-1][0].table is None:
            last = groups[-1]
            top, bottom = min(x.top for x in last), max(x.bottom for x in last)
            mid = (f.top + f.bottom) / 2
            if top <= mid <= bottom or (f.top < bottom and (bottom - f.top) > 0.5 * (f.bottom - f.top)):
                last.append(f)
                continue
        groups.append([f])
    return [sorted(g, key=lambda f: f.x0) for g in groups]
