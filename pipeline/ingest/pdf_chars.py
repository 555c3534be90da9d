"""A PDF page's characters as a reader sees them: upright text apart from rotated text, ligatures and
accents resolved, invalid code points replaced.

pdfium hands over one character per code point of the text layer, in content-stream order. What a
reader sees differs in four ways, each resolved here so the layout never sees them:

- **Ligatures.** A ligature glyph (ﬁ, ﬂ, ﬀ …) comes back as its letters, each with the whole glyph's
  box; the letters share that box evenly, so a word's boxes run on without a false gap or overlap
  (the overlap is what split "f ind" into two words). U+FB00–FB06 and the Private Use code points
  that common fonts give fi and fl (U+F001, U+F002) become their letters the same way.
- **Combining accents** are composed with the letter before them (NFC); the composed character's
  box is the union of both boxes: one box per code point of the text.
- **Invalid code points.** A surrogate pair is one character; a lone surrogate (a font's broken
  mapping of a math letter) becomes U+FFFD and is counted, so the reader can warn naming the page.
- **Rotation.** A character drawn at an angle (a vertical "Downloaded from …" line in the margin, a
  watermark, a figure's axis label) is set apart from the upright text, by the angle of its text
  matrix (``FPDFText_GetCharAngle``, which also sees a rotated matrix that other readers report as
  upright). On a landscape page, where most characters share one angle, that angle is the page's
  upright and the characters at other angles are the rotated ones.
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from dataclasses import dataclass, field

from .reading_order import Char

#: pdfium marks a line-end hyphen as U+0002 (U+FFFE in GetText); a soft hyphen is one too.
HYPHEN_CHARS = {"\x02": "-", "\ufffe": "-", "\u00ad": "-"}
#: Ligature code points and the letters they stand for (Unicode's Alphabetic Presentation Forms, and
#: the Private Use code points that Adobe's and TeX's standard encodings give fi and fl).
LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\uf001": "fi",
    "\uf002": "fl",
}
REPLACEMENT = "\ufffd"
#: Angles (radians) closer than this to each other are one orientation.
_ANGLE_TOLERANCE = 0.05


@dataclass
class PageChars:
    """One page's characters: the upright ones in content order, the rotated ones apart."""

    upright: list[Char] = field(default_factory=list)
    rotated: list[tuple[float, Char]] = field(default_factory=list)  # (angle, char) in content order
    replaced: int = 0  # invalid code points replaced with U+FFFD


def _text(textpage, count: int) -> list[str]:
    """The page's code points, one per pdfium character index; a surrogate pair's second half is ""."""
    import pypdfium2.raw as raw

    buf = (ctypes.c_ushort * (count + 1))()
    raw.FPDFText_GetText(textpage, 0, count, buf)
    units = list(buf[:count])
    text = [chr(u) for u in units]
    if not any(0xD800 <= u <= 0xDFFF for u in units):
        return text
    for k, unit in enumerate(units):
        if 0xD800 <= unit <= 0xDBFF and k + 1 < count and 0xDC00 <= units[k + 1] <= 0xDFFF:
            text[k] = chr(0x10000 + ((unit - 0xD800) << 10) + (units[k + 1] - 0xDC00))
            text[k + 1] = ""
        elif 0xD800 <= unit <= 0xDFFF and text[k] != "":
            text[k] = REPLACEMENT
    return text


def _is_same_angle(a: float, b: float) -> bool:
    d = abs(a - b) % (2 * math.pi)
    return min(d, 2 * math.pi - d) < _ANGLE_TOLERANCE


def page_chars(textpage, height: float) -> PageChars:
    """The page's visible characters in content-stream order, boxes from the top-left corner.

    This loop is the reader's hot spot (one pass over every character), so it makes as few calls
    into pdfium as it can: the page's text comes in one call, each character's box is its *loose*
    box (the glyph's advance across, the font's ascent to descent up and down: no false gaps inside
    words, and the same height along a line), its font size is asked for only when the box height
    changes (a new font or size), and its angle only when the box is not a tall upright one.
    Generated characters (pdfium's own spaces and line breaks) have an empty box and are skipped
    with the other whitespace.
    """
    import pypdfium2.raw as raw

    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    text = _text(tp, count)
    loose_box, font_size, char_angle = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetFontSize, raw.FPDFText_GetCharAngle
    char_matrix = raw.FPDFText_GetMatrix
    box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    out = PageChars()
    chars: list[tuple[float, Char]] = []
    space = False
    last_h, size = -1.0, 0.0
    memo: dict[float, float] = {}
    for k, ch in enumerate(text):
        if ch == "" or ch.isspace() or ch == "\x00":
            space = space or ch != ""
            continue
        if not loose_box(tp, k, box):
            continue
        x0, x1, top, bottom = box.left, box.right, height - box.top, height - box.bottom
        if x1 <= x0 or bottom <= top:  # generated (no glyph) or invisible
            space = True
            continue
        h = bottom - top
        if h != last_h:
            size, last_h = _font_size(tp, k, font_size, char_matrix, matrix) or round(h, 2), h
        # Upright text has boxes taller than wide (the font's ascent to descent, against an advance
        # of about half an em); only a box as wide as it is tall may be rotated, and is asked.
        angle = char_angle(tp, k) if x1 - x0 > 0.75 * h else 0.0
        if angle < _ANGLE_TOLERANCE or angle > 2 * math.pi - _ANGLE_TOLERANCE:  # upright (or pdfium's -1: unknown)
            angle = 0.0
        # Rounded coordinates are shared float objects: a line's characters share top and bottom, and
        # each one's x0 is the previous one's x1, so a page's boxes cost one new float per character.
        if (rx0 := memo.get(x0)) is None:
            rx0 = memo[x0] = round(x0, 2)
        if (rx1 := memo.get(x1)) is None:
            rx1 = memo[x1] = round(x1, 2)
        if (rtop := memo.get(top)) is None:
            rtop = memo[top] = round(top, 2)
        if (rbottom := memo.get(bottom)) is None:
            rbottom = memo[bottom] = round(bottom, 2)
        if ch == REPLACEMENT or "\ud800" <= ch <= "\udfff":
            out.replaced += 1
        chars.append(
            (angle if angle > 0 else 0.0, Char(HYPHEN_CHARS.get(ch, ch), rx0, rtop, rx1, rbottom, size, space))
        )
        space = False
    chars = _resolve(chars)
    upright = _upright_angle([a for a, _ in chars])
    for angle, c in chars:
        if _is_same_angle(angle, upright):
            out.upright.append(c)
        else:
            out.rotated.append((angle, c))
    return out


