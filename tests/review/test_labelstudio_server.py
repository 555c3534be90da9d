"""The Label Studio round trip against the pinned Label Studio itself (tests/lsserver.py starts it on 127.0.0.1).

The project's ``review export`` makes the tasks and config; they go into Label Studio through its REST API;
an annotator's work is posted as its UI submits it; Label Studio's own JSON export goes through
``review import``; the pipeline runs; every decision lands on its exact words. The browser test opens
the task in Label Studio's UI (Debian chromium) and reads what it highlights.
"""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from lsserver import ARCHIVE, RETURNEES, RUN, ZH, cli, cli_here, make_project, span, statuses

from pipeline.annotations import placement as anc
from pipeline.core import names

pytestmark = pytest.mark.labelstudio
E, F, V = names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS


@pytest.fixture(scope="module")
def exported(tmp_path_factory, params):
    """The project run once and exported for Label Studio with the real command line."""
    project = make_project(tmp_path_factory.mktemp("ls"), params)
    cli_here(project, "review", "export", "--format", "labelstudio", "--out", "export")
    tasks = json.loads((project / "export" / "tasks.json").read_text(encoding="utf-8"))
    config = (project / "export" / "config.xml").read_text(encoding="utf-8")
    return project, tasks, config


def regions(result: list[dict]) -> dict[str, dict]:
    return {i["value"]["text"]: i for i in result if i["type"] == "labels"}


def annotate_returnees(text: str, result: list[dict]) -> list[dict]:
    """What the annotator does with the first text, as the UI submits it: leave Almaty, Kazakhs, Astana,
    Mongolia and the event as they are (accept); delete "Congress" (reject); "Alash" → ORG (relabel);
    "President Nazarbayev" → "Nazarbayev" (move); the figure's value 60,000 → 61000 and its qualifier
    → eq (edit); select "Bayan-Ölgii" and "Zhanaözen" (after an emoji and with a combining mark) as GPE (add)."""
    result = copy.deepcopy(result)
    ids = {t: i["id"] for t, i in regions(result).items()}
    result = [i for i in result if i["id"] != ids["Congress"]]
    for i in result:
        if i["id"] == ids["Alash"] and i["type"] == "labels":
            i["value"]["labels"] = [names.ORG]
        if i["id"] == ids["President Nazarbayev"]:
            i["value"]["start"], i["value"]["end"] = span(text, "Nazarbayev")
            if i["type"] == "labels":
                i["value"]["text"] = "Nazarbayev"
        if i["id"] == ids["60,000"] and i["from_name"] == "value":
            i["value"]["text"] = ["61000"]
        if i["id"] == ids["60,000"] and i["from_name"] == "qualifier":
            i["value"]["choices"] = ["eq"]
    for rid, quote in (("uiR3g7Kq2a", "Bayan-Ölgii"), ("uiX9p0Lm4b", ZH)):
        s, e = span(text, quote)
        result.append(
            {
                "id": rid,
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
                "value": {"start": s, "end": e, "text": quote, "labels": [names.GPE]},
            }
        )
    return result


