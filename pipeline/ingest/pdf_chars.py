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
  watermark, a figure's axis label) is set apart from the upright text, by the direction of its
  baseline in its text matrix (which also sees a rotated matrix that other readers report as
  upright, and leaves the slant of italics alone). On a landscape page, where most characters share one angle, that angle is the page's
  upright and the characters at other angles are the rotated ones.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import repeat

from pipeline.ingest.reading_order import Char, chars_from_columns

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
_NON_ASCII = re.compile(r"[^\x00-\x7f]")  # ligatures and combining marks are among these
_WHITESPACE = re.compile(r"\s")
_HYPHENS = str.maketrans(HYPHEN_CHARS)


@dataclass
class PageChars:
    """One page's characters: the upright ones in content order, the rotated ones apart."""

    upright: list[Char] = field(default_factory=list)
    rotated: list[tuple[float, Char]] = field(default_factory=list)  # (angle, char) in content order
    replaced: int = 0  # invalid code points replaced with U+FFFD


def _text(textpage, count: int) -> str:
    """The page's code points, one per pdfium character index (NUL for the second half of a pair).

    The page's text comes in one call when it is all in the Basic Multilingual Plane (one UTF-16
    unit per character) and pdfium wrote one unit per index (it leaves out some generated hyphens).
    Otherwise each character is asked for its own code point, since a character
    beyond the BMP takes two units and shifts the rest: a high and a low surrogate at two
    consecutive indices are one character; a lone surrogate is invalid and becomes U+FFFD.
    Either way the text holds no surrogate.
    """
    import numpy as np
    import pypdfium2.raw as raw

    buf = (ctypes.c_ushort * (count + 1))()
    written = raw.FPDFText_GetText(textpage, 0, count, buf)  # units, with the closing NUL
    units = np.ctypeslib.as_array(buf)[:count]
    if written == count + 1 and not ((units >= 0xD800) & (units <= 0xDFFF)).any():
        return ctypes.string_at(buf, 2 * count).decode("utf-16-le")
    codes = [raw.FPDFText_GetUnicode(textpage, k) for k in range(count)]
    text = []
    k = 0
    while k < count:
        code = codes[k]
        if 0xD800 <= code <= 0xDBFF and k + 1 < count and 0xDC00 <= codes[k + 1] <= 0xDFFF:
            text += [chr(0x10000 + ((code - 0xD800) << 10) + (codes[k + 1] - 0xDC00)), "\x00"]
            k += 2
            continue
        text.append(REPLACEMENT if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else chr(code))
        k += 1
    return "".join(text)


@functools.cache
def _loose_box_call():
    """pdfium's ``FPDFText_GetLooseCharBox`` called with plain addresses: the text page's and that of
    the box to fill, so one call per character converts no ctypes objects."""
    import pypdfium2.raw as raw

    address = ctypes.cast(raw.FPDFText_GetLooseCharBox, ctypes.c_void_p).value
    assert address, "pdfium exports FPDFText_GetLooseCharBox"
    return ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)(address)


def _loose_boxes(textpage, count: int):
    """Every character's loose box (left, top, right, bottom in PDF coordinates, as float64 of
    pdfium's float32) and whether pdfium gave one, read in one pass into one array."""
    import numpy as np

    boxes = (ctypes.c_float * (4 * count))()
    base = ctypes.addressof(boxes)
    page = ctypes.cast(textpage, ctypes.c_void_p).value
    ok = list(map(_loose_box_call(), repeat(page, count), range(count), range(base, base + 16 * count, 16)))
    return np.array(ok, dtype=bool), np.ctypeslib.as_array(boxes).reshape(-1, 4).astype(np.float64)


def _is_same_angle(a: float, b: float) -> bool:
    d = abs(a - b) % (2 * math.pi)
    return min(d, 2 * math.pi - d) < _ANGLE_TOLERANCE


def _same_angle_mask(angles, b: float):
    """:func:`_is_same_angle` of each of ``angles`` (a numpy array) with ``b``, the same arithmetic."""
    import numpy as np

    d = np.remainder(np.abs(angles - b), 2 * math.pi)
    return np.minimum(d, 2 * math.pi - d) < _ANGLE_TOLERANCE


