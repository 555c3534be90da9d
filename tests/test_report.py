"""The run's one-line score summary, read from the committed metrics (what `dvc repro` last measured)."""

from __future__ import annotations

import json

from conftest import ROOT

from pipeline.report import metrics_summary


def committed() -> dict:
    return {k: json.loads((ROOT / "metrics" / f"{k}.json").read_text()) for k in ("entities", "figures", "events")}


def test_summary_gives_the_text_dev_scores_then_the_pdf_pages():
    m = committed()
    line = metrics_summary(m)
    e = m["entities"]["ensemble"]["ALL"]
    pdf = m["entities"]["by_format"]["pdf"]["ensemble"]["ALL"]
    assert line.startswith(f"entities F1 {e['f1']:.3f} (P {e['precision']:.3f} R {e['recall']:.3f}); ")
    assert f"; PDF pages: entities F1 {pdf['f1']:.3f}, " in line


def test_summary_without_a_pdf_run_gives_the_text_scores_only():
    m = committed()
    for k in m:
        m[k]["by_format"]["pdf"] = {"skipped": "no PDFs in ../shared/pdfs"}
    assert "PDF" not in metrics_summary(m) and metrics_summary(m).startswith("entities F1 ")
