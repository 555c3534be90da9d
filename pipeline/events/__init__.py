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

Event types (``names.EVENT_TYPES``), chosen from the trigger lemma (:data:`TRIGGERS`), then refined
by what the trigger's clause is about (:func:`event_type`):

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

import calendar
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from spacy.tokens import Doc, Span, Token

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.extractor_stage import run_extractor
from pipeline.core.incremental import StageResult, fingerprint, stage_version
from pipeline.events.timex import Timex, find_timexes

#: Trigger lemmas (verbs and event nouns) by event type.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "congress": (
        "hold",
        "convene",
        "congress",
        "kurultai",
        "kurultay",
        "qurultai",
        "assembly",
        "forum",
        "summit",
        "meet",
        "meeting",
        "gathering",
    ),
    "law": (
        "adopt",
        "amend",
        "pass",
        "enact",
        "approve",
        "rename",
        "introduce",
        "repeal",
        "ratify",
        "draft",
        "change",
        "completion",
        "termination",
        "end",
        "abolish",
        "launch",
        "implement",
        "coin",
        "suspend",
    ),
    "founding": ("found", "establish", "create", "open", "form", "formation", "foundation", "register", "set"),
    "agreement": ("sign", "conclude", "agreement", "memorandum", "treaty"),
    "protest": ("protest", "rally", "demonstrate", "demonstration", "riot", "unrest", "strike", "picket", "event"),
    "migration": (
        "migrate",
        "emigrate",
        "immigrate",
        "flee",
        "repatriate",
        "return",
        "resettle",
        "move",
        "deport",
        "relocate",
        "arrive",
        "leave",
        "settle",
        "migration",
        "emigration",
        "immigration",
        "exodus",
        "resettlement",
        "repatriation",
        "deportation",
        "origin",
        "flight",
        "cross",
    ),
    "election": ("elect", "election", "inaugurate", "resign", "appoint", "succeed", "transition"),
    "conflict": ("war", "invade", "attack", "kill", "clash", "suppress", "occupy", "invasion", "raid", "massacre"),
    "other": (
        "independence",
        "mobilize",
        "mobilise",
        "take",
        "separate",
        "organize",
        "organise",
        "turn",
        "collapse",
        "demise",
        "visit",
        "join",
        "start",
        "begin",
        "become",
        "receive",
        "issue",
        "publish",
        "announce",
        "declare",
        "support",
        "help",
        "shift",
    ),
}
_TYPE_OF = {lemma: t for t, lemmas in TRIGGERS.items() for lemma in lemmas}
#: Nouns that name a happening by themselves (a date modifying them makes an event).
EVENT_NOUNS = frozenset(
    {
        "congress",
        "kurultai",
        "kurultay",
        "qurultai",
        "forum",
        "summit",
        "completion",
        "termination",
        "end",
        "formation",
        "foundation",
        "agreement",
        "treaty",
        "protest",
        "rally",
        "demonstration",
        "riot",
        "unrest",
        "strike",
        "picket",
        "event",
        "migration",
        "emigration",
        "immigration",
        "exodus",
        "resettlement",
        "repatriation",
        "deportation",
        "origin",
        "election",
        "transition",
        "war",
        "invasion",
        "raid",
        "massacre",
        "independence",
        "collapse",
        "demise",
        "adoption",
        "establishment",
        "launch",
        "signing",
        "famine",
        "coup",
    }
)
#: Verbs whose clause is not itself a happening: states, light/aspectual verbs, reporting and research.
LIGHT_VERBS = frozenset(
    {
        "be",
        "have",
        "begin",
        "start",
        "lead",
        "take",
        "occur",
        "happen",
        "follow",
        "continue",
        "remain",
        "mark",
        "see",
        "witness",
        "bring",
        "cause",
        "result",
        "gain",
        "trace",
        "divide",
        "date",
    }
)
NOT_EVENT_VERBS = frozenset(
    {
        "live",
        "serve",
        "reside",
        "constitute",
        "number",
        "account",
        "total",
        "reach",
        "amount",
        "exist",
        "stay",
        "conclude",
        "argue",
        "note",
        "estimate",
        "study",
        "conduct",
        "interview",
        "write",
        "cite",
        "state",
        "report",
        "show",
        "find",
        "survey",
        "analyze",
        "analyse",
        "examine",
        "describe",
        "mention",
        "suggest",
        "claim",
        "observe",
        "emphasize",
        "stress",
        "point",
        "define",
        "refer",
        "call",
        "know",
        "consider",
        "say",
        "focus",
        "expand",
        "characterize",
        "influence",
        "contribute",
        "include",
        "cover",
        "link",
        "become",
        "collect",
        "experience",
        "face",
        "undergo",
        "indicate",
        "discuss",
        "seem",
        "appear",
        "use",
    }
)
_NOT_EVENT = re.compile(
    r"(submission date|acceptance date|published online|retrieved|accessed|received:|"
    r"accepted for publication|first published|date of publication)",
    re.I,
)
_FIGURE = re.compile(
    r"\b\d[\d,.]*\s*(?:thousand|million|billion|%|percent|per cent)\b|\bthere (?:were|was|are|is)\b", re.I
)
_LAW_WORDS = re.compile(
    r"\b(?:program(?:me)?|law|plan|resolution|policy|decree|concept|strategy|quota|rule|act|code)s?\b", re.I
)
_ORG_WORDS = re.compile(
    r"\b(?:organi[sz]ation|association|centre|center|society|foundation|federation|council|"
    r"committee|union|school|institute|museum|fund|party)s?\b",
    re.I,
)
_PLACE = ("GPE", "LOC")
#: "assistance was organized during the January 2022 events": the events only frame the dated action.
_FRAME_PREPS = frozenset({"during", "amid", "amidst", "throughout"})
_RESEARCH = re.compile(
    r"\b(?:research project|field ?(?:study|work|research)|fieldwork|survey|interviews?|"
    r"questionnaires?|data (?:were|was) (?:collected|gathered))\b",
    re.I,
)
_VALIDITY = re.compile(r"\bfor\s+(?:the\s+)?(?:period\s+(?:of\s+)?)?$", re.I)
_MONTH_NAMES = frozenset(m.lower() for m in calendar.month_name if m)
_PARTY = ("PERSON", "ORG", "NORP")


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


