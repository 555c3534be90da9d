"""The trigger lexicon: which words name a happening, of which type, and which sentences are never events.

Lemmas by event type (:data:`TRIGGERS`), nouns that name a happening by themselves (:data:`EVENT_NOUNS`),
verbs that hand over to an event noun (:data:`LIGHT_VERBS`) or whose clause is a state, a report or research
(:data:`NOT_EVENT_VERBS`), and :func:`event_type`, which refines a trigger's type by what its clause is about.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing this module does not load spaCy
    from spacy.tokens import Token


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
TYPE_OF = {lemma: t for t, lemmas in TRIGGERS.items() for lemma in lemmas}
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
NOT_EVENT_SENTENCE = re.compile(
    r"(submission date|acceptance date|published online|retrieved|accessed|received:|revised:|accepted:|"
    r"accepted for publication|first published|date of publication)",
    re.I,
)
FIGURE_SENTENCE = re.compile(
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
#: "assistance was organized during the January 2022 events": the events only frame the dated action.
FRAME_PREPS = frozenset({"during", "amid", "amidst", "throughout"})
RESEARCH = re.compile(
    r"\b(?:research project|field ?(?:study|work|research)|fieldwork|survey|interviews?|"
    r"questionnaires?|data (?:were|was) (?:collected|gathered))\b",
    re.I,
)
VALIDITY = re.compile(r"\bfor\s+(?:the\s+)?(?:period\s+(?:of\s+)?)?$", re.I)


def event_type(trigger: Token, clause: str) -> str:
    """The taxonomy type of a trigger, refined by what its clause is about."""
    lemma = trigger.lemma_.lower()
    kind = TYPE_OF.get(lemma, "other")
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
