"""A document's sentences in reading order, each with its time expressions read as HeidelTime reads them.

One walk serves every stage that dates what a sentence says (events, figures): the reference time of an
underspecified expression is the document creation time in a news-style document (:mod:`.reference`), else the
last absolute date stated before it in the *body* — sentences outside references, front matter and tables, and
not publication metadata ("Received: …", "Accessed …"). That last date dates only anaphoric expressions ("two
years later") when it was stated in another paragraph (see :func:`.relative.resolve`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pipeline.core import names
from pipeline.core.document import Block, Document
from pipeline.events.clauses import sentence_tense
from pipeline.events.lexicon import NOT_EVENT_SENTENCE
from pipeline.events.reference import reference_time
from pipeline.events.timex import Timex, find_timexes

if TYPE_CHECKING:  # annotations only: importing this module does not load spaCy
    from spacy.tokens import Doc, Span


def is_body_sentence(doc: Document, sent: Span) -> bool:
    """A sentence of the running text: not a table, not publication metadata, with a lower-case word."""
    if doc.section_of(sent.start_char) == names.SEC_TABLE:
        return False
    return not NOT_EVENT_SENTENCE.search(sent.text) and bool(re.search(r"[a-z]", sent.text))


def dated_sentences(
    doc: Document, parsed: Doc, params: dict[str, Any] | None = None, every: bool = False
) -> Iterator[tuple[Span, list[Timex]]]:
    """``(sentence, its time expressions)`` for each body sentence of ``doc`` in order (``every``: each sentence
    outside references and front matter, the others read against the body's reference time without moving it).

    ``params`` is the ``events`` section (``mode``, ``news_max_chars``); offsets are relative to the sentence.
    """
    dct = reference_time(doc, params)
    anchor: Timex | None = None
    anchor_block: Block | None = None
    for sent in parsed.sents:
        if doc.section_of(sent.start_char) in names.SECTIONS_NOT_EXTRACTED:
            continue
        body = is_body_sentence(doc, sent)
        if not (body or every):
            continue
        block = doc.block_at(sent.start_char)
        timexes = find_timexes(sent.text, anchor, dct, sentence_tense(sent), same_segment=block == anchor_block)
        yield sent, timexes
        absolute = [t for t in timexes if not t.relative]
        if body and absolute:
            anchor, anchor_block = absolute[-1], block
