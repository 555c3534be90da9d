"""Figures context on real sentences with the spaCy model: object, place, time, source."""

from __future__ import annotations

import pytest

from pipeline.figures.context import describe
from pipeline.figures.numbers import find_numbers

# sentence, figure text, field, expected
CASES = [
    (
        "By 1 January 2020, Kazakhstan had granted returnee status to 1,057,280 ethnic Kazakhs (Ministry of Labour, 2020).",
        "1,057,280",
        {"object": "ethnic Kazakhs", "place": "Kazakhstan", "source": "Ministry of Labour, 2020"},
    ),
    (
        "Satpayev (2019) cites official data according to which some 17 thousand Kazakhs live in the Netherlands.",
        "17 thousand",
        {"object": "Kazakhs", "place": "Netherlands", "time": None, "source": "Satpayev (2019)"},
    ),
    (
        "In 1999 ethnic Kazakhs made up 53.4 percent of the population of Kazakhstan, up from 39.7 percent in 1989.",
        "39.7 percent",
        {"place": "Kazakhstan", "time": "1989", "time_start": "1989-01-01", "time_end": "1989-12-31"},
    ),
    (
        "Around 60% of the delegates at the Istanbul congress were under the age of 35.",
        "60%",
        {"object": "delegates", "place": "Istanbul"},
    ),
    (
        "Remittances from the diaspora accounted for just 0.2% of GDP in 2019, according to the World Bank.",
        "0.2%",
        {"source": "World Bank"},
    ),
    (
        "Various sources put the Kazakh community in Iran at 10-15 thousand people (Karimi, 2011).",
        "10-15 thousand",
        {"place": "Iran", "time": None, "source": "Karimi, 2011"},
    ),
    (
        "Field researchers counted 1.3-1.5 million Kazakhs in Uzbekistan, far more than the census figure.",
        "1.3-1.5 million",
        {"object": "Kazakhs", "place": "Uzbekistan"},
    ),
    (
        "Mongolia covers 1.56 million square kilometres, yet its Kazakh minority is concentrated in Bayan-Ölgii.",
        "1.56 million",
        {"object": "Mongolia"},
    ),
    (
        "Applicants must have lived in the country for more than 180 days before applying for a residence permit.",
        "180",
        {"object": "Applicants", "place": None},
    ),
    (
        "The rallies in front of the embassy in Berlin attracted only 20-40 people on most weekends.",
        "20-40",
        {"object": "people", "place": "Berlin"},
    ),
    (
        "Mendikulova (2014) estimates that there are 5,000 Kazakhs living in Europe.",
        "5,000",
        {"object": "Kazakhs", "place": "Europe", "time": None, "source": "Mendikulova (2014)"},
    ),
]


@pytest.mark.model
@pytest.mark.parametrize("sentence,text,expected", CASES)
def test_context_fields_on_real_sentences(nlp, sentence, text, expected):
    n = next(n for n in find_numbers(sentence) if sentence[n.start : n.end] == text)
    got = describe(None, nlp(sentence), n.start, n.end, n.kind)
    assert {k: got.get(k) for k in expected} == expected
