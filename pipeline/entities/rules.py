"""The rule layer of NER, as a spaCy component: a gazetteer plus patterns for structures.

``entity_rules`` (a ``@Language.factory``) puts its candidates in ``doc.spans["rules"]``; they are
candidates, not final entities — the ensemble in :mod:`pipeline.entities.ensemble` decides.

* Gazetteer: ``models/patterns/*.jsonl`` (spaCy ``SpanRuler`` phrase patterns with an ``id`` that
  names the canonical entity, so spelling variants group together).
* Structures, written as pure functions over text and testable on a string:
  citations ("Surname (2014)", "(Surname, 2014)", "Surname & Surname, 2019") → PERSON;
  "Ministry of …", "… Foundation/Association/University" → ORG; "Law (of the Republic of X) on …",
  "Law “On …”", "Concept/Programme/Strategy of …" → LAW.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from pipeline.core import names

log = logging.getLogger(__name__)
SPANS_KEY = "rules"

# --- pure pattern functions: text -> (start, end, label) ------------------------------------

_CAP = r"[A-Z][\w’'\-]*(?:-[A-Z][\w’']*)?"  # a capitalized word, hyphenated names included
_SURNAME = rf"(?:(?:van|von|de|del|di|al|el|ibn)\s)?{_CAP}"
_INITIALS = r"(?:\s?[A-Z]\.(?:\s?[A-Z][a-z]?\.)*)"
_YEAR = r"(?:1[5-9]\d\d|20\d\d)[a-z]?"
_NOT_NAMES = frozenset(
    "The A An In On At For From See Also And Or But Table Figure Fig Chapter Article Art Section Law "
    "Decree Report Source Sources Data Note Notes Census Ibid Et Al January February March April May June "
    "July August September October November December Since By Until Before After During Between This That "
    "These Those Its It Their Our We They He She His Her Government Ministry State President Republic "
    "Constitution Concept Program Programme Strategy Resolution Order Code Act Statistics Committee Agency "
    "UN EU USA US UK CIS".split()
)

_PAREN = re.compile(r"\(([^()]{2,300}?)\)")
_CITE_ITEM = re.compile(
    rf"^\s*(?:e\.g\.,?\s*|see\s+(?:also\s+)?|cf\.\s*)?(?P<names>.+?)[,\s]+{_YEAR}(?:\s*[:,]\s*(?:p{{1,2}}\.\s*)?[\d\-–]+)?\s*$"
)
_NARRATIVE = re.compile(
    rf"(?P<names>{_SURNAME}{_INITIALS}?(?:\s*(?:,|&|and)\s*{_SURNAME}{_INITIALS}?)*)(?:\s+et\s+al\.?)?,?\s+\(\s*{_YEAR}"
)


def is_surname(word: str) -> bool:
    """A capitalized name word: "Cohen", "Tittel-Mosser", "McSweeney", "O’Brien", "Sökefeld"; not "LexUZ",
    "CIS-legislation", "Ministry" or an acronym."""
    w = re.sub(r"^(?:Mc|Mac|O['’]|D['’])(?=[A-Z])", "", word)
    parts = w.split("-")
    return (
        len(word) >= 2
        and word not in _NOT_NAMES
        and all(len(p) >= 2 and p[0].isupper() and p[1:].islower() and p.isalpha() for p in parts)
    )


_WORD = re.compile(r"[^\s,;&()]+")
_FIRST = re.compile(rf"(?:{_CAP}|[A-Z]\.)$")


def _names_in(text: str, start: int, chunk: str) -> list[tuple[int, int, str]] | None:
    """Each author of ``chunk`` ("Ipek & Aktash", "Alan Gamlen", "Tittel-Mosser F.") as a PERSON span,
    or None when the chunk is not a list of person names (a corporate author, a title)."""
    chunk = re.sub(r"\s+et\s+al\.?.*$", "", chunk)
    out = []
    pos = 0
    for piece in re.split(r"(\s*(?:,|&|\band\b)\s*)", chunk):
        if pos % 2 == 0 and piece.strip():
            words = piece.split()
            names_ = [w for w in words if not re.fullmatch(r"(?:[A-Z]\.)+", w)]
            if not (1 <= len(names_) <= 3) or not all(is_surname(w) for w in names_):
                return None
        pos += 1
    # second pass: offsets (pieces are validated above)
    for m in re.finditer(r"[^,&]+", chunk):
        piece = re.sub(r"^\s*(?:and\s+)?|\s+$", "", m.group())
        piece = re.sub(r"\s+and$", "", piece)
        if not piece:
            continue
        s = start + m.start() + m.group().index(piece)
        for sub in re.split(r"\s+and\s+", piece):
            ss = s + piece.index(sub)
            out.append((ss, ss + len(sub), names.PERSON))
    return out


def citation_names(text: str) -> Iterator[tuple[int, int, str]]:
    """Authors in in-text citations, as PERSON spans: "(Ipek & Aktash, 2019)", "Alan Gamlen (2019)".

    A corporate author ("(Ministry of Information of the Republic of Kazakhstan, 2020)") or a source
    that is not shaped like a surname ("(LexUZ on-line, 2020)") gives no PERSON.

    >>> text = "as shown (Ipek & Aktash, 2019)."
    >>> [text[s:e] for s, e, _ in citation_names(text)]
    ['Ipek', 'Aktash']
    """
    for m in _PAREN.finditer(text):
        offset = m.start(1)
        for item in m.group(1).split(";"):
            im = _CITE_ITEM.match(item)
            if im:
                yield from _names_in(text, offset + im.start("names"), im.group("names")) or []
            offset += len(item) + 1
    for m in _NARRATIVE.finditer(text):
        s = m.start("names")
        before = text[max(0, s - 40) : s]
        prev = re.search(r"(\S+)\s+$", before)
        if prev and prev.group(1) in ("of", "and", "for", "on", "the", "in", "de"):
            continue  # "Ministry of Information and Social Development (2020)"
        chunk = m.group("names")
        first = re.search(rf"({_CAP})\s+$", before)
        if first and is_surname(first.group(1)) and first.group(1) not in _NOT_NAMES and " " not in chunk.strip():
            s -= len(first.group(0))  # "Alan Gamlen (2019)"
            chunk = first.group(0) + chunk
        yield from _names_in(text, s, chunk) or []


_CONNECT = r"(?:\s(?:of|and|for|on|in|de|with)(?:\sthe)?\s|\s|-)"
_TITLE_SEQ = rf"{_CAP}(?:{_CONNECT}{_CAP}){{0,8}}"
_ORG_HEADS = (
    "Foundation|Association|Associations|University|Institute|Committee|Council|Agency|Center|Centre|Society|"
    "Union|Party|Fund|Congress|Assembly|Organization|Organisation|Bank|Commission|Academy|Federation|Forum|"
    "Movement|Office|Department|Service|Network|League|Corporation|Company|Group|Club|Trust|Consulate|Embassy|"
    "Ministry|Ministries"
)
_ORG_TAIL = re.compile(
    rf"\b(?:{_CAP}\s(?:(?:of|for|and)\s)?){{1,6}}(?:{_ORG_HEADS})\b(?:\s(?:of|for)(?:\sthe)?\s{_TITLE_SEQ})?"
)
_ORG_HEAD = re.compile(
    rf"\b(?:Ministry|Ministries|Embassy|Consulate|Committee|Department|Agency|Office|Council|Assembly|Union|Association|Federation|University|Academy|Institute|Government|Parliament|Senate|Majilis|Mazhilis|Bank|Cabinet)\s(?:of|for)\s(?:the\s)?{_TITLE_SEQ}"
)
#: A new organisation after "and": the end of the one before ("the Ministry of Labor and the Ministry of …").
_ORG_SPLIT = re.compile(rf"\s(?:and|,)\s(?:the\s)?(?={_ORG_HEADS}\b)")
_LAW_HEADS = r"Law|Decree|Resolution|Order|Code|Act|Concept|Programme|Program|Strategy|Doctrine|(?:Action\s)?Plan"
#: Issuer form: "Law of the Republic of Kazakhstan", "Decree of the Government of the Republic of Kazakhstan".
_LAW_ISSUER = re.compile(
    rf"\b(?:Law|Decree|Resolution|Order|Code)\sof\sthe\s(?:(?:Government|President|Cabinet\sof\sMinisters)\sof\sthe\s)?Republic\sof\s{_CAP}"
)
#: A quoted title in the "On …" convention of post-Soviet legislation: “On Languages in the Republic of Kazakhstan”.
_LAW_ON_QUOTED = re.compile(r"[“\"«](On\s[^“”\"«»\n]{3,200}?)[,.;]?[”\"»]")
#: A named act described in running text: "Concept on cooperation with compatriots living abroad",
#: "Action Plan to support ethnic Kazakhs abroad for 2018-2022", "Law on …". Ends at punctuation or a verb.
_LAW_DESCRIBED = re.compile(
    rf"\b(?:{_LAW_HEADS})(?:\s(?:on|of\sthe\sstate)|(?<=Plan)\sto)\s[^,.;:()\[\]\n“”\"]{{3,150}}?"
    r"(?=\s*[,.;:()\[\]\n“”\"]|\s(?:and\sthe|which|that|was|were|is|are|has|have|had|adopted|approved|signed|by)\b)"
)
_EVENT_HEADS = r"events|riot|riots|uprising|massacre|unrest|pandemic|revolution|war|crisis|protests"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: A place or a named thing followed by an event noun: "Andijan events", "Zhanaozen riot", "COVID-19 pandemic".
_EVENT = re.compile(
    rf"(?<![\w-])(?![A-Z]\w*(?:ese|ian|ish)\s)(?!(?:{_MONTHS}|The|This|These|Those|Other|Many|All|Such)\b)([A-Z][\w\-]*[a-z0-9][\w\-]*)\s(?:{_EVENT_HEADS})\b"
)
_TRAILING = re.compile(r"(?:\s(?:of|and|for|on|in|the|de|with))+$")


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    t = _TRAILING.search(text[s:e])
    if t:
        e = s + t.start()
    if text[s:e].startswith("The "):
        s += 4
    return s, e


# --- structures of the language (not of any one document) ---------------------------------------

#: Turkic patronymic particles written after the father's name ("son of", "daughter of"): Kyrgyz
#: uulu / kyzy, Kazakh uly / qyzy (and their spellings), Turkish/Azerbaijani oğlu / qızı.
PARTICLES = ("uulu", "kyzy", "kızı", "qızı", "uly", "ulı", "qyzy", "oglu", "oğlu", "ogly")
#: East Slavic patronymics: Ivanovich, Sergeyevna, Ilyinichna, Mykolayovych.
_PATRONYMIC = r"[A-Z][a-z]+(?:ovich|evich|yevich|ovna|evna|yevna|ichna|ovych|ivna)"
_PARTICLE_NAME = re.compile(rf"(?<![\w-])(?:{_CAP}\s){{1,2}}(?:{'|'.join(PARTICLES)})(?![\w-])")
_PATRONYMIC_NAME = re.compile(rf"(?<![\w-]){_CAP}\s{_PATRONYMIC}(?:\s{_CAP})?(?![\w-])")


def particle_names(text: str) -> Iterator[tuple[int, int, str]]:
    """PERSON spans of names with a patronymic: a Turkic particle after the father's name ("Bakyt
    Toktogul uulu", "Aida Sapar kyzy") or an East Slavic patronymic ("Anna Sergeyevna", "Ivan
    Petrovich Orlov"). Every word before the particle must be shaped like a name (:func:`is_surname`)."""
    for rx in (_PARTICLE_NAME, _PATRONYMIC_NAME):
        for m in rx.finditer(text):
            words = m.group().split()
            head = words[:-1] if rx is _PARTICLE_NAME else words
            if all(is_surname(w) for w in head):
                yield m.start(), m.end(), names.PERSON


