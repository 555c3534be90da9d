"""Block labels beyond layout: which block is the title, which the authors; kinds from sections.

The title is the best-scoring heading-like block near the start: large type (PDFs), a heading, the
same words quoted in a "to cite this article" line; never a journal name, a front-matter line, a
standard section name or a two-word label ("Facts & figures").
"""

from __future__ import annotations

import re

from pipeline.core import names
from pipeline.ingest.sections import KEYWORDS

_JOURNAL = re.compile(r"\b(journal|review|quarterly|proceedings|bulletin|transactions|vol\.|volume|issn)\b", re.I)
_STANDARD = re.compile(
    r"^\W*(\d+\.?\s*)?(abstract|summary|keywords?|introduction|background|methods?|results|discussion|"
    r"conclusions?|references|bibliography|acknowledg\w+|appendix|notes)\b",
    re.I,
)
_REAL_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE = re.compile(r"[.!;]\s*$")
_NAME_LIST = re.compile(r"^[^\d@:]{3,160}$")


def pick_title(texts: list[str], kinds: list[str], sections: list[str], sizes: list[float | None]) -> int | None:
    """The index of the title block among the first blocks, or None when none looks like one."""
    front = " ".join(t for t, s in zip(texts, sections) if s == names.SEC_FRONT_MATTER).lower()
    body_size = _body_size(texts, sizes)
    # A classification line ("УДК 314.7", "UDC …") stands between a journal's rubric and the paper's
    # byline and title: the title comes after it.
    first = next((i + 1 for i, t in enumerate(texts[:30]) if _CLASSIFICATION.match(t)), 0)
    best, best_score = None, float("-inf")
    for i, (whole, k, s, size) in enumerate(zip(texts[:30], kinds, sections, sizes)):
        t = _COVER_FIELD.split(whole, maxsplit=1)[0]  # a cover page's title, before its labelled fields
        large = size is not None and body_size is not None and size > 1.3 * body_size
        if k in (names.TABLE, names.CAPTION) or (
            k == names.PARAGRAPH and s == names.SEC_BODY and len(t) > 200 and not large
        ):
            break  # a paper's title comes before its first table or figure, and before its text begins
        if i < first or s in (names.SEC_FRONT_MATTER, names.SEC_REFERENCES) or k == names.FOOTNOTE:
            continue
        words = _REAL_WORD.findall(t)
        digits = sum(c.isdigit() for c in t)
        if (
            not 3 <= len(words) <= 30
            or len(t) > (400 if large else 250)
            or _SENTENCE.search(t)
            or _STANDARD.match(t)
            or digits > 0.2 * len(t)
        ):
            continue
        score = 2.0 * (size or 0) + (3 if k == names.HEADING else 0) + 0.3 * min(len(words), 12) - 0.3 * i
        if len(t) > 20 and t.lower() in front:
            score += 6
        if _JOURNAL.search(t):
            score -= 8
        if looks_like_authors(t) and re.search(r",|\band\b|&", t) and i > 0 and looks_like_title_case(texts[i - 1]):
            score -= 4  # "A. Sadyk, J. Smith and M. Rossi" under a title is its byline
        if score > best_score:
            best, best_score = i, score
    return best


#: The labelled fields of a cover page ("… Century Author(s): J. William Leasure … Source: Slavic Review").
_COVER_FIELD = re.compile(r"\s+(?:Authors?(?:\(s\))?|Source|Published by|Stable URL):\s")
_CLASSIFICATION = re.compile(r"^\W*(?:УДК|UDC|ББК|UDK)\s*[\d.:()/ -]+\b")


def _body_size(texts: list[str], sizes: list[float | None]) -> float | None:
    """The type size of the document's running text: the median size of its long blocks (PDFs)."""
    long_sizes = sorted(size for t, size in zip(texts, sizes) if size is not None and len(t) > 200)
    return long_sizes[len(long_sizes) // 2] if long_sizes else None


def title_continues(text: str, size: float | None, title_size: float | None, kind: str) -> bool:
    """Whether a block right after the title is the title's next line: the same large type, no sentence
    (a subtitle set after a colon ends the first block: "…in Ukraine:" / "Preliminary findings …")."""
    return (
        size is not None
        and title_size is not None
        and abs(size - title_size) < 0.3
        and kind in (names.PARAGRAPH, names.HEADING)
        and len(_REAL_WORD.findall(text)) >= 2
        and len(text) <= 200
        and not _SENTENCE.search(text)
    )


def looks_like_title_case(text: str) -> bool:
    words = _REAL_WORD.findall(text)
    return 3 <= len(words) <= 30 and not _SENTENCE.search(text) and text[:1].isupper()


def looks_like_authors(text: str) -> bool:
    """A short line of names: capitalized words, commas or "and", no digits, no sentence."""
    t = text.strip().rstrip(",")
    words = t.replace(",", " ").split()
    if not _NAME_LIST.match(t) or not 1 <= len(words) <= 20 or _SENTENCE.search(t) and not re.search(r"\b[A-Z]\.$", t):
        return False
    caps = [w for w in words if w[0].isupper()]
    return len(caps) >= 2 and all(w[0].isupper() or w.lower() in ("and", "&", "de", "van", "von", "der") for w in words)


def relabel(texts: list[str], kinds: list[str], sections: list[str], sizes: list[float | None]) -> None:
    """Set title, authors, abstract, keywords, references and front-matter kinds in place."""
    for i, s in enumerate(sections):
        if s == names.SEC_TITLE:  # the first heading, as assign_sections saw it: re-decided below
            sections[i] = names.SEC_BODY
    t = pick_title(texts, kinds, sections, sizes)
    if t is not None:
        kinds[t], sections[t] = names.TITLE, names.SEC_TITLE
        while (
            t + 1 < len(texts)
            and sections[t + 1] == names.SEC_BODY
            and title_continues(texts[t + 1], sizes[t + 1], sizes[t], kinds[t + 1])
        ):
            t += 1
            kinds[t], sections[t] = names.TITLE, names.SEC_TITLE
        for j in range(t + 1, min(t + 3, len(texts))):
            if sections[j] == names.SEC_BODY and looks_like_authors(texts[j]):
                kinds[j], sections[j] = names.AUTHORS, names.SEC_FRONT_MATTER
                break
    for i, (k, s) in enumerate(zip(kinds, sections)):
        if s == names.SEC_REFERENCES and k in (names.FOOTNOTE, names.LIST_ITEM):
            kinds[i] = names.REFERENCES  # "1. Carment, D. … https://…" looks like a footnote, but it is an entry
            continue
        if k in (names.HEADING, names.TITLE, names.AUTHORS, names.TABLE, names.FOOTNOTE, names.CAPTION):
            continue
        if KEYWORDS.match(texts[i]):
            kinds[i] = names.KEYWORDS
        elif s == names.SEC_ABSTRACT:
            kinds[i] = names.ABSTRACT
        elif s == names.SEC_REFERENCES:
            kinds[i] = names.REFERENCES
        elif s == names.SEC_FRONT_MATTER:
            kinds[i] = names.FRONT_MATTER
