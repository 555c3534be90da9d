"""Where a per-document stage runs its documents: this process, worker processes, or a Dask cluster.

The outputs never depend on it: each document's ``work`` writes only its own files, and
:func:`pipeline.core.incremental.run_per_document` orders what comes back by document id, so a
run with ``--jobs 8`` or on a cluster writes the same bytes as a serial one. That is why the
setting is not a parameter of any stage (``params.yaml`` would make DVC re-run the stages when it
changes) but a property of the machine the run is on: ``--jobs``/``--scheduler`` on the command
line, else the environment (``PIPELINE_JOBS``, ``PIPELINE_SCHEDULER``), else every core here.

* :class:`Serial` — one document after another in this process (``--jobs 1``; library calls that
  configured nothing).
* :class:`Pool` — forked worker processes. A worker inherits the stage's ``work`` function at fork
  (a module global, never pickled) and loads its models once, through the stages' cached loaders.
* :class:`Cluster` — a ``dask.distributed`` cluster (``dask scheduler`` and ``dask worker``, or a
  ``LocalCluster``). ``work`` is sent to every worker once (scattered, broadcast); each worker loads
  the models once through the same cached loaders; documents are read from and written to the
  paths the stage names, which every worker must see (one machine, or a shared folder mounted at
  the same path: workers start from the project root, with the same code). A worker that dies
  mid-run has its documents re-run on another (the scheduler's retries, and once more here for a task the
  cluster lost outright); the writes are atomic
  (:mod:`pipeline.core.io`), so a document written twice is the same file.

A document's exception is its outcome, never the run's: it comes back as the failure's reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.core.progress import counter, progress

log = logging.getLogger(__name__)
JOBS_ENV = "PIPELINE_JOBS"
SCHEDULER_ENV = "PIPELINE_SCHEDULER"


@dataclass(frozen=True)
class Written:
    """What ``work`` wrote for one document: its files' names, and a few facts about the document that
    the stage's manifest keeps beside them (``note``, JSON), so that a reader of the whole corpus (the
    run's summary of ingest) learns them without opening every document."""

    files: list[str]
    note: dict[str, Any] = field(default_factory=dict)


#: A stage's work on one document: the names of the files it wrote, or a :class:`Written`.
Work = Callable[[str], "Iterable[str] | Written"]
#: A document's outcome: what it wrote (files sorted), or ``None`` and why it failed.
Outcome = tuple[Written | None, str | None]


def machine_cores() -> int:
    """The cores this process may run on (the default ``--jobs``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def reason(e: BaseException) -> str:
    """One line for a document's failure: ``"ValueError: bad table"``."""
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def attempt(work: Work, doc_id: str) -> Outcome:
    """What ``work(doc_id)`` wrote (its files sorted), or its exception's reason."""
    try:
        out = work(doc_id)
        written = out if isinstance(out, Written) else Written(list(out))
        return Written(sorted(written.files), written.note), None
    except Exception as e:  # one bad document never stops the others
        return None, reason(e)


class Executor(Protocol):
    def run(self, work: Work, doc_ids: list[str], desc: str) -> dict[str, Outcome]:
        """Every document's outcome (any order of running; the caller orders the results)."""
        ...


class Serial:
    """One document after another, in this process."""

    def run(self, work: Work, doc_ids: list[str], desc: str) -> dict[str, Outcome]:
        return {doc_id: attempt(work, doc_id) for doc_id in progress(doc_ids, desc=desc, unit="doc")}


_WORK: Work | None = None  # the stage's work function, inherited by the pool's forked workers


def _pool_init(threads: int) -> None:
    """A worker process's start: its share of the cores for the math libraries' threads."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch = __import__("sys").modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


def _pool_task(doc_id: str) -> Outcome:
    assert _WORK is not None, "the pool's workers are forked after the work function is set"
    return attempt(_WORK, doc_id)


class Pool:
    """``jobs`` forked worker processes (the ``fork`` start method: Linux, macOS); two documents or
    fewer run in this process instead, where a pool would cost more than it gives."""

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise ValueError(f"--jobs must be at least 1, not {jobs}")
        self.jobs = jobs

    def run(self, work: Work, doc_ids: list[str], desc: str) -> dict[str, Outcome]:
        if self.jobs == 1 or len(doc_ids) <= 2:
            return Serial().run(work, doc_ids, desc)
        global _WORK
        _WORK = work
        try:
            # One document runs here first: it loads the stage's models into this process's cached
            # loaders, and the workers forked next inherit them (shared pages) instead of loading their own.
            # It is the last one (the smallest, when the caller hands them largest first), so the one
            # core busy alone meanwhile is busy for the shortest time.
            out = {doc_ids[-1]: attempt(work, doc_ids[-1])}
            out.update(self._run(doc_ids[:-1], desc))
            lost = [d for d in doc_ids if d not in out]
            if lost:  # a worker died (killed, out of memory): the documents it left run once more
                log.warning("%s: a worker process died; %d documents run again", desc, len(lost))
                out.update(self._run(lost, desc))
            for doc_id in doc_ids:
                out.setdefault(doc_id, (None, "a worker process died while reading it (killed or out of memory)"))
            return out
        finally:
            _WORK = None

    def _run(self, doc_ids: list[str], desc: str) -> dict[str, Outcome]:
        jobs = min(self.jobs, len(doc_ids))
        threads = max(1, machine_cores() // jobs)
        ctx = multiprocessing.get_context("fork")
        out: dict[str, Outcome] = {}
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_pool_init, initargs=(threads,)) as pool:
            futures = {pool.submit(_pool_task, doc_id): doc_id for doc_id in doc_ids}
            with counter(len(futures), desc=desc, unit="doc") as bar:
                for fut in as_completed(futures):
                    with contextlib.suppress(BrokenProcessPool):
                        out[futures[fut]] = fut.result()
                    bar.update()
        return out


def _code_version() -> str:
    """A hash of this process's ``pipeline`` package source (workers must run the client's code)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent  # pipeline/
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


