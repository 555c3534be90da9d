"""The per-document rows of the corpus tables, kept between runs of ``consolidate``.

Adding one paper to a corpus of thousands should cost one paper's work. The stage's per-document part —
reading a document and its extractions, merging candidates, adding ids and provenance — is cached here,
one Parquet file per table (``documents``, ``mentions``, ``figures``, ``events``, ``citations``), each
row tagged with its document (:data:`DOC`) and the document's key (:data:`KEY`): the hash of the
document's inputs (the keys the ingest and extractor stages recorded), the consolidate code and the
parameters the rows depend on. A run reuses the rows of every document whose key is unchanged and
makes the others again; only the corpus-level part (entity grouping, the tables' order) runs on all.

The cache is never the truth: a missing, stale or unreadable file only means more documents are
read. ``documents`` lists every cached document (one row each, errors included), so it is written
last: a run killed between two writes leaves rows that no ``documents`` row vouches for, and they are
made again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pipeline.core import names
from pipeline.core.io import atomic_write_bytes

log = logging.getLogger(__name__)

#: The cached tables, in the order they are written (``documents`` last: it vouches for the others).
TABLES = ("mentions", names.T_FIGURES, names.T_EVENTS, names.T_CITATIONS, names.T_DOCUMENTS)
DOC = "_doc"
KEY = "_key"
SUFFIX = ".parquet"


def load(cache_dir: Path | None, keys: Mapping[str, str]) -> tuple[dict[str, pd.DataFrame], set[str], set[str]]:
    """The cached rows of the documents whose key is ``keys[doc_id]``, by table; those documents' ids; and
    the ids of cached documents that are no longer in ``keys``."""
    if cache_dir is None or not (cache_dir / f"{names.T_DOCUMENTS}{SUFFIX}").exists():
        return {}, set(), set()
    try:
        frames = {t: pd.read_parquet(cache_dir / f"{t}{SUFFIX}") for t in TABLES}
    except (OSError, ValueError) as e:  # a file missing or unreadable: read every document again
        log.warning("consolidate: row cache %s unreadable (%s); every document is read again", cache_dir, e)
        return {}, set(), set()
    docs = frames[names.T_DOCUMENTS]
    valid = {d for d, k in zip(docs[DOC], docs[KEY]) if keys.get(d) == k}
    gone = set(docs[DOC]) - set(keys)
    kept = {}
    for t, df in frames.items():
        kept[t] = df[df[DOC].isin(valid) & (df[KEY] == df[DOC].map(keys))].reset_index(drop=True)
    return kept, valid, gone


def save(cache_dir: Path | None, frames: Mapping[str, pd.DataFrame]) -> None:
    """Write the rows of every current document (``documents`` last)."""
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        atomic_write_bytes(cache_dir / f"{t}{SUFFIX}", frames[t].to_parquet(index=False))


def tag(rows: list[dict], doc_id: str, key: str) -> list[dict]:
    """``rows`` with their document and key, as the cache stores them."""
    return [{**r, DOC: doc_id, KEY: key} for r in rows]


def combine(cached: pd.DataFrame | None, fresh: list[dict]) -> pd.DataFrame:
    """One table's reused rows and the rows made in this run, in one frame, in document order (a stable
    sort: each document's rows keep the order they were made in), so the cache's bytes depend only on the
    current documents, not on the order in which runs added them. The table's own order comes later."""
    parts = [f for f in (cached, pd.DataFrame(fresh)) if f is not None and len(f)]
    if not parts:
        return pd.DataFrame({DOC: [], KEY: []}, dtype=object)
    return pd.concat(parts, ignore_index=True).sort_values(DOC, kind="stable", ignore_index=True)


def untag(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in (DOC, KEY) if c in df.columns])
