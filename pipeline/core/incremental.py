"""Per-document stage cache: only new or changed documents are processed again.

DVC re-runs a stage when any of its dependencies changed; a stage then calls :func:`run_per_document`,
which skips every document whose key — the hash of its input, the stage's code and its parameters —
is the one recorded in the stage's ``manifest.json``, and deletes the outputs of documents that
are gone. The counts of what it did are returned and written to ``logs/<stage>.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core import executors
from pipeline.core.io import atomic_write_text

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(*parts: object) -> str:
    """A stable hash of JSON-serializable parts (params dicts, versions, hashes)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def code_version(*modules: str) -> str:
    """Hash of the source files of ``modules`` (a package counts all its files, static ones too)."""
    h = hashlib.sha256()
    for name in sorted(modules):
        mod = importlib.import_module(name)
        path = Path(str(mod.__file__))
        if path.name == "__init__.py":
            files = sorted(p for p in path.parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        else:
            files = [path]
        for f in files:
            h.update(f.relative_to(path.parent).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


#: The packages whose code a per-document stage's cache key hashes: its own, ``core`` and the packages it imports
#: (figures reads dates with the events' time-expression reader). ``tests/test_architecture.py`` checks that each
#: stage imports nothing else of the pipeline, and ``dvc.yaml`` that the stage depends on exactly these.
STAGE_CODE: dict[str, tuple[str, ...]] = {
    "ingest": ("core", "ingest"),
    "parse": ("core", "parse"),
    "entities": ("core", "entities"),
    "figures": ("core", "events", "figures"),
    "events": ("core", "events"),
}
STAGE_PACKAGES = tuple(STAGE_CODE)


def stage_version(stage: str) -> str:
    """Hash of the code a per-document stage runs: the packages :data:`STAGE_CODE` lists for it.

    Editing a module of another stage (consolidate, publish, …) leaves this key, and so the
    stage's per-document outputs, as they are.
    """
    if stage not in STAGE_CODE:
        raise ValueError(f"{stage!r} is not a per-document stage ({', '.join(STAGE_PACKAGES)})")
    return code_version(*(f"pipeline.{p}" for p in STAGE_CODE[stage]))


@dataclass
class StageResult:
    """What one run of a per-document stage did, document ids by outcome."""

    stage: str
    processed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        s = f"{self.stage}: {len(self.processed)} processed, {len(self.reused)} unchanged, {len(self.removed)} removed"
        return s + (f", {len(self.failed)} failed" if self.failed else "")

    def write_log(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(log_dir / f"{self.stage}.json", json.dumps(asdict(self), indent=1, sort_keys=True) + "\n")


def run_per_document(
    stage: str,
    out_dir: Path,
    inputs: dict[str, str],
    version: str,
    work: executors.Work,
    executor: executors.Executor | None = None,
    sizes: Mapping[str, int] | None = None,
) -> StageResult:
    """Run ``work(doc_id)`` for each document whose ``inputs[doc_id]`` hash or ``version`` changed.

    ``work`` writes its files into ``out_dir`` (through :mod:`pipeline.core.io`'s atomic writers) and returns their names,
    or a :class:`~pipeline.core.executors.Written` whose note the manifest keeps (:func:`stage_notes`).
    Documents missing from ``inputs`` lose their files. An exception in ``work`` is logged with the
    document's id, recorded under ``failed`` in the manifest (the published ``documents`` table
    shows it) and the document is left out; the other documents go on.

    The documents run on ``executor`` (default: :func:`pipeline.core.executors.current`: serial,
    worker processes or a Dask cluster); whichever it is, the outputs, manifest and log are the same.
    With ``sizes`` (each document's input bytes: :func:`input_sizes`) they are handed to it largest
    first, so that the workers' last documents are small ones and no core waits long for a straggler.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    _sweep(out_dir)
    manifest_path = out_dir / MANIFEST
    old = json.loads(manifest_path.read_text())["docs"] if manifest_path.exists() else {}
    result = StageResult(stage)
    new: dict[str, dict] = {}
    todo = []
    for doc_id in sorted(inputs):
        key = fingerprint(inputs[doc_id], version)
        entry = old.get(doc_id)
        if entry and entry["key"] == key and all((out_dir / f).exists() for f in entry["files"]):
            new[doc_id] = entry
            result.reused.append(doc_id)
        else:
            todo.append((doc_id, key))
    for doc_id, _ in todo:
        for f in (old.get(doc_id) or {}).get("files", []):
            (out_dir / f).unlink(missing_ok=True)
    schedule = [doc_id for doc_id, _ in todo]
    if sizes:
        schedule.sort(key=lambda d: -sizes.get(d, 0))  # stable: ties stay in id order
    outcomes = (executor or executors.current()).run(work, schedule, stage)
    for doc_id, key in todo:  # in id order, however the documents were scheduled
        written, error = outcomes[doc_id]
        if written is None:
            log.error("%s: %s failed: %s", stage, doc_id, error)
            result.failed[doc_id] = str(error)
            continue
        new[doc_id] = {"key": key, "files": written.files, **({"note": written.note} if written.note else {})}
        result.processed.append(doc_id)
        log.info("%s: %s processed (%s)", stage, doc_id, ", ".join(written.files) or "no output")
    for doc_id in sorted(set(old) - set(inputs)):
        for f in old[doc_id]["files"]:
            (out_dir / f).unlink(missing_ok=True)
        result.removed.append(doc_id)
    manifest = {"docs": new, **({"failed": result.failed} if result.failed else {})}
    _sweep(out_dir)  # a worker killed while writing leaves its temporary file; its document ran again elsewhere
    atomic_write_text(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    log.info(result.summary())
    result.write_log(out_dir.parent / "logs")
    return result


def _sweep(out_dir: Path) -> None:
    """Remove the temporary files of writes that never finished (:mod:`pipeline.core.io`)."""
    for stale in out_dir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)


def stage_failures(stage_dir: Path) -> dict[str, str]:
    """``{doc_id: error}`` of the documents a per-document stage failed on in its last run."""
    manifest = stage_dir / MANIFEST
    return dict(json.loads(manifest.read_text()).get("failed", {})) if manifest.exists() else {}


def stage_notes(stage_dir: Path) -> dict[str, dict[str, Any]]:
    """``{doc_id: note}`` of the documents whose ``work`` left a note in the manifest
    (:class:`pipeline.core.executors.Written`); a document without one is absent."""
    manifest = stage_dir / MANIFEST
    docs = json.loads(manifest.read_text())["docs"] if manifest.exists() else {}
    return {doc_id: e["note"] for doc_id, e in docs.items() if "note" in e}


def input_sizes(in_dir: Path, suffix: str) -> dict[str, int]:
    """``{doc_id: bytes}`` of a per-document stage's input files (missing: 0), the cost
    :func:`run_per_document` schedules by."""
    out = {}
    for p in in_dir.glob(f"*{suffix}"):
        with contextlib.suppress(OSError):
            out[p.name[: -len(suffix)]] = p.stat().st_size
    return out


def input_hashes(in_dir: Path, suffix: str) -> dict[str, str]:
    """``{doc_id: hash}`` for a per-document stage's input files, read from its manifest when present."""
    manifest = in_dir / MANIFEST
    if manifest.exists():
        docs = json.loads(manifest.read_text())["docs"]
        return {doc_id: e["key"] for doc_id, e in docs.items() if (in_dir / f"{doc_id}{suffix}").exists()}
    return {p.name[: -len(suffix)]: sha256_file(p) for p in sorted(in_dir.glob(f"*{suffix}"))}
