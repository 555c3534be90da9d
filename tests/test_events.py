"""Events on real-looking sentences with the spaCy model: trigger, type, dates, place, participants."""

import pytest
from conftest import ingest_text

from pipeline.events import extract, to_frame


def _events(nlp, text):
    doc = ingest_text(text)
    evs = extract(doc, nlp(doc.text))
    for e in evs:
        assert 0 <= e.start < e.end <= len(doc.text)
    return doc, evs


CASES = [
    (
        "The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992.",
        "held",
        "congress",
        "1992-09-29",
        "1992-09-29",
        None,
        "Almaty",
        [],
    ),
    (
        "Since 2019, Kazakhstan has repatriated approximately 700 of its citizens from Iraq and Syria.",
        "repatriated",
        "migration",
        "2019-01-01",
        "2019-12-31",
        "after",
        "Iraq and Syria",
        ["Kazakhstan"],
    ),
    (
        "In 2008, an umbrella organization Federation of European Kazakh Associations (FEKA) was formed in Berlin.",
        "formed",
        "founding",
        "2008-01-01",
        "2008-12-31",
        None,
        "Berlin",
        ["Federation of European Kazakh Associations"],
    ),
    (
        "A program to assist compatriots living abroad was established in 1996.",
        "established",
        "law",
        "1996-01-01",
        "1996-12-31",
        None,
        None,
        [],
    ),
    (
        "With the exception of Tajikistan, which was in a state of civil war in the early 1990s, most states held congresses.",
        "war",
        "conflict",
        "1990-01-01",
        "1992-12-31",
        None,
        None,
        [],
    ),
]


@pytest.mark.model
@pytest.mark.parametrize("text,trigger,kind,start,end,mod,location,participants", CASES)
def test_events_one_event(nlp, text, trigger, kind, start, end, mod, location, participants):
    _, evs = _events(nlp, text)
    assert len(evs) == 1
    e = evs[0]
    assert (e.trigger, e.event_type, e.date_start, e.date_end, e.date_mod) == (trigger, kind, start, end, mod)
    assert (e.location, e.participants) == (location, participants)


@pytest.mark.model
def test_events_two_events_in_one_sentence_get_their_own_clauses(nlp):
    doc, evs = _events(nlp, "The WKA was founded in 1992 and the Otandastar Foundation was established in 2017.")
    assert [(e.trigger, e.date_start, doc.text[e.start : e.end]) for e in evs] == [
        ("founded", "1992-01-01", "The WKA was founded in 1992"),
        ("established", "2017-01-01", "the Otandastar Foundation was established in 2017."),
    ]
    df = to_frame("d", doc.text, evs)
    assert all(doc.text[r.start : r.end] == r.text for r in df.itertuples())


@pytest.mark.model
def test_events_list_of_dated_event_nouns(nlp):
    _, evs = _events(
        nlp,
        "The events of 2011 in Zhanaozen, the Land rallies of 2016, the power transition and "
        "presidential elections of 2019, and the January events of 2022 are among them.",
    )
    assert [(e.trigger, e.event_type, e.date_start, e.date_end) for e in evs] == [
        ("events", "protest", "2011-01-01", "2011-12-31"),
        ("rallies", "protest", "2016-01-01", "2016-12-31"),
        ("transition", "election", "2019-01-01", "2019-12-31"),
        ("elections", "election", "2019-01-01", "2019-12-31"),
        ("events", "protest", "2022-01-01", "2022-01-31"),
    ]


@pytest.mark.model
def test_events_relative_date_resolved_from_previous_sentence(nlp):
    _, evs = _events(
        nlp, "A program for compatriots was adopted in 1996. Two years later, it was amended by the government."
    )
    assert [(e.trigger, e.date_start, e.date_text) for e in evs] == [
        ("adopted", "1996-01-01", "1996"),
        ("amended", "1998-01-01", "Two years later"),
    ]


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "In 1989 there were 936 thousand Kazakhs in the region.",
        "Published online: 12 March 2021",
        "Retrieved January 12, 2022, from the archive.",
        "Accessed on 3 May 2020.",
        "Mendikulova (2017) concludes that most Kazakhs abroad live in border countries.",
        "The data were collected in a field study conducted in 2007-2009.",
        "The Action Plan to support ethnic Kazakhs abroad for 2018-2022 is in force.",
        "In recent years the association has become far more active.",
        "From the 1990s to the 2010s, diaspora policies experienced ups and downs.",
    ],
)
def test_events_not_events(nlp, text):
    assert _events(nlp, text)[1] == []
