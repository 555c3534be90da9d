"""The ``events`` stage: clauses that state something happened at a time, with a normalized date.

For every time expression (:mod:`.timex`) of a body-like sentence, the dependency parse gives the word
it dates: an *event noun* it modifies ("the events of 2011", "the 2005 Andijan events", "civil war in the
early 1990s") or the verb of its clause ("was founded in 1992"). That word is the ``trigger`` when it
names a happening; a light verb ("began", "took place", "led to", "were crucial") hands over to the
event noun in its subject or object ("a new wave of immigration began"). One record per (trigger,
time expression): a sentence with two dated events gives two records; ``text`` is the trigger's clause
(or its noun phrase for a listed event), ``start``/``end`` offsets into the canonical text.

Underspecified expressions (:mod:`.relative`) are resolved as HeidelTime does, the document's style chosen
per document (:mod:`.reference`): anaphoric ones ("two years later", "in this period", "Later,") from the last
date stated before them in the body, ignoring citations and metadata; deictic and year-less ones ("last week",
"this year", "on March 3", "in April") from the document creation time in a news-style document
(``documents.date``), from the last date stated before them in a narrative one. ``date_text`` keeps the
words; ``date_resolution`` says how the date was read (``names.DATE_RESOLUTIONS``).

Every date of a clause is an event: "in 2005, 2007 and 2011", "in the summers of 2005, 2007 and 2011" and
"in 2016 and 2017" give one event per year ("between 2016 and 2017", "from 2016 to 2017" and "2016-2017" are
one range); "1926 (the year the border was drawn)" dates the clause in brackets too.

Event types (``names.EVENT_TYPES``), chosen from the trigger lemma (:data:`.lexicon.TRIGGERS`), then refined
by what the trigger's clause is about (:func:`.lexicon.event_type`):

* ``congress`` – a congress, kurultai/qurultai, assembly, forum or meeting held or convened;
* ``law`` – a law, program, plan, resolution or policy adopted, introduced, drafted, amended, renamed,
  ended ("completion", "termination", "end" of a program; "established" with a program as subject);
* ``founding`` – an organisation, centre or institution founded, formed, opened, launched;
* ``agreement`` – a treaty, agreement or memorandum signed or concluded;
* ``protest`` – rallies, pickets, demonstrations, unrest, riots, and "events" meaning unrest;
* ``migration`` – emigration, immigration, flight, resettlement, repatriation, diaspora origins;
* ``election`` – elections, power transitions, appointments, inaugurations;
* ``conflict`` – war, invasion, raids, armed clashes;
* ``other`` – any other dated happening (independence, mobilisation, taking part, a policy turn).

Not events: publication metadata ("Submission Date", "Published online", "Retrieved…", "Accessed on…"),
reference-list and table sections, citation years (dropped by :mod:`.timex`), research provenance ("a
field study conducted in 2007-2009"), states (the clause verb is "be", "have", "live", "serve"…), and
dates that only qualify a figure ("In 1989 there were 936 thousand Kazakhs").

``location`` is the GPE/LOC in the trigger's clause (for migration the destination after "to"/"into"
first, else the origin); ``participants`` the PERSON/ORG/NORP entities of the clause.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.extractor_stage import run_extractor
from pipeline.core.incremental import StageResult, fingerprint, stage_version
from pipeline.events.clauses import (
    clause_entities,
    clause_span,
    find_trigger,
    is_event_noun,
    with_month,
    year_clause_trigger,
)
from pipeline.events.lexicon import RESEARCH, VALIDITY, event_type
from pipeline.events.sentences import dated_sentences
from pipeline.events.timex import Timex

if TYPE_CHECKING:  # annotations only: importing this module does not load spaCy
    from spacy.tokens import Doc, Span, Token


@dataclass(frozen=True)
class Event:
    start: int
    end: int
    date_text: str
    date_start: str
    date_end: str
    granularity: str
    date_mod: str | None
    event_type: str
    trigger: str
    location: str | None
    participants: list[str] = field(default_factory=list)
    date_resolution: str = names.RES_ABSOLUTE


EVENT_COLUMNS = [
    "doc_id",
    "start",
    "end",
    "text",
    "date_text",
    "date_start",
    "date_end",
    "granularity",
    "date_mod",
    "event_type",
    "trigger",
    "location",
    "participants",
    "date_resolution",
]


def _event(
    doc: Document, parsed: Doc, trig: Token, span: Span, tx: Timex, date_text: str, whole: bool = False
) -> Event | None:
    """The event ``trig`` names at ``tx`` (in its clause, or the ``whole`` sentence); None for research provenance
    ("interviews conducted in 2019")."""
    lo, hi = (trig.sent.start, trig.sent.end - 1) if whole else clause_span(trig, span)
    start, end = parsed[lo].idx, parsed[hi].idx + len(parsed[hi])
    start = max(start, _after_dateline(doc, start, end))
    while end > start and doc.text[end - 1] in " \n\t":
        end -= 1
    if RESEARCH.search(doc.text[start:end]):
        return None
    tx = with_month(tx, trig)
    kind = event_type(trig, doc.text[start:end])
    location, parts = clause_entities(parsed, lo, hi, trig, kind)
    return Event(
        start,
        end,
        date_text,
        tx.date_start,
        tx.date_end,
        tx.granularity,
        tx.date_mod,
        kind,
        trig.text,
        location,
        parts,
        tx.resolution,
    )


_DATELINE_END = re.compile(r"[^–—:\n-]{0,60}[–—:-]\s*")


def _after_dateline(doc: Document, start: int, end: int) -> int:
    """Where the story starts when the clause ``start:end`` begins with the dateline ("TARAZ, March 10, 2021 – ")."""
    span = doc.metadata.get("date_span")
    if doc.metadata.get("date_source") != names.DATE_DATELINE or not span or not start <= span[0] < end:
        return start
    m = _DATELINE_END.match(doc.text, span[1])
    return m.end() if m else start


def _is_validity(sent_text: str, tx: Timex) -> bool:
    """ "the Action Plan … for 2018-2022": a period a plan is valid for, not when it happened; a fronted "For 1994,"
    opening the sentence or a clause frames what follows and is a date."""
    m = VALIDITY.search(sent_text[: tx.start])
    if m is None:
        return False
    before = sent_text[: m.start()]
    return bool(before.strip()) and not re.search(r"[,;:]\s*$", before)


def extract(doc: Document, parsed: Doc, params: dict[str, Any] | None = None) -> list[Event]:
    """The dated events of ``doc``: one per (trigger, time expression), relative dates read against the document
    creation time in news mode or the last date stated before them (:mod:`.reference`)."""
    out: list[Event] = []
    dateline = doc.metadata.get("date_span") or [0, 0]
    seen: set[tuple[int, str, str]] = set()

    def add(trig: Token, span: Span, tx: Timex, date_text: str, whole: bool = False) -> None:
        key = (trig.i, tx.date_start, tx.date_end)
        if key in seen:
            return
        seen.add(key)
        event = _event(doc, parsed, trig, span, tx, date_text, whole)
        if event is not None:
            out.append(event)

    for sent, timexes in dated_sentences(doc, parsed, params):
        s0 = sent.start_char
        for tx in timexes:
            if s0 + tx.start < dateline[1] and dateline[0] < s0 + tx.end:
                continue  # the dateline dates the story, not an event in it
            span = parsed.char_span(s0 + tx.start, s0 + tx.end, alignment_mode="expand")
            if span is None or _is_validity(sent.text, tx):
                continue
            date_text = sent.text[tx.start : tx.end]
            ids = {t.i for t in span}
            trig = find_trigger(span.root, ids)
            if trig is not None and trig.i not in ids:
                add(trig, span, tx, date_text)
                # the list items share a sentence: give each its own noun-phrase conjuncts
                if is_event_noun(trig):
                    for conj in trig.children:  # "the power transition and presidential elections of 2019"
                        if conj.dep_ == "conj" and is_event_noun(conj) and trig.i < conj.i < span.start:
                            add(conj, span, tx, date_text)
            named = year_clause_trigger(span)  # "1926 (the year the border was drawn)"
            if named is not None:
                add(named, span, tx, date_text, whole=True)
    return sorted(out, key=lambda e: (e.start, e.date_start))


def to_frame(doc_id: str, text: str, events: list[Event]) -> pd.DataFrame:
    rows = [{"doc_id": doc_id, "text": text[e.start : e.end], **asdict(e)} for e in events]
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    df["participants"] = df["participants"].map(lambda p: json.dumps(list(p), ensure_ascii=False))
    return df


def main(ingest_dir: Path, parse_dir: Path, out_dir: Path, params: dict[str, Any]) -> StageResult:
    version = fingerprint(stage_version("events"), params)
    return run_extractor("events", ingest_dir, parse_dir, out_dir, params, version, extract, to_frame)
