"""The review layer on a hand-built document: Label Studio round trip, re-anchoring, conflicts, CSV."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import Anchor, Decision, append_decisions, load_decisions
from pipeline.core import names
from pipeline.core.schema import normalize_frame
from pipeline.review import labelstudio as ls
from pipeline.review.apply import apply_decisions
from pipeline.review.csvsheet import escape_cell, export_sheet, import_sheet, unescape_cell
from pipeline.review.labelstudio import export_label_studio, import_label_studio

DOC = "d1"
TEXT = (
    "Notes 🎉 from the archive.\n"
    "In 1905 the Kazakh Congress met in Orenburg with 1,200 delegates.\n"
    "The Alash party was founded by Bukeikhanov in 1917.\n"
)
# (table, quote, label or kind, occurrence) of every extraction the "pipeline" found
ENTS = [("Kazakh Congress", "ORG"), ("Orenburg", "GPE"), ("Alash", "PERSON"), ("Bukeikhanov in", "PERSON")]


def span(text: str, quote: str) -> tuple[int, int]:
    s = text.index(quote)
    return s, s + len(quote)


def make_tables(
    text: str, ents=ENTS, with_figure: bool = True, event: str | None = "In 1905 the Kazakh Congress met"
) -> dict[str, pd.DataFrame]:
    from pipeline.consolidate import row_id
    from pipeline.consolidate.grouping import entity_id

    rows = []
    for quote, label in ents:
        s, e = span(text, quote)
        rows.append(
            {
                "mention_id": row_id("M", DOC, s, e, label),
                "doc_id": DOC,
                "entity_id": entity_id(label, quote),
                "text": quote,
                "label": label,
                "start": s,
                "end": e,
                "section": "body",
                "sources": ["rules"],
                "score": 0.9,
                "review_status": names.UNREVIEWED,
            }
        )
    figs = []
    if with_figure:
        s, e = span(text, "1,200 delegates")
        figs.append(
            {
                "figure_id": row_id("F", DOC, s, e),
                "doc_id": DOC,
                "text": text[s:e],
                "start": s,
                "end": e,
                "value": 1200.0,
                "kind": "count",
                "object": "delegates",
                "place": "Orenburg",
                "time": "1905",
                "source": names.SRC_FIGURE_RULES,
                "section": "body",
                "review_status": names.UNREVIEWED,
            }
        )
    s, e = span(text, event) if event else (0, 0)
    evs = (
        []
        if not event
        else [
            {
                "event_id": row_id("V", DOC, s, e, "1905-01-01", "1905-12-31"),
                "doc_id": DOC,
                "text": text[s:e],
                "start": s,
                "end": e,
                "date_text": "1905",
                "date_start": "1905-01-01",
                "date_end": "1905-12-31",
                "granularity": "year",
                "event_type": "congress",
                "trigger": "met",
                "participants": [],
                "section": "body",
                "review_status": names.UNREVIEWED,
            }
        ]
    )
    ment = normalize_frame(names.T_ENTITIES, pd.DataFrame(rows))
    index = pd.DataFrame(
        [
            {
                "entity_id": r["entity_id"],
                "canonical": r["text"],
                "label": r["label"],
                "aliases": [r["text"]],
                "n_mentions": 1,
                "n_docs": 1,
            }
            for r in rows
        ]
    )
    return {
        names.T_DOCUMENTS: normalize_frame(names.T_DOCUMENTS, pd.DataFrame([{"doc_id": DOC, "sha256": "abc"}])),
        names.T_ENTITIES: ment,
        names.T_ENTITY_INDEX: normalize_frame(names.T_ENTITY_INDEX, index),
        names.T_FIGURES: normalize_frame(names.T_FIGURES, pd.DataFrame(figs)),
        names.T_EVENTS: normalize_frame(names.T_EVENTS, pd.DataFrame(evs)),
    }


def cp(text: str, quote: str) -> tuple[int, int]:
    """Label Studio 1.23.2's offsets of ``quote``: code points, like the canonical text's."""
    return span(text, quote)


def annotate(task: dict, author: dict) -> dict:
    """What an annotator does in Label Studio, as its JSON export records it."""
    text = task["data"]["text"]
    result = copy.deepcopy(task["predictions"][0]["result"])
    rid = {item["value"]["text"]: item["id"] for item in result if item["type"] == "labels"}
    result = [i for i in result if i["id"] != rid["Orenburg"]]  # reject
    for i in result:
        if i["id"] == rid["Alash"] and i["type"] == "labels":
            i["value"]["labels"] = ["ORG"]  # relabel
        if i["id"] == rid["Bukeikhanov in"]:
            i["value"]["start"], i["value"]["end"] = cp(text, "Bukeikhanov")  # boundary move
            if i["type"] == "labels":
                i["value"]["text"] = "Bukeikhanov"
        if i["id"] == rid["1,200 delegates"] and i["from_name"] == "value":
            i["value"]["text"] = ["1300"]  # value fix
    result.append(
        {
            "id": "newRegion1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",  # added span
            "value": {
                "start": text.index("1917"),
                "end": text.index("1917") + 4,
                "text": "1917",
                "labels": [ls.EVENT],
            },
        }
    )
    result.append(
        {
            "id": "newRegion2",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": cp(text, "Alash party")[0],
                "end": cp(text, "Alash party")[1],
                "text": "Alash party",
                "labels": [names.ORG],
            },
        }
    )
    out = copy.deepcopy(task)
    out["id"] = 1
    out["annotations"] = [
        {
            "id": 7,
            "completed_by": author,
            "result": result,
            "was_cancelled": False,
            "created_at": "2025-03-01T10:00:00.000000Z",
            "updated_at": "2025-03-01T10:05:00.000000Z",
            "parent_prediction": 1,
        }
    ]
    return out


def status_of(tables, table, quote, text=TEXT):
    df = tables[table]
    hit = df[df["text"] == quote]
    assert len(hit) == 1, (table, quote, df[["text", "review_status"]])
    row = hit.iloc[0]
    assert text[row["start"] : row["end"]] == quote
    return row


@pytest.fixture
def ls_decisions():
    tables = make_tables(TEXT)
    tasks, config = export_label_studio(tables, {DOC: TEXT})
    assert "<Labels" in config and 'perRegion="true"' in config
    export = json.loads(json.dumps([annotate(tasks[0], {"id": 3, "email": "alice@example.org"})]))
    return tables, import_label_studio(export)


def test_review_labelstudio_roundtrip_statuses(ls_decisions):
    tables, decisions = ls_decisions
    actions = sorted((d.action, d.target.quote) for d in decisions)
    assert actions == sorted(
        [
            ("accept", "Kazakh Congress"),
            ("reject", "Orenburg"),
            ("relabel", "Alash"),
            ("move", "Bukeikhanov in"),
            ("edit", "1,200 delegates"),
            ("accept", "In 1905 the Kazakh Congress met"),
            ("add", "1917"),
            ("add", "Alash party"),
        ]
    )
    assert {d.author for d in decisions} == {"alice@example.org"}
    res = apply_decisions(tables, {DOC: TEXT}, decisions)
    t = res.tables
    assert status_of(t, "entities", "Kazakh Congress")["review_status"] == names.ACCEPTED
    assert "Orenburg" not in set(t["entities"]["text"])
    assert list(res.rejected["text"]) == ["Orenburg"]
    alash = status_of(t, "entities", "Alash")
    assert (alash["review_status"], alash["label"]) == (names.CORRECTED, "ORG")
    assert status_of(t, "entities", "Bukeikhanov")["review_status"] == names.CORRECTED
    fig = status_of(t, "figures", "1,200 delegates")
    assert (fig["review_status"], fig["value"]) == (names.CORRECTED, 1300.0)
    party = status_of(t, "entities", "Alash party")
    assert (party["review_status"], list(party["sources"]), party["label"]) == (names.ADDED, ["annotator"], "ORG")
    ev = status_of(t, "events", "1917")
    assert (ev["review_status"]) == names.ADDED
    assert status_of(t, "events", "In 1905 the Kazakh Congress met")["review_status"] == names.ACCEPTED
    assert set(res.decisions["outcome"]) == {"applied"} and len(res.decisions) == 8
    assert res.orphans.empty
    assert "Alash party" in set(t["entity_index"]["canonical"])
    for r in res.decisions.itertuples():
        assert r.landed_text == TEXT[r.start : r.end]


def changed_text() -> str:
    """A paragraph inserted before the spans, and whitespace changed inside one quote."""
    return "Preface added in the second edition.\n\n" + TEXT.replace("Kazakh Congress", "Kazakh\n Congress")


def test_review_reanchor_after_text_and_extractor_change(ls_decisions, tmp_path):
    _, decisions = ls_decisions
    new = changed_text()
    # the extractors ran again: new offsets (so new ids), and the "Alash" rule is gone
    tables = make_tables(
        new,
        ents=[("Kazakh\n Congress", "ORG"), ("Orenburg", "GPE"), ("Bukeikhanov in", "PERSON")],
        event="In 1905 the Kazakh\n Congress met",
    )
    ALT = TEXT.replace("Orenburg", "Semipalatinsk")
    impossible = Decision(
        "accept",
        names.T_ENTITIES,
        "bob",
        "2025-03-02T00:00:00Z",
        target_id="Mgone",
        target=Anchor.of(ALT, DOC, *span(ALT, "Semipalatinsk")),
        seen={"label": "GPE"},
    )
    assert impossible.target.quote == "Semipalatinsk"
    append_decisions(tmp_path / "alice" / "s1.jsonl", decisions)
    append_decisions(tmp_path / "bob" / "s1.jsonl", [impossible])
    loaded = load_decisions(tmp_path)
    assert len(loaded) == 9
    res = apply_decisions(tables, {DOC: new}, loaded)
    t = res.tables
    assert status_of(t, "entities", "Kazakh\n Congress", new)["review_status"] == names.ACCEPTED
    assert "Orenburg" not in set(t["entities"]["text"])
    alash = status_of(t, "entities", "Alash", new)  # re-created from the relabel decision
    assert (alash["review_status"], alash["label"], list(alash["sources"])) == (names.ADDED, "ORG", ["annotator"])
    assert status_of(t, "entities", "Bukeikhanov", new)["review_status"] == names.CORRECTED
    assert status_of(t, "figures", "1,200 delegates", new)["value"] == 1300.0
    assert status_of(t, "entities", "Alash party", new)["review_status"] == names.ADDED
    assert status_of(t, "events", "1917", new)["review_status"] == names.ADDED
    d = res.decisions.set_index("decision_id")
    placed = d[d["outcome"] == "applied"]
    assert len(placed) == 8
    for r in placed.itertuples():
        assert r.landed_text == new[r.start : r.end]
    accept_congress = next(x for x in decisions if x.action == "accept" and x.target.quote == "Kazakh Congress")
    assert d.loc[accept_congress.decision_id, "anchor_method"] == "whitespace"
    assert list(res.orphans["decision_id"]) == [impossible.decision_id]
    assert "Semipalatinsk" in res.orphans["reason"].iloc[0]


def test_review_reject_of_vanished_row_is_moot():
    tables = make_tables(TEXT, ents=[("Kazakh Congress", "ORG")])
    s, e = span(TEXT, "Orenburg")
    d = Decision(
        "reject",
        names.T_ENTITIES,
        "alice",
        "2025-03-01T00:00:00Z",
        target_id="Mold",
        target=Anchor.of(TEXT, DOC, s, e),
        seen={"label": "GPE"},
    )
    res = apply_decisions(tables, {DOC: TEXT}, [d])
    assert list(res.decisions["outcome"]) == ["moot"]
    assert res.rejected.empty and res.orphans.empty


def test_review_ambiguous_quote_is_orphaned_not_guessed():
    text = "Orenburg and Orenburg; later in Orenburg."
    tables = make_tables("x", ents=[], with_figure=False, event=None)

    def accept(anchor: Anchor) -> Decision:
        return Decision(
            "accept",
            names.T_ENTITIES,
            "a",
            "2025-03-01T00:00:00Z",
            target_id="Mx",
            target=anchor,
            seen={"label": "GPE"},
        )

    no_context = accept(Anchor(DOC, "Orenburg", 100, 108))
    with_context = accept(Anchor(DOC, "Orenburg", 100, 108, prefix="later in ", suffix="."))
    wrong_context = accept(Anchor(DOC, "Orenburg", 100, 108, prefix="Kazakhs of ", suffix=" steppe"))
    res = apply_decisions(tables, {DOC: text}, [no_context, with_context, wrong_context])
    log = res.decisions.set_index("decision_id")
    assert log.loc[no_context.decision_id, "outcome"] == "orphaned"
    assert log.loc[wrong_context.decision_id, "outcome"] == "orphaned"
    assert log.loc[with_context.decision_id, ["outcome", "start", "anchor_method"]].tolist() == ["applied", 32, "quote"]
    assert list(res.orphans["decision_id"].sort_values()) == sorted([no_context.decision_id, wrong_context.decision_id])


@pytest.mark.parametrize("policy, winner", [("latest", "reject"), ("adjudicator: alice", "accept")])
def test_review_conflicting_decisions_flagged(policy, winner):
    tables = make_tables(TEXT)
    s, e = span(TEXT, "Orenburg")
    mid = tables["entities"].set_index("text").loc["Orenburg", "mention_id"]
    a = Anchor.of(TEXT, DOC, s, e)
    d1 = Decision("accept", names.T_ENTITIES, "alice", "2025-03-01T10:00:00Z", target_id=mid, target=a)
    d2 = Decision("reject", names.T_ENTITIES, "bob", "2025-03-02T10:00:00Z", target_id=mid, target=a)
    res = apply_decisions(tables, {DOC: TEXT}, [d1, d2], {"policy": policy})
    log = res.decisions.set_index("action")
    assert log["conflict"].all()
    assert log.loc[winner, "outcome"] == "applied"
    assert log.loc[{"accept": "reject", "reject": "accept"}[winner], "outcome"] == "conflict"
    assert (winner == "reject") == ("Orenburg" in set(res.rejected["text"]))


def test_review_same_author_later_decision_supersedes():
    tables = make_tables(TEXT)
    s, e = span(TEXT, "Orenburg")
    a = Anchor.of(TEXT, DOC, s, e)
    d1 = Decision("reject", names.T_ENTITIES, "alice", "2025-03-01T10:00:00Z", target=a, seen={"label": "GPE"})
    d2 = Decision("accept", names.T_ENTITIES, "alice", "2025-03-02T10:00:00Z", target=a, seen={"label": "GPE"})
    res = apply_decisions(tables, {DOC: TEXT}, [d1, d2])
    assert dict(zip(res.decisions["action"], res.decisions["outcome"])) == {"reject": "superseded", "accept": "applied"}
    assert not res.decisions["conflict"].any()
    assert status_of(res.tables, "entities", "Orenburg")["review_status"] == names.ACCEPTED


@pytest.mark.parametrize(
    "cell, escaped",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
        (-5.0, "'-5"),
        (None, ""),
    ],
)
def test_review_csv_escape_cells(cell, escaped):
    assert escape_cell(cell) == escaped
    assert unescape_cell(escaped) == ("" if cell is None else "-5" if cell == -5.0 else cell)


def test_review_csv_sheet_roundtrip():
    text = "=cmd|' /C calc'!A0 and Orenburg had -5 degrees.\n"
    tables = make_tables(text, ents=[("=cmd|' /C calc'!A0", "ORG"), ("Orenburg", "GPE")], with_figure=False, event=None)
    s, e = span(text, "-5 degrees")
    tables[names.T_FIGURES] = normalize_frame(
        names.T_FIGURES,
        pd.DataFrame(
            [
                {
                    "figure_id": "F1",
                    "doc_id": DOC,
                    "text": text[s:e],
                    "start": s,
                    "end": e,
                    "value": -5.0,
                    "unit": "degrees",
                    "review_status": names.UNREVIEWED,
                }
            ]
        ),
    )
    sheet = export_sheet(tables, {DOC: text})
    assert "\n=" not in sheet and ",=" not in sheet and ",-5," not in sheet
    assert "'=cmd|' /C calc'!A0" in sheet and "'-5" in sheet
    df = pd.read_csv(__import__("io").StringIO(sheet), dtype=str, keep_default_na=False)
    spans = df["table"] != names.T_ENTITY_INDEX  # the entity rows below the mentions show the same names
    df.loc[spans & (df["quote"] == "'=cmd|' /C calc'!A0"), "decision"] = "reject"
    df.loc[spans & (df["quote"] == "Orenburg"), ["decision", "new_label"]] = ["fix", "LOC"]
    df.loc[df["quote"] == "'-5 degrees", ["decision", "new_fields"]] = ["fix", "value=-6; unit=°C"]
    filled = df.to_csv(index=False)
    decisions = import_sheet(filled, {DOC: text}, "carol", "2025-03-03T00:00:00Z")
    assert sorted((d.action, d.target.quote) for d in decisions) == [
        ("edit", "-5 degrees"),
        ("reject", "=cmd|' /C calc'!A0"),
        ("relabel", "Orenburg"),
    ]
    res = apply_decisions(tables, {DOC: text}, decisions)
    fig = res.tables["figures"].iloc[0]
    assert (fig["value"], fig["unit"], fig["review_status"]) == (-6.0, "°C", names.CORRECTED)
    assert status_of(res.tables, "entities", "Orenburg", text)["label"] == "LOC"
    assert list(res.rejected["text"]) == ["=cmd|' /C calc'!A0"]


@pytest.mark.parametrize(
    "text, quote, cp, js",
    [
        ("a😀b Orenburg", "Orenburg", (4, 12), (5, 13)),  # astral emoji: 2 UTF-16 units
        ("👩‍👩‍👧 Astana", "Astana", (6, 12), (9, 15)),  # ZWJ family: 5 code points, 8 units
        ("Zhanaozen\u0301 and Astana", "Astana", (15, 21), (15, 21)),  # combining mark: 1 code point, 1 unit
        ("line one\r\nline two Astana", "Astana", (19, 25), (19, 25)),  # CRLF: 2 code points, 2 units
        ("🇰🇿\r\ne\u0301 Almaty 😀", "Almaty 😀", (7, 15), (9, 18)),
    ],
)
def test_review_utf16_offsets(text, quote, cp, js):
    s, e = span(text, quote)
    assert (s, e) == cp
    assert (anc.to_utf16(text, s), anc.to_utf16(text, e)) == js
    assert (anc.from_utf16(text, js[0]), anc.from_utf16(text, js[1])) == cp
    assert text.encode("utf-16-le")[2 * js[0] : 2 * js[1]].decode("utf-16-le") == quote


def test_review_utf16_offset_inside_surrogate_pair_raises():
    with pytest.raises(ValueError, match="splits the character"):
        anc.from_utf16("a😀b", 2)


def test_review_labelstudio_offsets_are_code_points_and_checked():
    text = "🇰🇿 Alash\r\nOrde 😀 in Semey"
    tables = make_tables(text, ents=[("Alash\r\nOrde", "ORG"), ("Semey", "GPE")], with_figure=False, event=None)
    tasks, _ = export_label_studio(tables, {DOC: text})
    regions = [r for r in tasks[0]["predictions"][0]["result"] if r["type"] == "labels"]
    assert [(r["value"]["start"], r["value"]["end"], r["value"]["text"]) for r in regions] == [
        (3, 14, "Alash\r\nOrde"),
        (20, 25, "Semey"),
    ]
    task = {**copy.deepcopy(tasks[0]), "id": 41}
    result = copy.deepcopy(task["predictions"][0]["result"])
    task["annotations"] = [{"id": 5, "completed_by": 1, "result": result, "updated_at": "2025-01-01T00:00:00Z"}]
    assert sorted(d.action for d in import_label_studio([task], users=[{"id": 1, "email": "ann@x.org"}])) == [
        "accept",
        "accept",
    ]
    # a user known only by number: a clear error, not a made-up author
    with pytest.raises(ValueError, match=r"task 41, annotation 1: Label Studio user 1 has no name.*--users"):
        import_label_studio([task])
    # offsets in UTF-16 units (another version's export): refused, naming the task and the region
    for r in result:
        if r["id"] == regions[1]["id"]:
            r["value"]["start"], r["value"]["end"] = anc.to_utf16(text, 20), anc.to_utf16(text, 25)
    with pytest.raises(
        ValueError, match=rf"task 41, annotation 1: region {regions[1]['id']} \({DOC}\): its text 'Semey'"
    ):
        import_label_studio([task], author="ann")


def test_review_decision_validation_messages(tmp_path):
    with pytest.raises(ValueError, match="unknown action 'approve'"):
        Decision("approve", names.T_ENTITIES, "a", "2025-01-01T00:00:00Z", target_id="M1")
    with pytest.raises(ValueError, match="a relabel decision needs label"):
        Decision("relabel", names.T_ENTITIES, "a", "2025-01-01T00:00:00Z", target_id="M1")
    with pytest.raises(ValueError, match="fields not editable in figures: colour"):
        Decision("edit", names.T_FIGURES, "a", "2025-01-01T00:00:00Z", target_id="F1", fields={"colour": "red"})
    (tmp_path / "bad.jsonl").write_text('{"action": "accept"}\n')
    invalid = []
    assert load_decisions(tmp_path, invalid) == []  # skipped, never a traceback
    assert [str(x) for x in invalid] == [
        "bad.jsonl:1: bad decision: missing table, author, created (every decision has action, table, author, created)"
    ]


def test_review_merge_split_and_canonical():
    tables = make_tables(TEXT)
    ent = tables["entities"].set_index("text")
    a, b = ent.loc["Alash", "entity_id"], ent.loc["Kazakh Congress", "entity_id"]
    ds = [
        Decision("merge", names.T_ENTITY_INDEX, "x", "2025-01-01T00:00:00Z", target_id=b, other_id=a),
        Decision(
            "edit",
            names.T_ENTITY_INDEX,
            "x",
            "2025-01-01T00:00:01Z",
            target_id=b,
            fields={"canonical": "Kazakh National Congress"},
        ),
        Decision(
            "split",
            names.T_ENTITIES,
            "x",
            "2025-01-01T00:00:02Z",
            target_id=ent.loc["Orenburg", "mention_id"],
            target=Anchor.of(TEXT, DOC, *span(TEXT, "Orenburg")),
        ),
    ]
    res = apply_decisions(tables, {DOC: TEXT}, ds)
    idx = res.tables["entity_index"].set_index("entity_id")
    assert idx.loc[b, "canonical"] == "Kazakh National Congress"
    assert sorted(idx.loc[b, "aliases"]) == ["Alash", "Kazakh Congress"] and a not in idx.index
    assert ent.loc["Orenburg", "entity_id"] not in idx.index
    assert set(res.decisions["outcome"]) == {"applied"}


def test_review_metrics_precision_per_source(ls_decisions, tmp_path):
    from pipeline.evaluate.review_metrics import review_metrics

    tables, decisions = ls_decisions
    res = apply_decisions(tables, {DOC: TEXT}, decisions)
    (tmp_path / "review").mkdir()
    for name, df in res.tables.items():
        df.to_parquet(tmp_path / f"{name}.parquet")
    res.rejected.to_parquet(tmp_path / "review" / "rejected.parquet")
    m = review_metrics(tmp_path)
    assert m["entities"]["rules"] == {"accepted": 1, "corrected": 2, "rejected": 1, "precision": 0.75}
    assert m["entities"]["added"] == 1 and m["events"]["added"] == 1


GROUPED = "Bukeikhanov led the Alash Orda. Alikhan Bukeikhanov and Baitursynov met in Semey, then Semipalatinsk.\n"


@pytest.fixture
def grouped_tables():
    """Two names of one man and of one town left apart, and another man wrongly grouped with the first."""
    from pipeline.consolidate import entity_index

    tables = make_tables(
        GROUPED,
        ents=[
            ("Bukeikhanov", "PERSON"),
            ("Alikhan Bukeikhanov", "PERSON"),
            ("Baitursynov", "PERSON"),
            ("Semey", "GPE"),
            ("Semipalatinsk", "GPE"),
        ],
        with_figure=False,
        event=None,
    )
    ent = tables["entities"]
    buk = ent.loc[ent["text"] == "Bukeikhanov", "entity_id"].iloc[0]
    ent.loc[ent["text"] == "Baitursynov", "entity_id"] = buk
    tables["entity_index"] = entity_index(ent)
    assert (
        tables["entity_index"].set_index("entity_id").loc[buk, "canonical"] == "Baitursynov"
    )  # the grouper's tie-break
    return tables


def eid(tables, quote):
    ent = tables["entities"]
    return ent.loc[ent["text"] == quote, "entity_id"].iloc[0]


def expected_index(tables, split_id):
    return [
        {
            "entity_id": eid(tables, "Bukeikhanov"),
            "canonical": "Alikhan Bukeikhanov",
            "label": "PERSON",
            "aliases": ["Alikhan Bukeikhanov", "Bukeikhanov"],
            "n_mentions": 2,
            "n_docs": 1,
        },
        {
            "entity_id": eid(tables, "Semey"),
            "canonical": "Semey",
            "label": "GPE",  # the name merged into stays
            "aliases": ["Semey", "Semipalatinsk"],
            "n_mentions": 2,
            "n_docs": 1,
        },
        {
            "entity_id": split_id,
            "canonical": "Baitursynov",
            "label": "PERSON",
            "aliases": ["Baitursynov"],
            "n_mentions": 1,
            "n_docs": 1,
        },
    ]


def index_rows(res):
    rows = res.tables["entity_index"].to_dict("records")
    return sorted(({**r, "aliases": list(r["aliases"])} for r in rows), key=lambda r: r["canonical"])


def test_review_labelstudio_merge_split_and_canonical(grouped_tables):
    from pipeline.consolidate import row_id

    tables = grouped_tables
    tasks, config = export_label_studio(tables, {DOC: GROUPED})
    assert '<Relation value="same_as"/>' in config and '<TextArea name="canonical"' in config
    result = copy.deepcopy(tasks[0]["predictions"][0]["result"])
    rid = {i["value"]["text"]: i["id"] for i in result if i["type"] == "labels"}
    for i in result:
        if i["id"] == rid["Bukeikhanov"] and i["from_name"] == "canonical":
            assert i["value"]["text"] == ["Baitursynov"]
            i["value"]["text"] = ["Alikhan Bukeikhanov"]  # rename the entity
    result += [
        {"from_id": rid[a], "to_id": rid[b], "type": "relation", "direction": "right", "labels": [rel]}
        for a, b, rel in [
            ("Alikhan Bukeikhanov", "Bukeikhanov", "same_as"),  # merge
            ("Semipalatinsk", "Semey", "same_as"),  # merge
            ("Baitursynov", "Bukeikhanov", "not_same"),  # split
            ("Semey", "Alikhan Bukeikhanov", "not_same"),
        ]
    ]  # already apart: nothing
    task = {
        **copy.deepcopy(tasks[0]),
        "annotations": [
            {"completed_by": {"email": "dana@example.org"}, "updated_at": "2025-04-01T09:00:00Z", "result": result}
        ],
    }
    decisions = import_label_studio(json.dumps([task]))
    assert sorted((d.action, d.table, d.target_id, d.other_id) for d in decisions if d.action != "accept") == sorted(
        [
            ("edit", "entity_index", eid(tables, "Bukeikhanov"), None),
            ("merge", "entity_index", eid(tables, "Bukeikhanov"), eid(tables, "Alikhan Bukeikhanov")),
            ("merge", "entity_index", eid(tables, "Semey"), eid(tables, "Semipalatinsk")),
            ("split", "entities", rid["Baitursynov"], None),
        ]
    )
    assert sum(d.action == "accept" for d in decisions) == 5
    res = apply_decisions(tables, {DOC: GROUPED}, decisions)
    assert set(res.decisions["outcome"]) == {"applied"}
    split = next(d for d in decisions if d.action == "split")
    assert index_rows(res) == sorted(
        expected_index(tables, row_id("E", "split", split.decision_id)), key=lambda r: r["canonical"]
    )


def test_review_csv_merge_split_and_canonical(grouped_tables):
    from pipeline.consolidate import row_id

    tables = grouped_tables
    sheet = export_sheet(tables, {DOC: GROUPED})
    df = pd.read_csv(__import__("io").StringIO(sheet), dtype=str, keep_default_na=False)
    mention = df["table"] == "entities"
    assert df.loc[mention & (df["quote"] == "Baitursynov"), ["entity_id", "canonical"]].values.tolist() == [
        [eid(tables, "Bukeikhanov"), "Baitursynov"]
    ]
    entity = df["table"] == "entity_index"
    assert sorted(df.loc[entity, "context"]) == [
        "aliases: Alikhan Bukeikhanov",
        "aliases: Baitursynov | Bukeikhanov",
        "aliases: Semey",
        "aliases: Semipalatinsk",
    ]
    df.loc[mention & (df["quote"] == "Baitursynov"), "decision"] = "split"
    df.loc[entity & (df["id"] == eid(tables, "Alikhan Bukeikhanov")), ["decision", "new_entity_id"]] = [
        "merge",
        eid(tables, "Bukeikhanov"),
    ]  # an entity into another
    df.loc[mention & (df["quote"] == "Semipalatinsk"), ["decision", "new_entity_id"]] = [
        "merge",
        eid(tables, "Semey"),
    ]  # a mention's entity into another
    df.loc[entity & (df["id"] == eid(tables, "Bukeikhanov")), ["decision", "new_fields"]] = [
        "fix",
        "canonical=Alikhan Bukeikhanov",
    ]
    decisions = import_sheet(df.to_csv(index=False), {DOC: GROUPED}, "erlan", "2025-04-02T00:00:00Z")
    assert sorted(d.action for d in decisions) == ["edit", "merge", "merge", "split"]
    res = apply_decisions(tables, {DOC: GROUPED}, decisions)
    assert set(res.decisions["outcome"]) == {"applied"}
    split = next(d for d in decisions if d.action == "split")
    assert index_rows(res) == sorted(
        expected_index(tables, row_id("E", "split", split.decision_id)), key=lambda r: r["canonical"]
    )


@pytest.mark.parametrize(
    "table, decision, extra, message",
    [
        ("entity_index", "merge", {}, "needs new_entity_id"),
        ("entity_index", "fix", {"new_fields": "label=ORG"}, "takes new_fields canonical="),
        ("entity_index", "reject", {}, "'reject' on an entity is not one of fix, merge"),
        ("figures", "split", {}, "'split' is not one of accept, reject, fix, add"),
    ],
)
def test_review_csv_entity_decision_errors(table, decision, extra, message):
    text = "In 1905 Orenburg had 1,200 delegates.\n"
    tables = make_tables(text, ents=[("Orenburg", "GPE")], event=None)
    df = pd.read_csv(__import__("io").StringIO(export_sheet(tables, {DOC: text})), dtype=str, keep_default_na=False)
    row = df["table"] == table
    df.loc[row, "decision"] = decision
    for k, v in extra.items():
        df.loc[row, k] = v
    with pytest.raises(ValueError, match=f"sheet:\\d+: .*{message}"):
        import_sheet(df.to_csv(index=False), {DOC: text}, "x")


FUZZY_OLD = (
    "The council met in Semipa-\nlatinsk region in 1917; the Kazakh Congres in Orenburg elected a board "
    "and the Alash Orda assembly of Turkestan followed.\n"
)
FUZZY_NEW = (
    "Preface.\n\nThe council met in Semipalatinsk region in 1917; the Kazakh Congress in Orenburg elected a "
    "board and the Turkestan autonomy followed.\n"
)  # dehyphenated, a typo fixed, a phrase rewritten


@pytest.mark.parametrize("threshold", ["params", 99])
def test_review_fuzzy_reanchoring_of_changed_quotes(params, threshold):
    threshold = params["review"]["fuzzy_threshold"] if threshold == "params" else threshold
    tables = make_tables(
        FUZZY_NEW,
        ents=[("Semipalatinsk region", "LOC"), ("the Kazakh Congress in Orenburg", "ORG")],
        with_figure=False,
        event=None,
    )

    def accept(quote: str, label: str) -> Decision:
        return Decision(
            "accept",
            names.T_ENTITIES,
            "a",
            "2025-03-01T00:00:00Z",
            target_id="Mold",
            target=Anchor.of(FUZZY_OLD, DOC, *span(FUZZY_OLD, quote)),
            seen={"label": label},
        )

    hyphen, typo = accept("Semipa-\nlatinsk region", "LOC"), accept("the Kazakh Congres in Orenburg", "ORG")
    rewritten = accept("the Alash Orda assembly of Turkestan", "ORG")
    res = apply_decisions(
        tables, {DOC: FUZZY_NEW}, [hyphen, typo, rewritten], {**params["review"], "fuzzy_threshold": threshold}
    )
    log = res.decisions.set_index("decision_id")
    if threshold == 99:  # neither changed quote is that close
        assert sorted(res.orphans["decision_id"]) == sorted(d.decision_id for d in (hyphen, typo, rewritten))
        return
    assert threshold == 90
    for d, quote in ((hyphen, "Semipalatinsk region"), (typo, "the Kazakh Congress in Orenburg")):
        r = log.loc[d.decision_id]
        assert (r["outcome"], r["anchor_method"], r["landed"], r["landed_text"]) == ("applied", "fuzzy", "row", quote)
        assert (r["start"], r["end"]) == span(FUZZY_NEW, quote)
        assert status_of(res.tables, "entities", quote, FUZZY_NEW)["review_status"] == names.ACCEPTED
    assert list(res.orphans["decision_id"]) == [rewritten.decision_id]
    assert "not found" in res.orphans["reason"].iloc[0]


@pytest.mark.parametrize(
    "text, start, end, quote, expected",
    [
        ("in Semipalatinsk region now", 1, 23, "Semipa-\nlatinsk region", "Semipalatinsk region"),  # window took "n "
        (
            "the Kazakh Congress in Orenburg.",
            0,
            30,
            "the Kazakh Congres in Orenburg",
            "the Kazakh Congress in Orenburg",
        ),
        ("Almaty 😀 in 1991", 0, 6, "Almaty", "Almaty"),
    ],
)
def test_review_refine_fuzzy_span_to_word_boundaries(text, start, end, quote, expected):
    s, e, score = anc.refine(text, quote, start, end)
    assert text[s:e] == expected


def test_review_relabel_and_move_keep_following_the_entity_grouping():
    # "Alash" relabelled ORG joins the ORG entity already named "Alash"; "Bukeikhanov in" moved to "Bukeikhanov"
    # joins the entity of another "Bukeikhanov" mention — the consolidated grouping, not a fresh text key.
    text = TEXT + "Alash and Bukeikhanov wrote.\n"
    second = text.index("Alash and")
    tables = make_tables(text)
    ent = tables["entities"]
    extra = pd.DataFrame(
        [
            {
                **ent.iloc[0].to_dict(),
                "mention_id": "M-alash-org",
                "entity_id": "E-alash-org",
                "text": "Alash",
                "label": "ORG",
                "start": second,
                "end": second + 5,
            },
            {
                **ent.iloc[0].to_dict(),
                "mention_id": "M-bukei",
                "entity_id": "E-bukei",
                "text": "Bukeikhanov",
                "label": "PERSON",
                "start": text.index("Bukeikhanov wrote"),
                "end": text.index("Bukeikhanov wrote") + 11,
            },
        ]
    )
    tables["entities"] = normalize_frame(names.T_ENTITIES, pd.concat([ent, extra], ignore_index=True))
    first = ent.set_index("text")
    ds = [
        Decision(
            "relabel",
            names.T_ENTITIES,
            "x",
            "2025-01-01T00:00:00Z",
            target_id=first.loc["Alash", "mention_id"],
            target=Anchor.of(text, DOC, *span(text, "Alash")),
            label="ORG",
        ),
        Decision(
            "move",
            names.T_ENTITIES,
            "x",
            "2025-01-01T00:00:01Z",
            target_id=first.loc["Bukeikhanov in", "mention_id"],
            target=Anchor.of(text, DOC, *span(text, "Bukeikhanov in")),
            span=Anchor.of(text, DOC, *span(text, "Bukeikhanov")),
        ),
    ]
    res = apply_decisions(tables, {DOC: text}, ds)
    out = res.tables["entities"].set_index("start")
    assert out.loc[text.index("Alash"), ["label", "entity_id"]].tolist() == ["ORG", "E-alash-org"]
    assert out.loc[text.index("Bukeikhanov"), ["text", "entity_id"]].tolist() == ["Bukeikhanov", "E-bukei"]


def test_decision_times_have_milliseconds_so_latest_is_defined_within_a_second():
    """Two annotators deciding on one row in the same second: the later one wins, not the larger id."""
    import re
    import time

    from pipeline.annotations.decisions import now, parse_time

    first = now()
    time.sleep(0.005)
    second = now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first)
    assert parse_time(first) < parse_time(second)