def page_chars(textpage, height: float) -> PageChars:
    """The page's visible characters in content-stream order, boxes from the top-left corner.

    This is the reader's hot spot (every character of the PDF), so pdfium is asked once per
    character for its box only (its *loose* box: the glyph's advance across, the font's ascent to
    descent up and down, so no false gaps inside words and one height along a line), into one flat
    array; numpy then decides which characters are kept and which mark a space, and finds the few
    characters that need more: a font size where the box height changes (a new font or size), an
    angle where the box is as wide as it is tall (upright text is taller than wide), and a closer
    look where a ligature or an accent may be. Generated characters (pdfium's own spaces and line
    breaks) have an empty box and are skipped with the other whitespace, marking a space before the
    next character. A space drawn inside the glyph before it is the glyph's own spacing (a
    ligature's advance set with a space, "in\uf002 uenced"): no word break.
    """
    import numpy as np
    import pypdfium2.raw as raw

    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    out = PageChars()
    if count <= 0:
        return out
    text = _text(tp, count)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ok, loose = _loose_boxes(tp, count)
    left, top, right, bottom = loose.T
    skip = codes == 0
    blank = np.zeros(count, dtype=bool)
    blank[[m.start() for m in _WHITESPACE.finditer(text)]] = True  # str.isspace(), as re's \s is
    glyph = ok & ~skip & ~blank  # a character with a box: the previous glyph of what follows
    empty = glyph & ((right <= left) | (top <= bottom))  # generated (no glyph) or invisible
    kept = glyph & ~empty
    before = np.maximum.accumulate(np.where(glyph, np.arange(count), -1))  # the last glyph up to here
    has_before = before >= 0
    last_right = np.where(has_before, right[before], np.nan)
    last_top = np.where(has_before, top[before], np.nan)
    with np.errstate(invalid="ignore"):
        own_spacing = (
            (codes == 32)
            & ok
            & (left < last_right - 0.5)
            & (np.abs(top - last_top) < 1.0)
            & (left < right)
            & (right <= last_right + 0.5)
        )
    marks = np.cumsum((blank & ~own_spacing) | empty)  # spaces seen so far
    kept_at = np.flatnonzero(kept)
    if not len(kept_at):
        return out
    seen = marks[kept_at]
    spaces = (seen - np.concatenate(([0], seen[:-1])) > 0).tolist()
    index = kept_at.tolist()
    boxes = np.round(
        np.column_stack((left[kept_at], height - top[kept_at], right[kept_at], height - bottom[kept_at])), 2
    )
    heights = boxes[:, 3] - boxes[:, 1]
    sizes = _sizes(tp, index, heights)
    angles = _angles(tp, index, boxes, heights)
    # Shared float objects: a line's characters share top and bottom, and each one's x0 is the
    # previous one's x1, so a page's boxes cost about one new float per character.
    values, where = np.unique(boxes, return_inverse=True)
    flat = _as_objects(values)[where.reshape(-1, 4)]
    size_values, size_where = np.unique(sizes, return_inverse=True)
    kept_text = text.translate(_HYPHENS).encode("utf-32-le")
    letters = np.frombuffer(kept_text, dtype=np.uint32)[kept_at].tobytes().decode("utf-32-le")
    chars = chars_from_columns(
        letters,
        flat[:, 0].tolist(),
        flat[:, 1].tolist(),
        flat[:, 2].tolist(),
        flat[:, 3].tolist(),
        _as_objects(size_values)[size_where].tolist(),
        spaces,
    )
    out.replaced = letters.count(REPLACEMENT)
    chars, angle_list = _resolve(chars, angles.tolist(), _needs_resolving(letters, boxes))
    if not any(angle_list):
        out.upright = chars
        return out
    upright = _upright_angle(angle_list)
    same = _same_angle_mask(np.array(angle_list), upright).tolist()
    for angle, c, is_upright in zip(angle_list, chars, same):
        if is_upright:
            out.upright.append(c)
        else:
            out.rotated.append((angle, c))
    return out


