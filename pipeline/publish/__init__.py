"""The ``publish`` stage and :func:`load_dataset`: the dataset in ``outputs/`` as users load it.

``outputs/`` holds one Parquet file per table (with a CSV copy for spreadsheet users; list columns
are JSON arrays there), ``texts/<doc_id>.txt`` with the canonical text every ``start``/``end`` indexes,
and ``datapackage.json`` describing both forms of every table (:mod:`pipeline.publish.package`).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core import names
from pipeline.core.incremental import STAGE_PACKAGES, stage_failures
from pipeline.core.ingested import statuses, text
from pipeline.core.io import TEXT_SUFFIX, _read_exact, load_dataset, load_text  # noqa: F401  (re-exported: pipeline.publish.load_dataset)
from pipeline.core.lock import hold
from pipeline.core.schema import FORMULA_START, LIST, TABLES, normalize_frame, spreadsheet_safe
from pipeline.publish.package import datapackage

SUFFIX = ".parquet"


def main(tables_dir: Path, ingest_dir: Path, out_dir: Path) -> dict[str, pd.DataFrame]:
    """Publish the final tables of ``tables_dir`` with texts and the descriptor as ``out_dir``.

    Everything is written into a folder beside ``out_dir`` that then takes its place in one
    rename, so a reader (or a run killed half-way) sees the previous dataset or the new one, never
    a mix; a second run publishing to the same folder meanwhile stops with a message.
    """
    with hold(out_dir):
        new, old = _siblings(out_dir)
        _recover(out_dir, old)
        for leftover in (new, old):  # from a run killed while publishing
            shutil.rmtree(leftover, ignore_errors=True)
        tables = _write_dataset(tables_dir, ingest_dir, new)
        if out_dir.exists():
            _swap(new, out_dir)
            shutil.rmtree(new)
        else:
            new.rename(out_dir)
    return tables


def _write_dataset(tables_dir: Path, ingest_dir: Path, out_dir: Path) -> dict[str, pd.DataFrame]:
    out_dir.mkdir(parents=True)
    tables: dict[str, pd.DataFrame] = {}
    for path in sorted(tables_dir.glob(f"*{SUFFIX}")):
        df = pd.read_parquet(path)
        tables[path.stem] = normalize_frame(path.stem, df) if path.stem in TABLES else df
    failures = {stage: stage_failures(ingest_dir.parent / stage) for stage in STAGE_PACKAGES}
    if names.T_DOCUMENTS in tables and any(failures.values()):
        tables[names.T_DOCUMENTS] = mark_failures(tables[names.T_DOCUMENTS], failures)
    for name, df in tables.items():
        _write_table(out_dir, name, df)
    review_dir = tables_dir / "review"
    if review_dir.is_dir():  # the audit tables: every decision with its outcome, rejected rows, orphans
        shutil.copytree(review_dir, out_dir / "review")
    texts = out_dir / "texts"
    texts.mkdir()
    for doc_id, status, _ in statuses(ingest_dir):  # the manifest's notes: no document is opened
        if status == names.STATUS_ERROR:
            continue
        copied = ingest_dir / f"{doc_id}{TEXT_SUFFIX}"
        if copied.exists():
            shutil.copyfile(copied, texts / f"{doc_id}.txt")
        else:  # an ingest folder from before the text files
            (texts / f"{doc_id}.txt").write_bytes(text(ingest_dir, doc_id).encode("utf-8"))
    events = tables.get(names.T_EVENTS)
    if events is not None:  # the corpus timeline: one row per event told in one or more papers
        from pipeline.publish.timeline import build_timeline
        from pipeline.publish.timeline_page import render_html

        timeline = normalize_frame(names.T_TIMELINE, build_timeline(events))
        _write_table(out_dir, names.T_TIMELINE, timeline)
        texts_by_doc = {p.stem: _read_exact(p) for p in sorted(texts.glob("*.txt"))}
        page = render_html(timeline, events, texts_by_doc, tables.get(names.T_DOCUMENTS), tables.get(names.T_ENTITIES))
        (out_dir / "timeline.html").write_text(page, encoding="utf-8")
        tables[names.T_TIMELINE] = timeline
    (out_dir / "datapackage.json").write_text(json.dumps(datapackage(tables), indent=1) + "\n")
    return tables


def mark_failures(documents: pd.DataFrame, failures: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``documents`` with ``status = "error"`` and the reason on every document a stage failed on.

    ``failures`` is ``{stage: {doc_id: error}}`` (the stages' manifests); the document's own
    warning, if any, stays after the failure. A document without a row (ingest failed to write
    it) gets one.
    """
    df = documents.copy()
    reasons: dict[str, list[str]] = {}
    for stage, failed in failures.items():
        for doc_id, error in sorted(failed.items()):
            hint = (
                " (out of memory: lower ingest.max_chars or split the file)" if error.startswith("MemoryError") else ""
            )
            reasons.setdefault(doc_id, []).append(f"{stage} failed: {error}{hint}")
    missing = sorted(set(reasons) - set(df["doc_id"]))
    if missing:
        df = pd.concat([df, pd.DataFrame({"doc_id": missing})], ignore_index=True)
    for i, row in df.iterrows():
        if row["doc_id"] not in reasons:
            continue
        source = row["source"] if isinstance(row["source"], str) else row["doc_id"]
        before = row["error"] if isinstance(row["error"], str) else ""
        before = before.removeprefix(f"{source}: ")
        df.loc[i, "status"] = names.STATUS_ERROR
        df.loc[i, "error"] = f"{source}: " + "; ".join(reasons[row["doc_id"]] + ([before] if before else []))
    return normalize_frame(names.T_DOCUMENTS, df)


