"""``--jobs N``: documents in worker processes, outputs byte-identical to a serial run."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import RAW, ROOT
from trees import assert_same_tree

from pipeline.cli import main
from pipeline.core import executors
from pipeline.core.io import DOC_SUFFIX, PARSE_SUFFIX
from pipeline.core.params import stage_params
from pipeline.ingest import main as ingest_main
from pipeline.parse import main as parse_main

pytestmark = pytest.mark.model


def test_parallel_jobs_2_run_is_byte_identical_to_serial(tmp_path, corpus_run):
    raw, out1, work1 = corpus_run
    out2, work2 = tmp_path / "outputs", tmp_path / "data"
    args = ["run", "--raw", str(raw), "--out", str(out2), "--work", str(work2), "--jobs", "2"]
    args += [
        "--gold",
        str(ROOT / "gold"),
        "--metrics",
        str(tmp_path / "metrics"),
        "--params",
        str(ROOT / "params.yaml"),
    ]
    assert main(args) == 0
    assert_same_tree(out1, out2)  # the published dataset
    assert_same_tree(work1, work2)  # every stage's files, manifests and logs/<stage>.json
    assert_same_tree(raw.parent / "metrics", tmp_path / "metrics")


def test_parallel_bad_document_is_named_and_the_others_go_on(tmp_path, params):
    raw = tmp_path / "raw"
    raw.mkdir()
    good = ["002_a7ba452f2a3fc99c", "004_079214a4568c4b32"]
    for doc_id in good:
        shutil.copy(RAW / f"{doc_id}.txt", raw)
    (raw / "broken.txt").write_text("The Kazakhs of Mongolia moved to Kazakhstan in 1991.\n", encoding="utf-8")
    ingest_dir = tmp_path / "ingest"
    ingest_main(raw, ingest_dir, stage_params(params, "ingest"))
    (ingest_dir / f"broken{DOC_SUFFIX}").write_text('{"doc_id": "broken", "text": "cut sh', encoding="utf-8")
    p = stage_params(params, "parse")
    with executors.configured(jobs=1):
        serial = parse_main(ingest_dir, tmp_path / "serial", p)
    with executors.configured(jobs=2):
        parallel = parse_main(ingest_dir, tmp_path / "parallel", p)
    assert parallel.processed == good and serial.processed == good
    assert list(parallel.failed) == ["broken"]
    assert parallel.failed["broken"].startswith("JSONDecodeError: ")
    assert parallel.failed == serial.failed
    manifest = json.loads((tmp_path / "parallel" / "manifest.json").read_text())
    assert manifest["failed"] == parallel.failed and sorted(manifest["docs"]) == good
    for doc_id in good:
        name = f"{doc_id}{PARSE_SUFFIX}"
        assert (tmp_path / "parallel" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()


def test_parallel_jobs_setting_comes_from_the_flag_then_the_environment(monkeypatch):
    monkeypatch.setenv(executors.JOBS_ENV, "3")
    assert executors.jobs_setting() == 3
    assert executors.jobs_setting(1) == 1
    monkeypatch.setenv(executors.JOBS_ENV, "many")
    with pytest.raises(ValueError, match="PIPELINE_JOBS='many' is not a number"):
        executors.jobs_setting()
    monkeypatch.delenv(executors.JOBS_ENV)
    assert executors.jobs_setting() == executors.machine_cores()
    with pytest.raises(ValueError, match="--jobs must be at least 1, not 0"):
        executors.Pool(0)


def test_parallel_documents_are_scheduled_largest_first_and_the_smallest_loads_the_models(tmp_path, corpus_run):
    """The corpus papers reach the pool largest text first (no core idles on a late straggler), and the
    smallest runs in this process first, alone, while it loads the stage's models for the workers to inherit."""
    import os

    from pipeline.core.incremental import input_hashes, input_sizes, run_per_document
    from pipeline.core.io import TEXT_SUFFIX

    _, _, work = corpus_run
    ingest_dir = work / "ingest"
    sizes = input_sizes(ingest_dir, TEXT_SUFFIX)
    by_size = sorted(sizes, key=lambda d: -(ingest_dir / f"{d}{TEXT_SUFFIX}").stat().st_size)
    out_dir = tmp_path / "out"
    seen: list[str] = []

    class Recording(executors.Pool):
        def run(self, work, doc_ids, desc):
            seen.extend(doc_ids)
            return super().run(work, doc_ids, desc)

    def stage_work(doc_id: str) -> list[str]:
        (out_dir / f"{doc_id}.pid").write_text(str(os.getpid()))
        return [f"{doc_id}.pid"]

    result = run_per_document(
        "probe", out_dir, input_hashes(ingest_dir, DOC_SUFFIX), "v1", stage_work, Recording(2), sizes
    )
    assert seen == by_size and len(seen) == 5
    assert result.processed == sorted(by_size)  # the manifest and log stay in id order
    pids = {d: (out_dir / f"{d}.pid").read_text() for d in by_size}
    assert pids[by_size[-1]] == str(os.getpid())
    assert all(pids[d] != str(os.getpid()) for d in by_size[:-1])
