"""Time expressions → intervals: every form of issue 6, negatives, relative references."""

import json

import pytest
from conftest import ROOT

from pipeline.core import names
from pipeline.events.relative import dct_timex
from pipeline.events.timex import find_timexes

CASES = [
    ("It opened on the 29th of September 1992.", "the 29th of September 1992", "1992-09-29", "1992-09-29", "day", None),
    ("It was suspended on 30 April 2020.", "30 April 2020", "2020-04-30", "2020-04-30", "day", None),
    ("They met on June 23, 2017, in Ankara.", "June 23, 2017", "2017-06-23", "2017-06-23", "day", None),
    ("Workers returned in June 2019.", "June 2019", "2019-06-01", "2019-06-30", "month", None),
    ("It was quiet in February 2016.", "February 2016", "2016-02-01", "2016-02-29", "month", None),
    ("The Qurultai met in 1992.", "1992", "1992-01-01", "1992-12-31", "year", None),
    ("Surveys ran in 2009-2010.", "2009-2010", "2009-01-01", "2010-12-31", "year", None),
    ("The plan covers 2018 - 2022.", "2018 - 2022", "2018-01-01", "2022-12-31", "year", None),
    (
        "Quotas applied from 1991 to the 1st January 2020.",
        "from 1991 to the 1st January 2020",
        "1991-01-01",
        "2020-01-01",
        "year",
        None,
    ),
    (
        "Centres opened between the late 1990s and 2005.",
        "between the late 1990s and 2005",
        "1997-01-01",
        "2005-12-31",
        "decade",
        None,
    ),
    ("Herders left in the 1990s.", "the 1990s", "1990-01-01", "1999-12-31", "decade", None),
    ("Workers came in the 1960s - 80s.", "the 1960s - 80s", "1960-01-01", "1989-12-31", "decade", None),
    ("Refugees crossed in the 1930-50s.", "the 1930-50s", "1930-01-01", "1959-12-31", "decade", None),
    ("Clans moved in the 18th century.", "the 18th century", "1701-01-01", "1800-12-31", "century", None),
    ("Origins lie in the 17-18th centuries.", "the 17-18th centuries", "1601-01-01", "1800-12-31", "century", None),
    (
        "Journals appeared in the first half of the 20th century.",
        "the first half of the 20th century",
        "1901-01-01",
        "1950-12-31",
        "century",
        None,
    ),
    (
        "Towns grew in the second half of the 19th century.",
        "the second half of the 19th century",
        "1851-01-01",
        "1900-12-31",
        "century",
        None,
    ),
    ("Since 2019 it has grown.", "Since 2019", "2019-01-01", "2019-12-31", "year", "after"),
    ("Families had arrived by 1980.", "by 1980", "1980-01-01", "1980-12-31", "year", "before"),
    ("The rule held until 2005.", "until 2005", "2005-01-01", "2005-12-31", "year", "before"),
    (
        "Migration grew from the 1990s to present.",
        "from the 1990s to present",
        "1990-01-01",
        "1999-12-31",
        "decade",
        "after",
    ),
    ("In the early 1990s families returned.", "the early 1990s", "1990-01-01", "1992-12-31", "decade", None),
    ("In the mid-1990s families returned.", "the mid-1990s", "1993-01-01", "1996-12-31", "decade", None),
    ("In the late 1990s families returned.", "the late 1990s", "1997-01-01", "1999-12-31", "decade", None),
    (
        "The congress met on the 29th of September in 2005.",
        "the 29th of September in 2005",
        "2005-09-29",
        "2005-09-29",
        "day",
        None,
    ),
    ("Talks were held on 5-6 May 2019 in Almaty.", "5-6 May 2019", "2019-05-05", "2019-05-06", "day", None),
    ("Talks were held on May 5 and 6, 2019.", "May 5 and 6, 2019", "2019-05-05", "2019-05-06", "day", None),
    (
        "Quotas were cut between March and May 2019.",
        "between March and May 2019",
        "2019-03-01",
        "2019-05-31",
        "month",
        None,
    ),
    ("Quotas were cut from March to May 2019.", "from March to May 2019", "2019-03-01", "2019-05-31", "month", None),
    ("The law passed in mid-2014.", "mid-2014", "2014-05-01", "2014-08-31", "month", None),
    ("Returns slowed in early 2010.", "early 2010", "2010-01-01", "2010-04-30", "month", None),
    (
        "By the end of 2019, 300 families had moved.",
        "By the end of 2019",
        "2019-09-01",
        "2019-12-31",
        "month",
        "before",
    ),
    ("A survey ran in the spring of 2016.", "the spring of 2016", "2016-03-01", "2016-05-31", "month", None),
    ("The plan covered the first half of 2020.", "the first half of 2020", "2020-01-01", "2020-06-30", "month", None),
    (
        "It grew from the mid-1990s to the present day.",
        "from the mid-1990s to the present day",
        "1993-01-01",
        "1996-12-31",
        "decade",
        "after",
    ),
    (
        "Aid flowed from 2009-2010 until today.",
        "from 2009-2010 until today",
        "2009-01-01",
        "2010-12-31",
        "year",
        "after",
    ),
    (
        "It has grown from mid-2014 to the present.",
        "from mid-2014 to the present",
        "2014-05-01",
        "2014-08-31",
        "month",
        "after",
    ),
]


