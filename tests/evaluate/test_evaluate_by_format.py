"""``evaluate`` scores text papers on the dev documents and PDFs on the annotated pages of gold/pdfs.

Hand-built predictions and gold files (in tmp_path), exact scores; the real PDF gold checked by its
own validator; the ``pdf-run`` command's skip and SHA-256 checks on the real PDFs of ../shared/pdfs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from pipeline.evaluate import main as evaluate
from pipeline.evaluate import pdf_gold

# ../shared/pdfs beside the checkout, or beside the folder of a git worktree
SHARED_PDFS = next(
    (p for p in (ROOT.parent / "shared" / "pdfs", ROOT.parent.parent / "shared" / "pdfs") if p.is_dir()),
    ROOT.parent / "shared" / "pdfs",
)
needs_pdfs = pytest.mark.skipif(not SHARED_PDFS.is_dir(), reason=f"{SHARED_PDFS} not found (the real PDFs)")

DEV, TRAIN, PDF = "003_dev", "000_train", "paper"
SHA = "ab" * 32
PARAMS = {"dev_docs": [DEV]}


def jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def parquet(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=columns).to_parquet(path, index=False)


ENT = ["doc_id", "text", "label", "start", "page", "score"]
CAND = ["doc_id", "page", "start", "end", "text", "label", "source"]
FIG = ["doc_id", "text", "start", "page", "value", "low", "high", "object", "place", "time"]
EVT = ["doc_id", "text", "start", "page", "date_start", "date_end"]


def fig(doc: str, page: int | None, start: int, value=None, low=None, high=None, obj=None) -> dict:
    return {"doc_id": doc, "text": "x", "start": start, "page": page, "value": value, "low": low, "high": high,
            "object": obj, "place": None, "time": None}  # fmt: skip


def gold_fig(page: int | None, value=None, low=None, high=None, obj=None) -> dict:
    return {"text": "x", "value": value, "low": low, "high": high, "object": obj, "place": None, "time": None,
            **({"page": page} if page else {})}  # fmt: skip


def evt(doc: str, page: int | None, start: int, text: str, year: int) -> dict:
    return {"doc_id": doc, "text": text, "start": start, "page": page,
            "date_start": f"{year}-01-01", "date_end": f"{year}-12-31"}  # fmt: skip


def gold_evt(page: int | None, trigger: str, year: int) -> dict:
    return {"trigger": trigger, "date_start": f"{year}-01-01", "date_end": f"{year}-12-31",
            **({"page": page} if page else {})}  # fmt: skip


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    """A dev text paper, a training text paper and one PDF annotated on pages 1 and 3 (of 3)."""
    g = tmp_path / "gold"
    jsonl(g / "entities" / f"{DEV}.jsonl", [{"text": "Astana", "label": "GPE"}, {"text": "Alash", "label": "ORG"}])
    jsonl(g / "entities" / f"{TRAIN}.jsonl", [{"text": "Semey", "label": "GPE"}])
    jsonl(g / "figures" / f"{DEV}.jsonl", [gold_fig(None, value=1200.0, obj="delegates")])
    jsonl(g / "figures" / f"{TRAIN}.jsonl", [gold_fig(None, value=5.0)])
    jsonl(g / "events" / f"{DEV}.jsonl", [gold_evt(None, "founded", 1917)])
    jsonl(g / "events" / f"{TRAIN}.jsonl", [gold_evt(None, "met", 1920)])
    p = g / "pdfs"
    (p / "pages").mkdir(parents=True)
    (p / "pages" / f"{PDF}.json").write_text(json.dumps({"source": f"{PDF}.pdf", "sha256": SHA, "pages": [3, 1]}))
    jsonl(
        p / "entities" / f"{PDF}.jsonl",
        [
            {"text": "Astana", "label": "GPE", "page": 1},
            {"text": "Kazakh", "label": "NORP", "page": 1},
            {"text": "Astana", "label": "GPE", "page": 3},
            {"text": "Nazarbayev", "label": "PERSON", "page": 3},
        ],
    )
    jsonl(
        p / "figures" / f"{PDF}.jsonl",
        [gold_fig(1, value=1200.0, obj="delegates"), gold_fig(3, value=39.7), gold_fig(3, low=10000.0, high=15000.0)],
    )
    jsonl(p / "events" / f"{PDF}.jsonl", [gold_evt(3, "founded", 1992)])
    return g


@pytest.fixture
def text_run(tmp_path: Path) -> tuple[Path, Path]:
    """The published tables and entity candidates of raw/: the dev paper and the training paper (both text)."""
    tables, cands = tmp_path / "outputs", tmp_path / "entities"
    parquet(tables / "documents.parquet", [{"doc_id": DEV, "format": "txt"}, {"doc_id": TRAIN, "format": "md"}],
            ["doc_id", "format"])  # fmt: skip
    ents = [
        {"doc_id": DEV, "text": "Astana", "label": "GPE", "start": 0, "page": None, "score": 0.9},
        {"doc_id": DEV, "text": "Orda", "label": "ORG", "start": 9, "page": None, "score": 0.6},
        {"doc_id": TRAIN, "text": "Semey", "label": "GPE", "start": 0, "page": None, "score": 0.9},
    ]
    parquet(tables / "entities.parquet", ents, ENT)
    parquet(cands / f"{DEV}.parquet", [{**e, "end": 0, "source": "rules"} for e in ents[:1]], CAND)
    parquet(tables / "figures.parquet", [fig(DEV, None, 0, value=1200.0, obj="delegates"), fig(DEV, None, 5, 7.0),
                                         fig(TRAIN, None, 0, value=5.0)], FIG)  # fmt: skip
    parquet(tables / "events.parquet", [evt(DEV, None, 0, "was founded in 1917", 1917),
                                        evt(TRAIN, None, 0, "they met in 1920", 1920)], EVT)  # fmt: skip
    return tables, cands


@pytest.fixture
def pdf_run(tmp_path: Path) -> Path:
    """What ``pdf-run`` writes for the PDF: rows on the annotated pages 1 and 3, on page 2, and without a page."""
    run = tmp_path / "pdfs"
    out = run / "outputs"
    ents = [
        {"doc_id": PDF, "text": "Astana", "label": "GPE", "start": 10, "page": 1, "score": 0.9},  # tp
        {"doc_id": PDF, "text": "Almaty", "label": "GPE", "start": 20, "page": 1, "score": 0.9},  # fp
        {"doc_id": PDF, "text": "Moscow", "label": "GPE", "start": 30, "page": 2, "score": 0.9},  # off-page
        {"doc_id": PDF, "text": "Astana", "label": "GPE", "start": 40, "page": 3, "score": 0.9},  # tp
        {"doc_id": PDF, "text": "Nazarbayev", "label": "ORG", "start": 50, "page": 3, "score": 0.9},  # fp (label)
        {"doc_id": PDF, "text": "Orda", "label": "ORG", "start": 60, "page": None, "score": 0.9},  # no page
    ]
    parquet(out / "entities.parquet", ents, ENT)
    cands = [
        {"doc_id": PDF, "page": 1, "start": 10, "end": 16, "text": "Astana", "label": "GPE", "source": "rules"},
        # gold has Kazakh on page 1, not page 2: a mention on another page does not count for it
        {"doc_id": PDF, "page": 2, "start": 30, "end": 36, "text": "Kazakh", "label": "NORP", "source": "rules"},
        {"doc_id": PDF, "page": 1, "start": 12, "end": 18, "text": "Kazakh", "label": "NORP", "source": "spacy"},
        {"doc_id": PDF, "page": 3, "start": 40, "end": 46, "text": "Astana", "label": "GPE", "source": "spacy"},
        {"doc_id": PDF, "page": 3, "start": 50, "end": 60, "text": "Nazarbayev", "label": "PERSON", "source": "spacy"},
    ]
    parquet(run / pdf_gold.CANDIDATES, cands, CAND)
    figs = [
        fig(PDF, 1, 10, value=1200.0, obj="delegates"),  # tp, object right
        fig(PDF, 1, 20, value=2020.0),  # fp
        fig(PDF, 2, 30, value=39.7),  # off-page: would match page 3's 39.7 if pages were ignored
        fig(PDF, 3, 40, low=10000.0, high=15000.0, obj="people"),  # tp, object wrong (gold: none)
    ]
    parquet(out / "figures.parquet", figs, FIG)
    evts = [
        evt(PDF, 1, 10, "they met in 1990", 1990),  # fp
        evt(PDF, 2, 20, "was founded in 1992", 1992),  # off-page
        evt(PDF, 3, 30, "the party was founded in 1992", 1992),  # tp
    ]
    parquet(out / "events.parquet", evts, EVT)
    (run / pdf_gold.STATUS).write_text(json.dumps({"pdf_dir": "pdfs", "docs": {PDF: SHA}}))
    return run


def scores(d: dict) -> tuple:
    return d["precision"], d["recall"], d["f1"], d["tp"], d["fp"], d["fn"]


def test_evaluate_by_format_pdf_scores_only_the_annotated_pages(gold, text_run, pdf_run, tmp_path):
    m = evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, pdf_run=pdf_run)
    ents = m["entities"]["by_format"]["pdf"]
    assert ents["scored_on"] == "pdf_gold_pages" and ents["pages"] == {PDF: [1, 3]}
    assert scores(ents["ensemble"]["ALL"]) == (0.5, 0.5, 0.5, 2, 2, 2)
    assert scores(ents["ensemble"]["GPE"]) == (0.6667, 1.0, 0.8, 2, 1, 0)
    assert scores(ents["ensemble"]["PERSON"]) == (0.0, 0.0, 0.0, 0, 0, 1)
    assert scores(ents["by_source"]["rules"]) == (1.0, 0.25, 0.4, 1, 0, 3)
    assert scores(ents["by_source"]["spacy"]) == (1.0, 0.75, 0.8571, 3, 0, 1)

    figs = m["figures"]["by_format"]["pdf"]
    assert scores(figs["value"]) == (0.6667, 0.6667, 0.6667, 2, 1, 1)
    assert scores(figs["by_doc"][PDF]) == (0.6667, 0.6667, 0.6667, 2, 1, 1)
    assert (figs["object_accuracy"], figs["scored_on"]) == (0.5, "pdf_gold_pages")  # delegates right, people wrong

    evts = m["events"]["by_format"]["pdf"]
    assert scores(evts["events"]) == (0.5, 1.0, 0.6667, 1, 1, 0)
    saved = json.loads((tmp_path / "metrics" / "events.json").read_text())
    assert saved["by_format"]["pdf"]["events"] == evts["events"]


def test_evaluate_by_format_text_scores_the_dev_documents_only(gold, text_run, pdf_run, tmp_path):
    m = evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, pdf_run=pdf_run)
    ents = m["entities"]
    assert (ents["scored_on"], ents["dev_docs"]) == ("dev_docs", [DEV])
    assert scores(ents["ensemble"]["ALL"]) == (0.5, 0.5, 0.5, 1, 1, 1)  # Semey of the training paper not counted
    assert ents["by_format"]["text"]["ensemble"] == ents["ensemble"]
    assert scores(ents["by_format"]["text"]["by_source"]["rules"]) == (1.0, 0.5, 0.6667, 1, 0, 1)

    figs = m["figures"]
    assert (figs["scored_on"], sorted(figs["by_doc"])) == ("dev_docs", [DEV])
    assert scores(figs["value"]) == (0.5, 1.0, 0.6667, 1, 1, 0)
    assert figs["object_accuracy"] == 1.0
    assert scores(figs["all_documents"]["value"]) == (0.6667, 1.0, 0.8, 2, 1, 0)  # the pre-dev-only figure
    assert sorted(figs["all_documents"]["by_doc"]) == [TRAIN, DEV]
    assert figs["by_format"]["text"]["value"] == figs["value"]

    evts = m["events"]
    assert (evts["scored_on"], sorted(evts["by_doc"])) == ("dev_docs", [DEV])
    assert scores(evts["events"]) == (1.0, 1.0, 1.0, 1, 0, 0)
    assert scores(evts["all_documents"]["events"]) == (1.0, 1.0, 1.0, 2, 0, 0)
    assert evts["timex"]["scored_on"].startswith("gold/timex/tricky.jsonl")


def test_evaluate_events_loo_adds_every_gold_document(gold, text_run, pdf_run, tmp_path):
    """The events' held-out block: both text papers (training one included: nothing is fitted) and the PDF pages."""
    loo = evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, pdf_run=pdf_run)["events"]["loo"]
    assert scores(loo["events"]) == (0.75, 1.0, 0.8571, 3, 1, 0)  # text 2 tp + pdf 1 tp, 1 fp
    assert sorted(loo["by_doc"]) == sorted([TRAIN, DEV, PDF]) and "pdf_skipped" not in loo
    run = tmp_path / "skipped"
    pdf_gold.write_skipped(run, "no PDFs here")
    skipped = evaluate(*text_run, gold, tmp_path / "metrics2", PARAMS, pdf_run=run)["events"]["loo"]
    assert scores(skipped["events"]) == (1.0, 1.0, 1.0, 2, 0, 0) and skipped["pdf_skipped"] == "no PDFs here"