# --- the dependency walk ------------------------------------------------------------------------


def _is_event_noun(t: Token) -> bool:
    """A noun naming a happening; generic "political events" (an adjective, no date or name) is not one."""
    if t.pos_ not in ("NOUN", "PROPN") or t.lemma_.lower() not in EVENT_NOUNS:
        return False
    return not (t.lemma_.lower() == "event" and any(c.dep_ == "amod" for c in t.children))


def _clause_verb(t: Token) -> Token | None:
    """The verb of the clause that holds ``t`` (``t`` itself if it is one)."""
    while True:
        if t.pos_ in ("VERB", "AUX"):
            return t
        if t.head.i == t.i:
            return None
        t = t.head


def _noun_trigger(root: Token) -> Token | None:
    """An event noun the time expression modifies: "the events of 2011", "2005 Andijan events",
    "civil war in the early 1990s", "the program's completion in 2005"."""
    t = root
    for _ in range(3):
        head = t.head
        if head.i == t.i:
            return None
        if t.dep_ in ("pobj",) and head.dep_ == "prep":
            head = head.head
        if _is_event_noun(head):
            return head
        if head.pos_ in ("VERB", "AUX"):
            return None
        t = head
    return None


def _noun_in(tokens, exclude: set[int]) -> Token | None:
    return next((t for t in tokens if _is_event_noun(t) and t.i not in exclude), None)


def _purpose_head(verb: Token) -> Token:
    """ "organized to ensure …": a purpose infinitive hands over to the verb it serves."""
    while (
        verb.dep_ in ("xcomp", "advcl")
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        and verb.head.pos_ == "VERB"
    ):
        verb = verb.head
    return verb


def _from_args(verb: Token, exclude: set[int]) -> Token | None:
    for a in (c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "prep")):
        noun = _noun_in(a.subtree, exclude)
        if noun is not None:
            return noun
    return None


