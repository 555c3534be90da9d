"""Benchmark the PDF reader: pages/s and peak memory, pypdfium2 path vs pdfplumber's plain extraction.

Generates a two-column paper of ``--pages`` pages with reportlab (tests/pdfs.py), then reads it in
a fresh child process per reader so that each peak memory (max RSS) is its own.

Example: python benchmarks/ingest.py --pages 24
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_one(reader: str, path: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from pipeline.ingest import read_document  # imports are not timed  # noqa: F401
    import pdfplumber  # noqa: F401

    t0 = time.perf_counter()
    if reader == "pypdfium2":
        doc = read_document(path, path.parent, {"timeout_s": 0})
        pages, chars = len(doc.pages), len(doc.text)
    else:
        chars = 0
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
                page.flush_cache()
    dt = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"reader": reader, "pages": pages, "seconds": round(dt, 3), "pages_per_s": round(pages / dt, 1),
            "peak_rss_mb": round(peak_mb, 1), "chars": chars}


def main(pages: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tests.pdfs import two_column_paper

    d = Path(tempfile.mkdtemp())
    path = two_column_paper(d / "bench.pdf", pages=pages, table=True)
    rows = []
    for reader in ("pypdfium2", "pdfplumber"):
        out = subprocess.run([sys.executable, __file__, "--one", reader, str(path)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        rows.append(json.loads(out.stdout))
    print(f"nproc={os.cpu_count()}  file={path.stat().st_size / 1024:.0f} KiB  (one process per reader, one core)")
    print(f"{'reader':<12}{'pages':>7}{'seconds':>10}{'pages/s':>10}{'peak RSS MB':>13}{'chars':>9}")
    for r in rows:
        print(f"{r['reader']:<12}{r['pages']:>7}{r['seconds']:>10}{r['pages_per_s']:>10}{r['peak_rss_mb']:>13}{r['chars']:>9}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=24)
    ap.add_argument("--one", nargs=2, metavar=("READER", "PDF"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(_run_one(a.one[0], Path(a.one[1]))))
    else:
        main(a.pages)
