"""Benchmark the PDF reader: pages/s and peak memory, our pypdfium2 path vs a pdfplumber-only path.

Generates dense journal-like papers with reportlab (:func:`tests.pdfs.dense_paper`: two columns of
52 lines, ~4,700 characters a page, running header, page numbers, footnotes, a table every four
pages, ruled and unruled in turn), then reads each in a fresh child process per reader, so that
each peak memory (max RSS of that child) is its own:

- ``pypdfium2``: our ingest as the pipeline runs it (``read_document`` with default params: the
  reader in a forked watchdog child, its lines sent back to the parent, which builds the document:
  characters and boxes, reading order, running heads dropped, ruled and unruled tables, the
  canonical text and its cells);
- ``pdfplumber``: ``extract_text()`` and ``extract_tables()`` on every page (no reading order, no
  offsets), flushing each page's cache.

``pages/s`` is wall-clock; ``pages/s/core`` divides the pages by the CPU time spent (the
benchmark child's and, for our path, its watchdog child's; each path uses one core at a time), so
it is the per-core rate and holds steady when the machine is busy. ``base MB`` is the RSS after the
imports; ``peak MB`` the larger peak RSS of the process and the reader's child. What grows with the
page count is the document itself: one box per character (about 140 bytes a character); pages are
read one at a time and closed, so no page's objects outlive it.

``--real DIR`` reads the PDFs in DIR instead (``../shared/pdfs``: real publisher papers), each file
in a fresh child per reader, and prints one table of the totals side by side: the project's ingest
(``read_document`` as the pipeline runs it, without OCR), ``pdfplumber`` ``extract_text()``,
``pypdfium2`` plain ``get_text_range()`` and poppler's ``pdftotext`` (a tool that is absent is
skipped, and the table says so). ``pages/s/core`` divides the pages by the CPU seconds of the
reader and its children; ``peak MB`` is the largest peak RSS over the files.

Example: python benchmarks/ingest.py --pages 20 200
Example: python benchmarks/ingest.py --real ../shared/pdfs
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
READERS = ("pypdfium2", "pdfplumber")


def _rss_mb() -> float:
    """The peak RSS of this process or of the reader's forked child, whichever is larger."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def _cpu_s() -> float:
    """CPU time of this process and its finished children (the reader's watchdog child)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def _run_one(reader: str, path: Path) -> dict:
    """Read ``path`` with one reader in this process; imports are done before the clock starts."""
    sys.path.insert(0, str(ROOT))
    import importlib

    import pdfplumber

    from pipeline.ingest import read_document

    for module in ("pypdfium2", "pipeline.ingest.pdf", "pipeline.ingest.pdf_pages", "pipeline.ingest.tables"):
        importlib.import_module(module)

    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    tables = 0
    if reader == "pypdfium2":
        doc = read_document(path, path.parent)  # as the pipeline reads: in a watchdog child (timeout_s)
        if doc.error:
            raise SystemExit(doc.error)
        pages, chars, tables = len(doc.pages), len(doc.text), len({c.table for c in doc.cells})
    else:
        chars = 0
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
                tables += len(page.extract_tables())
                page.flush_cache()
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {
        "reader": reader,
        "pages": pages,
        "seconds": round(wall, 2),
        "pages_per_s": round(pages / wall, 1),
        "pages_per_cpu_s": round(pages / cpu, 1),
        "base_mb": round(base, 1),
        "peak_mb": round(_rss_mb(), 1),
        "chars": chars,
        "tables": tables,
    }


def main(page_counts: list[int], readers: tuple[str, ...] = READERS) -> list[dict]:
    """Generate one paper per page count, read it with each reader, print and return the rows."""
    sys.path.insert(0, str(ROOT))
    from tests.pdfs import dense_paper

    d = Path(tempfile.mkdtemp())
    rows = []
    for n in page_counts:
        path = dense_paper(d / f"dense-{n}.pdf", pages=n)
        for reader in readers:
            out = subprocess.run(
                [sys.executable, __file__, "--one", reader, str(path)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            rows.append({"file_kib": round(path.stat().st_size / 1024), **json.loads(out.stdout)})
    print(f"os.cpu_count()={os.cpu_count()}  one child process per reader and paper, single-threaded")
    head = [
        "reader",
        "pages",
        "file KiB",
        "seconds",
        "pages/s",
        "pages/s/core",
        "base MB",
        "peak MB",
        "chars",
        "tables",
    ]
    keys = [
        "reader",
        "pages",
        "file_kib",
        "seconds",
        "pages_per_s",
        "pages_per_cpu_s",
        "base_mb",
        "peak_mb",
        "chars",
        "tables",
    ]
    widths = [11] + [max(9, len(h) + 2) for h in head[1:]]
    print("".join(f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(head, widths))))
    for r in rows:
        print("".join(f"{r[k]!s:<{w}}" if i == 0 else f"{r[k]!s:>{w}}" for i, (k, w) in enumerate(zip(keys, widths))))
    return rows


REAL_READERS = ("ingest", "pdfplumber", "pypdfium2", "pdftotext")


def _run_real(reader: str, path: Path) -> dict:
    """Read ``path`` with one of :data:`REAL_READERS` in this process (imports before the clock)."""
    sys.path.insert(0, str(ROOT))
    import pdfplumber
    import pypdfium2 as pdfium

    from pipeline.ingest import read_document

    for module in ("pipeline.ingest.pdf", "pipeline.ingest.pdf_pages", "pipeline.ingest.tables", "numpy"):
        __import__(module)
    t0, c0 = time.perf_counter(), _cpu_s()
    if reader == "ingest":
        doc = read_document(path, path.parent, {"timeout_s": 120})
        if doc.status == "error":
            raise SystemExit(doc.error)
        pages, chars = len(doc.pages), len(doc.text)
    elif reader == "pdfplumber":
        chars = 0
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
                page.flush_cache()
    elif reader == "pypdfium2":
        pdf = pdfium.PdfDocument(str(path))
        pages, chars = len(pdf), 0
        for i in range(pages):
            page = pdf[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        pdf.close()
    else:
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        pages, chars = len(pdfium.PdfDocument(str(path))), len(out.stdout.decode("utf-8", "replace"))
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"reader": reader, "pages": pages, "seconds": wall, "cpu_s": cpu, "peak_mb": _rss_mb(), "chars": chars}


def main_real(pdf_dir: Path, readers: tuple[str, ...] = REAL_READERS) -> list[dict]:
    """Read every PDF of ``pdf_dir`` with each reader (one child process per file and reader), print
    and return one row of totals per reader."""
    import shutil

    files = sorted(pdf_dir.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {pdf_dir}")
    rows, absent = [], []
    for reader in readers:
        if reader == "pdftotext" and shutil.which("pdftotext") is None:
            absent.append("pdftotext (poppler-utils not installed: apt-get install -y poppler-utils)")
            continue
        total = {"reader": reader, "files": 0, "pages": 0, "seconds": 0.0, "cpu_s": 0.0, "peak_mb": 0.0, "chars": 0}
        for path in files:
            out = subprocess.run(
                [sys.executable, __file__, "--one-real", reader, str(path)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            got = json.loads(out.stdout)
            total["files"] += 1
            for key in ("pages", "seconds", "cpu_s", "chars"):
                total[key] += got[key]
            total["peak_mb"] = max(total["peak_mb"], got["peak_mb"])
        total["pages_per_s"] = round(total["pages"] / total["seconds"], 1)
        total["pages_per_cpu_s"] = round(total["pages"] / total["cpu_s"], 1)
        total["seconds"], total["peak_mb"] = round(total["seconds"], 2), round(total["peak_mb"], 1)
        rows.append(total)
    print(f"{len(files)} PDFs in {pdf_dir}; os.cpu_count()={os.cpu_count()}; one child process per file and reader")
    head = ["reader", "files", "pages", "seconds", "pages/s", "pages/s/core", "peak MB", "chars"]
    keys = ["reader", "files", "pages", "seconds", "pages_per_s", "pages_per_cpu_s", "peak_mb", "chars"]
    widths = [12] + [max(9, len(h) + 2) for h in head[1:]]
    print("".join(f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(head, widths))))
    for r in rows:
        print("".join(f"{r[k]!s:<{w}}" if i == 0 else f"{r[k]!s:>{w}}" for i, (k, w) in enumerate(zip(keys, widths))))
    for line in absent:
        print(f"skipped: {line}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[20, 200], help="page counts to generate (20 200)")
    ap.add_argument("--readers", nargs="+", default=list(READERS), choices=READERS)
    ap.add_argument("--real", type=Path, metavar="DIR", help="read the real PDFs in DIR (../shared/pdfs)")
    ap.add_argument("--one", nargs=2, metavar=("READER", "PDF"), help=argparse.SUPPRESS)
    ap.add_argument("--one-real", nargs=2, metavar=("READER", "PDF"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one_real:
        print(json.dumps(_run_real(a.one_real[0], Path(a.one_real[1]))))
    elif a.real:
        main_real(a.real)
    elif a.one:
        print(json.dumps(_run_one(a.one[0], Path(a.one[1]))))
    else:
        main(a.pages, tuple(a.readers))