def find_trigger(root: Token, span_ids: set[int]) -> Token | None:
    """The word that names what happened at the time expression whose syntactic head is ``root``."""
    when = next((c for c in root.children if c.dep_ == "relcl" and any(w.lower_ == "when" for w in c.children)), None)
    if when is not None:  # "until 2017, when … necessitated the formation of a new organization"
        lemma = when.lemma_.lower()
        if lemma in _TYPE_OF and lemma not in LIGHT_VERBS:
            return when
        return _from_args(when, span_ids)
    noun = _noun_trigger(root)
    if noun is not None and any(
        a.lower_ == "as" and any(c.lower_ == "such" for c in a.children) for a in noun.ancestors if a.dep_ == "prep"
    ):
        return None  # "in the event of an emergency, such as … the January 2022 events": an example

    if noun is not None:
        if noun.dep_ == "pobj" and noun.head.lower_ in _FRAME_PREPS:
            verb = _clause_verb(noun.head)
            verb = _purpose_head(verb) if verb is not None else None
            if verb is not None and verb.pos_ == "VERB" and verb.lemma_.lower() not in LIGHT_VERBS | NOT_EVENT_VERBS:
                return verb
        return noun
    verb = _clause_verb(root.head)
    if verb is None:
        return None
    lemma = verb.lemma_.lower()
    if lemma in NOT_EVENT_VERBS:
        return None
    if lemma == "take" and any(c.lemma_ == "part" or c.lemma_ == "place" for c in verb.rights):
        if any(c.lemma_ == "part" for c in verb.rights):
            return verb
        lemma = "begin"
    if lemma in LIGHT_VERBS:
        return _from_args(verb, span_ids)
    if lemma in _TYPE_OF and verb.pos_ == "VERB":
        return verb
    if verb.pos_ == "VERB" and verb.tag_ in ("VBD", "VBN") and not _FIGURE.search(verb.sent.text):
        return verb
    return None


def event_type(trigger: Token, clause: str) -> str:
    """The taxonomy type of a trigger, refined by what its clause is about."""
    lemma = trigger.lemma_.lower()
    kind = _TYPE_OF.get(lemma, "other")
    if kind == "founding" and _LAW_WORDS.search(clause) and not _ORG_WORDS.search(clause):
        return "law"
    if lemma == "demonstrate" and any(c.dep_ == "dobj" for c in trigger.children):
        return "other"  # "have demonstrated achievements" is not a demonstration
    if kind == "law" and lemma in ("launch",) and _ORG_WORDS.search(clause):
        return "founding"
    if lemma == "hold" and not re.search(
        r"\b(?:congress|[kq]urulta[iy]|assembl|forum|summit|meeting|conference|session)", clause, re.I
    ):
        return "other"
    return kind


def _clause_span(trigger: Token, tx: Span) -> tuple[int, int]:
    """Token range of the trigger's clause: the verb's subtree, or the sentence for the main clause;
    for an event noun, its noun phrase (without its own conjuncts) extended to the time expression."""
    sent = trigger.sent
    if trigger.pos_ in ("NOUN", "PROPN") and (
        trigger.dep_ in ("conj", "appos") or any(c.dep_ in ("conj", "appos") for c in trigger.children)
    ):
        lo = trigger.left_edge.i
        right = [c for c in trigger.rights if c.dep_ in ("cc", "conj")]
        hi = (right[0].i - 1) if right else trigger.right_edge.i
        lo, hi = min(lo, tx.start), max(hi, tx.end - 1)
        if any(t.dep_ == "ROOT" for t in sent[lo - sent.start : hi + 1 - sent.start]):
            return sent.start, sent.end - 1
        return lo, hi
    verb = _clause_verb(trigger) or trigger
    own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
    while verb.dep_ in ("xcomp", "conj") and not own_subject and verb.head.pos_ in ("VERB", "AUX"):
        verb = verb.head
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
    if verb.dep_ == "ROOT":
        lo, hi = sent.start, sent.end - 1
        for c in verb.rights:  # "X was founded in 1992 and Y was established in 2017": stop before Y's clause
            if (
                c.dep_ == "conj"
                and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)
                and c.left_edge.i > tx.end
            ):
                cut = c.left_edge.i - 1
                while cut > verb.i and parsed_punct(sent.doc[cut]):
                    cut -= 1
                return lo, cut
        return lo, hi
    lo, hi = verb.left_edge.i, verb.right_edge.i
    if verb.dep_ in ("relcl", "conj") or verb.dep_ == "advcl" and verb.head.dep_ != "ROOT":
        return min(lo, tx.start), max(hi, tx.end - 1)
    return sent.start, sent.end - 1


def parsed_punct(t: Token) -> bool:
    return t.is_punct or t.dep_ == "cc"


_PREP_RANK = {"migration": ("to", "into", "in", "at", "from"), None: ("in", "at", "to", "into", "from")}


