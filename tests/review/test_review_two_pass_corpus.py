"""Two review passes over real corpus papers, ten decisions through each route (Label Studio, the sheet, the page).

Pass one: an annotator in the real Label Studio server decides ten regions of one paper (three deleted, three
relabelled, two moved, two added; every region left as shown is accepted), a second decides ten rows of another
paper in the sheet, a third ten more rows of that paper on the page. Pass two exports every route again and touches
nothing: no published row changes. Then it reverses two decisions (one in the sheet, one on the page): exactly those
two rows change.
"""

from __future__ import annotations

import copy
import re
import shutil

import pytest
import yaml
from conftest import RAW, ROOT
from lsserver import cli_here as cli
from lsserver import statuses
from test_review_two_pass import ls_pass, sheet, sheet_pass

from pipeline import load_dataset
from pipeline.core import names
from pipeline.review.serve import ReviewSession

pytestmark = [pytest.mark.labelstudio, pytest.mark.model]

#: the Label Studio paper (the shortest of the corpus) and the sheet-and-page paper
LS_DOC, SHEET_DOC = "004_079214a4568c4b32", "002_a7ba452f2a3fc99c"
RUN = ["run", "--raw", "raw", "--out", "outputs", "--work", "data", "--reviews", "reviews", "--params", "params.yaml"]


def other_label(label: str) -> str:
    return names.ORG if label != names.ORG else names.PERSON


@pytest.fixture
def project(tmp_path, params):
    """Two corpus papers from raw/ and the project's own params, without the fine-tuned models (not under test)."""
    project = tmp_path / "project"
    (project / "raw").mkdir(parents=True)
    for doc in (LS_DOC, SHEET_DOC):
        shutil.copy(RAW / f"{doc}.txt", project / "raw")
    p = copy.deepcopy(params)
    p["entities"].update(patterns_dir=str(ROOT / "models" / "patterns"), spacy_ft="", transformer="")
    p["consolidate"]["aliases"] = str(ROOT / p["consolidate"]["aliases"])
    p["consolidate"]["calibration"] = str(ROOT / p["consolidate"]["calibration"])
    (project / "params.yaml").write_text(yaml.safe_dump(p), encoding="utf-8")
    cli(project, *RUN)
    return project


def entity_regions(result: list[dict]) -> list[dict]:
    return sorted(
        (i for i in result if i["type"] == "labels" and i["value"]["labels"][0] in names.ENTITY_LABELS),
        key=lambda i: (i["value"]["start"], i["id"]),
    )