_CODE: dict[str, str] = {}


def _cluster_task(doc_id: str, work: Work, root: str, code: str) -> Outcome:
    """One document on a Dask worker, from the client's working folder and with the client's code."""
    if not _CODE:  # this worker's first document
        _CODE["version"] = _code_version()
        from distributed import get_worker

        _pool_init(get_worker().state.nthreads)  # the math libraries' threads: the worker's own, not every core
    if _CODE["version"] != code:
        return None, (
            f"the Dask worker runs other pipeline code than the client ({os.uname().nodename}); "
            "start the workers from the same checkout (PYTHONPATH=<project root>)"
        )
    if os.getcwd() != root:
        if not Path(root).is_dir():
            return (
                None,
                f"the Dask worker on {os.uname().nodename} cannot see the project folder {root} (a shared path)",
            )
        os.chdir(root)  # the stages' relative paths (params.yaml's models/, patterns/) are the client's
    return attempt(work, doc_id)


#: The reason of a document whose task the Dask cluster lost or gave up on.
LOST = "the Dask cluster lost it"
#: ... and of one whose task it cancelled (forgot) rather than gave up on: :meth:`Cluster.run` retries those once.
CANCELLED = f"{LOST} (cancelled)"


class Cluster:
    """A ``dask.distributed`` cluster, through a ``Client`` on its scheduler's address."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def run(self, work: Work, doc_ids: list[str], desc: str) -> dict[str, Outcome]:
        out = self._run(work, doc_ids, desc)
        # A worker killed while it held the work function's only replica takes its tasks with it (the
        # scheduler forgets them: FutureCancelledError): those documents run once more, with work sent again.
        lost = [d for d in doc_ids if (out[d][1] or "").startswith(CANCELLED)]
        if lost:
            log.warning("%s: the Dask cluster lost %d documents; they run again", desc, len(lost))
            out.update(self._run(work, lost, desc))
        return out

    def _run(self, work: Work, doc_ids: list[str], desc: str) -> dict[str, Outcome]:
        if not doc_ids:
            return {}
        from distributed import as_completed as dask_completed

        shared = self.client.scatter(work, broadcast=True, hash=False)  # once per worker, never per task
        futures = self.client.map(
            _cluster_task, doc_ids, work=shared, root=os.getcwd(), code=_code_version(), pure=False
        )
        keys = {f.key: doc_id for f, doc_id in zip(futures, doc_ids)}
        out: dict[str, Outcome] = {}
        with counter(len(futures), desc=desc, unit="doc") as bar:
            for fut in dask_completed(futures):
                try:
                    out[keys[fut.key]] = fut.result()
                except CancelledError as e:  # forgotten with a dead worker's data: worth one more try
                    out[keys[fut.key]] = (None, f"{CANCELLED}: {reason(e)}")
                except Exception as e:  # the scheduler gave up on it (KilledWorker: it killed every worker it ran on)
                    out[keys[fut.key]] = (None, f"{LOST}: {reason(e)}")
                bar.update()
        self.client.cancel([shared])
        return out


_current: Executor = Serial()


def current() -> Executor:
    """The executor per-document stages use now (:func:`configured` sets it; else serial)."""
    return _current


def jobs_setting(jobs: int | None = None) -> int:
    """``jobs``, else ``PIPELINE_JOBS``, else every core of this machine.

    >>> jobs_setting(3)
    3
    """
    if jobs is not None:
        return jobs
    env = os.environ.get(JOBS_ENV, "").strip()
    if not env:
        return machine_cores()
    try:
        return int(env)
    except ValueError:
        raise ValueError(f"{JOBS_ENV}={env!r} is not a number of worker processes (e.g. {JOBS_ENV}=4)") from None


@contextlib.contextmanager
def configured(jobs: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """Run the per-document stages of the block on the Dask cluster at ``scheduler``, or in ``jobs``
    processes (:func:`jobs_setting`). With neither given, ``PIPELINE_SCHEDULER`` names the cluster,
    else ``PIPELINE_JOBS`` the processes; a ``jobs`` given here overrides ``PIPELINE_SCHEDULER``.

    >>> with configured(jobs=2):  # doctest: +SKIP
    ...     pipeline.run.run(raw, out, work, params)
    """
    global _current
    if scheduler is None and jobs is None:
        scheduler = os.environ.get(SCHEDULER_ENV, "").strip() or None
    previous = _current
    with contextlib.ExitStack() as stack:
        if scheduler:
            from distributed import Client

            try:
                client = stack.enter_context(Client(scheduler, timeout="30s"))
            except OSError as e:
                raise RuntimeError(
                    f"no Dask scheduler answers at {scheduler} ({e}); start one with `dask scheduler` "
                    f"and workers with `dask worker {scheduler}`, or leave out --scheduler/{SCHEDULER_ENV}"
                ) from None
            _current = Cluster(client)
        else:
            _current = Pool(jobs_setting(jobs))
        try:
            yield _current
        finally:
            _current = previous