def test_labelstudio_round_trip_through_the_server(label_studio, exported, tmp_path):
    project, tasks, config = exported
    ls = label_studio
    by_doc = {t["data"]["doc_id"]: t for t in tasks}
    assert set(by_doc) == {"returnees", "archive"}
    assert by_doc["returnees"]["data"]["text"] == RETURNEES and by_doc["archive"]["data"]["text"] == ARCHIVE
    # the export's offsets are code points: each region's text is the canonical text there
    for t in tasks:
        for i in regions(t["predictions"][0]["result"]).values():
            assert t["data"]["text"][i["value"]["start"] : i["value"]["end"]] == i["value"]["text"]
    zh = regions(by_doc["returnees"]["predictions"][0]["result"])["Astana"]["value"]
    assert (
        (zh["start"], zh["end"])
        == span(RETURNEES, "Astana")
        != (
            anc.to_utf16(RETURNEES, zh["start"]),
            anc.to_utf16(RETURNEES, zh["end"]),
        )
    )

    pid = ls.project("pipeline review", config, tasks)
    served = {t["data"]["doc_id"]: t for t in ls.tasks(pid)}
    assert served["returnees"]["predictions"][0]["result"] == by_doc["returnees"]["predictions"][0]["result"]
    ret, arc = served["returnees"], served["archive"]
    ls.annotate(ret["id"], annotate_returnees(RETURNEES, ret["predictions"][0]["result"]))
    ls.annotate(arc["id"], [])  # every region of the second text deleted: three rejects
    export = ls.export(pid)
    assert {type(a["completed_by"]) for t in export for a in t["annotations"]} == {int}  # a number, not a name
    (project / "ls_export.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")

    # the user is only a number in the export: no guessed author
    log = cli(project, "review", "import", "ls_export.json", ok=False)
    assert "Label Studio user 1 has no name here" in log and "--users" in log
    # offsets that are not code points (UTF-16 units, as an older export wrote): refused, task and region named
    bad = copy.deepcopy(export)
    (ret_bad,) = [t for t in bad if t["data"]["doc_id"] == "returnees"]
    for i in ret_bad["annotations"][0]["result"]:
        if i["id"] == "uiX9p0Lm4b":
            i["value"]["start"], i["value"]["end"] = (anc.to_utf16(RETURNEES, x) for x in span(RETURNEES, ZH))
    (project / "bad_export.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    log = cli(project, "review", "import", "bad_export.json", "--author", "alice", ok=False)
    assert f"task {ret['id']}, annotation 1: region uiX9p0Lm4b (returnees): its text {ZH!r} is not the document" in log
    assert not (project / "reviews").exists()  # nothing written by the refused imports

    # the users asked of the server name the author
    log = cli(project, "review", "import", "ls_export.json", "--url", ls.url, env={"LABEL_STUDIO_API_KEY": ls.token})
    assert "review import: 14 decisions by alice@example.org" in log
    log = cli_here(project, *RUN)
    assert "review: 14 decisions (14 applied); 0 in conflict; 4 rows rejected; 0 orphans" in log

    def at(text: str, quote: str) -> tuple[int, int]:
        return span(text, quote)

    got = statuses(project / "outputs")
    assert got == {
        (E, "Alash", *at(RETURNEES, "Alash")): (names.ORG, names.CORRECTED),
        (E, "Almaty", *at(RETURNEES, "Almaty")): (names.GPE, names.ACCEPTED),
        (E, "Kazakhs", *at(RETURNEES, "Kazakhs")): (names.NORP, names.ACCEPTED),
        (E, "Bayan-Ölgii", *at(RETURNEES, "Bayan-Ölgii")): (names.GPE, names.ADDED),
        (E, ZH, *at(RETURNEES, ZH)): (names.GPE, names.ADDED),
        (E, "Nazarbayev", *at(RETURNEES, "Nazarbayev")): (names.PERSON, names.CORRECTED),
        (E, "Astana", *at(RETURNEES, "Astana")): (names.GPE, names.ACCEPTED),
        (E, "Mongolia", *at(RETURNEES, "Mongolia")): (names.GPE, names.ACCEPTED),
        (F, "60,000", *at(RETURNEES, "60,000")): (61000.0, names.CORRECTED),
        (V, *(lambda q: (q, *at(RETURNEES, q)))("In 1991 the Congress of the Alash movement met in Almaty.")): (
            "congress",
            names.ACCEPTED,
        ),
    }
    figures = pd.read_parquet(project / "outputs" / "figures.parquet")
    assert figures["qualifier"].tolist() == ["eq"]
    rejected = pd.read_parquet(project / "outputs" / "review" / "rejected.parquet")
    assert sorted(zip(rejected["doc_id"], rejected["text"], rejected["start"], rejected["end"])) == sorted(
        [
            ("returnees", "Congress", *at(RETURNEES, "Congress")),
            ("archive", "Otandastar Foundation", *at(ARCHIVE, "Otandastar Foundation")),
            ("archive", "Astana", *at(ARCHIVE, "Astana")),
            ("archive", "Kurultai", *at(ARCHIVE, "Kurultai")),
        ]
    )
    decisions = pd.read_parquet(project / "outputs" / "review" / "decisions.parquet")
    assert set(decisions["author"]) == {"alice@example.org"}
    texts = {"returnees": RETURNEES, "archive": ARCHIVE}
    for r in decisions.itertuples():
        assert r.landed_text == texts[r.doc_id][r.start : r.end], r


HIGHLIGHTS = """id => {
  const all = Array.from(document.querySelectorAll('[class*="htx-highlight-' + id + '-"]'));
  const top = all.filter(e => !all.some(o => o !== e && o.contains(e)));
  return top.map(e => e.textContent).join('');
}"""


@pytest.mark.browser
def test_labelstudio_ui_highlights_the_exported_spans(label_studio, exported, tmp_path):
    """Label Studio's own UI, in chromium: the highlighted words of each region are its span, after emoji and
    combining marks; a selected region shows only its type's fields; what the UI submits is in code points."""
    from browser import CHROMIUM, chromium

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    project, tasks, config = exported
    ls = label_studio
    task = next(t for t in tasks if t["data"]["doc_id"] == "returnees")
    pid = ls.project("pipeline review ui", config, [task])
    (served,) = ls.tasks(pid)
    shown = regions(task["predictions"][0]["result"])
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(ls.url + "/user/login/")
        page.fill("input[name=email]", ls.email)
        page.fill("input[name=password]", ls.password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/user/login" not in u, timeout=30_000)
        page.goto(f"{ls.url}/projects/{pid}/data?tab=1&task={served['id']}")
        page.wait_for_selector(f'[class*="htx-highlight-{shown["Mongolia"]["id"]}-"]', timeout=60_000)
        page.screenshot(path=str(tmp_path / "labelstudio.png"))
        # three regions after the flag, the emoji, the two-code-point 🏔️ and the combining mark
        for quote in ("Almaty", "Kazakhs", "Astana"):
            assert page.evaluate(HIGHLIGHTS, shown[quote]["id"]) == quote
            assert RETURNEES[shown[quote]["value"]["start"] : shown[quote]["value"]["end"]] == quote
        for quote, item in shown.items():  # and every other region
            assert " ".join(page.evaluate(HIGHLIGHTS, item["id"]).split()) == " ".join(quote.split()), quote
        # a figure shows the figure fields (kind as choices), an entity only its name
        page.locator(f'[class*="htx-highlight-{shown["60,000"]["id"]}-"]').first.click()
        assert page.get_by_text("unit", exact=True).is_visible()
        assert page.get_by_text("qualifier", exact=True).is_visible()
        assert page.locator('input[type=checkbox][name="count"], label:has-text("count")').first.is_visible()
        assert not page.get_by_text("entity name (renames the entity everywhere)", exact=True).is_visible()
        page.keyboard.press("Escape")
        page.locator(f'[class*="htx-highlight-{shown["Astana"]["id"]}-"]').first.click()
        assert page.get_by_text("entity name (renames the entity everywhere)", exact=True).is_visible()
        assert not page.get_by_text("unit", exact=True).is_visible()
        page.get_by_role("button", name="Submit").click()
        page.wait_for_timeout(500)
        for _ in range(30):
            (after,) = ls.tasks(pid)
            if after["annotations"]:
                break
            page.wait_for_timeout(500)
    (ann,) = after["annotations"]
    submitted = regions(ann["result"])
    # what Label Studio itself wrote: code points, its text the canonical text there
    assert sorted(submitted) == sorted(shown)
    for quote, item in submitted.items():
        v = item["value"]
        assert (v["start"], v["end"]) == (shown[quote]["value"]["start"], shown[quote]["value"]["end"])
        assert RETURNEES[v["start"] : v["end"]] == v["text"] == quote
