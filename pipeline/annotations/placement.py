"""Placing an :class:`~.decisions.Anchor` in a (possibly changed) canonical text, and UTF-16 offsets.

:func:`locate` tries, in order, and stops at the first that places the quote:

1. ``position``: the old offsets still hold the quote;
2. ``quote``: the exact quote elsewhere, the occurrence whose prefix/suffix agree best and that
   lies nearest the old offsets (an ambiguous tie is refused, never guessed);
3. ``whitespace``: the quote with its whitespace runs matching any whitespace (re-flowed text);
4. ``fuzzy``: the best rapidfuzz alignment of the quote (near the old offsets first, then anywhere),
   its ends then moved to the word boundaries that best reproduce the quote (an alignment window
   has the quote's length, so a quote that lost a hyphen would otherwise take a letter of the next
   word); placed if that span's ``fuzz.ratio`` with the quote reaches ``threshold`` and the quote is
   at least ``min_fuzzy_chars`` long (short quotes like "12" match anywhere).

``None`` means the anchor cannot be placed: the caller reports it as an orphan.

Label Studio's ``start``/``end`` are JavaScript string indices (UTF-16 code units), the pipeline's
are code points: :func:`to_utf16` and :func:`from_utf16` convert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.annotations.decisions import Anchor

POSITION, QUOTE, WHITESPACE, FUZZY, ID = "position", "quote", "whitespace", "fuzzy", "id"


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    method: str
    score: float = 100.0


def to_utf16(text: str, i: int) -> int:
    """The UTF-16 code-unit index of code point ``i`` of ``text``."""
    return i + sum(1 for c in text[:i] if ord(c) > 0xFFFF)


def from_utf16(text: str, j: int) -> int:
    """The code-point index of UTF-16 index ``j``; raises if ``j`` falls inside a surrogate pair."""
    units = 0
    for i, c in enumerate(text):
        if units == j:
            return i
        units += 2 if ord(c) > 0xFFFF else 1
        if units > j:
            raise ValueError(f"UTF-16 offset {j} splits the character {c!r} at code point {i}")
    if units == j:
        return len(text)
    raise ValueError(f"UTF-16 offset {j} beyond a text of {units} code units")


def _context_score(text: str, start: int, end: int, a: Anchor) -> float:
    """How well the text around ``[start, end)`` agrees with the anchor's prefix and suffix (0-100)."""
    scores = []
    if a.prefix:
        scores.append(fuzz.ratio(a.prefix, text[max(0, start - len(a.prefix)) : start]))
    if a.suffix:
        scores.append(fuzz.ratio(a.suffix, text[end : end + len(a.suffix)]))
    return sum(scores) / len(scores) if scores else 100.0


def _best(
    text: str, a: Anchor, spans: list[tuple[int, int]], method: str, min_context: float = 50.0
) -> Placement | None:
    """The span whose context agrees best, then nearest the old start.

    With several candidates, ``None`` when the anchor has no context, when two tie, or when even
    the best context disagrees (``min_context``): a decision is never applied to a span that merely has the same words.
    """
    if not spans:
        return None
    if len(spans) > 1 and not (a.prefix or a.suffix):
        return None
    ranked = sorted((-_context_score(text, s, e, a), abs(s - a.start), s, e) for s, e in spans)
    ctx, _, s, e = ranked[0]
    if len(ranked) > 1 and (ranked[0][:2] == ranked[1][:2] or -ctx < min_context):
        return None
    return Placement(s, e, method, -ctx)


def _edge(text: str, i: int) -> bool:
    """Whether ``i`` is a word boundary: a span starting or ending there cuts no word."""
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def refine(text: str, quote: str, start: int, end: int, max_slack: int = 40) -> tuple[int, int, float]:
    """The span near ``[start, end)`` with both ends on word boundaries whose ``fuzz.ratio`` with the quote
    is best (ties: the length nearest the quote's, then the start nearest ``start``), and that ratio."""
    slack = min(max_slack, max(3, len(quote) // 5))
    best: tuple[tuple[float, int, int], int, int] | None = None
    for i in range(max(0, start - slack), min(len(text), start + slack) + 1):
        if not _edge(text, i):
            continue
        for j in range(max(i + 1, end - slack), min(len(text), end + slack) + 1):
            if not _edge(text, j):
                continue
            key = (fuzz.ratio(quote, text[i:j]), -abs(j - i - len(quote)), -abs(i - start))
            if best is None or key > best[0]:
                best = (key, i, j)
    if best is None:
        return start, end, fuzz.ratio(quote, text[start:end])
    return best[1], best[2], best[0][0]


def locate(text: str, a: Anchor, threshold: float = 90.0, min_fuzzy_chars: int = 8) -> Placement | None:
    """Where the anchor's quote lies in ``text`` now (see the module docstring), or ``None``."""
    if not a.quote:
        return None
    if 0 <= a.start <= a.end <= len(text) and text[a.start : a.end] == a.quote:
        return Placement(a.start, a.end, POSITION)
    exact = [(m.start(), m.start() + len(a.quote)) for m in re.finditer(f"(?={re.escape(a.quote)})", text)]
    if exact:
        return _best(text, a, exact, QUOTE)
    tokens = a.quote.split()
    if tokens:
        pattern = r"\s+".join(re.escape(t) for t in tokens)
        loose = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
        if loose:
            return _best(text, a, loose, WHITESPACE)
    if len(a.quote) < min_fuzzy_chars:
        return None
    window = max(2000, 4 * len(a.quote))
    lo = max(0, min(a.start, len(text)) - window)
    for base, hay in ((lo, text[lo : a.end + window]), (0, text)):
        al = fuzz.partial_ratio_alignment(a.quote, hay, score_cutoff=threshold)
        if al is not None and al.dest_end > al.dest_start:
            s, e, score = refine(text, a.quote, base + al.dest_start, base + al.dest_end)
            if score >= threshold:
                return Placement(s, e, FUZZY, score)
    return None


__all__ = ["Placement", "locate", "refine", "to_utf16", "from_utf16", "POSITION", "QUOTE", "WHITESPACE", "FUZZY", "ID"]
