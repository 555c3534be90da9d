"""The ``events`` stage: clauses that state something happened at a time, with a normalized date.

For every time expression (:mod:`.timex`) of a body-like sentence, the dependency parse gives the word
it dates: an *event noun* it modifies ("the events of 2011", "the 2005 Andijan events", "civil war in the
early 1990s") or the verb of its clause ("was founded in 1992"). That word is the ``trigger`` when it
names a happening; a light verb ("began", "took place", "led to", "were crucial") hands over to the
event noun in its subject or object ("a new wave of immigration began"). One record per (trigger,
time expression): a sentence with two dated events gives two records; ``text`` is the trigger's clause
(or its noun phrase for a listed event), ``start``/``end`` offsets into the canonical text.

Relative expressions ("two years later", "in this period", "Later,") are resolved from the last
absolute date stated before them in the body (narrative mode), ignoring citations and metadata.

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
from typing import Any

import pandas as pd
from spacy.tokens import Doc

from .. import names
from ..cache import StageResult, code_version, fingerprint
from ..model import Document
from ..stage import run_extractor
from .clauses import clause_entities, clause_span, find_trigger, is_event_noun, with_month
from .lexicon import NOT_EVENT_SENTENCE, RESEARCH, VALIDITY, event_type
from .timex import Timex, find_timexes


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
]


def _body_sentences(doc: Document, parsed: Doc):
    for sent in parsed.sents:
        section = doc.section_of(sent.start_char)
        if section in names.SECTIONS_NOT_EXTRACTED or section == names.SEC_TABLE:
            continue
        if NOT_EVENT_SENTENCE.search(sent.text) or not re.search(r"[a-z]", sent.text):
            continue
        yield sent


def extract(doc: Document, parsed: Doc, params: dict[str, Any] | None = None) -> list[Event]:
    out: list[Event] = []
    anchor: Timex | None = None
    seen: set[tuple[int, str, str]] = set()
    for sent in _body_sentences(doc, parsed):
        s0 = sent.start_char
        timexes = find_timexes(sent.text, anchor)
        for tx in timexes:
            span = parsed.char_span(s0 + tx.start, s0 + tx.end, alignment_mode="expand")
            if span is None:
                continue
            if VALIDITY.search(sent.text[: tx.start]):
                continue
            ids = {t.i for t in span}
            trig = find_trigger(span.root, ids)
            if trig is None or trig.i in ids:
                continue
            key = (trig.i, tx.date_start, tx.date_end)
            if key in seen:
                continue
            seen.add(key)
            lo, hi = clause_span(trig, span)
            start, end = parsed[lo].idx, parsed[hi].idx + len(parsed[hi])
            while end > start and doc.text[end - 1] in " \n\t":
                end -= 1
            if RESEARCH.search(doc.text[start:end]):
                continue
            tx = with_month(tx, trig)
            kind = event_type(trig, doc.text[start:end])
            location, parts = clause_entities(parsed, lo, hi, trig, kind)
            out.append(
                Event(
                    start,
                    end,
                    sent.text[tx.start : tx.end],
                    tx.date_start,
                    tx.date_end,
                    tx.granularity,
                    tx.date_mod,
                    kind,
                    trig.text,
                    location,
                    parts,
                )
            )
            # the list items share a sentence: give each its own noun-phrase conjuncts
            if is_event_noun(trig):
                for conj in trig.children:  # "the power transition and presidential elections of 2019"
                    if (
                        conj.dep_ == "conj"
                        and is_event_noun(conj)
                        and trig.i < conj.i < span.start
                        and (conj.i, tx.date_start, tx.date_end) not in seen
                    ):
                        seen.add((conj.i, tx.date_start, tx.date_end))
                        clo, chi = clause_span(conj, span)
                        cs, ce = parsed[clo].idx, parsed[chi].idx + len(parsed[chi])
                        ck = event_type(conj, doc.text[cs:ce])
                        cl, cp = clause_entities(parsed, clo, chi, conj, ck)
                        out.append(
                            Event(
                                cs,
                                ce,
                                sent.text[tx.start : tx.end],
                                tx.date_start,
                                tx.date_end,
                                tx.granularity,
                                tx.date_mod,
                                ck,
                                conj.text,
                                cl,
                                cp,
                            )
                        )
        absolute = [t for t in timexes if not t.relative]
        if absolute:
            anchor = absolute[-1]
    return sorted(out, key=lambda e: (e.start, e.date_start))


def to_frame(doc_id: str, text: str, events: list[Event]) -> pd.DataFrame:
    rows = [{"doc_id": doc_id, "text": text[e.start : e.end], **asdict(e)} for e in events]
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    df["participants"] = df["participants"].map(lambda p: json.dumps(list(p), ensure_ascii=False))
    return df


def main(ingest_dir: Path, parse_dir: Path, out_dir: Path, params: dict[str, Any]) -> StageResult:
    version = fingerprint(code_version("pipeline.events"), params)
    return run_extractor("events", ingest_dir, parse_dir, out_dir, params, version, extract, to_frame)