def test_evaluate_figures_loo_adds_every_gold_document(gold, text_run, pdf_run, tmp_path):
    """The figures' held-out block: both text papers and the PDF pages, fields accurate over all their matches."""
    loo = evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, pdf_run=pdf_run)["figures"]["loo"]
    # text: 1200 and 5 matched, 7 extra; PDF pages: 1200 and 10-15 thousand matched, 2020 extra, 39.7 missed
    assert scores(loo["value"]) == (0.6667, 0.8, 0.7273, 4, 2, 1)
    assert sorted(loo["by_doc"]) == sorted([TRAIN, DEV, PDF]) and "pdf_skipped" not in loo
    assert loo["object_accuracy"] == 0.75  # delegates twice and an empty object right; "people" wrong
    run = tmp_path / "skipped"
    pdf_gold.write_skipped(run, "no PDFs here")
    skipped = evaluate(*text_run, gold, tmp_path / "metrics2", PARAMS, pdf_run=run)["figures"]["loo"]
    assert scores(skipped["value"]) == (0.6667, 1.0, 0.8, 2, 1, 0) and skipped["pdf_skipped"] == "no PDFs here"


def test_evaluate_repeats_the_loo_stage_entity_scores(gold, text_run, tmp_path):
    """metrics/entities.json carries the loo stage's held-out entity scores, without the calibration table."""
    ent = {
        "scored_on": "leave-one-document-out",
        "ensemble": {"ALL": {"f1": 0.7}, "GPE": {"f1": 0.9}},
        "by_source": {"rules": {"f1": 0.6}},
        "by_format": {"text": {}, "pdf": {}},
        "by_doc": {DEV: {"f1": 0.7}},
        "folds": {DEV: {"kind": "text"}},
        "calibration": {"before": {"ece": 0.06}, "after": {"ece": 0.015}, "m": 2.0, "table": {"cells": {}}},
    }
    loo_json = tmp_path / "loo.json"
    loo_json.write_text(json.dumps({"entities": ent}))
    m = evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, loo_json=loo_json)["entities"]
    block = m["leave_one_document_out"]
    assert block["ensemble"] == ent["ensemble"] and block["by_source"] == ent["by_source"]
    assert block["calibration"] == {"before": {"ece": 0.06}, "after": {"ece": 0.015}, "m": 2.0}
    assert "folds" not in block and block["source_file"] == str(loo_json)
    saved = json.loads((tmp_path / "metrics" / "entities.json").read_text())
    assert saved["leave_one_document_out"] == block
    missing = evaluate(*text_run, gold, tmp_path / "metrics2", PARAMS)["entities"]["leave_one_document_out"]
    assert missing["skipped"].startswith("None: no leave-one-document-out scores")


