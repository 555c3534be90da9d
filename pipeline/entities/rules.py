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
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from .. import names

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


def citation_names(text: str) -> Iterator[tuple[int, int, str]]:
    """Author surnames in in-text citations, as PERSON spans.

    >>> [text[s:e] for s, e, _ in citation_names(text := "as shown (Ipek & Aktash, 2019).")]
    ['Ipek', 'Aktash']
    """
    for m in _PAREN.finditer(text):
        inner_start = m.start(1)
        offset = 0
        for item in m.group(1).split(";"):
            im = _CITE_ITEM.match(item)
            if im:
                yield from _surnames(text, inner_start + offset + im.start("names"), im.group("names"))
            offset += len(item) + 1
    for m in _NARRATIVE.finditer(text):
        yield from _surnames(text, m.start("names"), m.group("names"))


def _surnames(text: str, start: int, chunk: str) -> Iterator[tuple[int, int, str]]:
    chunk_clean = re.sub(r"\s+et\s+al\.?.*$", "", chunk)
    for nm in re.finditer(rf"{_SURNAME}(?:{_INITIALS})?", chunk_clean):
        word = nm.group().split()[-1] if nm.group().split()[0] in ("van", "von", "de", "del", "di", "al", "el", "ibn") else nm.group()
        head = re.match(_CAP, word.split()[0] if " " in word else word)
        if not head:
            continue
        surname = nm.group()
        initials = re.search(rf"{_INITIALS}$", surname)
        core = surname[: initials.start()] if initials and initials.start() > 0 else surname
        if core.strip(" .") in _NOT_NAMES or len(core.strip()) < 2 or core.isupper() and len(core) > 1 and not initials:
            continue
        s = start + nm.start()
        e = s + len(surname.rstrip())
        if text[s:e] == surname.rstrip():
            yield s, e, names.PERSON


_CONNECT = r"(?:\s(?:of|and|for|on|in|de)(?:\sthe)?\s|\s|-)"
_TITLE_SEQ = rf"{_CAP}(?:{_CONNECT}{_CAP}){{0,8}}"
_ORG_HEADS = (
    "Foundation|Association|Associations|University|Institute|Committee|Council|Agency|Center|Centre|Society|"
    "Union|Party|Fund|Congress|Assembly|Organization|Organisation|Bank|Commission|Academy|Federation|Forum|"
    "Movement|Office|Department|Service|Network|League|Corporation|Company|Group|Club|Trust|Consulate|Embassy"
)
_ORG_TAIL = re.compile(rf"\b(?:{_CAP}\s(?:(?:of|for|and)\s)?){{1,6}}(?:{_ORG_HEADS})\b(?:\sof(?:\sthe)?\s{_TITLE_SEQ})?")
_ORG_HEAD = re.compile(rf"\b(?:Ministry|Ministries|Embassy|Consulate|Committee|Department|Agency|Office|Council|Assembly|Union|Association|Federation|University|Academy|Institute|Government|Parliament|Senate|Majilis|Mazhilis|Bank)\s(?:of|for)\s(?:the\s)?{_TITLE_SEQ}")
_LAW = re.compile(
    rf"\b(?:Law|Decree|Resolution|Order|Code|Act|Concept|Programme|Program|Strategy|Doctrine)"
    rf"(?:\s(?:of|by)\s(?:the\s)?(?:Republic\sof\s{_CAP}|{_CAP}(?:\s{_CAP})?))?"
    rf"\s?(?:[“\"«]On\s[^”\"»]{{3,160}}[”\"»]|\son\s(?:the\s)?{_TITLE_SEQ})"
)
_TRAILING = re.compile(r"(?:\s(?:of|and|for|on|in|the|de))+$")


def structure_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """ORG and LAW spans from naming structures ("Ministry of …", "… Foundation", "Law on …")."""
    for rx, label in ((_LAW, names.LAW), (_ORG_HEAD, names.ORG), (_ORG_TAIL, names.ORG)):
        for m in rx.finditer(text):
            s, e = m.span()
            t = _TRAILING.search(text[s:e])
            if t:
                e = s + t.start()
            if text[s:e].startswith("The "):
                s += 4
            if e - s > 3 and "\n" not in text[s:e]:
                yield s, e, label


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

    def __init__(self, nlp: Language, name: str, patterns_dir: str, spans_key: str = SPANS_KEY):
        self.name = name
        self.spans_key = spans_key
        self.ruler = SpanRuler(nlp, name=f"{name}_gazetteer", spans_key=None, annotate_ents=False,
                               phrase_matcher_attr="ORTH")
        self.ruler.add_patterns(load_patterns(Path(patterns_dir)))

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, s.start, s.end, label=s.label_, span_id=s.id_) for s in self.ruler.match(doc)]
        for start, end, label in list(citation_names(doc.text)) + list(structure_spans(doc.text)):
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