@pytest.mark.parametrize("text,date_text,start,end,gran,mod", CASES)
def test_timex_absolute_forms(text, date_text, start, end, gran, mod):
    found = find_timexes(text)
    assert len(found) == 1
    t = found[0]
    assert text[t.start : t.end] == date_text
    assert (t.date_start, t.date_end, t.granularity, t.date_mod) == (start, end, gran, mod)


RELATIVE = [
    (
        "The quota was set in 1993. Three years later it was doubled.",
        "Three years later",
        "1996-01-01",
        "1996-12-31",
        "year",
        None,
    ),
    (
        "The school opened in 2002. In the same year, a weekly was launched.",
        "In the same year",
        "2002-01-01",
        "2002-12-31",
        "year",
        None,
    ),
    ("The office moved in 2013. That June, it hosted a ball.", "That June", "2013-06-01", "2013-06-30", "month", None),
    (
        "A congress was held in June 2005. The following month, a delegation came.",
        "The following month",
        "2005-07-01",
        "2005-07-31",
        "month",
        None,
    ),
    (
        "The consulate opened on 14 May 2010. A week later, it issued visas.",
        "A week later",
        "2010-05-21",
        "2010-05-21",
        "day",
        None,
    ),
    (
        "The program started in 1996; a decade later it ended.",
        "a decade later",
        "2006-01-01",
        "2006-12-31",
        "year",
        None,
    ),
    (
        "In 1953 the service began. Later, it separated from the office.",
        "Later",
        "1953-01-01",
        "1953-12-31",
        "year",
        "after",
    ),
    (
        "Unrest broke out in January 2022. In this period of turbulence, the diaspora mobilized.",
        "In this period of turbulence",
        "2022-01-01",
        "2022-01-31",
        "month",
        None,
    ),
]


@pytest.mark.parametrize("text,date_text,start,end,gran,mod", RELATIVE)
def test_timex_relative_resolved_from_last_absolute_date(text, date_text, start, end, gran, mod):
    rel = [t for t in find_timexes(text) if t.relative]
    assert len(rel) == 1
    t = rel[0]
    assert text[t.start : t.end] == date_text
    assert (t.date_start, t.date_end, t.granularity, t.date_mod) == (start, end, gran, mod)


def test_timex_relative_uses_anchor_from_earlier_text():
    anchor = find_timexes("The program was adopted in 1996.")[0]
    t = find_timexes("Two years later it was amended.", anchor)[0]
    assert (t.date_start, t.date_end, t.relative) == ("1998-01-01", "1998-12-31", True)


@pytest.mark.parametrize(
    "text",
    [
        "Community leaders speak of 10-15 thousand Kazakhs.",
        "The survey is reprinted in the volume, pp. 1992-2005.",
        "Return migration has been studied (Nurlanova, 2015).",
        "Mendikulova (2014) estimates the number of returnees.",
        "It was discussed by experts (Серик, 2019).",
        "The law was cited (Law of the Republic of Kazakhstan, 2011a).",
        "About 1500 families still live there.",
        "The petition gathered 2021 signatures.",
        "Pickets usually drew 20-40 participants.",
        "In recent years the association grew.",
        "Many families may one day return.",
        "Two years later it was amended.",  # relative, no anchor
    ],
)
def test_timex_negatives(text):
    assert find_timexes(text) == []


