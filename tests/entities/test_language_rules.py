"""Entity rules about the language, not about the corpus (issue 14): names with patronymics, programme
and act heads, common nouns that are never entities alone (each kept because it did not lower the
leave-one-document-out ensemble F1: benchmarks/loo_rules.py, docs/evaluation.md).

Every sentence is invented (none comes from a gold document)."""

from __future__ import annotations

import pytest

from pipeline.core import names
from pipeline.core.document import Block, Document
from pipeline.entities.candidates import candidates_from_spans, common_noun
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
