"""The published corpus timeline page (outputs/timeline.html) driven in a real headless Chromium.

Checks what a reader sees on the corpus run: the page loads offline (no console errors, no request but the
file itself), lists every timeline event in date order with its date in words and as written, names each
mention's paper by author(s), year and title, the filters show exactly the matching events and the header
counts them, the place filter offers places only, "Download CSV" saves exactly the rows shown, and opening a
mention shows its sentence as it stands in the paper's canonical text.
CI installs Debian's chromium at /usr/bin/chromium; without it this test fails (it is not skipped).
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import pandas as pd
import pytest
from browser import CHROMIUM, chromium

pytestmark = [pytest.mark.browser, pytest.mark.model]

PAPER_001 = "Gulnash Askhat (n.d.). Diaspora Study as a Tool to Define ‘Kazakh Diaspora’: International Perspective"
PAPER_000 = (
    "Urpekova Amina (n.d.). KAZAKH DIASPORA ACTIVISM BEFORE AND DURING 2022 JANUARY EVENTS: ATTITUDES, "
    "MOTIVATIONS AND ACTIONS"
)
PAPER_003 = (
    "Amina Urpekova (2022). Building the Bonds: A Comparison of Diaspora Engagement Policies in Kazakhstan and "
    "Uzbekistan"
)
#: timeline_id → (date in words, dates as written) for events of every granularity in the corpus.
DATES = {
    "Tb23047faadc5": ("17th–18th c.", "as written: “17-18th centuries”"),
    "Ted6b2a3b0fd4": ("second half of the 18th c.", "as written: “the second half of the 18th century”"),
    "Tfc6c3014fda6": ("mid-20th c.", "as written: “the middle of the 20th century”"),
    "T9d6957ff2465": ("1990s", "as written: “the 1990s”"),
    "T412b161e1334": ("1930s–1950s", "as written: “the 1930-50s”"),
    "Tf29deebbd288": ("1992-09-29", "as written: “the 29th of September 1992”"),
    "T584c3a6a6f72": ("May 1917", "as written: “May 1917”"),
    "T2833d5912503": ("June 2019", "as written: “June 2019”"),
    "Td215990f7722": ("1902–1913", "as written: “1902-1913”"),
    "T4067b827631b": ("1943 onwards", "as written: “Since 1943”"),
    "T9e5be560098c": ("up to 1980", "as written: “by 1980”"),
}
PLACES = [
    "Afghanistan",
    "Almaty",
    "Astana",
    "China",
    "Europe",
    "France",
    "Germany",
    "Iran",
    "Iraq",
    "Italy",
    "Kashmir",
    "Kazakhstan",
    "Russia",
    "South Kazakhstan",
    "Syria",
    "Tajikistan",
    "Turkey",
    "Western Europe",
]
EXPORT_HEADER = [
    "timeline_id",
    "date",
    "date_start",
    "date_end",
    "granularity",
    "dates_as_written",
    "event_type",
    "label",
    "places",
    "participants",
    "papers",
    "mention_ids",
]
#: "Download CSV" with the place filter on France: the two events placed there, as the file holds them.
FRANCE_ROWS = [
    [
        "T4067b827631b",
        "1943 onwards",
        "1943-01-01",
        "1943-12-31",
        "year",
        "Since 1943",
        "other",
        "other: joined (France, Italy)",
        "France; Italy",
        "",
        PAPER_001,
        "V4067b827631b",
    ],
    [
        "T8135d309b328",
        "2008",
        "2008-01-01",
        "2008-12-31",
        "year",
        "2008",
        "founding",
        "founding: formed (Germany, France)",
        "Germany; France",
        "Federation of European Kazakh Associations; Kazakh; European",
        PAPER_000,
        "V8135d309b328",
    ],
]


def _visible_rows(page) -> list[dict]:
    """The timeline rows currently shown: id-free facts a reader sees, and the dates the row holds."""
    return page.eval_on_selector_all(
        ".ev",
        """els => els.filter(e => e.offsetParent !== null).map(e => ({
             id: e.dataset.id, type: e.dataset.type, places: JSON.parse(e.dataset.places), start: e.dataset.start,
             end: e.dataset.end, date: e.querySelector('.date').textContent,
             written: (e.querySelector('.written') || {}).textContent || '',
             papers: Array.from(e.querySelectorAll('.paper')).map(p => p.textContent)}))""",
    )


def _count(page) -> str:
    return page.locator("#count").inner_text()


def _download(page) -> list[list[str]]:
    with page.expect_download() as info:
        page.click("#csv")
    download = info.value
    assert download.suggested_filename == "timeline_view.csv"
    with open(download.path(), encoding="utf-8", newline="") as f:
        return list(csv.reader(io.StringIO(f.read(), newline="")))


@pytest.fixture(scope="module")  # closed after this module: playwright's sync API allows one at a time
def browser():  # before corpus_run: no chromium fails at once, without running the pipeline
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests",
            pytrace=False,
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - the dev environment installs it
        pytest.fail("the playwright Python package is missing (pip install playwright)", pytrace=False)
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(browser, corpus_run):
    _, out, _ = corpus_run
    page = browser.new_page(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page.problems, page.requests = [], []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("request", lambda r: page.requests.append(r.url))
    page.url_loaded = (out / "timeline.html").resolve().as_uri()
    page.goto(page.url_loaded, wait_until="load")
    yield page
    page.close()


def test_timeline_page_lists_every_event_in_date_order_with_dates_in_words(page, corpus_run, tmp_path):
    _, out, _ = corpus_run
    timeline = pd.read_parquet(out / "timeline.parquet")
    rows = _visible_rows(page)
    n = len(timeline)
    assert len(rows) == n == page.locator(".ev").count() and n > 50
    assert _count(page) == f"{n} of {n} events"
    shown = [(r["start"], r["end"]) for r in rows]
    assert shown == sorted(shown), "rows are not in date order"
    assert Counter(shown) == Counter(zip(timeline["date_start"], timeline["date_end"]))
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=False)

    for tid, (date, written) in DATES.items():
        ev = page.locator(f'.ev[data-id="{tid}"]')
        assert (ev.locator(".date").inner_text(), ev.locator(".written").inner_text()) == (date, written), tid
    # no row merges mentions of different granularity ("the middle of the 20th century" beside the 1940s)
    events = pd.read_parquet(out / "events.parquet").set_index("event_id")
    for row in timeline.itertuples():
        assert set(events.loc[list(row.mention_ids), "granularity"]) == {row.granularity}, row.timeline_id
    assert list(timeline.loc[timeline["timeline_id"] == "Tfc6c3014fda6", "mention_ids"].iloc[0]) == ["Vfc6c3014fda6"]


def test_timeline_page_names_each_paper_by_authors_year_and_title(page, corpus_run):
    _, out, _ = corpus_run
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert (list(documents.at["001_ac88c79fe3d8c316", "authors"]), documents.at["001_ac88c79fe3d8c316", "title"]) == (
        ["Gulnash Askhat"],
        "Diaspora Study as a Tool to Define ‘Kazakh Diaspora’: International Perspective",
    )
    assert documents.at["003_afb25aa48fd0f95b", "year"] == 2022
    rows = {r["id"]: r for r in _visible_rows(page)}
    assert rows["Tf29deebbd288"]["papers"] == [PAPER_001]  # the First World Kurultai, 1992-09-29
    assert rows["T5c030cf84625"]["papers"] == [PAPER_003]  # 1991, in the 2022 paper
    assert rows["T31b0d6e83114"]["papers"] == [PAPER_000, PAPER_001]  # one event told in two papers
    papers = {p for r in rows.values() for p in r["papers"]}
    assert {PAPER_000, PAPER_001, PAPER_003, "Diaspora engagement mapping KAZAKHSTAN (n.d.)"} <= papers
    assert not any("000_95dc770c8c7f5368" in p or "_" in p.split(" (")[0] for p in papers), papers


def _check_filter(page, selector: str, field: str, counts: dict, total: int) -> None:
    """Each option of a filter shows exactly the rows with that value, as many as expected, and the header says so."""
    options = page.eval_on_selector_all(f"{selector} option", "os => os.map(o => o.value).filter(v => v)")
    assert sorted(options) == sorted(counts)
    for value, n in counts.items():
        page.select_option(selector, value)
        rows = _visible_rows(page)
        assert all(value == r[field] or value in r[field] for r in rows), (field, value)
        assert len(rows) == n, f"{field} {value}: {len(rows)} rows shown, {n} expected"
        assert _count(page) == f"{n} of {total} events"
    page.select_option(selector, "")
    assert _count(page) == f"{total} of {total} events"


def test_timeline_page_filters_count_and_export_the_rows_shown(page, corpus_run):
    _, out, _ = corpus_run
    timeline = pd.read_parquet(out / "timeline.parquet")
    total = len(timeline)
    _check_filter(page, "#t", "type", timeline["event_type"].value_counts().to_dict(), total)

    options = page.eval_on_selector_all("#p option", "os => os.map(o => o.value).filter(v => v)")
    assert options == PLACES  # no "Kazakhs" (a NORP), "France, Italy" split, "Iraq and Syria" split
    place_counts = Counter(p for r in _visible_rows(page) for p in r["places"])
    assert (place_counts["Europe"], place_counts["Germany"], place_counts["France"], place_counts["Iraq"]) == (
        7,
        4,
        2,
        2,
    )
    _check_filter(page, "#p", "places", dict(place_counts), total)

    page.select_option("#p", "France")
    assert _count(page) == f"2 of {total} events"
    assert [r["date"] for r in _visible_rows(page)] == ["1943 onwards", "2008"]
    assert _download(page) == [EXPORT_HEADER, *FRANCE_ROWS]

    page.select_option("#t", "migration")
    page.select_option("#p", "Europe")
    rows = _visible_rows(page)
    assert [r["date"] for r in rows] == ["1920s", "mid-20th c.", "1940s", "1960s", "1980s", "early 1990s"]
    assert _count(page) == f"6 of {total} events"
    exported = _download(page)
    assert exported[0] == EXPORT_HEADER and [r[1] for r in exported[1:]] == [r["date"] for r in rows]
    assert exported[-1] == [
        "T31b0d6e83114",
        "early 1990s",
        "1990-01-01",
        "1992-12-31",
        "decade",
        "from the 1990s to present; The early 1990s",
        "migration",
        "migration: migration (Europe)",
        "Europe",
        "",
        f"{PAPER_000}; {PAPER_001}",
        "V31b0d6e83114; V46c8403f4aaf",
    ]
    page.select_option("#t", "")
    page.select_option("#p", "")
    assert len(_exported := _download(page)) == total + 1 and _exported[1][0] == "Tb23047faadc5"


def test_timeline_page_opens_a_mention_on_its_sentence_offline(page, corpus_run, tmp_path):
    _, out, _ = corpus_run
    timeline = pd.read_parquet(out / "timeline.parquet")
    events = pd.read_parquet(out / "events.parquet").set_index("event_id")
    texts = {d: (out / "texts" / f"{d}.txt").read_text(encoding="utf-8") for d in events["doc_id"].unique()}
    evs = page.locator(".ev")
    for i in sorted({0, len(timeline) // 2, len(timeline) - 1}):
        ev, row = evs.nth(i), timeline.iloc[i]
        assert ev.get_attribute("data-start") == row["date_start"]
        sentences = {
            texts[events.at[m, "doc_id"]][events.at[m, "start"] : events.at[m, "end"]] for m in row["mention_ids"]
        }
        mark = ev.locator("details.m").first.locator("mark")
        assert not mark.is_visible(), "the sentence is shown before the mention is opened"
        ev.locator("details.m summary").first.click()
        assert mark.is_visible(), "clicking the mention does not show its sentence"
        assert mark.text_content() in sentences, f"row {i}: {mark.text_content()!r} is no sentence of its mentions"
    ev.screenshot(path=str(tmp_path / "timeline_open.png"))  # the last row, its mention opened
    assert not page.problems, page.problems
    loaded = {u for u in page.requests if not u.startswith("blob:")}  # the downloads are the page's own blobs
    assert loaded == {page.url_loaded}, f"the page requested more than itself: {loaded - {page.url_loaded}}"