@pytest.mark.parametrize(
    "text,dates",
    [
        # "and" names two dates, not the span between them, unless "between" opens it or they are consecutive
        ("Meetings took place in March and May 2019.", [("May 2019", "2019-05-01", "2019-05-31")]),
        ("Votes were held on 5 and 16 May 2019.", [("16 May 2019", "2019-05-16", "2019-05-16")]),
    ],
)
def test_timex_and_is_not_a_range(text, dates):
    assert [(text[t.start : t.end], t.date_start, t.date_end) for t in find_timexes(text)] == dates


# --- dates in words ---------------------------------------------------------------------------------------

WORDS = [
    (
        "Nineteenth-century caravans crossed the pass.",
        "Nineteenth-century",
        "1801-01-01",
        "1900-12-31",
        "century",
    ),
    (
        "Herders settled the valley in the early twentieth century.",
        "the early twentieth century",
        "1901-01-01",
        "1933-12-31",
        "century",
    ),
    (
        "Trade fairs peaked in the mid-eighteenth century.",
        "the mid-eighteenth century",
        "1734-01-01",
        "1767-12-31",
        "century",
    ),
    ("Wells dried up in the late 19th century.", "the late 19th century", "1868-01-01", "1900-12-31", "century"),
    (
        "The fort was abandoned at the end of the sixteenth century.",
        "the end of the sixteenth century",
        "1568-01-01",
        "1600-12-31",
        "century",
    ),
    ("A mosque was built in the XVII century.", "the XVII century", "1601-01-01", "1700-12-31", "century"),
    (
        "Salt was traded in the seventeenth and eighteenth centuries.",
        "the seventeenth and eighteenth centuries",
        "1601-01-01",
        "1800-12-31",
        "century",
    ),
    (
        "Railways reached the oasis at the turn of the 20th century.",
        "the turn of the 20th century",
        "1895-01-01",
        "1905-12-31",
        "decade",
    ),
    (
        "Borders moved at the turn of the nineteenth and twentieth centuries.",
        "the turn of the nineteenth and twentieth centuries",
        "1895-01-01",
        "1905-12-31",
        "decade",
    ),
]


@pytest.mark.parametrize("text,date_text,start,end,gran", WORDS)
def test_timex_dates_in_words(text, date_text, start, end, gran):
    found = find_timexes(text)
    assert len(found) == 1
    t = found[0]
    assert (text[t.start : t.end], t.date_start, t.date_end, t.granularity) == (date_text, start, end, gran)
    assert t.resolution == names.RES_ABSOLUTE


def test_timex_turn_of_the_century_needs_a_reference():
    text = "At the turn of the century, the village emptied."
    assert find_timexes(text) == []
    (t,) = find_timexes(text, dct=dct_timex("2021-03-10"))
    assert (text[t.start : t.end], t.date_start, t.date_end, t.resolution) == (
        "the turn of the century",
        "1995-01-01",
        "2005-12-31",
        names.RES_DCT,
    )
    (t,) = find_timexes(text, anchor=find_timexes("Caravans stopped in 1897.")[0])
    assert (t.date_start, t.date_end, t.resolution) == ("1895-01-01", "1905-12-31", names.RES_NARRATIVE)


# --- lists: every date of a clause ------------------------------------------------------------------------


def test_timex_season_shared_by_a_list_of_years():
    text = "In the summers of 2004, 2009 and 2013 the herders moved to the high pastures."
    got = [(text[t.start : t.end], t.date_start, t.date_end, t.granularity) for t in find_timexes(text)]
    assert got == [
        ("the summers of 2004", "2004-06-01", "2004-08-31", "month"),
        ("2009", "2009-06-01", "2009-08-31", "month"),
        ("2013", "2013-06-01", "2013-08-31", "month"),
    ]


@pytest.mark.parametrize(
    "text,dates",
    [
        # "and" between two years names two dates (two events); "between … and", "from … to" and a dash one range
        ("The herders returned in 2015 and 2018.", [("2015", "2015-12-31"), ("2018", "2018-12-31")]),
        (
            "Wells were dug in 1931, 1934 and 1938.",
            [("1931", "1931-12-31"), ("1934", "1934-12-31"), ("1938", "1938-12-31")],
        ),
        ("The herders returned between 2015 and 2018.", [("between 2015 and 2018", "2018-12-31")]),
        ("The herders returned from 2015 to 2018.", [("from 2015 to 2018", "2018-12-31")]),
    ],
)
def test_timex_year_lists_and_ranges(text, dates):
    assert [(text[t.start : t.end], t.date_end) for t in find_timexes(text)] == dates


# --- news mode: read against the document creation time -----------------------------------------------------

