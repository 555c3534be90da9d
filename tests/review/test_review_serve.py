"""``pipeline review serve``: the built-in review page, driven by a real headless Chromium."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import urllib.error
import urllib.request

import pandas as pd
import pytest
from browser import CHROMIUM, chromium
from conftest import RAW

from pipeline import load_dataset
from pipeline.annotations.decisions import read_decisions
from pipeline.core import names
from pipeline.review.serve import ReviewSession, make_server
from pipeline.run import run

DOC = "004_079214a4568c4b32"


def _status(url: str, data: bytes | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@contextlib.contextmanager
def serving(session: ReviewSession):
    """The review server on a free localhost port, in a thread; shut down on exit. Yields its URL (with token)."""
    httpd, url = make_server(session, 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield url
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.browser
def test_review_page_writes_anchored_decisions_that_apply(tmp_path, params):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests")
    from playwright.sync_api import expect

    raw, out, work, reviews = tmp_path / "raw", tmp_path / "outputs", tmp_path / "data", tmp_path / "reviews"
    raw.mkdir()
    shutil.copy(RAW / f"{DOC}.txt", raw)
    assert run(raw, out, work, params, reviews=reviews) == 0
    data = load_dataset(out)
    text = (out / "texts" / f"{DOC}.txt").read_text(encoding="utf-8")
    sha = data[names.T_DOCUMENTS].set_index("doc_id").loc[DOC, "sha256"]
    ents = data[names.T_ENTITIES]
    ent_ok, ent_bad = ents.iloc[0], ents.iloc[1]
    fig = data[names.T_FIGURES].iloc[0]
    new_value = float(fig["value"]) + 20

    session = ReviewSession(out, reviews, "tester")
    with serving(session) as url:
        base = url.split("?")[0]
        # no token, a wrong token: 403 for the page, the API and a POST
        assert _status(base) == 403
        assert _status(base + "api/docs?token=wrong") == 403
        assert _status(base + "api/decide", b'{"action":"accept"}') == 403
        assert url.startswith("http://127.0.0.1:")

        with chromium() as browser:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            expect(page.locator("body")).to_have_attribute("data-ready", DOC, timeout=10_000)
            assert page.locator("#list li").count() == len(ents) + len(data[names.T_FIGURES]) + len(
                data[names.T_EVENTS]
            )
            expect(page.locator("#pageview")).to_be_hidden()  # a text document: no page image

            def pick(table: str, row_id: str) -> None:
                page.click(f"#list li[data-key='{table}:{row_id}']")

            def saved(row_id: str) -> None:
                expect(page.locator("#msg")).to_contain_text(f"{row_id} saved", timeout=5_000)

            pick(names.T_ENTITIES, ent_ok["mention_id"])
            page.keyboard.press("a")
            saved(ent_ok["mention_id"])
            pick(names.T_ENTITIES, ent_ok["mention_id"])
            page.keyboard.press("j")  # the next extraction in document order
            assert "sel" in (page.locator("#list li").nth(1).get_attribute("class") or "")
            pick(names.T_ENTITIES, ent_bad["mention_id"])
            page.keyboard.press("r")
            saved(ent_bad["mention_id"])
            pick(names.T_FIGURES, fig["figure_id"])
            page.fill("#f-value", f"{new_value:g}")
            page.click("#save-fields")
            saved(fig["figure_id"])
            assert (
                page.locator(f"#list li[data-key='entities:{ent_bad['mention_id']}']")
                .get_attribute("class")
                .startswith("rej")
            )
            assert not errors, errors

    files = list(reviews.rglob("*.jsonl"))
    assert [f.parent.name for f in files] == ["tester"]
    ds = read_decisions(files[0])
    assert [(d.action, d.table, d.target_id) for d in ds] == [
        ("accept", names.T_ENTITIES, ent_ok["mention_id"]),
        ("reject", names.T_ENTITIES, ent_bad["mention_id"]),
        ("edit", names.T_FIGURES, fig["figure_id"]),
    ]
    assert ds[2].fields == {"value": new_value}
    for d, row in zip(ds, (ent_ok, ent_bad, fig)):
        s, e = int(row["start"]), int(row["end"])
        a = d.target
        assert (a.doc_id, a.sha256, a.start, a.end, a.quote) == (DOC, sha, s, e, text[s:e])
        # at least 32 code points of context each side (more where the words repeat nearby: Anchor.of)
        assert a.prefix == text[max(0, s - len(a.prefix)) : s] and len(a.prefix) >= min(32, s)
        assert a.suffix == text[e : e + len(a.suffix)] and len(a.suffix) >= min(32, len(text) - e)
        assert d.author == "tester"
    assert ds[0].seen["label"] == ent_ok["label"]

    # apply: the whole pipeline again with the decisions
    out2 = tmp_path / "outputs2"
    assert run(raw, out2, work, params, reviews=reviews) == 0
    after = load_dataset(out2)
    e2 = after[names.T_ENTITIES].set_index("mention_id")
    assert e2.loc[ent_ok["mention_id"], "review_status"] == names.ACCEPTED
    assert ent_bad["mention_id"] not in e2.index
    rejected = pd.read_parquet(out2 / "review" / "rejected.parquet")
    assert ent_bad["mention_id"] in set(rejected.astype(str).stack())
    f2 = after[names.T_FIGURES].set_index("figure_id").loc[fig["figure_id"]]
    assert f2["review_status"] == names.CORRECTED and float(f2["value"]) == new_value
    log = pd.read_parquet(out2 / "review" / "decisions.parquet")
    assert list(log["outcome"]) == ["applied"] * 3, json.dumps(log.astype(str).to_dict("records"))[:2000]


@pytest.mark.browser
def test_review_page_shows_pdf_page_with_span_box(tmp_path, params):
    """A PDF document: the selected extraction's page is rendered and its box drawn at the scaled position."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests")
    import pdfs
    from playwright.sync_api import expect

    raw, out, work = tmp_path / "raw", tmp_path / "outputs", tmp_path / "data"
    raw.mkdir()
    pdfs.two_column_paper(raw / "paper.pdf", pages=2)  # the table on page 2
    assert run(raw, out, work, params, reviews=tmp_path / "reviews") == 0
    data = load_dataset(out)
    (doc_id,), (n_pages,) = data[names.T_DOCUMENTS]["doc_id"], data[names.T_DOCUMENTS]["n_pages"]
    assert n_pages == 3  # two of body, one of references
    spans = pd.concat(
        [
            data[names.T_ENTITIES].assign(key="entities:" + data[names.T_ENTITIES]["mention_id"]),
            data[names.T_FIGURES].assign(key="figures:" + data[names.T_FIGURES]["figure_id"]),
        ]
    )
    spans = spans.dropna(subset=["page"]).sort_values(["page", "start"])
    first, last = spans.iloc[0], spans.iloc[-1]
    assert (first["page"], last["page"]) == (1, 2)  # the image changes with the selection

    session = ReviewSession(out, tmp_path / "reviews", "tester", raw=raw)
    with serving(session) as url:
        base, token = url.split("?")
        assert _status(f"{base}api/page?doc_id={doc_id}&page=1") == 403
        assert _status(f"{base}api/page?doc_id={doc_id}&page=9&{token}") == 404
        with urllib.request.urlopen(f"{base}api/page?doc_id={doc_id}&page=1&{token}", timeout=10) as r:
            assert r.headers["Content-Type"] == "image/png" and r.read(8) == b"\x89PNG\r\n\x1a\n"
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            expect(page.locator("body")).to_have_attribute("data-ready", doc_id, timeout=10_000)
            for row in (last, first):
                page.click(f"#list li[data-key='{row['key']}']")
                box = page.locator("#spanbox")
                expect(box).to_have_attribute("data-key", row["key"], timeout=10_000)
                expect(box).to_be_visible()
                assert page.eval_on_selector("#pageimg", "i => i.naturalWidth") > 0
                assert page.get_attribute("#pageimg", "data-page") == str(int(row["page"]))
                assert f"page {int(row['page'])} of 3" in page.inner_text("#pagecap")
                img, drawn = page.locator("#pageimg").bounding_box(), box.bounding_box()
                k = img["width"] / pdfs.W  # A4: the page width in PDF points
                assert abs(img["height"] / pdfs.H - k) < 0.01
                expected = {
                    "x": img["x"] + row["x0"] * k,
                    "y": img["y"] + row["top"] * k,
                    "width": (row["x1"] - row["x0"]) * k,
                    "height": (row["bottom"] - row["top"]) * k,
                }
                for dim, v in expected.items():
                    assert abs(drawn[dim] - v) <= 1.5, (dim, drawn, expected)
            assert not errors, errors


def test_review_pages_render_and_refuse_changed_or_missing_pdf(tmp_path):
    import pdfs

    from pipeline.core.incremental import sha256_file
    from pipeline.review.pages import SCALE, PageImages

    pdf = pdfs.image_only(tmp_path / "scan.pdf")
    pages = PageImages({"d": (pdf, sha256_file(pdf)), "gone": (tmp_path / "missing.pdf", None)})
    assert pages.problem("d") is None
    assert [(round(w, 1), round(h, 1)) for w, h in pages.sizes("d")] == [(round(pdfs.W, 1), round(pdfs.H, 1))]
    png = pages.png("d", 1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and pages.png("d", 1) is png  # cached
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (round(pdfs.W * SCALE), round(pdfs.H * SCALE))
    with pytest.raises(KeyError, match="has no page 2"):
        pages.png("d", 2)
    assert "missing.pdf not found" in pages.problem("gone") and pages.sizes("gone") == []
    assert pages.problem("other") == "not a PDF document"
    changed = PageImages({"d": (pdf, "0" * 64)})
    with pytest.raises(KeyError, match="changed since the run"):
        changed.png("d", 1)