def _siblings(out_dir: Path) -> tuple[Path, Path]:
    """The folders beside ``out_dir`` that hold the new dataset while it is written, and the old one while swapped."""
    return out_dir.with_name(f".{out_dir.name}.publishing"), out_dir.with_name(f".{out_dir.name}.previous")


def _recover(out_dir: Path, old: Path) -> None:
    """Put back the previous dataset if a run was killed between the two renames of :func:`_swap`'s fallback."""
    if old.is_dir() and not out_dir.exists():
        old.rename(out_dir)


def _swap(new: Path, out_dir: Path) -> None:
    """Exchange the two folders in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Where the system cannot exchange, ``out_dir`` is renamed aside and ``new`` put in its place
    (for an instant no ``out_dir``, never a mix); the old one is then left in ``new``.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        renameat2 = None
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(out_dir), rename_exchange) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(out_dir))
    _, old = _siblings(out_dir)
    out_dir.rename(old)
    new.rename(out_dir)
    old.rename(new)


def list_cell(value: Any) -> str:
    """A list cell of the CSV copy: the list as a JSON array of strings (``[]`` for none).

    >>> list_cell(["spacy", "gazetteer"]), list_cell(None)
    ('["spacy", "gazetteer"]', '[]')
    """
    items = () if value is None or (isinstance(value, float) and pd.isna(value)) else tuple(str(x) for x in value)
    return _json_array(items)


@functools.lru_cache(maxsize=65536)
def _json_array(items: tuple[str, ...]) -> str:
    return json.dumps(list(items), ensure_ascii=False)  # a corpus repeats its lists (sources, participants)


def _write_table(out_dir: Path, name: str, df: pd.DataFrame) -> None:
    """One table as Parquet, with a CSV copy beside it (list columns as JSON there, text cells spreadsheet-safe).

    The Parquet file keeps every text as it is; in the CSV a text cell that a spreadsheet would
    read as a formula gets a leading ``'`` (:func:`~pipeline.core.schema.spreadsheet_safe`, as the
    review sheet). Numbers stay numbers: ``-5.0`` in a number column is written as it is.
    """
    df.to_parquet(out_dir / f"{name}{SUFFIX}", index=False)
    csv = df.copy()
    lists = {c for c, t in TABLES[name]["columns"] if t == LIST} if name in TABLES else set()
    for col in csv.columns:
        if col in lists or (
            csv[col].dtype == object and any(isinstance(v, (list, tuple)) or hasattr(v, "tolist") for v in csv[col])
        ):
            csv[col] = csv[col].map(list_cell)
        elif isinstance(csv[col].dtype, pd.StringDtype):  # the schema's text columns: one vectorized pass
            risky = csv[col].str[:1].isin(FORMULA_START).fillna(False).astype(bool)
            csv[col] = csv[col].mask(risky, "'" + csv[col])
        elif csv[col].dtype == object:
            csv[col] = csv[col].map(lambda v: spreadsheet_safe(v) if isinstance(v, str) else v)
    csv.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
