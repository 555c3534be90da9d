"""Placing an :class:`~.decisions.Anchor` in a (possibly changed) canonical text, and UTF-16 offsets.

:func:`locate` tries, in order, and stops at the first that places the quote:

1. ``position``: the old offsets still hold the quote;
2. ``quote``: the exact quote elsewhere (a paragraph was inserted above, say);
3. ``whitespace``: the quote with its whitespace runs matching any whitespace (re-flowed text);
4. ``fuzzy``: nearly the quote (a typo fixed, a hyphen removed): the best rapidfuzz alignments, their
   ends moved to the word boundaries that best reproduce the quote (an alignment window has the
   quote's length, so a quote that lost a hyphen would otherwise take a letter of the next word);
   candidates whose ``fuzz.ratio`` with the quote reaches ``threshold``, for quotes of at least
   ``min_fuzzy_chars`` (short quotes like "12" match anywhere).

Every method accepts a candidate only where it can be the same place (:func:`agrees`): its ends cut
words as the original did ("Kazakh" is never found inside "Kazakhstan"), and its prefix and suffix
agree with the anchor's (:data:`~.decisions.MIN_CONTEXT`; :data:`MIN_CONTEXT_FUZZY` for nearly the
same words), also when it is the only candidate: the same words elsewhere, after the decided ones
were deleted, are other words. Anchors record enough context to tell their place from a repeated
title or sentence (:meth:`~.decisions.Anchor.distinct_in`). Of several candidates the one whose
context agrees best wins; two that agree about as well (:data:`AMBIGUITY_MARGIN`) are refused. An
anchor that records no context at all is placed only at its own offsets.

``None`` means the anchor cannot be placed: the caller reports it as an orphan.

Label Studio's ``start``/``end`` are JavaScript string indices (UTF-16 code units), the pipeline's
are code points: :func:`to_utf16` and :func:`from_utf16` convert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.annotations.decisions import MIN_CONTEXT, Anchor

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


#: ... and at least this well for nearly the same words (a fuzzy match): when the words differ, the context
#: must say more (templated lines such as footnotes differ in a digit or two of both).
MIN_CONTEXT_FUZZY = 80.0
#: Two agreeing candidates whose mean context scores are closer than this are ambiguous: orphaned, never guessed.
AMBIGUITY_MARGIN = 10.0
#: At most this many fuzzy alignments are compared (best first).
MAX_FUZZY_CANDIDATES = 8


def context_score(text: str, start: int, end: int, a: Anchor) -> float | None:
    """:meth:`~.decisions.Anchor.context_score`: how well the text around ``[start, end)`` agrees with the anchor."""
    return a.context_score(text, start, end)


def agrees(text: str, start: int, end: int, a: Anchor, min_context: float = MIN_CONTEXT) -> float | None:
    """The mean context score of ``[start, end)`` if it can be the anchor's place, else ``None``.

    It can be if both ends cut words as the original did (a quote that began on a word boundary must
    begin on one now: "Kazakh" is not found inside "Kazakhstan") and its context agrees
    (:data:`MIN_CONTEXT`). An anchor without context agrees only at its own offsets.
    """
    if not _same_edges(text, start, end, a):
        return None
    score = context_score(text, start, end, a)
    if score is None:
        return 100.0 if (start, end) == (a.start, a.end) else None
    return score if score >= min_context else None


def _same_edges(text: str, start: int, end: int, a: Anchor) -> bool:
    """Whether the span's ends are word boundaries wherever the anchor's were."""
    q = a.quote
    if not q:
        return False
    began_on_edge = not a.prefix or not (a.prefix[-1].isalnum() and q[0].isalnum())
    ended_on_edge = not a.suffix or not (q[-1].isalnum() and a.suffix[0].isalnum())
    return (not began_on_edge or _edge(text, start)) and (not ended_on_edge or _edge(text, end))


def _best(
    text: str, a: Anchor, spans: list[tuple[int, int]], method: str, min_context: float = MIN_CONTEXT
) -> Placement | None:
    """The candidate whose context agrees best (then nearest the old start), or ``None`` when none agrees
    or when two agree about as well (:data:`AMBIGUITY_MARGIN`): a decision is never applied to a span that
    merely has the same words."""
    ranked = []
    for s, e in spans:
        score = agrees(text, s, e, a, min_context)
        if score is not None:
            ranked.append((-score, abs(s - a.start), s, e))
    if not ranked:
        return None
    ranked.sort()
    (ctx, _, s, e), rest = ranked[0], ranked[1:]
    if rest and -rest[0][0] > -ctx - AMBIGUITY_MARGIN:
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
        score = agrees(text, a.start, a.end, a)
        if score is not None:
            return Placement(a.start, a.end, POSITION, score)
    exact = [(m.start(), m.start() + len(a.quote)) for m in re.finditer(f"(?={re.escape(a.quote)})", text)]
    found = _best(text, a, exact, QUOTE)
    if found is not None:
        return found
    tokens = a.quote.split()
    if tokens:
        pattern = r"\s+".join(re.escape(t) for t in tokens)
        loose = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
        found = _best(text, a, loose, WHITESPACE)
        if found is not None:
            return found
    if len(a.quote) < min_fuzzy_chars:
        return None
    return _best(text, a, fuzzy_candidates(text, a.quote, threshold), FUZZY, MIN_CONTEXT_FUZZY)


def fuzzy_candidates(text: str, quote: str, threshold: float) -> list[tuple[int, int]]:
    """The spans, on word boundaries, whose ``fuzz.ratio`` with the quote reaches ``threshold``: the best
    rapidfuzz alignments (up to :data:`MAX_FUZZY_CANDIDATES`, each masked before looking for the next),
    each refined to the word boundaries that best reproduce the quote."""
    hay, out = text, []
    for _ in range(MAX_FUZZY_CANDIDATES):
        al = fuzz.partial_ratio_alignment(quote, hay, score_cutoff=threshold)
        if al is None or al.dest_end <= al.dest_start:
            break
        s, e, score = refine(text, quote, al.dest_start, al.dest_end)
        if score >= threshold and (s, e) not in out:
            out.append((s, e))
        hay = hay[: al.dest_start] + "\0" * (al.dest_end - al.dest_start) + hay[al.dest_end :]
    return out


__all__ = [
    "Placement",
    "agrees",
    "context_score",
    "fuzzy_candidates",
    "locate",
    "refine",
    "to_utf16",
    "from_utf16",
    "POSITION",
    "QUOTE",
    "WHITESPACE",
    "FUZZY",
    "ID",
]
