"""Events on real-looking sentences with the spaCy model: trigger, type, dates, place, participants."""

import pytest
from conftest import ingest_text

from pipeline.core import names
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


def _dated(doc, evs):
    for e in evs:
        assert doc.text[e.start : e.end]  # the clause is a real span of the canonical text
    return [(e.trigger, e.date_text, e.date_start, e.date_end, e.granularity, e.date_resolution) for e in evs]


@pytest.mark.model
def test_events_news_mode_reads_the_dateline(nlp):
    doc, evs = _events(
        nlp,
        "Herders' union elects new chair\n\n"
        "TARAZ, March 10, 2021 – Delegates of the herders' union elected a new chair on March 3. "
        "Last week, ninety families moved to the winter pastures. The levy was raised last year.\n",
    )
    assert doc.metadata["date_source"] == names.DATE_DATELINE
    assert _dated(doc, evs) == [
        ("elected", "March 3", "2021-03-03", "2021-03-03", "day", names.RES_DCT),
        ("moved", "Last week", "2021-03-01", "2021-03-07", "week", names.RES_DCT),
        ("raised", "last year", "2020-01-01", "2020-12-31", "year", names.RES_DCT),
    ]
    elected = evs[0]
    assert doc.text[elected.start : elected.end] == ("Delegates of the herders' union elected a new chair on March 3.")


@pytest.mark.model
def test_events_narrative_mode_reads_the_last_date(nlp):
    doc, evs = _events(
        nlp,
        "The canal and the steppe\n\nThe canal was dug in 1928. In April, the first boats arrived at the dam.\n\n"
        "On May 2, the workers left the camp.\n",
    )
    assert "date" not in doc.metadata
    # "On May 2" opens a new paragraph: 1928 is not its year
    assert _dated(doc, evs) == [
        ("dug", "1928", "1928-01-01", "1928-12-31", "year", names.RES_ABSOLUTE),
        ("arrived", "April", "1928-04-01", "1928-04-30", "month", names.RES_NARRATIVE),
    ]


@pytest.mark.model
def test_events_every_date_of_a_clause_is_an_event(nlp):
    doc, evs = _events(nlp, "In the summers of 2004, 2009 and 2013 the herders moved to the high pastures.")
    assert [(e.trigger, e.date_text, e.date_start, e.date_end) for e in evs] == [
        ("moved", "the summers of 2004", "2004-06-01", "2004-08-31"),
        ("moved", "2009", "2009-06-01", "2009-08-31"),
        ("moved", "2013", "2013-06-01", "2013-08-31"),
    ]
    sentence = doc.text.strip()
    assert all(doc.text[e.start : e.end] == sentence for e in evs)
    _, evs = _events(nlp, "The herders returned to the valley in 2015 and 2018.")
    assert [(e.trigger, e.date_start, e.date_end) for e in evs] == [
        ("returned", "2015-01-01", "2015-12-31"),
        ("returned", "2018-01-01", "2018-12-31"),
    ]


@pytest.mark.model
@pytest.mark.parametrize(
    "text,trigger,date_text,start,end,gran",
    [
        (
            "The nineteenth-century resettlement of peasants emptied the pastures.",
            "resettlement",
            "The nineteenth-century",
            "1801-01-01",
            "1900-12-31",
            "century",
        ),
        (
            "Herders were deported to the north in the early twentieth century.",
            "deported",
            "the early twentieth century",
            "1901-01-01",
            "1933-12-31",
            "century",
        ),
        ("For 1996, a quota of 300 families was set.", "set", "1996", "1996-01-01", "1996-12-31", "year"),
    ],
)
def test_events_dates_in_words(nlp, text, trigger, date_text, start, end, gran):
    _, evs = _events(nlp, text)
    assert [(e.trigger, e.date_text, e.date_start, e.date_end, e.granularity) for e in evs] == [
        (trigger, date_text, start, end, gran)
    ]


@pytest.mark.model
def test_events_year_before_its_clause(nlp):
    doc, evs = _events(nlp, "The village school was closed in 1931 (the year the new border was drawn).")
    assert [(e.trigger, e.date_text, e.date_start) for e in evs] == [
        ("closed", "1931", "1931-01-01"),
        ("drawn", "1931", "1931-01-01"),
    ]
    assert doc.text[evs[1].start : evs[1].end] == doc.text.strip()
