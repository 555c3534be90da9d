"""Corpus timeline: merging one event told in several papers, and the HTML page."""

import json

import pandas as pd

from pipeline.publish.timeline import build_timeline, render_html, same_event

TEXTS = {
    "a": "Intro. The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992. More.",
    "b": "Later the first Qurultai of the Kazakhs took place in Almaty in 1992. The law was adopted in 1997.",
    "c": "Kazakhs fled to Kashmir in the 1940s.",
}


def _row(eid, doc, needle, start, end, gran, kind, trigger, loc, parts):
    s = TEXTS[doc].index(needle)
    return {
        "event_id": eid,
        "doc_id": doc,
        "start": s,
        "end": s + len(needle),
        "text": needle,
        "date_text": "",
        "date_start": start,
        "date_end": end,
        "granularity": gran,
        "date_mod": None,
        "event_type": kind,
        "trigger": trigger,
        "location": loc,
        "participants": json.dumps(parts),
    }


EVENTS = pd.DataFrame(
    [
        _row(
            "V1",
            "a",
            "The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992.",
            "1992-09-29",
            "1992-09-29",
            "day",
            "congress",
            "held",
            "Almaty",
            ["Kazakhs"],
        ),
        _row(
            "V2",
            "b",
            "the first Qurultai of the Kazakhs took place in Almaty in 1992.",
            "1992-01-01",
            "1992-12-31",
            "year",
            "congress",
            "Qurultai",
            "Almaty",
            [],
        ),
        _row("V3", "b", "The law was adopted in 1997.", "1997-01-01", "1997-12-31", "year", "law", "adopted", None, []),
        _row(
            "V4",
            "c",
            "Kazakhs fled to Kashmir in the 1940s.",
            "1940-01-01",
            "1949-12-31",
            "decade",
            "migration",
            "fled",
            "Kashmir",
            ["Kazakhs"],
        ),
    ]
)


def test_timeline_merges_the_same_event_across_papers():
    tl = build_timeline(EVENTS)
    assert list(tl["mention_ids"]) == [["V4"], ["V1", "V2"], ["V3"]]
    kur = tl.iloc[1]
    assert (kur.date_start, kur.date_end, kur.granularity, kur.event_type, kur.location) == (
        "1992-09-29",
        "1992-09-29",
        "day",
        "congress",
        "Almaty",
    )
    assert kur.doc_ids == ["a", "b"] and kur.participants == ["Kazakhs"]


def test_timeline_same_event_needs_type_overlap_and_no_conflicting_place():
    a, b = EVENTS.iloc[0].to_dict(), EVENTS.iloc[1].to_dict()
    assert same_event(a, b)
    assert not same_event(a, {**b, "location": "Astana"})
    assert not same_event(a, {**b, "date_start": "1993-01-01", "date_end": "1993-12-31"})
    assert not same_event(a, {**b, "event_type": "founding"})


def test_timeline_html_lists_events_in_date_order_with_context():
    page = render_html(build_timeline(EVENTS), EVENTS, TEXTS)
    assert page.startswith("<!DOCTYPE html>") and "http" not in page and "<script src" not in page
    order = [page.index(s) for s in ("1940-01-01", "1992-09-29", "1997-01-01")]
    assert order == sorted(order)
    assert "<mark>The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992.</mark>" in page
    assert "Intro. " in page  # context before the sentence
    assert '<option value="Almaty">' in page and '<option value="congress">' in page


def test_timeline_a_broad_mention_never_chains_distinct_periods():
    """Regression: "the 20th century" overlapped the 1940s and the 1960s and merged them into one row."""
    import pandas as pd

    from pipeline.publish.timeline import build_timeline

    rows = [
        {
            "event_id": "V1",
            "doc_id": "d",
            "date_start": "1940-01-01",
            "date_end": "1949-12-31",
            "granularity": "decade",
            "event_type": "migration",
            "trigger": "migrated",
            "location": None,
            "participants": ["Kazakhs"],
            "text": "x",
        },
        {
            "event_id": "V2",
            "doc_id": "d",
            "date_start": "1901-01-01",
            "date_end": "2000-12-31",
            "granularity": "century",
            "event_type": "migration",
            "trigger": "migrated",
            "location": None,
            "participants": ["Kazakhs"],
            "text": "y",
        },
        {
            "event_id": "V3",
            "doc_id": "d",
            "date_start": "1960-01-01",
            "date_end": "1969-12-31",
            "granularity": "decade",
            "event_type": "migration",
            "trigger": "migrated",
            "location": None,
            "participants": ["Kazakhs"],
            "text": "z",
        },
    ]
    tl = build_timeline(pd.DataFrame(rows))
    groups = sorted(sorted(ids) for ids in tl["mention_ids"])
    assert ["V1", "V3"] not in groups and all(len(g) <= 2 for g in groups)