def _font_size(textpage, index: int, font_size, char_matrix, matrix) -> float:
    """The character's size in points as printed: the font size times the text matrix's scale (many
    publishers set a font at size 1 and scale it with the matrix)."""
    size = font_size(textpage, index)
    if char_matrix(textpage, index, matrix):
        size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
    return round(size, 2)


def _upright_angle(angles: list[float]) -> float:
    """0, or the angle most characters share when more than half of them are at it (a landscape page)."""
    counts: dict[float, int] = {}
    for a in angles:
        if a:
            key = round(a, 1)
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return 0.0
    key, n = max(counts.items(), key=lambda kv: kv[1])
    return key if n > len(angles) / 2 else 0.0


def _resolve(chars: list[tuple[float, Char]]) -> list[tuple[float, Char]]:
    """Ligatures into letters with their share of the glyph's box; combining marks composed (NFC)."""
    out: list[tuple[float, Char]] = []
    k = 0
    n = len(chars)
    while k < n:
        angle, c = chars[k]
        letters = LIGATURES.get(c.text)
        if letters is not None:
            out.extend((angle, part) for part in _share_box(c, letters))
            k += 1
            continue
        end = k + 1  # a glyph pdfium split into letters: consecutive characters with one and the same box
        while end < n and chars[end][1].x0 == c.x0 and chars[end][1].x1 == c.x1 and chars[end][1].top == c.top:
            end += 1
        if end - k > 1 and all(ch.text.isalpha() for _, ch in chars[k:end]):
            out.extend((angle, part) for part in _share_box(c, "".join(ch.text for _, ch in chars[k:end])))
            k = end
            continue
        if out and unicodedata.combining(c.text) and not c.space_before:
            prev_angle, prev = out[-1]
            composed = unicodedata.normalize("NFC", prev.text + c.text)
            if len(composed) == 1:
                out[-1] = (prev_angle, _union(prev, c, composed))
                k += 1
                continue
        out.append((angle, c))
        k += 1
    return out


def _share_box(c: Char, letters: str) -> list[Char]:
    """The letters of one glyph, each with an equal share of its box across (in the text's direction)."""
    step = (c.x1 - c.x0) / len(letters)
    return [
        Char(
            letter,
            round(c.x0 + i * step, 2) if i else c.x0,
            c.top,
            round(c.x0 + (i + 1) * step, 2) if i < len(letters) - 1 else c.x1,
            c.bottom,
            c.size,
            c.space_before and i == 0,
        )
        for i, letter in enumerate(letters)
    ]


def _union(a: Char, b: Char, text: str) -> Char:
    return Char(
        text, min(a.x0, b.x0), min(a.top, b.top), max(a.x1, b.x1), max(a.bottom, b.bottom), a.size, a.space_before
    )


def rotated_runs(rotated: list[tuple[float, Char]]) -> list[list[Char]]:
    """Rotated characters as runs of one line each: same angle, each next to the previous one."""
    runs: list[list[Char]] = []
    last_angle = None
    for angle, c in rotated:
        if runs and last_angle is not None and _is_same_angle(angle, last_angle) and _adjacent(runs[-1][-1], c):
            runs[-1].append(c)
        else:
            runs.append([c])
        last_angle = angle
    return runs


def _adjacent(a: Char, b: Char) -> bool:
    """Whether ``b`` continues ``a``'s line (whatever the direction): their boxes touch or nearly do."""
    reach = 1.5 * max(a.size, b.size, 1.0)
    return b.x0 < a.x1 + reach and b.x1 > a.x0 - reach and b.top < a.bottom + reach and b.bottom > a.top - reach


def run_text(run: list[Char]) -> tuple[str, list[Char | None]]:
    """A rotated run's text, a space where pdfium saw one; each code point's character (None: a space)."""
    text: list[str] = []
    owners: list[Char | None] = []
    for i, c in enumerate(run):
        if i and c.space_before:
            text.append(" ")
            owners.append(None)
        text.append(c.text)
        owners.append(c)
    return "".join(text), owners
