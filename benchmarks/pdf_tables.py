"""Benchmark the unruled-table finder (``pipeline.ingest.tables.aligned_tables``) on real PDFs.

Each page of each PDF in ``../shared/pdfs/`` is read into characters and fragments once (not
timed); then ``aligned_tables`` runs on every page, ``--repeat`` times, and the best total is
printed per file with the tables it found (rows x columns, page). CPU time of this process only
(``time.process_time``), so the figure holds on a busy machine.

Run it from any checkout to compare versions on the same files, e.g. before and after a change:

    PYTHONPATH=. python benchmarks/pdf_tables.py
    PYTHONPATH=/path/to/other/checkout python benchmarks/pdf_tables.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = [ROOT.parent / "shared" / "pdfs", ROOT.parent.parent / "shared" / "pdfs"]


def page_fragments(path: Path) -> list[tuple[int, float, list]]:
    import pypdfium2 as pdfium

    from pipeline.ingest.pdf_chars import page_chars
    from pipeline.ingest.reading_order import fragments

    pdf = pdfium.PdfDocument(str(path))
    out = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            textpage = page.get_textpage()
            out.append((i + 1, width, fragments(page_chars(textpage, height).upright)))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path, help="PDF files (default: all of ../shared/pdfs/)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from pipeline.ingest.tables import aligned_tables

    folder = next((d for d in SHARED if d.is_dir()), SHARED[0])
    files = args.pdfs or sorted(folder.glob("*.pdf"))
    print(f"{'file':<58} {'pages':>5} {'s':>7} {'ms/page':>8}  tables (rows x cols @ page)")
    total_s = total_pages = 0
    for path in files:
        pages = page_fragments(path)
        best = float("inf")
        for _ in range(args.repeat):
            t = time.process_time()
            found = [(n, t) for n, width, frags in pages for t in aligned_tables(frags, n, width)]
            best = min(best, time.process_time() - t)
        shapes = " ".join(f"{len(t.rows)}x{len(t.rows[0].cells or [])}@{n}" for n, t in found)
        print(f"{path.name:<58} {len(pages):>5} {best:>7.3f} {1000 * best / len(pages):>8.1f}  {shapes}")
        total_s += best
        total_pages += len(pages)
    print(f"{'all':<58} {total_pages:>5} {total_s:>7.3f} {1000 * total_s / max(total_pages, 1):>8.1f}")


if __name__ == "__main__":
    main()
