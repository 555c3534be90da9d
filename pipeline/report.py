"""End-of-run summaries printed by the CLI: documents with errors, and the headline metrics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pipeline.core import names
from pipeline.core.incremental import StageResult
from pipeline.core.ingested import statuses


def ingest_summary(ingest_dir: Path, result: StageResult) -> int:
    """Print what ingest did and every document's error or warning; 1 if no document is readable."""
    docs = statuses(ingest_dir)
    for msg in getattr(result, "skipped", []):
        print(f"skipped  {msg}", file=sys.stderr)
    for _, status, error in docs:
        if status != names.STATUS_OK:
            print(f"{status:8} {error}", file=sys.stderr)
    ok = [d for d in docs if d[1] != names.STATUS_ERROR]
    print(f"{result.summary()}; {len(ok)} of {len(docs)} documents readable")
    if not ok:
        print("error: no document could be read; see the reasons above", file=sys.stderr)
        return 1
    return 0


def metrics_summary(results: dict[str, Any]) -> str:
    """One line of scores: the text dev papers, then the annotated PDF pages where they were scored."""
    e = results["entities"]["ensemble"]["ALL"]
    f = results["figures"]["value"]
    v = results["events"]["events"]
    t = results["events"]["timex"]
    line = (
        f"entities F1 {e['f1']:.3f} (P {e['precision']:.3f} R {e['recall']:.3f}); "
        f"figures F1 {f['f1']:.3f}; events F1 {v['f1']:.3f}; timex accuracy {t['accuracy']:.3f}"
    )
    pdf = {k: results[k].get("by_format", {}).get("pdf") for k in ("entities", "figures", "events")}
    if all(isinstance(x, dict) for x in pdf.values()):
        try:
            pe, pf, pv = pdf["entities"]["ensemble"]["ALL"], pdf["figures"]["value"], pdf["events"]["events"]
        except KeyError:  # the PDF run was skipped: its section holds only the reason
            return line
        line += f"; PDF pages: entities F1 {pe['f1']:.3f}, figures F1 {pf['f1']:.3f}, events F1 {pv['f1']:.3f}"
    return line
