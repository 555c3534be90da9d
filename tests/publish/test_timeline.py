"""Corpus timeline: merging one event told in several papers, and the page a researcher reads."""

import json
import re

import pandas as pd
import pytest

from pipeline.publish.timeline import build_timeline, candidate_pairs, same_event
from pipeline.publish.timeline_page import EXPORT_COLUMNS, event_places, paper_label, render_html

TEXTS = {
    "a": "Intro. The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992. More.",
    "b": "Later the first Qurultai of the Kazakhs took place in Almaty on 29 September 1992. The law was adopted "
    "in 1997. A second Qurultai of Kazakhs met in Almaty in 1992.",
    "c": "Kazakhs fled to Kashmir in the 1940s. Some had joined France, Italy and Bosnia and Herzegovina in 1943.",
}


def _row(eid, doc, needle, start, end, gran, kind, trigger, loc, parts, date_text="", date_mod=None):
    s = TEXTS[doc].index(needle)
    return {
        "event_id": eid,
        "doc_id": doc,
        "start": s,
        "end": s + len(needle),
        "text": needle,
        "date_text": date_text,
        "date_start": start,
        "date_end": end,
        "granularity": gran,
        "date_mod": date_mod,
        "event_type": kind,
        "trigger": trigger,
        "location": loc,
        "participants": json.dumps(parts),
    }


KURULTAI_A = "The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992."
KURULTAI_B = "the first Qurultai of the Kazakhs took place in Almaty on 29 September 1992."
SECOND_B = "A second Qurultai of Kazakhs met in Almaty in 1992."
EVENTS = pd.DataFrame(
    [
        _row("V1", "a", KURULTAI_A, "1992-09-29", "1992-09-29", "day", "congress", "held", "Almaty", ["Kazakhs"],
             "the 29th of September 1992"),
        _row("V2", "b", KURULTAI_B, "1992-09-29", "1992-09-29", "day", "congress", "Qurultai", "Almaty", [],
             "29 September 1992"),
        _row("V3", "b", "The law was adopted in 1997.", "1997-01-01", "1997-12-31", "year", "law", "adopted", None, [],
             "1997"),
        _row("V4", "c", "Kazakhs fled to Kashmir in the 1940s.", "1940-01-01", "1949-12-31", "decade", "migration",
             "fled", "Kashmir", ["Kazakhs"], "the 1940s"),
        _row("V5", "b", SECOND_B, "1992-01-01", "1992-12-31", "year", "congress", "Qurultai", "Almaty", [], "1992"),
        _row("V6", "c", "Some had joined France, Italy and Bosnia and Herzegovina in 1943.", "1943-01-01",
             "1943-12-31", "year", "other", "joined", "France, Italy and Bosnia and Herzegovina", [], "in 1943",
             "after"),
    ]
)  # fmt: skip


