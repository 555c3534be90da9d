"""The ``publish`` stage and :func:`load_dataset`: the dataset in ``outputs/`` as users load it.

``outputs/`` holds one Parquet file per table (with a CSV copy for spreadsheet users; list columns
are JSON there), ``texts/<doc_id>.txt`` with the canonical text every ``start``/``end`` indexes,
and ``datapackage.json`` describing the tables (Frictionless Table Schema).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline.core import names
from pipeline.core.incremental import MANIFEST
from pipeline.core.io import DOC_SUFFIX, _read_exact, load_dataset, load_document, load_text  # noqa: F401  (re-exported: pipeline.publish.load_dataset)
from pipeline.core.schema import TABLES, datapackage, normalize_frame

SUFFIX = ".parquet"


def main(tables_dir: Path, ingest_dir: Path, out_dir: Path) -> dict[str, pd.DataFrame]:
    """Copy the final tables of ``tables_dir`` into ``out_dir`` with texts and the descriptor."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pd.DataFrame] = {}
    for path in sorted(tables_dir.glob(f"*{SUFFIX}")):
        df = pd.read_parquet(path)
        tables[path.stem] = normalize_frame(path.stem, df) if path.stem in TABLES else df
    for name, df in tables.items():
        _write_table(out_dir, name, df)
    review_dir = tables_dir / "review"
    if review_dir.is_dir():  # the audit tables: every decision with its outcome, rejected rows, orphans
        shutil.copytree(review_dir, out_dir / "review", dirs_exist_ok=True)
    texts = out_dir / "texts"
    texts.mkdir(exist_ok=True)
    keep = set()
    for p in sorted(ingest_dir.glob(f"*{DOC_SUFFIX}")):
        if p.name == MANIFEST:
            continue
        doc = load_document(p)
        if doc.status != names.STATUS_ERROR:
            (texts / f"{doc.doc_id}.txt").write_text(doc.text, encoding="utf-8", newline="")
            keep.add(f"{doc.doc_id}.txt")
    for stale in texts.glob("*.txt"):
        if stale.name not in keep:
            stale.unlink()
    events = tables.get(names.T_EVENTS)
    if events is not None:  # the corpus timeline: one row per event told in one or more papers
        from pipeline.publish.timeline import build_timeline, render_html

        timeline = normalize_frame(names.T_TIMELINE, build_timeline(events))
        _write_table(out_dir, names.T_TIMELINE, timeline)
        texts_by_doc = {p.stem: _read_exact(p) for p in sorted(texts.glob("*.txt"))}
        (out_dir / "timeline.html").write_text(render_html(timeline, events, texts_by_doc), encoding="utf-8")
        tables[names.T_TIMELINE] = timeline
    (out_dir / "datapackage.json").write_text(json.dumps(datapackage(tables), indent=1) + "\n")
    return tables


def _write_table(out_dir: Path, name: str, df: pd.DataFrame) -> None:
    """One table as Parquet, with a CSV copy beside it (list columns as JSON there)."""
    df.to_parquet(out_dir / f"{name}{SUFFIX}", index=False)
    csv = df.copy()
    for col in csv.columns:
        if csv[col].dtype == object and any(isinstance(v, (list, tuple)) or hasattr(v, "tolist") for v in csv[col]):
            csv[col] = csv[col].map(lambda v: json.dumps([str(x) for x in v], ensure_ascii=False))
    csv.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
