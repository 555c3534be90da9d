"""Profile the extractor stages and consolidate with cProfile: the top 15 functions by cumulative time.

Each stage runs as the pipeline runs it, a fresh ``python -m pipeline <stage>`` process, once plain
(its wall time) and once under ``python -m cProfile``, over two input sets: the corpus (``raw/``)
and a few real PDFs (default: three papers of ``../shared/pdfs``, 32 pages). Each set is first
ingested and parsed into a scratch folder (not profiled: ``benchmarks/profiles/ingest.txt`` is the
ingest's own). Every run writes into a fresh folder, so no stage skips a document as unchanged.

Writes ``benchmarks/profiles/<stage>.txt``: the machine's load, then per input set the plain wall
time, the wall time under the profiler and the top 15 by cumulative time (paths shortened). The
trained models (``models/ner_spacy``, ``models/ner_transformer``: ``make train``) are profiled when
present; the header says which were.

Example: python benchmarks/profile_stages.py
Example: python benchmarks/profile_stages.py --stages figures --pdfs ../shared/pdfs/blair2021_apsr_liberal_displacement_policies.pdf
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "profiles"
STAGES = ("entities", "figures", "events", "consolidate")
PDFS = (
    "bessudnov2019_esr_ethnic_discrimination_russia.pdf",
    "blair2021_apsr_liberal_displacement_policies.pdf",
    "zonszein2024_apsr_ethnic_minority_turnout.pdf",
)
TOP = 15
#: The real PDFs (params evaluate.pdf_dir, ``../shared/pdfs``); elsewhere name them with ``--pdfs``.
SHARED_PDFS = ROOT.parent / "shared" / "pdfs"


def pipeline(*args: str | Path, profile: Path | None = None) -> float:
    """Run ``python -m pipeline ARGS`` from the repository root; its wall time in seconds."""
    pre = ["-m", "cProfile", "-o", str(profile)] if profile else []
    cmd = [sys.executable, *pre, "-m", "pipeline", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return wall


def stage_args(stage: str, work: Path, out: Path) -> list[str | Path]:
    if stage == "consolidate":
        return ["consolidate", "--work", work, "--out", out]
    return [stage, "--ingest", work / "ingest", "--parse", work / "parse", "--out", out]


#: Rows of the import machinery and the interpreter's start, which would fill the top by cumulative time.
NOISE = (
    "<frozen ",
    "(<module>)",
    "<string>:1(",
    "builtins.exec}",
    "builtins.__import__}",
    "pipeline/__main__.py",
    "cli.py",
)


def _rows(stats: pstats.Stats, order: str, n: int) -> list[str]:
    buf = io.StringIO()
    stats.stream = buf  # type: ignore[attr-defined]
    stats.sort_stats(order).print_stats(n * 20)
    text = buf.getvalue()
    for prefix in sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    text = text.replace(str(ROOT) + "/", "")
    lines = [line.rstrip() for line in text.splitlines()]
    head = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    body = [line for line in lines[head + 1 :] if line and not any(x in line for x in NOISE)]
    return [lines[head], *body[:n]]


def top(profile: Path) -> str:
    """The top :data:`TOP` rows by cumulative time and the top 10 by own time, import machinery left
    out, site-packages and repository paths shortened."""
    stats = pstats.Stats(str(profile))
    total = f"{stats.total_calls} function calls in {stats.total_tt:.1f} s"  # type: ignore[attr-defined]
    return "\n".join(
        [total, "", f"top {TOP} by cumulative time:", *_rows(stats, "cumulative", TOP), "", "top 10 by own time:"]
        + _rows(stats, "tottime", 10)
    )


def prepare(name: str, raw: Path, scratch: Path) -> Path:
    """Ingest and parse ``raw`` into ``scratch/name`` (the inputs every profiled stage reads)."""
    work = scratch / name
    pipeline("ingest", "--raw", raw, "--out", work / "ingest")
    pipeline("parse", "--ingest", work / "ingest", "--out", work / "parse")
    return work


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    ap.add_argument("--pdfs", nargs="*", type=Path, default=[SHARED_PDFS / p for p in PDFS], help="(default: three)")
    ap.add_argument("--out", type=Path, default=OUT, help="(default: benchmarks/profiles)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    models = [m for m in ("models/ner_spacy", "models/ner_transformer") if (ROOT / m).exists()]
    with tempfile.TemporaryDirectory(prefix="profile_stages.") as tmp:
        scratch = Path(tmp)
        sets = {"corpus (raw/, 5 text papers)": prepare("corpus", ROOT / "raw", scratch)}
        pdfs = [p for p in a.pdfs if p.exists()]
        missing = [str(p) for p in a.pdfs if not p.exists()]
        if missing:
            print(f"not found, not profiled: {', '.join(missing)}", file=sys.stderr)
        if pdfs:
            (scratch / "pdf_raw").mkdir()
            for p in pdfs:
                shutil.copy(p, scratch / "pdf_raw" / p.name)
            sets[f"{len(pdfs)} real PDFs ({', '.join(p.stem for p in pdfs)})"] = prepare(
                "pdf", scratch / "pdf_raw", scratch
            )
        reports: dict[str, list[str]] = {s: [] for s in a.stages}
        for label, work in sets.items():
            for stage in STAGES:  # consolidate reads the other stages' outputs: run them all, in order
                plain = pipeline(*stage_args(stage, work, work / (stage if stage != "consolidate" else "tables")))
                if stage not in a.stages:
                    continue
                prof = scratch / f"{stage}.prof"
                profiled = pipeline(*stage_args(stage, work, scratch / f"{work.name}-{stage}-profiled"), profile=prof)
                reports[stage].append(
                    f"## {label}\nwall {plain:.1f} s (a fresh process); {profiled:.1f} s under cProfile\n\n{top(prof)}\n"
                )
                print(f"{label}: {stage} {plain:.1f} s", flush=True)
    load = os.getloadavg()
    for stage, parts in reports.items():
        head = (
            f"# python -m pipeline {stage}: top {TOP} by cumulative time (benchmarks/profile_stages.py)\n"
            f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs; "
            f"trained models: {', '.join(models) or 'none'}\n\n"
        )
        (a.out / f"{stage}.txt").write_text(head + "\n".join(parts), encoding="utf-8")
        print(f"wrote {a.out / f'{stage}.txt'}")


if __name__ == "__main__":
    main()
