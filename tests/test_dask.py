"""The Dask backend: a ``LocalCluster``, then a real ``dask scheduler`` and two ``dask worker`` processes
on 127.0.0.1 driven through ``pipeline run --scheduler``; every run byte-identical to a serial one,
a worker killed mid-run included."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RAW, ROOT
from trees import assert_same_tree

from pipeline.core import executors
from pipeline.run import run

pytestmark = pytest.mark.model
DASK = Path(sys.executable).with_name("dask")  # the console script beside this Python
SMALL = ["000_95dc770c8c7f5368", "002_a7ba452f2a3fc99c", "004_079214a4568c4b32"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"}  # workers import this checkout's pipeline


@pytest.fixture(scope="module")
def serial(tmp_path_factory, params):
    """Three papers run serially: (raw, out, work)."""
    base = tmp_path_factory.mktemp("serial")
    raw, out, work = base / "raw", base / "outputs", base / "data"
    raw.mkdir()
    for doc_id in SMALL:
        shutil.copy(RAW / f"{doc_id}.txt", raw)
    with executors.configured(jobs=1):
        assert run(raw, out, work, params) == 0
    return raw, out, work


def test_dask_local_cluster_run_is_byte_identical_to_serial(tmp_path, params, serial):
    from distributed import LocalCluster

    raw, out1, work1 = serial
    out2, work2 = tmp_path / "outputs", tmp_path / "data"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with executors.configured(scheduler=cluster.scheduler_address) as ex:
            assert isinstance(ex, executors.Cluster)
            assert run(raw, out2, work2, params) == 0
    assert_same_tree(out1, out2)
    assert_same_tree(work1, work2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A ``dask scheduler`` and two ``dask worker`` processes (no nanny: a killed one stays dead)."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask-logs")
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    cmds = [[str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"]]
    cmds += [
        [str(DASK), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"]
    ] * 2
    procs = []
    try:
        for i, cmd in enumerate(cmds):
            log = open(logs / f"{i}.log", "wb")  # noqa: SIM115  (closed with the process below)
            procs.append((subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=log, stderr=log), log))
            if i == 0:
                time.sleep(2)  # the scheduler listens before the workers dial it
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            pids = client.run(os.getpid)  # {worker address: pid}
        yield address, pids
    finally:
        for proc, _ in procs:
            proc.terminate()
        for proc, log in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def _pipeline_run(raw: Path, out: Path, work: Path, address: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--work", str(work)]
    return subprocess.Popen(
        [*cmd, "--scheduler", address], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_dask_scheduler_and_workers_run_is_byte_identical_to_serial(tmp_path, serial, cluster):
    raw, out1, work1 = serial
    address, _ = cluster
    out2, work2 = tmp_path / "outputs", tmp_path / "data"
    proc = _pipeline_run(raw, out2, work2, address)
    output = proc.communicate(timeout=900)[0].decode()
    assert proc.returncode == 0, output
    assert "parse: 3 processed, 0 unchanged, 0 removed" in output
    assert_same_tree(out1, out2)
    assert_same_tree(work1, work2)


def test_dask_worker_killed_mid_run_loses_nothing(tmp_path, serial, cluster):
    from distributed import Client

    raw, out1, work1 = serial
    address, pids = cluster
    out2, work2 = tmp_path / "outputs", tmp_path / "data"
    proc = _pipeline_run(raw, out2, work2, address)
    killed = None
    with Client(address, timeout="60s") as watcher:
        deadline = time.monotonic() + 600
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            busy = {
                w: keys
                for w, keys in watcher.processing().items()
                if any(str(k).startswith("_cluster_task") for k in keys) and w in pids
            }
            if busy:  # a worker holds a document: kill it where it stands
                killed = sorted(busy)[0]
                os.kill(pids[killed], signal.SIGKILL)
            time.sleep(0.05)
    output = proc.communicate(timeout=900)[0].decode()
    assert killed is not None, "no document was ever in flight on a worker"
    assert proc.returncode == 0, output
    assert "failed" not in output, output
    assert_same_tree(out1, out2)  # its documents ran again on the other worker: nothing lost
    assert_same_tree(work1, work2)
