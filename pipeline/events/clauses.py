"""The clause walk: from a time expression's place in the dependency parse to the word it dates (the trigger),
the trigger's clause, and the places and parties named in that clause."""

from __future__ import annotations

import calendar
from dataclasses import replace
from typing import TYPE_CHECKING

from pipeline.events.lexicon import EVENT_NOUNS, FIGURE_SENTENCE, FRAME_PREPS, LIGHT_VERBS, NOT_EVENT_VERBS, TYPE_OF
from pipeline.events.timex import Timex

if TYPE_CHECKING:  # annotations only: importing this module does not load spaCy
    from spacy.tokens import Doc, Span, Token

_PLACE = ("GPE", "LOC")

_MONTH_NAMES = frozenset(m.lower() for m in calendar.month_name if m)

_PARTY = ("PERSON", "ORG", "NORP")


def is_event_noun(t: Token) -> bool:
    """A noun naming a happening; generic "political events" (an adjective, no date or name) is not one."""
    if t.pos_ not in ("NOUN", "PROPN") or t.lemma_.lower() not in EVENT_NOUNS:
        return False
    return not (t.lemma_.lower() == "event" and any(c.dep_ == "amod" for c in t.children))


def clause_verb(t: Token) -> Token | None:
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
        if is_event_noun(head):
            return head
        if head.pos_ in ("VERB", "AUX"):
            return None
        t = head
    return None


def _noun_in(tokens, exclude: set[int]) -> Token | None:
    return next((t for t in tokens if is_event_noun(t) and t.i not in exclude), None)


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
        if lemma in TYPE_OF and lemma not in LIGHT_VERBS:
            return when
        return _from_args(when, span_ids)
    noun = _noun_trigger(root)
    if noun is not None and any(
        a.lower_ == "as" and any(c.lower_ == "such" for c in a.children) for a in noun.ancestors if a.dep_ == "prep"
    ):
        return None  # "in the event of an emergency, such as … the January 2022 events": an example

    if noun is not None:
        if noun.dep_ == "pobj" and noun.head.lower_ in FRAME_PREPS:
            verb = clause_verb(noun.head)
            verb = _purpose_head(verb) if verb is not None else None
            if verb is not None and verb.pos_ == "VERB" and verb.lemma_.lower() not in LIGHT_VERBS | NOT_EVENT_VERBS:
                return verb
        return noun
    verb = clause_verb(root.head)
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
    if lemma in TYPE_OF and verb.pos_ == "VERB":
        return verb
    if verb.pos_ == "VERB" and verb.tag_ in ("VBD", "VBN") and not FIGURE_SENTENCE.search(verb.sent.text):
        return verb
    return None


def clause_span(trigger: Token, tx: Span) -> tuple[int, int]:
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
    verb = clause_verb(trigger) or trigger
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


def clause_entities(parsed: Doc, lo: int, hi: int, trigger: Token, kind: str) -> tuple[str | None, list[str]]:
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


def with_month(tx: Timex, trigger: Token) -> Timex:
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


def sentence_tense(sent: Span) -> str | None:
    """ "past", "future" or None (present or no verb) for a sentence, from its verbs' tags as HeidelTime reads
    tense: a modal "will"/"shall" makes it future, a past-tense verb past."""
    if any(t.tag_ == "MD" and t.lower_ in ("will", "shall", "'ll", "wo") for t in sent):
        return "future"
    if any(t.tag_ == "VBD" for t in sent):
        return "past"
    return None


def year_clause_trigger(span: Span) -> Token | None:
    """ "1926 (the year the border was drawn)", "1991, the year of independence": a year followed by "the year"
    and a clause or an event noun; the clause's verb (or the noun) is dated by the year."""
    doc, sent = span.doc, span.sent
    i = span.end
    while i < sent.end and doc[i].is_punct and doc[i].text in "(,–—-":
        i += 1
    if i + 1 >= sent.end or doc[i].lower_ != "the" or doc[i + 1].lemma_.lower() != "year" or i == span.end:
        return None

    after = doc[i + 2] if i + 2 < sent.end else None
    if after is not None and after.lower_ == "of":
        noun = next((t for t in doc[i + 3 : min(i + 7, sent.end)] if is_event_noun(t)), None)
        return noun
    stop = next((t.i for t in doc[i + 2 : sent.end] if t.text == ")"), sent.end)
    verbs = [t for t in doc[i + 2 : stop] if t.pos_ == "VERB" and t.lemma_.lower() not in NOT_EVENT_VERBS]
    return verbs[0] if verbs else None
