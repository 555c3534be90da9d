"""Figures: every written form, every qualifier and every not-a-figure case, on literals (no model)."""

from __future__ import annotations

import pytest

from pipeline.figures.numbers import find_numbers, to_float, unit_after
from pipeline.figures.tables import header_fields


def one(sentence: str):
    found = find_numbers(sentence)
    assert len(found) == 1, [(sentence[n.start : n.end], n) for n in found]
    n = found[0]
    return sentence[n.start : n.end], n


# sentence, text, value, low, high, kind, unit, qualifier
FORMS = [
    ("returnee status to 1,057,280 ethnic Kazakhs", "1,057,280", 1057280.0, None, None, "count", "people", "eq"),
    ("Mongolia covers 2.72 million square kilometres", "2.72 million", 2720000.0, None, None, "area", "km2", "eq"),
    ("that 17 thousand Kazakhs live in Germany", "17 thousand", 17000.0, None, None, "count", "people", "eq"),
    ("claim that five million Kazakhs live abroad", "five million", 5000000.0, None, None, "count", "people", "eq"),
    ("said one-third of the respondents", "one-third", 0.3333, None, None, "share", "fraction", "eq"),
    ("Kazakhs were only 39.7 percent of the population", "39.7 percent", 39.7, None, None, "percent", "percent", "eq"),
    ("young people accounted for 60% of the delegates", "60%", 60.0, None, None, "percent", "percent", "eq"),
    ("accounted for just 0.2% of GDP", "0.2%", 0.2, None, None, "percent", "percent", "eq"),
    ("where 90 % of the diaspora lives", "90 %", 90.0, None, None, "percent", "percent", "eq"),
    ("roughly 10 per cent of inhabitants", "10 per cent", 10.0, None, None, "percent", "percent", "approx"),
    ("Remittance inflows, USD million: 481.", "USD million: 481", 481000000.0, None, None, "money", "USD", "eq"),
    ("Remittances inflow (USD million): 481", "481", 481000000.0, None, None, "money", "USD", "eq"),
    ("Membership costs $5 a month, which", "$5 a month", 5.0, None, None, "money", "USD per month", "eq"),
    ("The budget was EUR 2.5 million.", "EUR 2.5 million", 2500000.0, None, None, "money", "EUR", "eq"),
    ("was allocated KZT 3.1 billion in 2008", "KZT 3.1 billion", 3100000000.0, None, None, "money", "KZT", "eq"),
    ("reported 803.4 thousand Kazakhs in 2017", "803.4 thousand", 803400.0, None, None, "count", "people", "eq"),
    ("at 10-15 thousand people (Karimi, 2011)", "10-15 thousand", None, 10000.0, 15000.0, "count", "people", "eq"),
    ("counted 1.3-1.5 million Kazakhs", "1.3-1.5 million", None, 1300000.0, 1500000.0, "count", "people", "eq"),
    (
        "hosts between 10,000 and 100,000 Kazakhs",
        "between 10,000 and 100,000",
        None,
        10000.0,
        100000.0,
        "count",
        "people",
        "eq",
    ),
    ("attracted only 20-40 people on weekends", "20-40", None, 20.0, 40.0, "count", "people", "eq"),
    ("Over 5 million or more", "5 million", 5000000.0, None, None, "count", None, "gt"),
    ("or 30-35% of the total", "30-35%", None, 30.0, 35.0, "percent", "percent", "eq"),
    ("Territory, 60–70,000 in the Tarbagatai region", "60–70,000", None, 60000.0, 70000.0, "count", None, "eq"),
    ("For example, 647 732 Kazakhs inhabit Russia", "647 732", 647732.0, None, None, "count", "people", "eq"),
    (
        "the population is about 18,954,495 million (World",
        "18,954,495 million",
        18954495.0,
        None,
        None,
        "count",
        None,
        "approx",
    ),
    ("Ukraine 224.467", "224.467", 224467.0, None, None, "count", None, "eq"),
    ("More than half a million Kazakhs live", "half a million", 500000.0, None, None, "count", None, "gt"),
    ("Nearly a million repatriates", "a million", 1000000.0, None, None, "count", None, "approx"),
    ("Historians distinguish two waves of migration", "two", 2.0, None, None, "count", "waves", "eq"),
    ("Sixty years separated the exodus", "Sixty", 60.0, None, None, "duration", "years", "eq"),
    ("the border stretches for about 1,783 km.", "1,783", 1783.0, None, None, "length", "km", "approx"),
    ("waited 14 months for a decision", "14", 14.0, None, None, "duration", "months", "eq"),
    ("only had one meeting in", "one", 1.0, None, None, "count", None, "eq"),
    ("more than half of the world's countries", "half", 0.5, None, None, "share", "fraction", "gt"),
    ("three-quarters of the new arrivals", "three-quarters", 0.75, None, None, "share", "fraction", "eq"),
    ("delegates were under the age of 35.", "35", 35.0, None, None, "other", "years of age", "lt"),
]


