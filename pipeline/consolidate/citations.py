"""The reference list, split into entries and parsed: ``citations(doc) -> list[dict]`` (pure).

Entries are the reference section's blocks, split further where a new entry starts inside one.
A numbered list (``1.``, ``[1]``, ``1)`` at the start of the first entry) is split at its numbers,
1, 2, 3 … in turn, and the number is left out of the entry; an unnumbered list is split where a
new "Surname, X. (year)" entry starts. Each entry is parsed author-year style (APA, Harvard,
Chicago author-date): authors before the year, the title after it up to the next full stop, then
the container (journal, book, publisher). Every entry keeps its char range in the canonical text.
"""

from __future__ import annotations

import re

from pipeline.core import names
from pipeline.core.document import Document

_NEW_ENTRY = re.compile(
    r"(?<=[.)>\]\d])\s+(?=[A-Z\u0400-\u042F][^\s,]{1,40},\s+(?:[A-Z]\.|[A-Z][a-z]+)[^()]{0,160}\((?:19|20)\d\d)"
)
_YEAR = re.compile(r"\((?P<y>(?:1[6-9]|20)\d\d)[a-z]?(?:,[^)]*)?\)|\b(?P<y2>(?:19|20)\d\d)[a-z]?\b")
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_URL = re.compile(r"https?://[^\s<>\"]+|\bwww\.[^\s<>\"]+")
_AUTHOR_SPLIT = re.compile(r",?\s*&\s*|\s+and\s+|(?<=\.),\s+(?=[^\W\d_])|;\s*")
_STOP = re.compile(r"(?<![A-Z])(?<!\b[A-Z][a-z])[.?!](?:\s|$)")


_NUMBER = re.compile(r"(?:^|(?<=\s))(?:\[(?P<a>\d{1,3})\]|(?P<b>\d{1,3})[.)])\s+(?=\S)")


def entries(doc: Document) -> list[tuple[int, int]]:
    """The char ranges of the reference entries, in order (an entry's list number is not part of it)."""
    out: list[tuple[int, int]] = []
    expect: int | None = None  # the next entry number, once the list has shown itself numbered
    for b in doc.blocks:
        if b.section != names.SEC_REFERENCES or b.kind == names.HEADING:
            continue
        text = doc.text[b.start : b.end]
        numbered: list[tuple[int, int]] = []  # (where the number starts, where the entry starts)
        for m in _NUMBER.finditer(text):
            n = int(m.group("a") or m.group("b"))
            if (expect is None and m.start() == 0 and not out) or n == expect:
                numbered.append((m.start(), m.end()))
                expect = n + 1
        if numbered:
            if numbered[0][0] > 0:  # text before the first number: the previous entry goes on
                numbered.insert(0, (0, 0))
            bounds = [(a, z) for (_, a), (z, _) in zip(numbered, numbered[1:] + [(len(text), 0)])]
        elif expect is not None:
            bounds = [(0, len(text))]
        else:
            cuts = [0] + [m.end() for m in _NEW_ENTRY.finditer(text)] + [len(text)]
            bounds = list(zip(cuts, cuts[1:]))
        for a, z in bounds:
            seg = text[a:z]
            a += len(seg) - len(seg.lstrip())
            z -= len(seg) - len(seg.rstrip())
            if z > a:
                out.append((b.start + a, b.start + z))
    return out


def parse_reference(text: str) -> dict:
    """Authors, year, title, container, DOI and URL of one reference entry (missing parts are None)."""
    doi = _DOI.search(text)
    url = _URL.search(text)
    out: dict = {
        "authors": [],
        "year": None,
        "title": None,
        "container": None,
        "doi": doi.group().rstrip(".,;)>") if doi else None,
        "url": url.group().rstrip(".,;)>") if url else None,
    }
    body = _URL.sub("", text)
    body = re.sub(r"\b(?:doi:\s*)?10\.\d{4,9}/\S+", "", body).strip()
    m = _YEAR.search(body)
    if m:
        out["year"] = int(m.group("y") or m.group("y2"))
        head, rest = body[: m.start()], body[m.end() :]
    else:
        head, rest = "", body
    names_ = head.strip(" .,")
    out["authors"] = (
        [
            a.strip(" .,") + ("." if re.search(r"\b[A-Z]$", a.strip(" .,")) else "")
            for a in _AUTHOR_SPLIT.split(names_)
            if a.strip(" .,")
        ]
        if names_
        else []
    )
    rest = rest.lstrip(" .,:")
    stop = _STOP.search(rest)
    if stop:
        out["title"] = rest[: stop.start() + (1 if rest[stop.start()] == "?" else 0)].strip() or None
        tail = rest[stop.end() :].strip()
        container = re.split(r",\s*\d|\.\s|\.$|,\s*pp?\.", tail, maxsplit=1)[0].strip(" .,")
        out["container"] = container or None
    elif rest.strip():
        out["title"] = rest.strip(" .")
    return out


def citations(doc: Document) -> list[dict]:
    """One dict per reference entry: ``start``, ``end``, ``text`` and the parsed fields."""
    out = []
    for k, (a, z) in enumerate(entries(doc)):
        text = doc.text[a:z]
        out.append({"doc_id": doc.doc_id, "n": k, "start": a, "end": z, "text": text, **parse_reference(text)})
    return out