def _as_objects(values):
    """A numpy array of Python floats, one object per value: indexing it shares the objects."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values.tolist()
    return out


def _sizes(textpage, index: list[int], heights):
    """Each character's font size, asked of pdfium only where the box height changes."""
    import numpy as np
    import pypdfium2.raw as raw

    changes = np.flatnonzero(np.concatenate(([True], heights[1:] != heights[:-1])))
    matrix = raw.FS_MATRIX()
    asked = np.array(
        [
            _font_size(textpage, index[i], raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix, matrix) or heights[i]
            for i in changes.tolist()
        ]
    )
    return np.round(np.repeat(asked, np.diff(np.append(changes, len(index)))), 2)


def _angles(textpage, index: list[int], boxes, heights):
    """Each character's angle in radians, 0 for upright; asked only where a box is as wide as tall.

    The angle is the direction of the character's baseline in its text matrix, ``atan2(b, a)``:
    a skew (italic type set by a slanted matrix) leaves it at 0, where pdfium's own
    ``FPDFText_GetCharAngle`` would call a slanted letter rotated.
    """
    import numpy as np
    import pypdfium2.raw as raw

    angles = np.zeros(len(index))
    char_matrix = raw.FPDFText_GetMatrix
    matrix = raw.FS_MATRIX()
    for i in np.flatnonzero(boxes[:, 2] - boxes[:, 0] > 0.75 * heights).tolist():
        if not char_matrix(textpage, index[i], matrix):
            continue
        angle = math.atan2(matrix.b, matrix.a) % (2 * math.pi)
        if _ANGLE_TOLERANCE < angle < 2 * math.pi - _ANGLE_TOLERANCE:
            angles[i] = angle
    return angles


def _needs_resolving(letters: str, boxes) -> list[int]:
    """Indices of characters that may start a ligature or take an accent: a ligature code point, a
    character with the same box as the one before it, a combining mark (``letters``: one code
    point per character)."""
    import numpy as np

    same = np.flatnonzero(np.all(boxes[1:, :3] == boxes[:-1, :3], axis=1))  # i + 1 repeats i's box
    marks = [
        m.start() for m in _NON_ASCII.finditer(letters) if m.group() in LIGATURES or unicodedata.combining(m.group())
    ]
    return sorted(set(same.tolist()) | set(marks))


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


def _resolve(chars: list[Char], angles: list[float], candidates: list[int]) -> tuple[list[Char], list[float]]:
    """Ligatures into letters with their share of the glyph's box; combining marks composed (NFC).

    Only the ``candidates`` (from :func:`_needs_resolving`) are looked at; the characters between
    them are copied as they are. Returns the characters and their angles, aligned.
    """
    if not candidates:
        return chars, angles
    out: list[Char] = []
    out_angles: list[float] = []
    done = 0  # chars[:done] are in ``out``
    for k in candidates:
        if k < done:
            continue
        out.extend(chars[done:k])
        out_angles.extend(angles[done:k])
        done = k
        c = chars[k]
        letters = LIGATURES.get(c.text)
        end = k + 1  # a glyph pdfium split into letters: consecutive characters with one and the same box
        while end < len(chars) and (chars[end].x0, chars[end].x1, chars[end].top) == (c.x0, c.x1, c.top):
            end += 1
        if letters is None and end - k > 1 and all(ch.text.isalpha() for ch in chars[k:end]):
            letters = "".join(ch.text for ch in chars[k:end])
        else:
            end = k + 1
        if letters is not None:
            parts = _share_box(c, letters)
            out.extend(parts)
            out_angles.extend([angles[k]] * len(parts))
            done = end
            continue
        if out and unicodedata.combining(c.text) and not c.space_before:
            composed = unicodedata.normalize("NFC", out[-1].text + c.text)
            if len(composed) == 1:
                out[-1] = _union(out[-1], c, composed)
                done = k + 1
    out.extend(chars[done:])
    out_angles.extend(angles[done:])
    return out, out_angles


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