@pytest.mark.parametrize("sentence,text,value,low,high,kind,unit,qualifier", FORMS)
def test_numbers_every_written_form(sentence, text, value, low, high, kind, unit, qualifier):
    got_text, n = one(sentence)
    assert got_text == text
    assert (n.value, n.low, n.high) == (pytest.approx(value) if value is not None else None, low, high)
    assert (n.kind, n.unit, n.qualifier) == (kind, unit, qualifier)


def test_numbers_less_than_a_year_is_a_figure_beside_the_count():
    s = "their number dropped to 1,200 in less than a year"
    got = [(s[n.start : n.end], n.value, n.kind, n.unit, n.qualifier) for n in find_numbers(s)]
    assert got == [("1,200", 1200.0, "count", None, "eq"), ("a year", 1.0, "duration", "years", "lt")]


QUALIFIERS = [
    ("approximately 17 thousand Kazakhs", "17 thousand", "approx"),
    ("about 800,000 Kazakhs", "800,000", "approx"),
    ("around 700 Kazakh families", "700", "approx"),
    ("nearly five million Kazakhs", "five million", "approx"),
    ("almost 40,000 returnees", "40,000", "approx"),
    ("roughly 2.4% of the population", "2.4%", "approx"),
    ("some 17 thousand Kazakhs", "17 thousand", "approx"),
    ("More or less 300 thousand Kazakhs", "300 thousand", "approx"),
    ("more or less than 100 thousand people", "100 thousand", "approx"),
    ("is estimated at 1,500 people", "1,500", "approx"),
    ("estimates that there are 5,000 Kazakhs", "5,000", "approx"),
    ("more than 100 Kazakh families", "100", "gt"),
    ("over 400 delegates", "400", "gt"),
    ("exceeded 14 million in", "14 million", "gt"),
    ("Above 9 million indigenous people", "9 million", "gt"),
    ("less than 10,000 ethical Kazakhs", "10,000", "lt"),
    ("Fewer than 500 ethnic Kazakhs", "500", "lt"),
    ("Under 5% of second-generation Kazakhs", "5%", "lt"),
    ("at least 120 students", "120", "ge"),
    ("up to 2,000 families", "2,000", "le"),
    ("No more than 15 delegates", "15", "le"),
    ("grew by 12.5% in 2019", "12.5%", "eq"),
    ("over two decades", "two", "eq"),
]


@pytest.mark.parametrize("sentence,text,qualifier", QUALIFIERS)
def test_numbers_every_qualifier(sentence, text, qualifier):
    got_text, n = one(sentence)
    assert (got_text, n.qualifier) == (text, qualifier)


