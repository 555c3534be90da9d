"""The published corpus timeline page (outputs/timeline.html) driven in a real headless Chromium.

Checks what a reader sees: the page loads offline (no console errors, no request but the file
itself), lists every timeline event in date order, the type and place filters show exactly the
matching events, and opening a mention shows its sentence as it stands in the paper's canonical text.
CI installs Debian's chromium at /usr/bin/chromium; without it this test fails (it is not skipped).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from browser import CHROMIUM, chromium

pytestmark = [pytest.mark.browser, pytest.mark.model]


def _visible_rows(page) -> list[dict]:
    """The timeline rows currently shown: their type, place, and start/end dates as displayed."""
    return page.eval_on_selector_all(
        ".ev",
        """els => els.filter(e => e.offsetParent !== null).map(e => ({
             type: e.dataset.type, place: e.dataset.place,
             date: e.querySelector('.date').textContent}))""",
    )


def _dates(shown: str) -> tuple[str, str]:
    start, _, end = shown.partition(" – ")
    return start, end or start


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


def _check_filter(page, selector: str, field: str, counts: dict) -> None:
    """Each option of a filter shows exactly the rows with that value, as many as the parquet has, in date order."""
    options = page.eval_on_selector_all(f"{selector} option", "os => os.map(o => o.value).filter(v => v)")
    assert sorted(options) == sorted(counts)
    for value, n in counts.items():
        page.select_option(selector, value)
        rows = _visible_rows(page)
        assert {r[field] for r in rows} == {value}
        assert len(rows) == n, f"{field} {value}: {len(rows)} rows shown, {n} in timeline.parquet"
        assert [_dates(r["date"]) for r in rows] == sorted(_dates(r["date"]) for r in rows)


def test_timeline_page_in_browser(browser, corpus_run, tmp_path):
    _, out, _ = corpus_run
    page_path = (out / "timeline.html").resolve()
    assert page_path.is_file()
    timeline = pd.read_parquet(out / "timeline.parquet")
    events = pd.read_parquet(out / "events.parquet")
    assert len(timeline) > 0

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    url = page_path.as_uri()
    page.goto(url, wait_until="load")

    # every event, in date order, the same events as timeline.parquet
    rows = _visible_rows(page)
    assert len(rows) == len(timeline) == page.locator(".ev").count()
    shown = [_dates(r["date"]) for r in rows]
    assert shown == sorted(shown), "rows are not in date order"
    assert Counter(shown) == Counter(zip(timeline["date_start"], timeline["date_end"]))
    assert f"({len(timeline)} events)" in page.locator("header").inner_text()
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=False)

    # the type filter: each type shows exactly its events
    _check_filter(page, "#t", "type", timeline["event_type"].value_counts().to_dict())
    page.select_option("#t", "")
    assert len(_visible_rows(page)) == len(timeline)

    # the place filter likewise, and combined with the type filter
    place_counts = timeline["location"].dropna().value_counts().to_dict()
    assert place_counts, "the corpus timeline has no placed event"
    _check_filter(page, "#p", "place", place_counts)
    place, etype = timeline.dropna(subset=["location"]).iloc[0][["location", "event_type"]]
    page.select_option("#p", place)
    page.select_option("#t", etype)
    rows = _visible_rows(page)
    want = int(((timeline["location"] == place) & (timeline["event_type"] == etype)).sum())
    assert len(rows) == want and all(r["place"] == place and r["type"] == etype for r in rows)
    page.select_option("#t", "")
    page.select_option("#p", "")
    assert len(_visible_rows(page)) == len(timeline)

    # clicking an event's mention shows its sentence, exactly as in the canonical text
    by_id = events.set_index("event_id")
    texts = {d: (out / "texts" / f"{d}.txt").read_text(encoding="utf-8") for d in events["doc_id"].unique()}
    evs = page.locator(".ev")
    for i in sorted({0, len(timeline) // 2, len(timeline) - 1}):
        ev = evs.nth(i)
        start, end = _dates(ev.locator(".date").inner_text())
        row_text = ev.inner_text()
        told = timeline[
            (timeline["date_start"] == start)
            & (timeline["date_end"] == end)
            & timeline["label"].map(lambda lab: lab in row_text)
        ]
        assert len(told) >= 1, f"row {i} matches no event of timeline.parquet: {row_text[:200]!r}"
        sentences = {
            texts[by_id.at[m, "doc_id"]][int(by_id.at[m, "start"]) : int(by_id.at[m, "end"])]
            for ids in told["mention_ids"]
            for m in ids
        }
        mark = ev.locator("details.m").first.locator("mark")
        assert not mark.is_visible(), "the sentence is shown before the mention is opened"
        ev.locator("details.m summary").first.click()
        assert mark.is_visible(), "clicking the mention does not show its sentence"
        assert mark.text_content() in sentences, f"row {i}: {mark.text_content()!r} is no sentence of its mentions"
    ev.screenshot(path=str(tmp_path / "timeline_open.png"))  # the last row, its mention opened

    assert not problems, problems
    assert requests and set(requests) == {url}, f"the page requested more than itself: {set(requests) - {url}}"
    page.close()
