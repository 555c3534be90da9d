"""Peak memory and time of each stage on one text of ``--chars`` characters (default: ``ingest.max_chars``).

The text repeats the corpus papers of ``--raw`` up to the length. Each stage runs as its own
``python -m pipeline <stage>`` process; its peak resident memory comes from ``wait4``. This is the
figure behind the default ``ingest.max_chars``: a document at the limit stays under 2 GB in every stage.

Example: python benchmarks/document_limits.py --raw raw --chars 2000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.params import IngestParams, load_params  # noqa: E402


def stage(*argv: str) -> tuple[float, float, int]:
    """Run one CLI command; (seconds, peak RSS in MB, exit status)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--raw", default="raw", type=Path)
    limit = (load_params(ROOT / "params.yaml").get("ingest") or {}).get("max_chars", IngestParams().max_chars)
    p.add_argument("--chars", default=limit, type=int)
    a = p.parse_args()
    body = "\n\n".join(f.read_text(encoding="utf-8") for f in sorted(a.raw.glob("*.txt")))
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        (base / "raw").mkdir()
        (base / "raw" / "long.txt").write_text((body * (a.chars // len(body) + 1))[: a.chars], encoding="utf-8")
        w = base / "data"
        commands = {
            "ingest": ["--raw", str(base / "raw"), "--out", str(w / "ingest")],
            "parse": ["--ingest", str(w / "ingest"), "--out", str(w / "parse")],
            **{
                s: ["--ingest", str(w / "ingest"), "--parse", str(w / "parse"), "--out", str(w / s)]
                for s in ("entities", "figures", "events")
            },
            "consolidate": ["--work", str(w), "--out", str(w / "tables")],
            "publish": ["--tables", str(w / "tables"), "--ingest", str(w / "ingest"), "--out", str(base / "out")],
        }
        print(f"one text of {a.chars:,} characters")
        for name, argv in commands.items():
            seconds, peak_mb, code = stage(name, *argv)
            print(f"{name:12} {seconds:7.1f} s  peak {peak_mb:7.0f} MB  exit {code}")


if __name__ == "__main__":
    main()
