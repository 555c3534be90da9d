"""Time expressions → intervals: every form of issue 6, negatives, relative references."""

import pytest

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