def _place_rank(e: Span, kind: str) -> int | None:
    """How likely a GPE/LOC is the event's place: the object of "in"/"at" (for migration "to"/"into" first,
    then the origin after "from"), conjuncts following their head; never a subject or "of" phrase."""
    root = e.root
    while root.dep_ in ("conj", "appos", "compound") and root.head.i != root.i:
        root = root.head
    if root.dep_ != "pobj":
        return None
    preps = _PREP_RANK["migration" if kind == "migration" else None]
    prep = root.head.lower_
    return preps.index(prep) if prep in preps else None


def _entities(parsed: Doc, lo: int, hi: int, trigger: Token, kind: str) -> tuple[str | None, list[str]]:
    ents = [e for e in parsed.ents if lo <= e.start and e.end - 1 <= hi]
    ranked = [
        (r, abs(e.start - trigger.i), e) for e in ents if e.label_ in _PLACE and (r := _place_rank(e, kind)) is not None
    ]
    location = None
    if ranked:
        best = min(ranked, key=lambda x: x[:2])[2]
        # "from Iraq and Syria": the conjoined places together
        conj = [
            e
            for e in ents
            if e.label_ in _PLACE and e.root.dep_ == "conj" and e.root.head.i in range(best.start, best.end)
        ]
        location = parsed[best.start : conj[-1].end].text if conj else best.text
    parts = []
    for e in ents:
        actor = (
            e.label_ in _PLACE
            and e.root.dep_ in ("nsubj", "agent", "pobj")
            and (e.root.dep_ != "pobj" or e.root.head.lower_ == "by")
        )  # "Kazakhstan has repatriated …"
        if (e.label_ in _PARTY or actor) and e.text not in parts:
            parts.append(e.text)
    return location, parts


def _with_month(tx: Timex, trigger: Token) -> Timex:
    """ "the January events of 2022": a month naming the event noun narrows a year to that month."""
    month = next((c for c in trigger.children if c.dep_ == "compound" and c.lower_ in _MONTH_NAMES), None)
    if month is None or tx.granularity != "year" or tx.date_start[:4] != tx.date_end[:4]:
        return tx
    y, m = int(tx.date_start[:4]), list(calendar.month_name).index(month.text.capitalize())
    return replace(
        tx,
        date_start=f"{y:04d}-{m:02d}-01",
        date_end=f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}",
        granularity="month",
    )


# --- the extractor -------------------------------------------------------------------------------


def _body_sentences(doc: Document, parsed: Doc):
    for sent in parsed.sents:
        section = doc.section_of(sent.start_char)
        if section in names.SECTIONS_NOT_EXTRACTED or section == names.SEC_TABLE:
            continue
        if _NOT_EVENT.search(sent.text) or not re.search(r"[a-z]", sent.text):
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
            if _VALIDITY.search(sent.text[: tx.start]):
                continue
            ids = {t.i for t in span}
            trig = find_trigger(span.root, ids)
            if trig is None or trig.i in ids:
                continue
            key = (trig.i, tx.date_start, tx.date_end)
            if key in seen:
                continue
            seen.add(key)
            lo, hi = _clause_span(trig, span)
            start, end = parsed[lo].idx, parsed[hi].idx + len(parsed[hi])
            while end > start and doc.text[end - 1] in " \n\t":
                end -= 1
            if _RESEARCH.search(doc.text[start:end]):
                continue
            tx = _with_month(tx, trig)
            kind = event_type(trig, doc.text[start:end])
            location, parts = _entities(parsed, lo, hi, trig, kind)
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
            if _is_event_noun(trig):
                for conj in trig.children:  # "the power transition and presidential elections of 2019"
                    if (
                        conj.dep_ == "conj"
                        and _is_event_noun(conj)
                        and trig.i < conj.i < span.start
                        and (conj.i, tx.date_start, tx.date_end) not in seen
                    ):
                        seen.add((conj.i, tx.date_start, tx.date_end))
                        clo, chi = _clause_span(conj, span)
                        cs, ce = parsed[clo].idx, parsed[chi].idx + len(parsed[chi])
                        ck = event_type(conj, doc.text[cs:ce])
                        cl, cp = _entities(parsed, clo, chi, conj, ck)
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
    version = fingerprint(stage_version("events"), params)
    return run_extractor("events", ingest_dir, parse_dir, out_dir, params, version, extract, to_frame)