#: Capitalised heads of named programmes, initiatives and acts: "Green Corridor Initiative", "Self-Reliance
#: Strategy", "National Refugee Act".
_PROGRAMME_HEADS = "Programme|Program|Initiative|Strategy|Doctrine|Framework|Act|Reform|Scheme"
_PROGRAMME_TITLE = re.compile(rf"(?<![\w-])(?:{_CAP}(?:\s(?:and|for|of)\s|\s)){{1,4}}(?:{_PROGRAMME_HEADS})(?![\w-])")
#: A name before a lower-case programme noun: "the Nurly Kosh programme" names the programme "Nurly Kosh".
_PROGRAMME_NAMED = re.compile(rf"\bthe\s((?:{_CAP}\s){{0,3}}{_CAP})\s(?:programme|program|initiative|scheme)\b")
#: A numbered act: "Resolution 1201", "Decree No. 45", "Order № 12-p" (a bare year is no number of an act).
_NUMBERED_ACT = re.compile(
    r"(?<![\w-])(?:Resolution|Decree|Order|Directive|Law)\s(?:(?:No\.?|№)\s?)?(\d+(?:[-/][\w]+)?)(?![\w-])"
)


def programme_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """LAW spans of programmes and acts named without the word "Law": a capitalised title ending in a
    programme head, the name before a lower-case "programme", a numbered resolution or decree."""
    for m in _PROGRAMME_TITLE.finditer(text):
        s, e = _trim(text, *m.span())
        words = text[s:e].split()
        if len(words) >= 2 and words[0] not in _NOT_NAMES:
            yield s, e, names.LAW
    for m in _PROGRAMME_NAMED.finditer(text):
        if all(w not in _NOT_NAMES for w in m.group(1).split()):
            yield m.start(1), m.end(1), names.LAW
    for m in _NUMBERED_ACT.finditer(text):
        number = m.group(1)
        if "No" in m.group() or "№" in m.group() or not re.fullmatch(r"1[89]\d\d|20\d\d", number):
            yield m.start(), m.end(), names.LAW


