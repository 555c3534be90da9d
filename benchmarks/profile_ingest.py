"""Profile the PDF ingest over a folder of PDFs with cProfile and write a short text summary.

Each PDF is read as the pipeline reads it (``read_document`` with the default params), but in this
process (``timeout_s`` 0: no watchdog child, which cProfile could not see into), so the profile
covers the whole reader: characters, reading order, tables, layout. OCR is off (a scan's
Tesseract time is not the reader's). The summary lists the total time and the functions with the
most cumulative and the most own time.

Example: python benchmarks/profile_ingest.py --pdfs ../shared/pdfs --out benchmarks/profiles/ingest.txt
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def profile(pdf_dir: Path, top: int = 25) -> str:
    """The cProfile summary of reading every PDF of ``pdf_dir``, as text."""
    sys.path.insert(0, str(ROOT))
    import pdfplumber  # noqa: F401 - imported before the clock, as the pipeline's process has it
    import pypdfium2  # noqa: F401

    from pipeline.ingest import read_document

    files = sorted(pdf_dir.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {pdf_dir}")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    pages = 0
    prof.enable()
    for path in files:
        doc = read_document(path, path.parent, {"timeout_s": 0, "ocr": False})
        if doc.status == "error":
            raise SystemExit(f"{path.name}: {doc.error}")
        pages += len(doc.pages)
    prof.disable()
    wall = time.perf_counter() - t0
    out = io.StringIO()
    out.write(f"{len(files)} PDFs, {pages} pages, {wall:.2f} s under cProfile ({pages / wall:.1f} pages/s)\n")
    for order in ("cumulative", "tottime"):
        out.write(f"\n--- top {top} by {order} ---\n")
        stats = pstats.Stats(prof, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(top)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=Path, default=ROOT.parent / "shared" / "pdfs", help="folder of PDFs")
    ap.add_argument("--out", type=Path, help="write the summary here (default: print it)")
    ap.add_argument("--top", type=int, default=25, help="functions listed per ordering (25)")
    a = ap.parse_args()
    text = profile(a.pdfs, a.top)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