def test_evaluate_by_format_pdf_skipped(gold, text_run, tmp_path):
    run = tmp_path / "pdfs"
    pdf_gold.write_skipped(run, "PDF folder ../shared/pdfs not found")
    m = evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, pdf_run=run)
    for name in ("entities", "figures", "events"):
        assert m[name]["by_format"]["pdf"] == {"skipped": "PDF folder ../shared/pdfs not found"}
        assert json.loads((tmp_path / "metrics" / f"{name}.json").read_text())["by_format"]["pdf"] == {
            "skipped": "PDF folder ../shared/pdfs not found"
        }
    assert scores(m["entities"]["ensemble"]["ALL"]) == (0.5, 0.5, 0.5, 1, 1, 1)  # the text scores as usual
    no_run = evaluate(*text_run, gold, tmp_path / "metrics2", PARAMS)
    assert no_run["figures"]["by_format"]["pdf"]["skipped"].startswith("no PDF run given")


def test_evaluate_by_format_stale_pdf_run_is_an_error(gold, text_run, pdf_run, tmp_path):
    (pdf_run / pdf_gold.STATUS).write_text(json.dumps({"pdf_dir": "pdfs", "docs": {PDF: "cd" * 32}}))
    with pytest.raises(ValueError, match=r"does not cover \['paper'\]"):
        evaluate(*text_run, gold, tmp_path / "metrics", PARAMS, pdf_run=pdf_run)