def _entity(doc, text, label, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXTS[doc].index(text, start + 1)
    return {"doc_id": doc, "text": text, "label": label, "start": start, "end": start + len(text)}


ENTITIES = pd.DataFrame(
    [
        _entity("a", "Kazakhs", "NORP"),
        _entity("a", "Almaty", "GPE"),
        _entity("b", "Almaty", "GPE"),
        _entity("b", "Kazakhs", "NORP", 1),
        _entity("c", "Kashmir", "GPE"),
        _entity("c", "France", "GPE"),
        _entity("c", "Italy", "GPE"),
        _entity("c", "Bosnia and Herzegovina", "GPE"),
    ]
)
DOCUMENTS = pd.DataFrame(
    [
        {"doc_id": "a", "source": "a.txt", "authors": ["Askhat, G."], "year": 2019, "date": None, "title": "Kurultai"},
        {"doc_id": "b", "source": "b.txt", "authors": [], "year": None, "date": "2021-03", "title": "Qurultai"},
        {"doc_id": "c", "source": "c.pdf", "authors": ["A", "B", "C", "D"], "year": None, "date": None, "title": None},
    ]
)


def test_timeline_merges_the_same_event_across_papers():
    tl = build_timeline(EVENTS)
    assert list(tl["mention_ids"]) == [["V4"], ["V6"], ["V5"], ["V1", "V2"], ["V3"]]
    kur = tl.iloc[3]
    assert (kur.date_start, kur.date_end, kur.granularity, kur.event_type, kur.location) == (
        "1992-09-29",
        "1992-09-29",
        "day",
        "congress",
        "Almaty",
    )
    assert kur.doc_ids == ["a", "b"] and kur.participants == ["Kazakhs"]


def test_timeline_same_event_needs_type_granularity_overlap_and_no_conflicting_place():
    a, b = EVENTS.iloc[0].to_dict(), EVENTS.iloc[1].to_dict()
    assert same_event(a, b)
    assert not same_event(a, {**b, "location": "Astana"})
    assert not same_event(a, {**b, "date_start": "1993-01-01", "date_end": "1993-01-01"})
    assert not same_event(a, {**b, "event_type": "founding"})
    # "in 1992" and "on 29 September 1992": the year row stays apart from the day row
    assert not same_event(a, EVENTS.iloc[4].to_dict())


def _migration(eid, start, end, granularity):
    return {
        "event_id": eid,
        "doc_id": "d",
        "date_start": start,
        "date_end": end,
        "granularity": granularity,
        "event_type": "migration",
        "trigger": "migrated",
        "location": None,
        "participants": ["Kazakhs"],
        "text": eid,
    }


def test_timeline_a_broad_mention_never_joins_a_finer_row():
    """Regression: "the 20th century" (1901–2000) was merged into a 1920s row, and chained the 1940s with the 1960s."""
    rows = [
        _migration("V1", "1920-01-01", "1929-12-31", "decade"),
        _migration("V2", "1901-01-01", "2000-12-31", "century"),
        _migration("V3", "1960-01-01", "1969-12-31", "decade"),
        _migration("V4", "1920-01-01", "1929-12-31", "decade"),
    ]
    tl = build_timeline(pd.DataFrame(rows))
    assert [(r.date_start, r.granularity, r.mention_ids) for r in tl.itertuples()] == [
        ("1901-01-01", "century", ["V2"]),
        ("1920-01-01", "decade", ["V1", "V4"]),
        ("1960-01-01", "decade", ["V3"]),
    ]


@pytest.mark.parametrize(
    ("event", "places"),
    [
        ("V1", ["Almaty"]),
        ("V4", ["Kashmir"]),
        ("V6", ["France", "Italy", "Bosnia and Herzegovina"]),  # a list split; a name holding "and" kept whole
    ],
)
def test_timeline_places_are_gpe_loc_entities_of_the_sentence(event, places):
    row = EVENTS.set_index("event_id").loc[event].to_dict() | {"event_id": event}
    assert event_places(row, ENTITIES) == places


def test_timeline_places_never_hold_a_people_nor_an_entity_outside_the_sentence():
    v5 = EVENTS.iloc[4].to_dict()
    assert event_places({**v5, "location": "Kazakhs"}, ENTITIES) == []  # a NORP
    outside = ENTITIES[ENTITIES["doc_id"] == "b"].assign(start=0, end=6)  # an "Almaty" before the sentence
    assert event_places(v5, outside) == []
    assert event_places(v5, pd.DataFrame()) == []


@pytest.mark.parametrize(
    ("doc", "label"),
    [
        ({"authors": ["Askhat, G."], "year": 2019, "title": "Kurultai"}, "Askhat, G. (2019). Kurultai"),
        ({"authors": ["A", "B"], "year": 2019, "title": "T"}, "A and B (2019). T"),
        ({"authors": ["A", "B", "C"], "year": 2019, "title": "T"}, "A, B and C (2019). T"),
        ({"authors": ["A", "B", "C", "D"], "year": 2019, "title": "T"}, "A et al. (2019). T"),
        ({"authors": [], "year": None, "date": "2021-03", "title": "Qurultai"}, "Qurultai (2021)"),
        ({"authors": None, "year": pd.NA, "date": pd.NA, "title": None, "source": "c.pdf"}, "c.pdf (n.d.)"),
    ],
)
def test_timeline_paper_label_names_authors_year_title(doc, label):
    assert paper_label(doc) == label


def _page():
    return render_html(build_timeline(EVENTS), EVENTS, TEXTS, DOCUMENTS, ENTITIES)


def test_timeline_html_lists_events_in_date_order_with_papers_and_dates_in_words():
    page = _page()
    assert page.startswith("<!DOCTYPE html>") and "http" not in page and "<script src" not in page
    dates = re.findall(r'<span class="date">([^<]*)</span>', page)
    assert dates == ["1940s", "1943 onwards", "1992", "1992-09-29", "1997"]
    assert '<div class="written">as written: “the 29th of September 1992”; “29 September 1992”</div>' in page
    assert '<span class="paper">Askhat, G. (2019). Kurultai</span>: “the 29th of September 1992” — held' in page
    assert '<span class="paper">Qurultai (2021)</span>: “29 September 1992” — Qurultai' in page
    assert '<span class="paper">A et al. (n.d.). c.pdf</span>: “the 1940s” — fled' in page  # no title: the file
    assert f"<mark>{KURULTAI_A}</mark>" in page and "Intro. " in page  # the sentence in its context
    assert '<span id="count">5 of 5 events</span>' in page


def test_timeline_html_place_filter_lists_places_only():
    page = _page()
    places = re.search(r'<select id="p"[^>]*>(.*?)</select>', page).group(1)
    assert re.findall(r'<option value="([^"]*)">', places) == [
        "",
        "Almaty",
        "Bosnia and Herzegovina",
        "France",
        "Italy",
        "Kashmir",
    ]
    assert 'data-places="[&quot;France&quot;, &quot;Italy&quot;, &quot;Bosnia and Herzegovina&quot;]"' in page


def test_timeline_html_holds_the_export_rows():
    payload = json.loads(
        re.search(r'<script type="application/json" id="rows">(.*?)</script>', page := _page()).group(1)
    )
    assert payload["columns"] == EXPORT_COLUMNS and len(payload["rows"]) == page.count('class="ev"')
    assert payload["rows"][3] == [
        "T1",
        "1992-09-29",
        "1992-09-29",
        "1992-09-29",
        "day",
        "the 29th of September 1992; 29 September 1992",
        "congress",
        "congress: held (Almaty)",
        "Almaty",
        "Kazakhs",
        "Askhat, G. (2019). Kurultai; Qurultai (2021)",
        "V1; V2",
    ]


def test_timeline_html_export_cells_are_spreadsheet_safe_and_script_safe():
    events = EVENTS.assign(trigger=EVENTS["trigger"].where(EVENTS["event_id"] != "V3", "=cmd()</script>"))
    page = render_html(build_timeline(events), events, TEXTS, DOCUMENTS, ENTITIES)
    payload = re.search(r'<script type="application/json" id="rows">(.*?)</script>', page).group(1)
    assert json.loads(payload)["rows"][-1][7] == "law: =cmd()</script>"
    events = events.assign(event_type=events["event_type"].where(events["event_id"] != "V3", "-law"))
    page = render_html(build_timeline(events), events, TEXTS, DOCUMENTS, ENTITIES)
    payload = re.search(r'<script type="application/json" id="rows">(.*?)</script>', page).group(1)
    assert json.loads(payload)["rows"][-1][6:8] == ["'-law", "'-law: =cmd()</script>"]


def _all_pairs_timeline(events: pd.DataFrame) -> list[list[str]]:
    """The merged groups when every pair of mentions is tried (the definition ``build_timeline`` keeps)."""
    rows = events.to_dict("records")
    groups = [[i] for i in range(len(rows))]
    of = list(range(len(rows)))
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            gi, gj = of[i], of[j]
            if gi != gj and all(same_event(rows[a], rows[b]) for a in groups[gi] for b in groups[gj]):
                for b in groups[gj]:
                    of[b] = gi
                groups[gi] += groups[gj]
                groups[gj] = []
    return sorted(sorted(str(rows[i]["event_id"]) for i in g) for g in groups if g)


def test_timeline_tries_only_the_pairs_that_can_merge_and_merges_as_all_pairs_would(corpus_run):
    _, out, _ = corpus_run
    events = pd.read_parquet(out / "events.parquet")
    told_twice = pd.concat([events, events.assign(event_id=events["event_id"] + "b", doc_id="copy")])
    for ev in (events, told_twice):
        timeline = build_timeline(ev)
        assert sorted(map(list, timeline["mention_ids"])) == _all_pairs_timeline(ev)
    pairs = candidate_pairs(told_twice.to_dict("records"))
    assert len(pairs) < len(told_twice) ** 2 / 20  # blocked: far from every pair