DCT = "2021-03-10"  # a Wednesday
NEWS = [
    # text, tense, date_text, start, end, granularity
    ("Police detained four riders on March 3.", "past", "March 3", "2021-03-03", "2021-03-03", "day"),
    ("Police detained four riders on March 23.", "past", "March 23", "2020-03-23", "2020-03-23", "day"),
    ("The guild met on the 2nd of February.", "past", "the 2nd of February", "2021-02-02", "2021-02-02", "day"),
    ("Shepherds protested in April.", "past", "April", "2020-04-01", "2020-04-30", "month"),
    ("The new tariff will apply in January.", "future", "January", "2022-01-01", "2022-01-31", "month"),
    ("The new tariff applies from June.", None, "June", "2021-06-01", "2021-06-30", "month"),
    ("Last week, ninety riders arrived.", "past", "Last week", "2021-03-01", "2021-03-07", "week"),
    ("Yesterday the mayor resigned.", "past", "Yesterday", "2021-03-09", "2021-03-09", "day"),
    ("Today the council votes.", None, "Today", "2021-03-10", "2021-03-10", "day"),
    ("The council votes tomorrow.", None, "tomorrow", "2021-03-11", "2021-03-11", "day"),
    ("This year the levy was halved.", "past", "This year", "2021-01-01", "2021-12-31", "year"),
    ("The levy was raised last year.", "past", "last year", "2020-01-01", "2020-12-31", "year"),
    ("Talks resume next month.", None, "next month", "2021-04-01", "2021-04-30", "month"),
    ("The bridge opened last April.", "past", "last April", "2020-04-01", "2020-04-30", "month"),
    ("The bridge opened last February.", "past", "last February", "2021-02-01", "2021-02-28", "month"),
    ("A camp opened last summer.", "past", "last summer", "2020-06-01", "2020-08-31", "month"),
    ("A camp opens this summer.", None, "this summer", "2021-06-01", "2021-08-31", "month"),
    ("Riders gathered on Monday in Taraz.", "past", "Monday", "2021-03-08", "2021-03-08", "day"),
    ("Riders will gather on Monday.", "future", "Monday", "2021-03-15", "2021-03-15", "day"),
    ("Riders gathered last Wednesday.", "past", "last Wednesday", "2021-03-03", "2021-03-03", "day"),
    ("The vote is next Friday.", None, "next Friday", "2021-03-12", "2021-03-12", "day"),
    # a figure right after the date is neither its day nor its year
    ("In February, 1,200 riders arrived.", "past", "February", "2021-02-01", "2021-02-28", "month"),
    ("In February 1,200 riders arrived.", "past", "February", "2021-02-01", "2021-02-28", "month"),
    ("In February 300 riders arrived.", "past", "February", "2021-02-01", "2021-02-28", "month"),
    ("On March 3, 4,500 riders arrived.", "past", "March 3", "2021-03-03", "2021-03-03", "day"),
    ("Last summer 2,000 riders arrived.", "past", "Last summer", "2020-06-01", "2020-08-31", "month"),
]


@pytest.mark.parametrize("text,tense,date_text,start,end,gran", NEWS)
def test_timex_news_mode_reads_the_document_creation_time(text, tense, date_text, start, end, gran):
    (t,) = find_timexes(text, dct=dct_timex(DCT), tense=tense)
    assert (text[t.start : t.end], t.date_start, t.date_end, t.granularity) == (date_text, start, end, gran)
    assert (t.resolution, t.relative) == (names.RES_DCT, False)


@pytest.mark.parametrize(
    "text,dates",
    [
        ("In February 2019 riders arrived.", [("February 2019", "2019-02-01")]),  # a year, not a figure
        ("In February of 2019 riders arrived.", [("February of 2019", "2019-02-01")]),
        ("In February 12 riders arrived.", [("February 12", "2021-02-12")]),  # read as a day, as before
        ("Riders came on March 3, 2020.", [("March 3, 2020", "2020-03-03")]),
    ],
)
def test_timex_news_mode_a_day_or_year_after_the_month_is_the_date(text, dates):
    found = find_timexes(text, dct=dct_timex(DCT), tense="past")
    assert [(text[t.start : t.end], t.date_start) for t in found] == dates


def test_timex_news_mode_anaphora_reads_the_last_date_not_the_dct():
    text = "The depot burned on March 3. The following day, traders left."
    dates = [(text[t.start : t.end], t.date_start, t.resolution) for t in find_timexes(text, dct=dct_timex(DCT))]
    assert dates == [("March 3", "2021-03-03", names.RES_DCT), ("The following day", "2021-03-04", names.RES_NARRATIVE)]


