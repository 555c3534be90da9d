"""The shape's promises, run for real: a stage's cache sees only its own code, and ``pipeline run``
works in a folder of its own."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RAW, ROOT

pytestmark = pytest.mark.model

PER_DOCUMENT = ("ingest", "parse", "entities", "figures", "events")
DOC = "004_079214a4568c4b32"


def _run(pkg_root: Path, raw: Path, out: Path, cwd: Path) -> dict[str, dict]:
    """``python -m pipeline run`` with the package at ``pkg_root``; the per-document stages' counters."""
    env = {**os.environ, "PYTHONPATH": str(pkg_root)}
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out)]
    cmd += ["--params", str(ROOT / "params.yaml")]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    logs = out.with_name(f"{out.name}-work") / "logs"
    return {s: json.loads((logs / f"{s}.json").read_text()) for s in PER_DOCUMENT}


def _edit(path: Path) -> None:
    path.write_text(path.read_text() + "\n# an edit that changes the file's hash\n")


def test_pipeline_layout_editing_a_stage_reruns_only_that_stage_and_what_follows(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "pipeline", pkg / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / f"{DOC}.txt", raw)
    (tmp_path / "models").symlink_to(ROOT / "models")  # params name models/ relative to the working folder
    out = tmp_path / "out"
    first = _run(pkg, raw, out, tmp_path)
    assert all(first[s]["processed"] == [DOC] for s in PER_DOCUMENT), first

    edited = ("consolidate/citations.py", "consolidate/ensemble.py", "publish/timeline.py", "review/apply.py")
    for rel in edited:  # one run after all four edits: none of them may touch a per-document stage's key
        _edit(pkg / "pipeline" / rel)
    counters = _run(pkg, raw, out, tmp_path)
    for stage in PER_DOCUMENT:
        assert counters[stage]["processed"] == [], f"editing {edited} re-ran {stage}"
        assert counters[stage]["reused"] == [DOC], stage

    _edit(pkg / "pipeline" / "figures" / "context.py")  # the control: an extractor's own code
    counters = _run(pkg, raw, out, tmp_path)
    assert counters["figures"]["processed"] == [DOC]
    for stage in ("ingest", "parse", "entities", "events"):
        assert counters[stage]["processed"] == [], stage

    _edit(pkg / "pipeline" / "events" / "timex.py")  # figures read their times with the events' reader
    counters = _run(pkg, raw, out, tmp_path)
    for stage in PER_DOCUMENT:
        assert counters[stage]["processed"] == ([DOC] if stage in ("events", "figures") else []), stage


def _snapshot(root: Path) -> dict[str, str]:
    """Hashes of every file under the project's data/ and metrics/, and of dvc.lock."""
    out = {}
    for top in ("data", "metrics", "dvc.lock", "outputs"):
        p = root / top
        files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file()) if p.exists() else []
        for f in files:
            out[f.relative_to(root).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def test_pipeline_layout_run_from_the_project_root_leaves_the_project_alone(tmp_path):
    raw = tmp_path / "papers"
    raw.mkdir()
    shutil.copy(RAW / f"{DOC}.txt", raw)
    before, entries = _snapshot(ROOT), sorted(p.name for p in ROOT.iterdir())
    out = tmp_path / "dataset"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _snapshot(ROOT) == before
    assert sorted(p.name for p in ROOT.iterdir()) == entries
    assert (out / "documents.parquet").exists()
    assert (tmp_path / "dataset-work" / "ingest" / f"{DOC}.json").exists()
    assert not (tmp_path / "metrics").exists()
