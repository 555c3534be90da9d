"""A page decision on a row an earlier pass moved lands on that row (the moved span), never orphaned."""

from __future__ import annotations

import pandas as pd
from lsserver import RETURNEES, RUN, make_project, span, statuses
from lsserver import cli_here as cli
from test_review_two_pass import sheet, sheet_pass

from pipeline.core import names
from pipeline.review.serve import ReviewSession


def test_page_decisions_on_a_moved_and_a_relabelled_row(tmp_path, params):
    """Pass one moves "President Nazarbayev" to "Nazarbayev" and relabels "Alash" in the sheet; pass two, on the
    page, relabels the moved row and rejects the relabelled one: both land on their rows, by id."""
    project = make_project(tmp_path, params)
    cli(project, *RUN)
    rows = sheet(project)
    for r in rows:
        if r["doc_id"] == "returnees" and r["quote"] == "President Nazarbayev":
            s, e = span(RETURNEES, "Nazarbayev")
            r["decision"], r["new_start"], r["new_end"] = "fix", str(s), str(e)
        if r["doc_id"] == "returnees" and r["quote"] == "Alash" and r["table"] == names.T_ENTITIES:
            r["decision"], r["new_label"] = "fix", names.ORG
    assert "review import: 2 decisions by bob" in sheet_pass(project, rows)
    cli(project, *RUN)
    page = ReviewSession(project / "outputs", project / "reviews", "carol")
    items = {i["quote"]: i for i in page.document("returnees")["items"] if i["table"] == names.T_ENTITIES}
    assert (items["Nazarbayev"]["start"], items["Nazarbayev"]["end"]) == span(RETURNEES, "Nazarbayev")
    page.decide({"action": "relabel", "table": names.T_ENTITIES, "id": items["Nazarbayev"]["id"], "label": names.ORG})
    page.decide({"action": "reject", "table": names.T_ENTITIES, "id": items["Alash"]["id"]})
    log = cli(project, *RUN)
    assert "0 orphans" in log, log
    log = pd.read_parquet(project / "outputs" / "review" / "decisions.parquet")
    (relabel,) = log[log["author"].eq("carol") & log["action"].eq("relabel")].to_dict("records")
    assert (relabel["anchor_method"], relabel["landed"], relabel["outcome"]) == ("id", "row", "applied")
    assert (relabel["landed_id"], relabel["start"], relabel["end"]) == (
        items["Nazarbayev"]["id"],
        *span(RETURNEES, "Nazarbayev"),
    )
    got = statuses(project / "outputs")
    assert got[(names.T_ENTITIES, "Nazarbayev", *span(RETURNEES, "Nazarbayev"))] == (names.ORG, names.CORRECTED)
    assert (names.T_ENTITIES, "Alash", *span(RETURNEES, "Alash")) not in got