def test_timex_dct_of_year_precision_dates_years_not_days():
    dct = dct_timex("2021")
    assert [(t.date_start, t.granularity) for t in find_timexes("The levy was raised last year.", dct=dct)] == [
        ("2020-01-01", "year")
    ]
    assert find_timexes("Yesterday the mayor resigned.", dct=dct) == []


# --- narrative mode: read against the last date mentioned ------------------------------------------------------

NARRATIVE = [
    ("The canal was dug in 1928. In April, the first boats arrived.", "April", "1928-04-01", "1928-04-30", "month"),
    ("The canal was dug in 1928. On May 2, the first boats arrived.", "May 2", "1928-05-02", "1928-05-02", "day"),
    (
        "The canal opened in 1928. A year earlier, a dam had failed.",
        "A year earlier",
        "1927-01-01",
        "1927-12-31",
        "year",
    ),
    ("The canal opened in 1928; this year marked a turn.", "this year", "1928-01-01", "1928-12-31", "year"),
    ("The canal opened in 1928, and last year had been dry.", "last year", "1927-01-01", "1927-12-31", "year"),
    (
        "The dam failed on 4 June 1927. The next day, the valley flooded.",
        "The next day",
        "1927-06-05",
        "1927-06-05",
        "day",
    ),
    ("The dam failed on 4 June 1927. Yesterday's rain was blamed.", "Yesterday", "1927-06-03", "1927-06-03", "day"),
    ("The dam failed in 1927. Today the valley is green.", None, None, None, None),  # "today" needs a DCT
]


@pytest.mark.parametrize("text,date_text,start,end,gran", NARRATIVE)
def test_timex_narrative_mode_reads_the_last_mentioned_date(text, date_text, start, end, gran):
    found = [t for t in find_timexes(text) if t.resolution == names.RES_NARRATIVE]
    if date_text is None:
        assert found == []
        return
    (t,) = found
    assert (text[t.start : t.end], t.date_start, t.date_end, t.granularity) == (date_text, start, end, gran)


def test_timex_narrative_year_less_date_needs_an_anchor_of_its_paragraph():
    anchor = find_timexes("The canal was dug in 1928.")[0]
    assert find_timexes("On May 2, the first boats arrived.", anchor) != []
    assert find_timexes("On May 2, the first boats arrived.", anchor, same_segment=False) == []
    # anaphora still reads an anchor of an earlier paragraph
    (t,) = find_timexes("Two years later the canal silted up.", anchor, same_segment=False)
    assert (t.date_start, t.relative) == ("1930-01-01", True)


@pytest.mark.parametrize(
    "text",
    [
        "It may 3 times exceed the quota.",  # "may" is a verb
        "We met at last may be the reply.",
        "Riders gathered on Monday.",  # a weekday needs a reference day
        "In the last year of the program, few came.",  # "the last year of": not last year
        "The last two years were dry.",
        "Shepherds protested in April.",  # year-less without a DCT or an earlier date
        "Police detained four riders on March 3.",
        "The council votes tomorrow.",
    ],
)
def test_timex_underspecified_negatives(text):
    assert find_timexes(text) == []


UNDERSPECIFIED = [
    json.loads(line) for line in (ROOT / "gold" / "timex" / "underspecified.jsonl").open(encoding="utf-8")
]


@pytest.mark.parametrize("case", UNDERSPECIFIED, ids=[c["date_text"] for c in UNDERSPECIFIED])
def test_timex_underspecified_gold(case):
    """gold/timex/underspecified.jsonl: hand-written news-mode (with a DCT) and narrative-mode cases."""
    text = case["sentence"]
    found = find_timexes(text, dct=dct_timex(case["dct"]), tense=case["tense"])
    at = text.index(case["date_text"])
    (t,) = [t for t in found if t.start == at and t.end == at + len(case["date_text"])]
    assert (t.date_start, t.date_end, t.granularity, t.date_mod, t.resolution) == (
        case["date_start"],
        case["date_end"],
        case["granularity"],
        case["date_mod"],
        case["date_resolution"],
    )


def test_timex_that_may_is_no_month():
    """Regression: "forces that may mobilize" after a year read "that may" as that May."""
    text = "In 2013 the forces that may mobilize grew."
    assert [text[t.start : t.end] for t in find_timexes(text)] == ["2013"]