def test_evaluate_pdf_gold_validates():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "gold" / "pdfs" / "validate.py"), str(ROOT / "gold" / "pdfs"), str(SHARED_PDFS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def pdf_run_cli(tmp_path: Path, gold_pdfs: Path, pdf_dir: Path) -> subprocess.CompletedProcess:
    params = tmp_path / "params.yaml"
    params.write_text(json.dumps({"evaluate": {"pdf_dir": str(pdf_dir)}}))
    cmd = [sys.executable, "-m", "pipeline", "pdf-run", "--gold", str(gold_pdfs), "--out", str(tmp_path / "out")]
    cmd += ["--work", str(tmp_path / "work"), "--params", str(params)]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_evaluate_pdf_run_without_the_pdf_folder_writes_the_marker(tmp_path):
    proc = pdf_run_cli(tmp_path, ROOT / "gold" / "pdfs", tmp_path / "no-such-folder")
    assert proc.returncode == 0, proc.stderr
    status = json.loads((tmp_path / "out" / "status.json").read_text())
    assert status == {
        "skipped": f"PDF folder {tmp_path / 'no-such-folder'} not found (params evaluate.pdf_dir); put the PDFs "
        "of gold/pdfs there (../shared/pdfs beside the project) to score PDF pages"
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["status.json"]


@needs_pdfs
def test_evaluate_pdf_run_refuses_another_version_of_a_pdf(tmp_path):
    gold_pdfs = tmp_path / "gold_pdfs"
    (gold_pdfs / "pages").mkdir(parents=True)
    name = "zonszein2024_apsr_ethnic_minority_turnout"
    record = json.loads((ROOT / "gold" / "pdfs" / "pages" / f"{name}.json").read_text())
    (gold_pdfs / "pages" / f"{name}.json").write_text(json.dumps({**record, "sha256": "0" * 64}))
    proc = pdf_run_cli(tmp_path, gold_pdfs, SHARED_PDFS)
    assert proc.returncode == 2
    assert f"{SHARED_PDFS / (name + '.pdf')}: SHA-256 {record['sha256']} is not the {'0' * 64}" in proc.stderr
    assert not (tmp_path / "out" / "status.json").exists() and not (tmp_path / "work" / "raw").exists()


@needs_pdfs
def test_evaluate_pdf_gold_stages_exactly_the_annotated_pdfs(tmp_path):
    staged = pdf_gold.stage_pdfs(SHARED_PDFS, ROOT / "gold" / "pdfs", tmp_path / "raw")
    names = sorted(p.name for p in (tmp_path / "raw").iterdir())
    assert names == [  # not arutyunova2024 nor vasilenko2013: in ../shared/pdfs, not annotated
        "bessudnov2019_esr_ethnic_discrimination_russia.pdf",
        "bessudnov2023_socarxiv_russian_fatalities_ethnicity.pdf",
        "blair2021_apsr_liberal_displacement_policies.pdf",
        "dipoppa2023_jop_asian_hate_crimes_italy.pdf",
        "leasure1968_slavicreview_internal_migration_russia_scan.pdf",
        "zhou2023_worlddev_refugee_hosting_uganda.pdf",
        "zonszein2024_ajps_immigrant_accession_backlash.pdf",
        "zonszein2024_apsr_ethnic_minority_turnout.pdf",
    ]
    assert staged["dipoppa2023_jop_asian_hate_crimes_italy"].pages == (1, 4)
    for g in staged.values():  # copies, not links (ingest refuses a link to a file outside raw/)
        assert not (tmp_path / "raw" / g.source).is_symlink()
        assert pdf_gold.sha256_of(tmp_path / "raw" / g.source) == g.sha256
