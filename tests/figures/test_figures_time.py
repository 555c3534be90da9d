"""A figure's time read by the events' time-expression reader, against the document creation time in a news-style
document and the last stated date in a narrative one: exact words, ISO intervals and resolutions, on invented
documents parsed with the spaCy model."""

from __future__ import annotations

import pytest
from conftest import ingest_text

from pipeline.core import names
from pipeline.core.params import stage_params
from pipeline.events.reference import document_mode
from pipeline.events.timex import find_timexes
from pipeline.figures import extract
from pipeline.figures.context import describe, time_of
from pipeline.figures.numbers import find_numbers

NEWS = (
    "Herders return to the steppe\n\n"
    "SHYMKENT, June 12, 2022 – Last year 3,000 families returned to the southern districts, the regional office "
    "said. In April, 1,200 people arrived from the border camps. The centre now houses 450 children.\n"
)

PAPER = (
    "Pastoral resettlement on the steppe\n\n"
    "Abstract\n\nWe study how herders were resettled.\n\n"
    "Introduction\n\n"
    "In 1998 the first resettlement programme was adopted. Two years later 4,500 herders had moved to the north. "
    "In the 1990s some 60,000 families left the southern districts. "
    "Some 700 households stayed behind (Smith, 2014). "
    "The petition gathered 2021 signatures and 300 letters.\n\n"
    "References\n\n"
    "Smith, J. (2014). Herders of the steppe. Almaty: Steppe Press.\n"
)


def _times(nlp, text: str, params: dict | None = None, name: str = "doc.txt") -> dict[str, tuple]:
    doc = ingest_text(text, name=name)
    figures = extract(doc, nlp(doc.text), params or {})
    return {doc.text[f.start : f.end]: (f.time, f.time_start, f.time_end, f.time_resolution) for f in figures}


@pytest.mark.model
def test_figures_time_news_mode_reads_the_document_creation_time(nlp):
    assert document_mode(ingest_text(NEWS)) == names.MODE_NEWS
    assert _times(nlp, NEWS) == {
        "3,000": ("Last year", "2021-01-01", "2021-12-31", names.RES_DCT),
        "1,200": ("April", "2022-04-01", "2022-04-30", names.RES_DCT),  # the figure after it is not its day
        # no time stated: a news figure is as of its publication
        "450": (None, "2022-06-12", "2022-06-12", names.RES_DCT),
    }


@pytest.mark.model
def test_figures_time_narrative_mode_reads_the_last_stated_date(nlp):
    got = _times(nlp, PAPER)
    assert {k: got[k] for k in ("4,500", "60,000", "700", "300")} == {
        "4,500": ("Two years later", "2000-01-01", "2000-12-31", names.RES_NARRATIVE),
        "60,000": ("the 1990s", "1990-01-01", "1999-12-31", names.RES_ABSOLUTE),
        "700": (None, None, None, None),  # a citation year is not a time, and a paper has no DCT fallback
        "300": (None, None, None, None),  # "gathered 2021 signatures" is a count: no time, and no figure itself
    }
    assert "2021" not in got


@pytest.mark.model
def test_figures_time_forced_mode_from_the_events_section(nlp):
    """``events.mode: narrative`` (given to the figures stage by stage_params) turns the DCT off for figures too."""
    params = stage_params({"events": {"mode": names.MODE_NARRATIVE}}, "figures")
    got = _times(nlp, NEWS, params)
    assert got["450"] == (None, None, None, None)
    # read against the last date stated before it, the dateline's, as the events stage reads it
    assert got["3,000"] == ("Last year", "2021-01-01", "2021-12-31", names.RES_NARRATIVE)


@pytest.mark.model
def test_figures_time_of_a_table_cell_from_its_column_header(nlp):
    text = "Intro.\n\n| Country | Official data (2019) |\n|---|---|\n| Total | 12,000 |\n| Turkey | 3,500 |\n"
    assert _times(nlp, text, name="t.md")["3,500"] == ("2019", "2019-01-01", "2019-12-31", names.RES_ABSOLUTE)


def test_figures_time_never_the_figure_itself_nor_the_dateline():
    """:func:`time_of` on literals: a time expression over the figure's own words or the dateline is skipped."""
    text = "TARAZ, May 5, 2019 – A total of 2021 signatures were handed in by March 2019."
    timexes = find_timexes(text)
    assert [text[t.start : t.end] for t in timexes] == ["May 5, 2019", "2021", "by March 2019"]
    figure = (text.index("2021"), text.index("2021") + 4)
    dateline = (text.index("May"), text.index(" –"))
    assert time_of(text, figure, timexes, dateline) == {
        "time": "by March 2019",
        "time_start": "2019-03-01",
        "time_end": "2019-03-31",
        "time_resolution": names.RES_ABSOLUTE,
    }
    assert time_of(text, dateline, timexes[:1], dateline) == {}


@pytest.mark.model
@pytest.mark.parametrize(
    "sentence,figure,time",
    [
        # a phrase set off by commas describing a noun dates that noun, not the figure
        ("In 2010, the town, a trading post since the 1850s, had 300,000 inhabitants.", "300,000", "2010"),
        ("Kyzylorda, which was the capital until 1929, now has 250,000 inhabitants.", "250,000", None),
        ("The town, founded in 1854, now has 2 million inhabitants.", "2 million", None),
        # a restrictive clause dates what the figure counts
        ("The refugees registered in 2015 numbered 1,200.", "1,200", "2015"),
        # a bracketed source, even without a comma, is not a time
        ("Herders own 85% of the flocks (Steppe Monitor 2019).", "85%", None),
    ],
)
def test_figures_time_of_the_figures_own_clause(nlp, sentence, figure, time):
    n = next(n for n in find_numbers(sentence) if sentence[n.start : n.end] == figure)
    assert describe(None, nlp(sentence), n.start, n.end, n.kind).get("time") == time