NOT_FIGURES = [
    "Net emigration peaked in 1994 and fell sharply during 2009-2010.",
    "between 1991 and 2000 the state changed",
    "in the 1990s and the 1960s - 80s",
    "The origins go back to the 17-18th centuries.",
    "the first half of the 20th century",
    "The 5th Kurultay and the Fifth Forum were held in 2017.",
    "the second wave and the first generation",
    "disputed by historians (Mendikulova, 2014, p. 77).",
    "See Diaspora Studies 14(1), 22–44, for a critique.",
    "at https://doi.org/10.1080/09739572.2020.1827667 online",
    "registered under ISSN 2717-7408 in Almaty",
    "reached at +7 727 272 0000.",
    "As Table 1 and Figure 2 show, see Section 3.",
    "1. Is the Kazakh diaspora an ethnic group",
    "covered topics: 1) language use, 2) religion",
    "the term oralman¹, which was replaced by qandas in 2020².",
    "settled in the regions of the homeland3 after 1995.",
    "one of the darkest pages in the history",
    "Millions of people and thousands of families",
    "On June 23, 2017, in the course of the EXPO-2017 exhibition",
    "since 30 April 2020) the term changed",
    "during COVID-19 the meetings stopped",
    "Article 23 (3) the Law on Elections",
    "1 https://www.un.org/en/development/desa/population",
    "https://example.kz/doc?id=1000816#pos=3;-155 8 Ministry of Labour",
    "facebook.com/Association-des-Kazakhs-242052839170814/",
    "See Art. 1 para 1 of the Law",
    "regulation-4 of the Assembly",
    "by 1 January 2020 the status was granted",
]


@pytest.mark.parametrize("sentence", NOT_FIGURES)
def test_numbers_not_a_figure(sentence):
    assert [sentence[n.start : n.end] for n in find_numbers(sentence)] == []


def test_numbers_footnote_superscript_is_left_out():
    s = "US 31,199² and"
    assert [(s[n.start : n.end], n.value) for n in find_numbers(s)] == [("31,199", 31199.0)]


def test_numbers_table_rank_and_marker_are_figures_for_the_string_reader():
    # ranks are dropped by the table reader (test_figures_tables), not by the string reader
    s = "7 43 other countries"
    assert [s[n.start : n.end] for n in find_numbers(s)] == ["7", "43"]


@pytest.mark.parametrize(
    "s,value",
    [
        ("1,057,280", 1057280.0),
        ("647 732", 647732.0),
        ("twenty-five", 25.0),
        ("three hundred", 300.0),
        ("2.5", 2.5),
        ("many", None),
    ],
)
def test_numbers_to_float(s, value):
    assert to_float(s) == value


@pytest.mark.parametrize(
    "after,expected",
    [
        (" square kilometers.", ("area", "km2")),
        (" Kazakh families live", ("count", "families")),
        (" ethnic Kazakhs", ("count", "people")),
        (" members of the diaspora", ("count", "people")),
        (" years (Mendikulova", ("duration", "years")),
        (" countries.", ("count", "countries")),
        (" of the population", ("count", None)),
    ],
)
def test_numbers_unit_after(after, expected):
    assert unit_after(after) == expected


@pytest.mark.parametrize(
    "header,expected",
    [
        ("Mendikulova G. (as in 2001)", {"source": "Mendikulova G.", "time": "2001"}),
        ("Field study data 2007–2009", {"source": "Field study data", "time": "2007–2009"}),
        ("Official data", {"source": "Official data", "time": None}),
        (None, {"source": None, "time": None}),
    ],
)
def test_tables_header_fields(header, expected):
    assert header_fields(header) == expected


def test_numbers_opening_a_footnote_is_its_note_number_elsewhere_a_figure():
    note = "14 Migration Policy Concept approved by the Government"
    assert find_numbers(note, footnote=True) == []
    s = "300 Kazakh families returned from Mongolia."
    assert [(s[n.start : n.end], n.value) for n in find_numbers(s)] == [("300", 300.0)]
