"""Entity rules about the language, not about the corpus (issue 14): names with patronymics, programme
and act heads, common nouns that are never entities alone, quoted titles closed at their quote, group
names of more than one word (each kept because it did not lower the
leave-one-document-out ensemble F1: benchmarks/loo_rules.py, docs/evaluation.md).

Every sentence is invented (none comes from a gold document)."""

from __future__ import annotations

import pytest

from pipeline.consolidate.ensemble import merge
from pipeline.core import names
from pipeline.core.document import Block, Document
from pipeline.entities.candidates import Candidate, candidates_from_spans, clean_span, common_noun, finish
from pipeline.entities.rules import particle_names, programme_spans


def spans(found, text):
    return [(text[s:e], s, e, lab) for s, e, lab in found]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The talks with Nurlan Bekmurat uulu ended.", [("Nurlan Bekmurat uulu", 15, 35, "PERSON")]),
        ("Aida Sapar kyzy wrote the petition.", [("Aida Sapar kyzy", 0, 15, "PERSON")]),
        ("Its chair, Daulet Serik uly, resigned.", [("Daulet Serik uly", 11, 27, "PERSON")]),
        ("A letter from Ivan Petrovich Orlov arrived.", [("Ivan Petrovich Orlov", 14, 34, "PERSON")]),
        ("Olga Sergeyevna disagreed.", [("Olga Sergeyevna", 0, 15, "PERSON")]),
        ("The office in Munich stayed open.", []),  # "-ich" alone is no patronymic
        ("They met at the uulu gathering.", []),  # a particle needs a name before it
    ],
)
def test_rules_particle_names_take_the_whole_name(text, expected):
    assert spans(particle_names(text), text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Funds came through the Blue Valley Initiative in spring.", [("Blue Valley Initiative", 23, 45, "LAW")]),
        ("Under the Zhas Orken programme, families moved north.", [("Zhas Orken", 10, 20, "LAW")]),
        ("The council adopted Resolution 1450 last week.", [("Resolution 1450", 20, 35, "LAW")]),
        ("It was set by Decree No. 37 of the cabinet.", [("Decree No. 37", 14, 27, "LAW")]),
        ("The Initiative was popular.", []),  # a bare head names nothing
        ("The Law 2015 report.", []),  # a year is no number of an act
    ],
)
def test_rules_programme_spans_name_acts_without_the_word_law(text, expected):
    assert spans(programme_spans(text), text) == expected


@pytest.mark.parametrize("word", ["returnee", "Refugees", "CIVILIANS", "migrants", "Diaspora"])
def test_candidates_common_nouns_are_never_entities_alone(word):
    assert common_noun(word)


def test_candidates_from_spans_drop_a_common_noun_of_any_source():
    text = "Refugees crossed at dawn; a returnee and Olga Sergeyevna spoke."
    doc = Document("d", "d.txt", "0" * 64, "txt", text, blocks=[Block(0, len(text), "paragraph", names.SEC_BODY)])

    class S:
        def __init__(self, s, e, label):
            self.start_char, self.end_char, self.label_ = s, e, label

    got = candidates_from_spans(doc, [S(0, 8, "NORP"), S(28, 36, "PERSON"), S(41, 56, "PERSON")], names.SRC_SPACY)
    assert [(text[c.start : c.end], c.label) for c in got] == [("Olga Sergeyevna", "PERSON")]


class S:
    """A model's span, as :func:`candidates_from_spans` reads it."""

    def __init__(self, s: int, e: int, label: str):
        self.start_char, self.end_char, self.label_ = s, e, label


def doc_of(text: str) -> Document:
    return Document("d", "d.txt", "0" * 64, "txt", text, blocks=[Block(0, len(text), "paragraph", names.SEC_BODY)])


@pytest.mark.parametrize(
    "text, cut, expected",
    [
        # a model stopped inside the quotes: the title runs to its closing quote
        (
            "They cited the Law “On Labour Migration of Citizens” of 2019.",
            "Law “On Labour",
            "Law “On Labour Migration of Citizens”",
        ),
        ('The Foundation "Golden Bridge" opened in Osh.', 'Foundation "Golden', 'Foundation "Golden Bridge"'),
        ("the Order «On Quotas for Returnees» was signed", "Order «On Quotas", "Order «On Quotas for Returnees»"),
        # no closing quote before the sentence ends: the span stays as it was
        ("the Decree “On Quotas. Later the board met", "Decree “On Quotas", "Decree “On Quotas"),
    ],
)
def test_clean_span_closes_a_quoted_title_at_its_quote(text, cut, expected):
    s = text.index(cut)
    assert text[slice(*clean_span(text, s, s + len(cut)))] == expected


def test_candidates_a_span_from_a_closing_quote_is_no_entity():
    text = "the Law “On Labour Migration of Citizens” of 5 May 2019 applies"
    tail = text.index("” of")
    got = candidates_from_spans(doc_of(text), [S(tail, tail + len("” of 5 May"), "LAW")], names.SRC_SPACY)
    assert got == []


@pytest.mark.parametrize(
    "text, parts, expected",
    [
        ("Many Afghan Uzbeks crossed the river.", [("Afghan", "NORP"), ("Uzbeks", "NORP")], ("Afghan Uzbeks", 5, 18)),
        ("Chinese Kazakhs settled in Almaty.", [("Chinese", "NORP"), ("Kazakhs", "NORP")], ("Chinese Kazakhs", 0, 15)),
        (
            "The Xinjiang Kyrgyzes left early.",
            [("Xinjiang", "GPE"), ("Kyrgyzes", "NORP")],
            ("Xinjiang Kyrgyzes", 4, 21),
        ),
        ("Soviet Germans were deported in 1941.", [("Soviet", "NORP"), ("Germans", "NORP")], ("Soviet Germans", 0, 14)),
    ],
)
def test_group_names_are_one_norp(text, parts, expected):
    cands = [
        Candidate(text.index(w), text.index(w) + len(w), lab, names.SRC_RULES, 0.97, w.lower()) for w, lab in parts
    ]
    got = [(text[m.start : m.end], m.start, m.end, m.label) for m in merge(finish(text, cands))]
    assert got == [(*expected, "NORP")]


@pytest.mark.parametrize(
    "text, parts",
    [
        ("Kazakhs, Uzbeks and Tajiks voted.", [("Kazakhs", "NORP"), ("Uzbeks", "NORP")]),  # a list, no group
        ("Kazakhs Uzbeks", [("Kazakhs", "NORP"), ("Uzbeks", "NORP")]),  # a plural names no origin
        ("the Kazakh language and Uzbek", [("Kazakh", "NORP"), ("Uzbek", "NORP")]),  # no plural head
        # coordinated modifiers: which noun each modifies is not known
        ("for Tatar and Bashkir Muslims or Bashkirs", [("Bashkir", "NORP"), ("Muslims", "NORP")]),
    ],
)
def test_group_names_need_an_origin_word_then_a_plural(text, parts):
    cands = [
        Candidate(text.index(w), text.index(w) + len(w), lab, names.SRC_RULES, 0.97, w.lower()) for w, lab in parts
    ]
    assert sorted(text[m.start : m.end] for m in merge(finish(text, cands))) == sorted(w for w, _ in parts)