def test_ten_decisions_per_route_then_an_untouched_pass_then_two_reversals(label_studio, project):
    ls = label_studio
    text = (project / "outputs" / "texts" / f"{LS_DOC}.txt").read_text(encoding="utf-8")
    plan: dict[str, list[tuple[int, int, str]]] = {}  # what Label Studio's annotator does, to check afterwards

    def annotate(doc: str, task_text: str, result: list[dict]) -> list[dict] | None:
        if doc != LS_DOC:
            return None
        assert task_text == text
        result = copy.deepcopy(result)
        regs = entity_regions(result)
        deleted, relabelled = regs[0:3], regs[3:6]
        moved = [i for i in regs[6:] if " " in i["value"]["text"]][:2]
        plan["deleted"] = [(i["value"]["start"], i["value"]["end"], i["value"]["labels"][0]) for i in deleted]
        gone = {i["id"] for i in deleted}
        result = [i for i in result if i["id"] not in gone]
        plan["relabelled"], plan["moved"], plan["moved_from"] = [], [], []
        new_start = {i["id"]: i["value"]["end"] - len(i["value"]["text"].rsplit(" ", 1)[1]) for i in moved}
        for i in result:
            v = i["value"]
            if i["id"] in {r["id"] for r in relabelled} and i["type"] == "labels":
                v["labels"] = [other_label(v["labels"][0])]
                plan["relabelled"].append((v["start"], v["end"], v["labels"][0]))
            if i["id"] in new_start:  # every item of a moved region (label and fields) moves with it
                if i["type"] == "labels":
                    plan["moved_from"].append((v["start"], v["end"], v["labels"][0]))
                    plan["moved"].append((new_start[i["id"]], v["end"], v["labels"][0]))
                    v["text"] = text[new_start[i["id"]] : v["end"]]
                v["start"] = new_start[i["id"]]
        covered = [(i["value"]["start"], i["value"]["end"]) for i in regs]
        free = [
            m
            for m in re.finditer(r"\b[A-Z][a-z]{4,}\b", text)
            if not any(s < m.end() and m.start() < e for s, e in covered)
        ][:2]
        plan["added"] = [(m.start(), m.end(), names.NORP) for m in free]
        for n, m in enumerate(free):
            result.append(
                {
                    "id": f"uiAdd{n}x7Q",
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "origin": "manual",
                    "value": {"start": m.start(), "end": m.end(), "text": m.group(0), "labels": [names.NORP]},
                }
            )
        return result

    before = load_dataset(project / "outputs")[names.T_ENTITIES]
    ls_rows = before[before["doc_id"] == LS_DOC]
    log = ls_pass(ls, project, "corpus pass one", annotate)
    assert len(plan["moved"]) == 2 and len(plan["added"]) == 2, plan
    assert re.search(r"review import: \d+ decisions by alice@example.org", log), log

    # the sheet (bob): the other paper's first ten entities, accepted, rejected and relabelled in turn
    rows = sheet(project)
    ents = sorted(
        (r for r in rows if r["doc_id"] == SHEET_DOC and r["table"] == names.T_ENTITIES),
        key=lambda r: (int(r["start"]), int(r["end"])),
    )
    by_sheet: dict[tuple[int, int], tuple[str, str] | None] = {}
    for n, r in enumerate(ents[:10]):
        r["decision"] = ("accept", "reject", "fix")[n % 3]
        if r["decision"] == "fix":
            r["new_label"] = other_label(r["label"])
        key = (int(r["start"]), int(r["end"]))
        by_sheet[key] = {
            "accept": (r["label"], names.ACCEPTED),
            "reject": None,
            "fix": (r["new_label"], names.CORRECTED),
        }[r["decision"]]
    assert "review import: 10 decisions by bob" in sheet_pass(project, rows)

    # the page (carol): the next ten entities of that paper
    cli(project, *RUN)
    page = ReviewSession(project / "outputs", project / "reviews", "carol")
    items = [i for i in page.document(SHEET_DOC)["items"] if i["table"] == names.T_ENTITIES]
    items = [i for i in items if (i["start"], i["end"]) not in by_sheet][:10]
    by_page: dict[tuple[int, int], tuple[str, str] | None] = {}
    for n, i in enumerate(items):
        body = {"table": names.T_ENTITIES, "id": i["id"]}
        if n % 3 == 0:
            page.decide({**body, "action": "accept"})
            by_page[(i["start"], i["end"])] = (i["label"], names.ACCEPTED)
        elif n % 3 == 1:
            page.decide({**body, "action": "reject"})
            by_page[(i["start"], i["end"])] = None
        else:
            page.decide({**body, "action": "relabel", "label": other_label(i["label"])})
            by_page[(i["start"], i["end"])] = (other_label(i["label"]), names.CORRECTED)
    cli(project, *RUN)
    first = statuses(project / "outputs")

    def published(doc_text: str, s: int, e: int) -> tuple | None:
        return first.get((names.T_ENTITIES, doc_text[s:e], s, e))

    for s, e, _ in plan["deleted"] + plan["moved_from"]:
        assert published(text, s, e) is None
    for s, e, label in plan["relabelled"] + plan["moved"]:
        assert published(text, s, e) == (label, names.CORRECTED)
    for s, e, label in plan["added"]:
        assert published(text, s, e) == (label, names.ADDED)
    decided = {(s, e) for s, e, _ in plan["deleted"] + plan["relabelled"] + plan["moved_from"]}
    for r in ls_rows.to_dict("records"):  # every region left as shown: accepted
        if (r["start"], r["end"]) not in decided:
            assert published(text, r["start"], r["end"]) == (r["label"], names.ACCEPTED), r["text"]
    sheet_text = (project / "outputs" / "texts" / f"{SHEET_DOC}.txt").read_text(encoding="utf-8")
    for (s, e), want in {**by_sheet, **by_page}.items():
        assert published(sheet_text, s, e) == want, sheet_text[s:e]
    assert len(by_sheet) == len(by_page) == 10

    # pass two, untouched: every route exports the reviewed state; Label Studio's task is submitted as shown
    # (the other paper's task stays unsubmitted: submitting it would accept its undecided regions); nothing changes
    untouched = ls_pass(ls, project, "corpus pass two", lambda d, t, r: r if d == LS_DOC else None)
    assert "review import: no decisions found" in untouched
    assert "no decisions found" in sheet_pass(project, sheet(project))
    cli(project, *RUN)
    assert statuses(project / "outputs") == first

    # pass two reverses two decisions: a sheet reject accepted, a page accept rejected
    (sheet_reject,) = [k for k, v in by_sheet.items() if v is None][:1]
    page_accept = next(k for k, v in by_page.items() if v is not None and v[1] == names.ACCEPTED)
    rows = sheet(project)
    for r in rows:
        if r["doc_id"] == SHEET_DOC and (int(r["start"]), int(r["end"])) == sheet_reject:
            assert r["review_status"] == names.REJECTED
            r["decision"] = "accept"
    assert "review import: 1 decisions by bob" in sheet_pass(project, rows)
    cli(project, *RUN)
    page = ReviewSession(project / "outputs", project / "reviews", "carol")
    (item,) = [
        i
        for i in page.document(SHEET_DOC)["items"]
        if i["table"] == names.T_ENTITIES and (i["start"], i["end"]) == page_accept
    ]
    page.decide({"action": "reject", "table": names.T_ENTITIES, "id": item["id"]})
    cli(project, *RUN)
    after = statuses(project / "outputs")
    changed = {k for k in first.keys() | after.keys() if first.get(k) != after.get(k)}
    s1, e1 = sheet_reject
    s2, e2 = page_accept
    assert changed == {
        (names.T_ENTITIES, sheet_text[s1:e1], s1, e1),
        (names.T_ENTITIES, sheet_text[s2:e2], s2, e2),
    }
    assert after[(names.T_ENTITIES, sheet_text[s1:e1], s1, e1)][1] == names.ACCEPTED
    assert (names.T_ENTITIES, sheet_text[s2:e2], s2, e2) not in after
