"""Dates in words from an interval and its granularity (pipeline/publish/humandate.py)."""

import pytest

from pipeline.publish.humandate import human_date, ordinal


@pytest.mark.parametrize(
    ("start", "end", "granularity", "date_mod", "shown"),
    [
        ("1992-09-29", "1992-09-29", "day", None, "1992-09-29"),
        ("2019-05-05", "2019-05-06", "day", None, "2019-05-05 – 2019-05-06"),
        ("2020-01-01", "2020-01-01", "day", None, "2020-01-01"),
        ("1993-03-01", "1993-03-31", "month", None, "March 1993"),
        ("2019-03-01", "2019-05-31", "month", None, "March–May 2019"),
        ("1917-05-01", "1918-06-30", "month", None, "May 1917 – June 1918"),
        ("2022-01-01", "2022-01-31", "month", None, "January 2022"),
        ("1992-01-01", "1992-12-31", "year", None, "1992"),
        ("1902-01-01", "1913-12-31", "year", None, "1902–1913"),
        ("1943-01-01", "1943-12-31", "year", "after", "1943 onwards"),
        ("1980-01-01", "1980-12-31", "year", "before", "up to 1980"),
        ("1990-01-01", "1999-12-31", "decade", None, "1990s"),
        ("1990-01-01", "1999-12-31", "decade", "after", "1990s onwards"),
        ("1930-01-01", "1959-12-31", "decade", None, "1930s–1950s"),
        ("1990-01-01", "1992-12-31", "decade", None, "early 1990s"),
        ("1973-01-01", "1976-12-31", "decade", None, "mid-1970s"),
        ("1997-01-01", "1999-12-31", "decade", None, "late 1990s"),
        ("1997-01-01", "2005-12-31", "decade", None, "1997–2005"),  # "between the late 1990s and 2005"
        ("1601-01-01", "1800-12-31", "century", None, "17th–18th c."),
        ("1701-01-01", "1800-12-31", "century", None, "18th c."),
        ("1751-01-01", "1800-12-31", "century", None, "second half of the 18th c."),
        ("1901-01-01", "1950-12-31", "century", None, "first half of the 20th c."),
        ("1901-01-01", "1933-12-31", "century", None, "early 20th c."),
        ("1934-01-01", "1967-12-31", "century", None, "mid-20th c."),
        ("1968-01-01", "2000-12-31", "century", None, "late 20th c."),
        ("2001-01-01", "2100-12-31", "century", None, "21st c."),
        ("1895-01-01", "1905-12-31", "decade", None, "1895–1905"),  # the turn of a century: years, not a claim
        ("1992-03-15", "1992-12-31", "year", None, "1992-03-15 – 1992-12-31"),  # no whole unit: days
    ],
)
def test_humandate_names_the_interval_at_its_granularity(start, end, granularity, date_mod, shown):
    assert human_date(start, end, granularity, date_mod) == shown


def test_humandate_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 20, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "20th", "21st", "22nd", "23rd", "101st", "111th",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("the early 1990s", "early 1990s"),
        ("the mid-1970s", "mid-1970s"),
        ("the late 1980s", "late 1980s"),
        ("the 1940-50s", "1940s–1950s"),
        ("the second half of the 18th century", "second half of the 18th c."),
        ("the first half of the 20th century", "first half of the 20th c."),
        ("the early twentieth century", "early 20th c."),
        ("the late 19th century", "late 19th c."),
        ("17-18th centuries", "17th–18th c."),
        ("March-May 2019", "March–May 2019"),
        ("the 29th of September 1992", "1992-09-29"),
        ("2009-2010", "2009–2010"),
    ],
)
def test_humandate_gives_back_what_the_time_expression_reader_read(written, shown):
    """The words for an interval are the reader's own (pipeline/events/timex.py): one table of parts, not two."""
    from pipeline.events.timex import find_timexes

    (tx,) = find_timexes(f"It happened in {written}.")
    assert human_date(tx.date_start, tx.date_end, tx.granularity, tx.date_mod) == shown
