"""Review passes build on each other: a second pass is shown the first pass's result, in Label Studio (the real
server), the sheet and the page; left untouched it changes nothing; the decisions it reverses change, and only they.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from lsserver import ARCHIVE, RETURNEES, RUN, make_project, span, statuses
from lsserver import cli_here as cli
from test_labelstudio_server import annotate_returnees, regions

from pipeline import load_dataset
from pipeline.core import names
from pipeline.review.serve import ReviewSession

pytestmark = pytest.mark.labelstudio


def ls_pass(ls, project, title: str, annotate) -> str:
    """Export for Label Studio, import the tasks into the server, submit ``annotate(doc_id, text, result)`` for
    each task it returns a result for, export from the server, ``review import``; the import's output."""
    cli(project, "review", "export", "--format", "labelstudio", "--out", "export")
    tasks = json.loads((project / "export" / "tasks.json").read_text(encoding="utf-8"))
    pid = ls.project(title, (project / "export" / "config.xml").read_text(encoding="utf-8"), tasks)
    for t in ls.tasks(pid):
        result = annotate(t["data"]["doc_id"], t["data"]["text"], t["predictions"][0]["result"])
        if result is not None:
            ls.annotate(t["id"], result)
    (project / "ls_export.json").write_text(json.dumps(ls.export(pid), ensure_ascii=False), encoding="utf-8")
    return cli(project, "review", "import", "ls_export.json", "--url", ls.url, env={"LABEL_STUDIO_API_KEY": ls.token})


def sheet(project) -> list[dict[str, str]]:
    cli(project, "review", "export", "--format", "csv", "--out", "export/sheet.csv")
    return list(csv.DictReader(io.StringIO((project / "export" / "sheet.csv").read_text(encoding="utf-8"))))


def sheet_pass(project, rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (project / "export" / "sheet.csv").write_text(buf.getvalue(), encoding="utf-8")
    return cli(project, "review", "import", "export/sheet.csv", "--author", "bob")


def test_review_two_passes_build_on_each_other(label_studio, tmp_path, params):
    ls = label_studio
    project = make_project(tmp_path, params)
    cli(project, *RUN)
    unreviewed = statuses(project / "outputs")

    # pass one: Label Studio (alice) on the first text; the sheet (bob) on the second; the page (carol)
    log = ls_pass(
        ls, project, "pass one", lambda doc, text, res: annotate_returnees(text, res) if doc == "returnees" else None
    )
    assert "review import: 11 decisions by alice@example.org" in log
    rows = sheet(project)
    for r in rows:
        if r["doc_id"] == "archive" and r["table"] == names.T_ENTITIES:
            r["decision"], r["new_label"] = {
                "Otandastar Foundation": ("accept", ""),
                "Astana": ("fix", names.LOC),
                "Kurultai": ("reject", ""),
            }[r["quote"]]
    assert "review import: 3 decisions by bob" in sheet_pass(project, rows)
    cli(project, *RUN)
    page = ReviewSession(project / "outputs", project / "reviews", "carol")
    event = load_dataset(project / "outputs")[names.T_EVENTS].iloc[0]
    page.decide({"action": "edit", "table": names.T_EVENTS, "id": event["event_id"], "fields": {"location": "Almaty"}})
    log = cli(project, *RUN)
    assert "review: 15 decisions (15 applied); 0 in conflict; 2 rows rejected; 0 orphans" in log
    first = statuses(project / "outputs")
    assert first != unreviewed
    decisions_one = pd.read_parquet(project / "outputs" / "review" / "decisions.parquet")

    # pass two, every route shows pass one's result ...
    cli(project, "review", "export", "--format", "labelstudio", "--out", "export")
    (task,) = [
        t for t in json.loads((project / "export" / "tasks.json").read_text()) if t["data"]["doc_id"] == "returnees"
    ]
    shown = {
        q: (i["value"]["start"], i["value"]["end"], i["value"]["labels"][0])
        for q, i in regions(task["predictions"][0]["result"]).items()
    }
    assert "Congress" not in shown  # rejected: never offered again
    assert shown["Nazarbayev"] == (*span(RETURNEES, "Nazarbayev"), names.PERSON)  # moved
    assert shown["Alash"][2] == names.ORG and shown["Bayan-Ölgii"][2] == names.GPE  # relabelled, added
    fig = next(i for i in task["predictions"][0]["result"] if i["from_name"] == "value")
    assert fig["value"]["text"] == ["61000"]  # corrected
    by_quote = {(r["doc_id"], r["quote"]): r for r in sheet(project) if r["table"] != names.T_ENTITY_INDEX}
    assert by_quote[("returnees", "Congress")]["review_status"] == names.REJECTED
    assert by_quote[("archive", "Kurultai")]["review_status"] == names.REJECTED
    assert by_quote[("archive", "Astana")][["label", "review_status"][0]] == names.LOC
    naz = by_quote[("returnees", "Nazarbayev")]
    assert (naz["start"], naz["end"]) == tuple(str(x) for x in span(RETURNEES, "Nazarbayev"))
    assert (naz["target_start"], naz["target_end"]) == tuple(str(x) for x in span(RETURNEES, "President Nazarbayev"))
    assert by_quote[("returnees", "Bayan-Ölgii")]["review_status"] == names.ADDED
    items = {
        i["quote"]: i
        for i in ReviewSession(project / "outputs", project / "reviews", "carol").document("returnees")["items"]
    }
    assert items["Alash"]["status"] == names.CORRECTED and "Congress" not in items

    # ... and, left untouched, changes nothing
    log = ls_pass(ls, project, "pass two", lambda doc, text, res: res)  # every task submitted as shown
    assert "review import: no decisions found" in log
    assert "no decisions found" in sheet_pass(project, sheet(project))
    log = cli(project, *RUN)
    assert "review: 15 decisions (15 applied)" in log
    assert statuses(project / "outputs") == first
    decisions_two = pd.read_parquet(project / "outputs" / "review" / "decisions.parquet")
    assert decisions_two[["decision_id", "outcome"]].equals(decisions_one[["decision_id", "outcome"]])

    # pass two reverses two decisions: Kurultai accepted in the sheet, Mongolia deleted in Label Studio
    rows = sheet(project)
    for r in rows:
        if (r["doc_id"], r["quote"], r["table"]) == ("archive", "Kurultai", names.T_ENTITIES):
            r["decision"] = "accept"
    assert "review import: 1 decisions by bob" in sheet_pass(project, rows)

    def mongolia(doc: str, text: str, res: list[dict]) -> list[dict] | None:
        return [i for i in res if i["id"] != regions(res)["Mongolia"]["id"]] if doc == "returnees" else None

    assert "review import: 1 decisions by alice@example.org" in ls_pass(ls, project, "pass two b", mongolia)
    cli(project, *RUN)
    after = statuses(project / "outputs")
    changed = {k for k in first.keys() | after.keys() if first.get(k) != after.get(k)}
    assert changed == {
        (names.T_ENTITIES, "Kurultai", *span(ARCHIVE, "Kurultai")),
        (names.T_ENTITIES, "Mongolia", *span(RETURNEES, "Mongolia")),
    }
    assert after[(names.T_ENTITIES, "Kurultai", *span(ARCHIVE, "Kurultai"))] == (names.PERSON, names.ACCEPTED)
    assert (names.T_ENTITIES, "Mongolia", *span(RETURNEES, "Mongolia")) not in after
