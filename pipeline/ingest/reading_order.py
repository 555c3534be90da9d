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
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(slots=True)
class Char:
    """One character with its box in points from the page's top-left corner."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    space_before: bool = False  # a space (or a wide gap) separates it from the previous character


@dataclass
class Fragment:
    chars: list[Char] = field(default_factory=list)
    table: object = None  # a table placed in the reading order as one fragment (see pdf.py)
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0

    def add(self, c: Char) -> None:
        if not self.chars:
            self.x0, self.top, self.x1, self.bottom = c.x0, c.top, c.x1, c.bottom
        else:  # comparisons, not min/max: this runs once per character of the page
            if c.x0 < self.x0:
                self.x0 = c.x0
            if c.x1 > self.x1:
                self.x1 = c.x1
            if c.top < self.top:
                self.top = c.top
            if c.bottom > self.bottom:
                self.bottom = c.bottom
        self.chars.append(c)

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
    """Split characters (content-stream order) into same-baseline runs without wide gaps."""
    out: list[Fragment] = []
    cur: Fragment | None = None
    for c in chars:
        if cur is not None:
            prev = cur.chars[-1]
            gap = c.x0 - prev.x1
            same_line = c.top < cur.bottom and c.bottom > cur.top
            if same_line and -0.5 * c.size < gap < 0.9 * max(c.size, prev.size):
                cur.add(c)
                continue
        cur = Fragment()
        cur.add(c)
        out.append(cur)
    return out


def find_gutter(frags: list[Fragment], width: float) -> float | None:
    """The x of the gutter between two columns, or None for a one-column page."""
    if len(frags) < 6:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    cover = [0] * (hi - lo)
    for f in frags:
        for x in range(max(lo, int(f.x0)), min(hi, int(f.x1) + 1)):
            cover[x - lo] += 1
    best = min(cover)
    if best > 0.3 * len(frags):
        return None
    runs, start = [], None
    for i, n in enumerate(cover + [best + 1]):
        if n == best and start is None:
            start = i
        elif n != best and start is not None:
            runs.append((i - start, start, i))
            start = None
    _, a, b = max(runs)
    g = lo + (a + b) / 2
    left = [f for f in frags if f.x1 <= g]
    right = [f for f in frags if f.x0 >= g]
    side_by_side = sum(1 for r in right if any(r.top < l.bottom and r.bottom > l.top for l in left))
    return g if len(left) >= 3 and side_by_side >= 3 else None


def reading_order(frags: list[Fragment], width: float) -> list[Line]:
    """The page's lines in reading order: bands top to bottom, columns left to right."""
    g = find_gutter([f for f in frags if f.table is None], width)
    frags = sorted(frags, key=lambda f: (f.top, f.x0))
    bands: list[tuple[bool, list[Fragment]]] = []
    for i, f in enumerate(frags):
        full = g is None or (f.x0 < g < f.x1) or _ends_full_width(frags, i, g)
        if bands and bands[-1][0] == full:
            bands[-1][1].append(f)
        else:
            bands.append((full, [f]))
    lines: list[Line] = []
    for k, (full, members) in enumerate(bands):
        cols = [members] if full else [[f for f in members if f.x1 <= g], [f for f in members if f.x0 >= g]]
        for ci, col in enumerate(cols):
            lines.extend(Line(group, k, ci) for group in same_baseline(col))
    return lines


def _ends_full_width(frags: list[Fragment], i: int, g: float) -> bool:
    """A one-side line that belongs to full-width content: alone at its height, and right under a
    full-width line aligned with it (a paragraph's short last line) or right above a full-width one
    (a table's caption)."""
    f = frags[i]
    if f.table is not None:
        return False
    left = f.x1 <= g
    if any((o.x0 >= g if left else o.x1 <= g) and o.top < f.bottom + 2 and o.bottom > f.top - 2 for o in frags):
        return False
    h = f.bottom - f.top
    above = [p for p in frags[:i] if p.bottom <= f.top + 1]
    if above:
        p = max(above, key=lambda p: p.bottom)
        if p.x0 < g < p.x1 and abs(p.x0 - f.x0) <= 2 and f.top - p.bottom <= 1.5 * h:
            return True
    below = [n for n in frags[i + 1 :] if n.top >= f.bottom - 1]
    if below:
        n = min(below, key=lambda n: n.top)
        return (
            n.x0 < g < n.x1
            and n.top - f.bottom <= 1.5 * h
            and not any(o.top >= f.bottom - 1 and o.top < n.top and o is not n for o in frags)
        )
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
