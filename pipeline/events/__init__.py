"""The ``events`` stage: clauses that state something happened at a time, with a normalized date.

:mod:`.timex` finds time expressions; an event is a sentence in a body-like section that holds one
and a trigger word (:data:`TRIGGERS`), typed by a small taxonomy (``names.EVENT_TYPES``), with the
GPE/LOC of the sentence as ``location`` and its PERSON/ORG/NORP entities as ``participants``.
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
from ..cache import StageResult, code_version, fingerprint, input_hashes, run_per_document
from ..ingest import DOC_SUFFIX, load_document
from ..model import Document
from ..parse import PARSE_SUFFIX, load_parse
from .timex import find_timexes

OUT_SUFFIX = ".parquet"

#: Trigger lemmas by event type.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "congress": ("hold", "convene", "gather", "congress", "kurultai", "kurultay", "qurultai", "meeting", "forum", "summit"),
    "law": ("adopt", "amend", "pass", "enact", "approve", "rename", "introduce", "repeal", "ratify", "sign into", "replace"),
    "founding": ("found", "establish", "create", "launch", "set", "open", "form"),
    "agreement": ("sign", "conclude", "agree", "agreement", "memorandum", "treaty"),
    "protest": ("protest", "rally", "demonstrate", "riot", "unrest", "strike", "picket"),
    "migration": ("migrate", "emigrate", "immigrate", "flee", "repatriate", "return", "resettle", "move", "deport", "relocate", "arrive", "leave"),
    "election": ("elect", "election", "inaugurate", "resign", "appoint", "succeed", "transition"),
    "conflict": ("war", "invade", "attack", "kill", "clash", "suppress", "occupy"),
}
_TYPE_OF = {lemma: t for t, lemmas in TRIGGERS.items() for lemma in lemmas}
_NOT_EVENT = re.compile(r"(submission date|acceptance date|published online|retrieved|accessed|received|accepted for publication)", re.I)


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


EVENT_COLUMNS = ["doc_id", "start", "end", "text", "date_text", "date_start", "date_end", "granularity", "date_mod",
                 "event_type", "trigger", "location", "participants"]


def extract(doc: Document, parsed: Doc, params: dict[str, Any] | None = None) -> list[Event]:
    out: list[Event] = []
    for sent in parsed.sents:
        s0 = sent.start_char
        if doc.section_of(s0) in names.SECTIONS_NOT_EXTRACTED or doc.section_of(s0) == names.SEC_TABLE:
            continue
        text = sent.text
        if _NOT_EVENT.search(text):
            continue
        timexes = find_timexes(text)
        if not timexes:
            continue
        trig = next((t for t in sent if t.lemma_.lower() in _TYPE_OF and t.pos_ in ("VERB", "NOUN", "PROPN")), None)
        if trig is None:
            continue
        tx = min(timexes, key=lambda t: abs(s0 + t.start - trig.idx))
        loc = next((e.text for e in sent.ents if e.label_ in ("GPE", "LOC")), None)
        parts = sorted({e.text for e in sent.ents if e.label_ in ("PERSON", "ORG", "NORP")})
        end = sent.end_char
        while end > s0 and doc.text[end - 1].isspace():
            end -= 1
        out.append(Event(s0, end, text[tx.start:tx.end], tx.date_start, tx.date_end, tx.granularity, tx.date_mod,
                         _TYPE_OF[trig.lemma_.lower()], trig.text, loc, parts))
    return out


def to_frame(doc_id: str, text: str, events: list[Event]) -> pd.DataFrame:
    rows = [{"doc_id": doc_id, "text": text[e.start:e.end], **asdict(e)} for e in events]
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    df["participants"] = df["participants"].map(lambda p: json.dumps(list(p), ensure_ascii=False))
    return df


def main(ingest_dir: Path, parse_dir: Path, out_dir: Path, params: dict[str, Any]) -> StageResult:
    version = fingerprint(code_version("pipeline.events"), params)
    inputs = input_hashes(parse_dir, PARSE_SUFFIX)

    def work(doc_id: str) -> list[str]:
        doc = load_document(ingest_dir / f"{doc_id}{DOC_SUFFIX}")
        parsed = load_parse(parse_dir / f"{doc_id}{PARSE_SUFFIX}", params["model"])
        to_frame(doc_id, doc.text, extract(doc, parsed, params)).to_parquet(out_dir / f"{doc_id}{OUT_SUFFIX}", index=False)
        return [f"{doc_id}{OUT_SUFFIX}"]

    return run_per_document("events", out_dir, inputs, version, work)
