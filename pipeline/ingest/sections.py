"""Sections of a document's blocks, read in order: front matter, title, abstract, body, references.

The patterns here say what a block is by its wording (a "References" heading, an "Abstract" label,
journal boilerplate); :mod:`.layout` gives the blocks, :mod:`.block_roles` the title and authors.
"""

from __future__ import annotations

import re

from pipeline.core import names

REFERENCES = re.compile(
    r"^\W*(\d+\.?\s*)?(references|bibliography|literature( cited)?|works cited|sources|list of references)\W*$", re.I
)
_ABSTRACT = re.compile(r"^\W*(abstract|summary)\b", re.I)
KEYWORDS = re.compile(r"^\W*key\s?words?\b", re.I)
_FRONT_MATTER = re.compile(
    r"^\W*(to cite this article|to link to this article|submission date|acceptance date|article type|"
    r"published online|submit your article|full terms|journal homepage|issn|e-issn|orcid|"
    r"published with licen[cs]e|enjoying this article|click here to subscribe|subscribe (now|today)\b|"
    r"received:|accepted:|copyright|all rights reserved|"
    r"corresponding author|author\(s\):|how to cite|doi:|https?://doi)|^\W*©|"
    r"\borcid\.org/\d{4}-",  # an ORCID line ("Amina Urpekova https://orcid.org/0000-…") wherever it stands
    re.I,
)
#: A web page's notes about the article (where it first appeared, the site's newsletter): page
#: furniture in the page header, but text a reader of the article reads once the article has begun.
_WEB_NOTE = re.compile(
    r"^\W*(this article (was|is|first) (originally )?(published|appeared)|get the newsletter)|"
    r"\bget briefed\b|\bweekly newsletter\b",
    re.I,
)
#: A copyright or licence statement, wherever it stands in a block ("… © The Author(s), 2023. Published by …").
_LICENCE = re.compile(
    r"©\s*(?:the author|\d{4})|\(c\)\s*\d{4}|\bcreative commons (?:attribution|licen[cs]e)|"
    r"\bthis is an open access article\b|\ball rights reserved\b",
    re.I,
)
EMAIL = re.compile(r"\S+@\S+\.\w+")


def assign_sections(text: str, blocks: list[tuple[int, int, str]]) -> list[str]:
    """The section of each block, read in order: front matter, title, abstract, body, references.

    Journal boilerplate ("To cite this article", ISSN, copyright) and reader prompts ("Click here to
    subscribe") are front matter wherever they are; a web page's notes on the article ("This article
    was originally published by …", a newsletter blurb) only before the article's first paragraph:
    inside or after the article they are read as its text (they name its publisher).
    """
    sections: list[str] = []
    state = names.SEC_BODY
    seen_title = False
    in_body = False  # a body paragraph has been seen: the article has begun
    for start, end, kind in blocks:
        t = text[start:end]
        if (
            kind == names.FRONT_MATTER
            or _FRONT_MATTER.search(t)
            or (len(t) < 1500 and _LICENCE.search(t))
            or (len(t) < 200 and EMAIL.search(t))
            or (_WEB_NOTE.search(t) and not in_body)
        ):
            sections.append(names.SEC_FRONT_MATTER)
            continue
        in_body = in_body or (kind == names.PARAGRAPH and state == names.SEC_BODY and len(t) > 200)
        if kind == names.HEADING and REFERENCES.match(t):
            state = names.SEC_REFERENCES
            sections.append(names.SEC_REFERENCES)
            continue
        if state == names.SEC_REFERENCES:
            if kind == names.HEADING and re.match(r"^\W*(appendix|notes|endnotes)\b", t, re.I):
                state = names.SEC_BODY
            else:
                sections.append(names.SEC_REFERENCES)
                continue
        if _ABSTRACT.match(t) or KEYWORDS.match(t):
            state = names.SEC_ABSTRACT if kind == names.HEADING else state
            sections.append(names.SEC_ABSTRACT)
            continue
        if kind == names.HEADING and not seen_title and start < 3000:
            seen_title = True
            sections.append(names.SEC_TITLE)
            continue
        if kind == names.HEADING and state == names.SEC_ABSTRACT:
            state = names.SEC_BODY
        if kind == names.TABLE:
            sections.append(names.SEC_TABLE)
        elif kind == names.FOOTNOTE:
            sections.append(names.SEC_FOOTNOTE)
        else:
            sections.append(state)
    return sections