def structure_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """ORG, LAW and EVENT spans from naming structures ("Ministry of …", "… Foundation", "Law on …",
    “On …”, "Andijan events"). An ORG run that holds a second head ("… and the Ministry of …") is split."""
    for m in _LAW_ON_QUOTED.finditer(text):
        yield m.start(1), m.end(1), names.LAW
    for rx in (_LAW_ISSUER, _LAW_DESCRIBED):
        for m in rx.finditer(text):
            s, e = _trim(text, *m.span())
            if len(text[s:e].split()) >= 3:
                yield s, e, names.LAW
    for m in _EVENT.finditer(text):
        yield m.start(), m.end(), names.EVENT
    for rx in (_ORG_HEAD, _ORG_TAIL):
        for m in rx.finditer(text):
            s0, e0 = m.span()
            cuts = [s0] + [x for sp in _ORG_SPLIT.finditer(text, s0, e0) for x in sp.span()] + [e0]
            for s, e in zip(cuts[::2], cuts[1::2]):
                s, e = _trim(text, s, e)
                if e - s > 3 and " " in text[s:e] and "\n" not in text[s:e]:
                    yield s, e, names.ORG


_STAN = re.compile(r"\b([A-Z][a-z]{2,})stan\b")


def nationality_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """NORP from the "-stan" country names a text uses: "Kazakhstan" makes "Kazakh", "Kazakhs",
    "Kazakhstani(s)" nationality words wherever they stand alone."""
    found = {m.group(1) for m in _STAN.finditer(text)}
    stems = sorted(found | {x[:-1] for x in found if x.endswith("i")}, key=len, reverse=True)
    if not stems:
        return
    rx = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, stems))})(?:s|stanis?)?(?![\w-])")
    for m in rx.finditer(text):
        if not m.group().endswith("stan"):
            yield m.start(), m.end(), names.NORP


