"""The review layer under hostile conditions (issue 13): every finding reproduced, with its clear outcome.

Placement that would rather orphan than misplace, decisions validated on the way in whatever the
route (JSONL, sheet, Label Studio, page), and the review server against malformed and parallel requests.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from conftest import ROOT

from pipeline.annotations import placement as anc
from pipeline.annotations.decisions import (
    Anchor,
    Decision,
    InvalidDecision,
    append_decisions,
    load_decisions,
    read_decisions,
)
from pipeline.consolidate import row_id
from pipeline.consolidate.grouping import entity_id
from pipeline.core import names
from pipeline.core.schema import normalize_frame
from pipeline.review.apply import apply, apply_decisions
from pipeline.review.csvsheet import export_sheet, import_sheet
from pipeline.review.labelstudio import export_label_studio, import_label_studio
from pipeline.review.serve import REQUEST_QUEUE_SIZE, ReviewSession, make_server

DOC = "d"
WHEN = "2025-03-01T10:00:00Z"


def at(text: str, quote: str, nth: int = 0) -> tuple[int, int]:
    """The span of the ``nth`` occurrence of ``quote`` in ``text``, found independently of the placement code."""
    s = -1
    for _ in range(nth + 1):
        s = text.index(quote, s + 1)
    return s, s + len(quote)


def mention(text: str, quote: str, label: str, nth: int = 0, doc: str = DOC) -> dict:
    s, e = at(text, quote, nth)
    return {
        "mention_id": row_id("M", doc, s, e, label),
        "doc_id": doc,
        "entity_id": entity_id(label, quote),
        "text": quote,
        "label": label,
        "start": s,
        "end": e,
        "section": names.SEC_BODY,
        "sources": [names.SRC_RULES],
        "score": 0.9,
        "review_status": names.UNREVIEWED,
    }


def tables_of(mentions: list[dict], figures: list[dict] = (), doc: str = DOC) -> dict[str, pd.DataFrame]:
    index = [
        {"entity_id": m["entity_id"], "canonical": m["text"], "label": m["label"], "aliases": [m["text"]]}
        for m in mentions
    ]
    return {
        names.T_DOCUMENTS: normalize_frame(names.T_DOCUMENTS, pd.DataFrame([{"doc_id": doc, "sha256": "s"}])),
        names.T_ENTITIES: normalize_frame(names.T_ENTITIES, pd.DataFrame(mentions)),
        names.T_ENTITY_INDEX: normalize_frame(names.T_ENTITY_INDEX, pd.DataFrame(index).drop_duplicates("entity_id")),
        names.T_FIGURES: normalize_frame(names.T_FIGURES, pd.DataFrame(list(figures))),
        names.T_EVENTS: normalize_frame(names.T_EVENTS, pd.DataFrame()),
    }


def decision(action: str, text: str, row: dict, **kw) -> Decision:
    return Decision(
        action,
        names.T_ENTITIES,
        "alice",
        kw.pop("created", WHEN),
        target_id=row["mention_id"],
        target=Anchor.of(text, row["doc_id"], row["start"], row["end"]),
        seen={"label": row["label"]},
        **kw,
    )


# --- 1. placement: rather orphaned than misplaced ----------------------------------------------------------


def test_hostile_locate_never_inside_a_longer_word():
    placed = anc.locate("Kazakhstan grew.", Anchor.of("The Kazakh diaspora.\n\nKazakhstan grew.", "d", 4, 10))
    assert placed is None  # was 0..6, inside "Kazakhstan"


MINISTRY = (
    "Protesters gathered near the consulate in Almaty, and also in front of the Ministry of Foreign Affairs, "
    "Bank of China and the U.N. office.\n\n"
    "According to the Ministry of Foreign Affairs, the lack of comment is explained by non-interference.\n"
)


def test_hostile_reject_of_a_repeated_name_is_orphaned_when_its_words_are_gone():
    first, second = (
        mention(MINISTRY, "Ministry of Foreign Affairs", "ORG", 0),
        mention(MINISTRY, "Ministry of Foreign Affairs", "ORG", 1),
    )
    reject = decision("reject", MINISTRY, first)
    edited = MINISTRY.replace("and also in front of the Ministry of Foreign Affairs, ", "and also ")
    kept = mention(edited, "Ministry of Foreign Affairs", "ORG", 0)  # the second mention, the only one now
    res = apply_decisions(tables_of([kept]), {DOC: edited}, [reject])
    log = res.decisions.iloc[0]
    assert (log["outcome"], log["landed_id"]) == ("orphaned", None)
    assert res.rejected.empty
    row = res.tables[names.T_ENTITIES].iloc[0]
    assert (row["start"], row["end"], row["review_status"]) == (
        *at(edited, "Ministry of Foreign Affairs"),
        "unreviewed",
    )
    assert second["text"] == row["text"]


FOOTNOTES = (
    "The census counted the diaspora.[1] Later counts differ.[2]\n\n"
    "1 Data of the Agency of Statistics of Kazakhstan, 1999 census report.\n"
    "2 Data of the Agency of Statistics of Kazakstan, 2009 census report.\n"
)


def test_hostile_footnote_typo_fix_lands_on_its_own_footnote():
    old = mention(FOOTNOTES, "Agency of Statistics of Kazakstan", "ORG")
    accept = decision("accept", FOOTNOTES, old)
    fixed = FOOTNOTES.replace("Kazakstan", "Kazakhstan")
    one, two = (mention(fixed, "Agency of Statistics of Kazakhstan", "ORG", n) for n in (0, 1))
    res = apply_decisions(tables_of([one, two]), {DOC: fixed}, [accept])
    log = res.decisions.iloc[0]
    assert (log["outcome"], log["anchor_method"], log["landed_id"]) == ("applied", "fuzzy", two["mention_id"])
    assert (log["start"], log["end"]) == at(fixed, "Agency of Statistics of Kazakhstan", 1)
    statuses = res.tables[names.T_ENTITIES].set_index("mention_id")["review_status"]
    assert statuses.to_dict() == {one["mention_id"]: "unreviewed", two["mention_id"]: "accepted"}  # no new row


def test_hostile_footnote_typo_fix_with_its_footnote_gone_is_orphaned():
    old = mention(FOOTNOTES, "Agency of Statistics of Kazakstan", "ORG")
    gone = FOOTNOTES.replace("2 Data of the Agency of Statistics of Kazakstan, 2009 census report.\n", "")
    one = mention(gone, "Agency of Statistics of Kazakhstan", "ORG")
    res = apply_decisions(tables_of([one]), {DOC: gone}, [decision("accept", FOOTNOTES, old)])
    assert list(res.decisions["outcome"]) == ["orphaned"] and len(res.tables[names.T_ENTITIES]) == 1


RELABEL_TEXT = "The delegation of Alash went to Orenburg in 1917.\n"


def test_hostile_relabel_placed_again_after_the_extractor_changed_its_label_is_one_row():
    was_org = mention(RELABEL_TEXT, "Orenburg", "ORG")
    relabel = decision("relabel", RELABEL_TEXT, was_org, label="GPE")
    now_gpe = mention(RELABEL_TEXT, "Orenburg", "GPE")  # the extractor's own label changed: a new id
    res = apply_decisions(tables_of([now_gpe]), {DOC: RELABEL_TEXT}, [relabel])
    rows = res.tables[names.T_ENTITIES]
    assert rows[["mention_id", "label", "start", "end"]].values.tolist() == [
        [now_gpe["mention_id"], "GPE", *at(RELABEL_TEXT, "Orenburg")]
    ]
    log = res.decisions.iloc[0]
    assert (log["outcome"], log["landed"], log["landed_id"]) == ("applied", "row", now_gpe["mention_id"])
    assert "already has the label GPE" in log["reason"]
    assert rows["review_status"].tolist() == [names.ACCEPTED]  # confirmed, nothing corrected


def test_hostile_move_to_boundaries_the_extractor_now_finds_is_one_row():
    wide = mention(RELABEL_TEXT, "Orenburg in", "GPE")
    move = decision("move", RELABEL_TEXT, wide, span=Anchor.of(RELABEL_TEXT, DOC, *at(RELABEL_TEXT, "Orenburg")))
    narrow = mention(RELABEL_TEXT, "Orenburg", "GPE")
    res = apply_decisions(tables_of([narrow]), {DOC: RELABEL_TEXT}, [move])
    assert res.tables[names.T_ENTITIES][["mention_id", "text"]].values.tolist() == [[narrow["mention_id"], "Orenburg"]]


@pytest.mark.parametrize(
    "old, new, quote, nth_old, nth_new, method",
    [
        # position: nothing changed
        ("Kazakhs of Mongolia and China.", "Kazakhs of Mongolia and China.", "Mongolia", 0, 0, "position"),
        # quote: a paragraph inserted above
        ("Kazakhs of Mongolia and China.", "Preface.\n\nKazakhs of Mongolia and China.", "Mongolia", 0, 0, "quote"),
        # quote: of two occurrences, the one whose context agrees
        (
            "In Mongolia. The Kazakhs of Mongolia and China met.",
            "Preface.\n\nIn Mongolia. The Kazakhs of Mongolia and China met.",
            "Mongolia",
            1,
            1,
            "quote",
        ),
        # whitespace: re-flowed
        ("the Kazakh Congress in Orenburg met", "the Kazakh\nCongress in Orenburg met", "Kazakh Congress", 0, 0, None),
        # fuzzy: a typo fixed
        ("the Kazakh Congres in Orenburg met", "the Kazakh Congress in Orenburg met", "Kazakh Congres", 0, 0, None),
    ],
)
def test_hostile_every_placement_method_exact_offsets(old, new, quote, nth_old, nth_new, method):
    a = Anchor.of(old, DOC, *at(old, quote, nth_old))
    placed = anc.locate(new, a)
    expected_quote = {"Kazakh Congress": "Kazakh\nCongress", "Kazakh Congres": "Kazakh Congress"}.get(quote, quote)
    assert (placed.start, placed.end) == at(new, expected_quote, nth_new)
    assert placed.method == (method or {"Kazakh Congress": "whitespace", "Kazakh Congres": "fuzzy"}[quote])


@pytest.mark.parametrize(
    "old, new, quote",
    [
        ("The Kazakh diaspora.\n\nKazakhstan grew.", "Kazakhstan grew.", "Kazakh"),  # quote: only inside a word
        (
            "Kazakhs in Orenburg met.\n",
            "Preface.\n\nKazakhs in Orenburg met.\n\nKazakhs in Orenburg met.\n",
            "Orenburg",
        ),  # quote: a paragraph repeated, two places agree equally
        ("The Kazakh Congress met in 1905.", "Later the Kazakh Congress was banned.", "Kazakh Congress"),  # context
        ("the Kazakh\nCongress met.", "A list: Kazakh Congress, Alash.", "Kazakh\nCongress"),  # whitespace, context
        (
            "the Kazakh Congres in Orenburg met",
            "Sources: Kazakh Congress; Alash Orda.",
            "Kazakh Congres",
        ),  # fuzzy, context
    ],
)
def test_hostile_every_placement_method_orphans_rather_than_misplaces(old, new, quote):
    assert anc.locate(new, Anchor.of(old, DOC, *at(old, quote))) is None


# --- 2. decisions validated on the way in --------------------------------------------------------------------

GOOD = {
    "action": "relabel",
    "table": "entities",
    "author": "alice",
    "created": WHEN,
    "label": "GPE",
    "target_id": "M1",
    "target": {"doc_id": DOC, "quote": "Orenburg", "start": 32, "end": 40, "prefix": "went to ", "suffix": " in"},
}


def bad(**change) -> dict:
    d = json.loads(json.dumps(GOOD))
    for k, v in change.items():
        if k.startswith("target."):
            d["target"][k.split(".", 1)[1]] = v
        else:
            d[k] = v
    return d


@pytest.mark.parametrize(
    "line, message",
    [
        (bad(label="BOGUS"), "label 'BOGUS' is not one of PERSON, ORG, GPE, LOC, NORP, LAW, EVENT, FAC"),
        (
            bad(action="edit", table="figures", label=None, fields={"kind": "weird_kind"}),
            "field kind: 'weird_kind' is not one of count, percent",
        ),
        (bad(created=12345), "created must be a timestamp string, not 12345: write an ISO 8601 timestamp"),
        (bad(created="yesterday"), "created 'yesterday' is not a timestamp: write an ISO 8601 timestamp"),
        (
            bad(action="edit", table="figures", label=None, fields={"value": "twelve"}),
            "field value: 'twelve' is not a number (write it as 1200 or 3.5)",
        ),
        (
            bad(action="edit", table="figures", label=None, fields={"value": "NaN"}),
            "field value: 'NaN' is not a finite number",
        ),
        (bad(**{"target.start": "abc"}), "anchor start must be an integer (code points), not 'abc'"),
        (bad(author=None), "author must be the annotator's name (a non-empty string), not None"),
        (bad(author=""), "author must be the annotator's name (a non-empty string), not ''"),
        (
            bad(**{"target.start": -50, "target.end": 10**9}),
            "anchor offsets -50..1000000000 are not 0 <= start <= end",
        ),
        (
            bad(**{"target.start": 0, "target.end": 10**9}),
            "anchor offsets 0..1000000000 do not span its quote of 8 code points",
        ),
        (bad(kind="weird"), "unknown keys kind"),
        (bad(action="approve"), "unknown action 'approve'"),
        (bad(label=["GPE"]), "label must be a string or absent, not ['GPE']"),
    ],
)
def test_hostile_jsonl_bad_line_is_skipped_with_file_line_and_fix(tmp_path, line, message):
    good = bad()
    path = tmp_path / "alice" / "s.jsonl"
    path.parent.mkdir()
    path.write_text(json.dumps(good) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    invalid = []
    loaded = load_decisions(tmp_path, invalid)
    assert [d.label for d, _ in loaded] == ["GPE"]  # the good line goes on
    assert len(invalid) == 1 and str(invalid[0]).startswith("alice/s.jsonl:2: bad decision: ")
    assert message in invalid[0].error
    with pytest.raises(InvalidDecision, match=r"s.jsonl:2: bad decision"):
        read_decisions(path)  # without a list to collect into: the same message, raised


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "not JSON"),
        ("[" * 40_000 + "]" * 40_000, "bad decision"),
        ('{"value": NaN}', "NaN is not a number JSON allows"),
        ("[1, 2]", "a decision is a JSON object, not list"),
    ],
)
def test_hostile_jsonl_malformed_lines_never_a_traceback(tmp_path, raw, message):
    (tmp_path / "x.jsonl").write_text(raw + "\n", encoding="utf-8")
    invalid = []
    assert load_decisions(tmp_path, invalid) == []
    assert [(i.file, i.line) for i in invalid] == [("x.jsonl", 1)] and message in invalid[0].error


def test_hostile_review_stage_lists_invalid_lines_in_the_audit_and_applies_the_rest(tmp_path):
    from conftest import ingest_text

    text = RELABEL_TEXT
    (tmp_path / "raw").mkdir()
    doc = ingest_text(text, "d.txt", tmp_path / "raw")
    tables_dir, ingest_dir, reviews = tmp_path / "tables", tmp_path / "ingest", tmp_path / "reviews"
    tables_dir.mkdir(), ingest_dir.mkdir(), (reviews / "alice").mkdir(parents=True)
    (ingest_dir / f"{doc.doc_id}.json").write_text(doc.to_json(), encoding="utf-8")
    row = mention(doc.text, "Orenburg", "ORG", doc=doc.doc_id)
    for name, df in tables_of([row], doc=doc.doc_id).items():
        df.to_parquet(tables_dir / f"{name}.parquet")
    good = decision("relabel", doc.text, row, label="GPE")
    lines = [
        json.dumps(good.to_dict()),
        json.dumps({**good.to_dict(), "label": "BOGUS", "decision_id": "Dbogus"}),
        json.dumps({**good.to_dict(), "created": 12345, "decision_id": "Dcreated"}),
    ]
    (reviews / "alice" / "s.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = apply(tables_dir, ingest_dir, reviews, tmp_path / "out")
    log = pd.read_parquet(tmp_path / "out" / "review" / "decisions.parquet")
    assert log[["decision_id", "outcome", "file"]].values.tolist() == [
        [good.decision_id, "applied", "alice/s.jsonl"],
        ["Dbogus", "invalid", "alice/s.jsonl:2"],
        ["Dcreated", "invalid", "alice/s.jsonl:3"],
    ]
    assert "label 'BOGUS' is not one of" in log.loc[1, "reason"] and log.loc[1, "decision"] == lines[1]
    assert pd.read_parquet(tmp_path / "out" / "entities.parquet")["label"].tolist() == ["GPE"]
    assert "1 applied, 2 invalid" in res.summary() and "invalid alice/s.jsonl:2: bad decision" in res.summary()


FIGURE_TEXT = "In 1905 the Kazakh Congress met in Orenburg with 1,200 delegates.\n"


def sheet_tables() -> dict[str, pd.DataFrame]:
    s, e = at(FIGURE_TEXT, "1,200 delegates")
    fig = {"figure_id": "F1", "doc_id": DOC, "text": FIGURE_TEXT[s:e], "start": s, "end": e, "value": 1200.0}
    fig.update({"kind": "count", "review_status": names.UNREVIEWED})
    return tables_of([mention(FIGURE_TEXT, "Orenburg", "GPE")], [fig])


@pytest.mark.parametrize(
    "quote, cells, message",
    [
        ("Orenburg", {"decision": "fix", "new_label": "BOGUS"}, "label 'BOGUS' is not one of PERSON, ORG"),
        ("1,200 delegates", {"decision": "fix", "new_fields": "kind=weird_kind"}, "field kind: 'weird_kind'"),
        ("1,200 delegates", {"decision": "fix", "new_fields": "value=many"}, "field value: 'many' is not a number"),
        ("Orenburg", {"decision": "accept", "start": "abc"}, "start 'abc' is not an integer"),
        ("Orenburg", {"decision": "fix", "new_start": "-50", "new_end": "1000000000"}, "is not within the text"),
        (
            "Orenburg",
            {"decision": "add", "start": "-50", "end": "1000000000"},
            "start..end -50..1000000000 is not within",
        ),
    ],
)
def test_hostile_sheet_bad_row_names_its_line_and_imports_nothing(quote, cells, message):
    df = pd.read_csv(
        __import__("io").StringIO(export_sheet(sheet_tables(), {DOC: FIGURE_TEXT})), dtype=str, keep_default_na=False
    )
    spans = df["table"] != names.T_ENTITY_INDEX
    df.loc[spans & (df["quote"] == "Orenburg"), "decision"] = "accept"  # a good row: not imported either
    row = spans & (df["quote"] == quote)
    for k, v in cells.items():
        df.loc[row, k] = v
    line = int(df.index[row][0]) + 2
    with pytest.raises(ValueError) as e:
        import_sheet(df.to_csv(index=False), {DOC: FIGURE_TEXT}, "carol", WHEN, source="sheet.csv")
    assert f"sheet.csv:{line}: " in str(e.value) and message in str(e.value)
    assert "nothing imported" in str(e.value)


def test_hostile_labelstudio_bogus_label_is_refused_with_task_and_annotation():
    tasks, _ = export_label_studio(sheet_tables(), {DOC: FIGURE_TEXT})
    result = json.loads(json.dumps(tasks[0]["predictions"][0]["result"]))
    for item in result:
        if item["type"] == "labels" and item["value"]["text"] == "Orenburg":
            item["value"]["labels"] = ["BOGUS"]
    task = {
        **tasks[0],
        "id": 7,
        "annotations": [{"completed_by": {"email": "a@x"}, "updated_at": WHEN, "result": result}],
    }
    with pytest.raises(ValueError, match=r"ls.json: task 7, annotation 1: label 'BOGUS' is not one of PERSON"):
        import_label_studio([task], source="ls.json")
    with pytest.raises(ValueError, match=r"ls.json: not JSON"):
        import_label_studio("{oops", source="ls.json")


# --- 3. the review server --------------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """A real review server on 127.0.0.1 over a tiny published dataset; yields (host, port, token, session)."""
    out = tmp_path / "outputs"
    (out / "texts").mkdir(parents=True)
    (out / "texts" / f"{DOC}.txt").write_text(FIGURE_TEXT, encoding="utf-8")
    (out / "datapackage.json").write_text('{"resources": []}', encoding="utf-8")
    tables = sheet_tables()
    tables[names.T_DOCUMENTS] = normalize_frame(
        names.T_DOCUMENTS, pd.DataFrame([{"doc_id": DOC, "sha256": "s", "format": "txt", "source": "d.txt"}])
    )
    for name, df in tables.items():
        df.to_parquet(out / f"{name}.parquet")
    session = ReviewSession(out, tmp_path / "reviews", "tester", raw=tmp_path)
    httpd, url = make_server(session, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", httpd.server_address[1], url.split("token=")[1], session
    finally:
        httpd.shutdown()
        httpd.server_close()


def post(server, body: bytes, headers: dict | None = None) -> tuple[int, dict]:
    host, port, token, _ = server
    conn = http.client.HTTPConnection(host, port, timeout=15)
    with contextlib.closing(conn):
        conn.putrequest("POST", f"/api/decide?token={token}")
        for k, v in {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}.items():
            conn.putheader(k, v)
        conn.endheaders()
        conn.send(body)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"{}")


def written(session: ReviewSession) -> list[str]:
    return session.path.read_text(encoding="utf-8").splitlines() if session.path.exists() else []


@pytest.mark.parametrize(
    "body, headers, status, message",
    [
        (b"[" * 30_000 + b"]" * 30_000, {}, 400, "malformed JSON: nested too deeply"),
        (b"{not json", {}, 400, "Expecting property name"),
        (b'{"action": "edit", "table": "figures", "id": "F1", "fields": {"value": NaN}}', {}, 400, "NaN is not a"),
        (b'{"action": "edit", "table": "figures", "id": "F1", "fields": {"value": 1e999}}', {}, 400, "not a finite"),
        (b'{"action": "edit", "table": "figures", "id": "F1", "fields": {"value": "Infinity"}}', {}, 400, "finite"),
        (
            b'{"action": "edit", "table": "figures", "id": "F1", "fields": {"value": [1]}}',
            {},
            400,
            "string or a number",
        ),
        (b'{"action": "relabel", "table": "figures", "id": "F1", "label": "BOGUS"}', {}, 400, "not one of count"),
        (b'{"action": ["accept"], "table": "figures", "id": "F1"}', {}, 400, "action must be one of"),
        (b'{"action": "accept", "table": "figures", "id": {"x": 1}}', {}, 400, "id must be the row's id"),
        (b'{"action": "accept", "table": "figures", "id": "F1", "note": 5}', {}, 400, "note must be a string"),
        (b"[1]", {}, 400, "a JSON object is expected"),
        (b'{"action": "accept"}', {"Content-Length": "-1"}, 400, "Content-Length must be"),
        (b'{"action": "accept"}', {"Content-Length": "abc"}, 400, "Content-Length must be"),
        (b'{"action": "accept"}', {"Content-Length": str(10**9)}, 413, "too large"),
    ],
)
def test_hostile_server_refuses_malformed_requests_and_writes_nothing(server, body, headers, status, message):
    code, answer = post(server, body, headers)
    assert code == status and message in answer["error"], answer
    assert written(server[3]) == []
    assert post(server, b'{"action": "accept", "table": "figures", "id": "F1"}')[0] == 200  # still serving


def test_hostile_server_accepts_a_burst_of_parallel_posts(server):
    assert REQUEST_QUEUE_SIZE >= 64
    bodies = [
        json.dumps({"action": "edit", "table": "figures", "id": "F1", "fields": {"value": 1000 + i}}).encode()
        for i in range(20)
    ]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda b: post(server, b), bodies))
    assert [code for code, _ in answers] == [200] * 20
    lines = [json.loads(x) for x in written(server[3])]
    assert sorted(x["fields"]["value"] for x in lines) == [1000.0 + i for i in range(20)]
    assert sorted(a["decision_id"] for _, a in answers) == sorted(x["decision_id"] for x in lines)
    assert all("NaN" not in x and "Infinity" not in x for x in written(server[3]))


def test_hostile_server_keeps_the_token_defence(server):
    host, port, _, session = server
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("POST", "/api/decide?token=wrong", body=b"{}", headers={"Content-Type": "application/json"})
    assert conn.getresponse().status == 403 and written(session) == []
    conn.close()


def test_hostile_page_is_package_data_and_self_contained():
    from pipeline.review.handler import page

    html = page().decode("utf-8")
    assert html.startswith("<!doctype html>") and 'id="list"' in html
    assert "http://" not in html and "https://" not in html  # no external URL
    assert ROOT.joinpath("pipeline/review/static/review.html").read_bytes() == page()


def test_hostile_append_never_writes_non_finite_numbers(tmp_path):
    with pytest.raises(InvalidDecision, match="not a finite number"):
        Decision("edit", names.T_FIGURES, "a", WHEN, target_id="F1", fields={"value": float("nan")})
    d = Decision("edit", names.T_FIGURES, "a", WHEN, target_id="F1", fields={"value": "1,300"})
    assert d.fields == {"value": 1300.0}
    append_decisions(tmp_path / "x.jsonl", [d])
    assert json.loads((tmp_path / "x.jsonl").read_text())["fields"] == {"value": 1300.0}