# --- the component ---------------------------------------------------------------------------


def load_patterns(patterns_dir: Path) -> list[dict]:
    """All gazetteer patterns of ``patterns_dir/*.jsonl``, in file then line order."""
    out: list[dict] = []
    for path in sorted(Path(patterns_dir).glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                p = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not valid JSON ({e.msg}); fix or remove the line") from None
            if p.get("label") not in names.ENTITY_LABELS:
                raise ValueError(f"{path}:{n}: label {p.get('label')!r} is not one of {names.ENTITY_LABELS}")
            out.append(p)
    return out


class EntityRules:
    """Gazetteer + structure patterns → candidate spans in ``doc.spans["rules"]``."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        patterns_dir: str,
        spans_key: str = SPANS_KEY,
        patterns: list[dict] | None = None,
    ):
        """The gazetteer is ``patterns_dir/*.jsonl``, or ``patterns`` when given (a held-out fold's subset)."""
        self.name = name
        self.spans_key = spans_key
        self.ruler = SpanRuler(
            nlp, name=f"{name}_gazetteer", spans_key=None, annotate_ents=False, phrase_matcher_attr="ORTH"
        )
        self.ruler.add_patterns(load_patterns(Path(patterns_dir)) if patterns is None else patterns)

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, s.start, s.end, label=s.label_, span_id=s.id_) for s in self.ruler.match(doc)]
        found = [
            *citation_names(doc.text),
            *structure_spans(doc.text),
            *nationality_spans(doc.text),
            *particle_names(doc.text),
            *programme_spans(doc.text),
        ]
        for start, end, label in found:
            span = doc.char_span(start, end, label=label, alignment_mode="contract")
            if span is None or span.start_char != start or span.end_char != end:
                log.warning("rules: %r at %d-%d is not on token boundaries; skipped", doc.text[start:end], start, end)
                continue
            spans.append(span)
        return spans

    def set_annotations(self, doc: Doc, spans: Iterable[Span]) -> Doc:
        doc.spans[self.spans_key] = sorted(set(spans), key=lambda s: (s.start, -s.end, s.label_))
        return doc


@Language.factory("entity_rules", default_config={"patterns_dir": "models/patterns", "spans_key": SPANS_KEY})
def make_entity_rules(nlp: Language, name: str, patterns_dir: str, spans_key: str) -> EntityRules:
    return EntityRules(nlp, name, patterns_dir, spans_key)
