"""The ``consolidate`` stage: per-document extractions → corpus tables with stable ids.

* entities: candidates from every source merged by the ensemble policy, one mention per span,
  grouped into corpus entities (``entity_index``);
* figures and events: ids given, ``section`` and provenance (``page``, box) added;
* documents: one row per ingested file, errors included.

Ids are hashes of what identifies the row (document, span, label), never of reading order, so the
same inputs give the same ids. Output: ``<out_dir>/<table>.parquet``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.consolidate.calibration import load as load_calibration
from pipeline.consolidate.ensemble import merge
from pipeline.consolidate.grouping import abbreviations, canonical_name, entity_id, group_key, load_aliases
from pipeline.consolidate.similarity import merge_similar
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import MANIFEST
from pipeline.core.io import DOC_SUFFIX, load_document
from pipeline.core.schema import empty_frame, normalize_frame
from pipeline.entities.candidates import Candidate

SUFFIX = ".parquet"


def row_id(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:12]


def provenance(doc: Document, start: int, end: int) -> dict[str, Any]:
    """``section``, ``page`` and box of a span, from the document's layers (null for text files)."""
    box = doc.box(start, end)
    return {
        "section": doc.section_of(start),
        "page": box.page if box else None,
        "x0": box.x0 if box else None,
        "top": box.top if box else None,
        "x1": box.x1 if box else None,
        "bottom": box.bottom if box else None,
    }


def _frames(directory: Path, doc_ids: list[str]) -> dict[str, pd.DataFrame]:
    out = {}
    for doc_id in doc_ids:
        p = directory / f"{doc_id}{SUFFIX}"
        if p.exists():
            out[doc_id] = pd.read_parquet(p)
    return out


def documents_table(docs: dict[str, Document]) -> pd.DataFrame:
    rows = [
        {
            "doc_id": d.doc_id,
            "source": d.source,
            "sha256": d.sha256,
            "title": d.title,
            "n_pages": len(d.pages) if d.char_boxes is not None else None,
            "n_chars": len(d.text),
            "status": d.status,
            "error": d.error,
            "format": d.fmt,
            "doi": d.metadata.get("doi"),
            "year": d.metadata.get("year"),
            "authors": list(d.metadata.get("authors") or []),
            "journal": d.metadata.get("journal"),
            "ocr_pages": list(d.metadata.get("ocr_pages") or []),
            "ocr_confidence": d.metadata.get("ocr_confidence"),
            "date": d.metadata.get("date"),
            "date_source": d.metadata.get("date_source"),
        }
        for d in docs.values()
    ]
    return normalize_frame(names.T_DOCUMENTS, pd.DataFrame(rows))


def entities_tables(
    docs: dict[str, Document],
    cands: dict[str, pd.DataFrame],
    aliases_path: Path,
    similarity_threshold: float = 0.0,
    calibration_path: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merged mentions (one per span, scores calibrated when a table is given) and the corpus entities.

    Group keys come from :func:`.entities.grouping.group_key`; groups of one label whose names are
    near-duplicates are then joined (:func:`.entities.similarity.merge_similar`, off at threshold 0).
    """
    aliases = load_aliases(aliases_path)
    calibration = load_calibration(calibration_path)
    rows = []
    for doc_id, df in cands.items():
        doc = docs[doc_id]
        abbrevs = abbreviations(doc.text)
        cs = [
            Candidate(int(r.start), int(r.end), r.label, r.source, float(r.score), r.key or "") for r in df.itertuples()
        ]
        for m in merge(cs, calibration=calibration):
            text = doc.text[m.start : m.end]
            rows.append(
                {
                    "mention_id": row_id("M", doc_id, m.start, m.end, m.label),
                    "doc_id": doc_id,
                    "group": f"{group_key(m.label, text, m.key, aliases, abbrevs)}|{m.label}",
                    "text": text,
                    "label": m.label,
                    "start": m.start,
                    "end": m.end,
                    **provenance(doc, m.start, m.end),
                    "sources": list(m.sources),
                    "score": m.score,
                    "review_status": names.UNREVIEWED,
                }
            )
    forms: dict[str, Counter] = {}
    for r in rows:
        forms.setdefault(r["group"], Counter())[r["text"]] += 1
    merged = merge_similar(
        {g: (g.rsplit("|", 1)[1], canonical_name(f)) for g, f in forms.items()}, similarity_threshold
    )
    for r in rows:
        key, label = merged[r.pop("group")].rsplit("|", 1)
        r["entity_id"] = entity_id(label, key)
    mentions = normalize_frame(names.T_ENTITIES, pd.DataFrame(rows))
    return mentions, entity_index(mentions)


def entity_index(mentions: pd.DataFrame, canonical: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per corpus entity of ``mentions``: its canonical name (the most frequent form unless
    ``canonical`` names one, as a review decision does), label, aliases and counts."""
    canonical = canonical or {}
    rows = []
    for eid, g in mentions.groupby("entity_id", sort=True):
        forms = Counter(g["text"])
        rows.append(
            {
                "entity_id": eid,
                "canonical": canonical.get(eid) or canonical_name(forms),
                "label": g["label"].iloc[0],
                "aliases": sorted(forms),
                "n_mentions": len(g),
                "n_docs": g["doc_id"].nunique(),
            }
        )
    return normalize_frame(names.T_ENTITY_INDEX, pd.DataFrame(rows))


def figures_table(docs: dict[str, Document], figs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for doc_id, df in figs.items():
        doc = docs[doc_id]
        for r in df.to_dict("records"):
            rows.append(
                {
                    **r,
                    "figure_id": row_id("F", doc_id, r["start"], r["end"]),
                    **provenance(doc, r["start"], r["end"]),
                    "review_status": names.UNREVIEWED,
                }
            )
    return normalize_frame(names.T_FIGURES, pd.DataFrame(rows))


def events_table(docs: dict[str, Document], evs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for doc_id, df in evs.items():
        doc = docs[doc_id]
        for r in df.to_dict("records"):
            r["participants"] = (
                json.loads(r["participants"]) if isinstance(r["participants"], str) else list(r["participants"])
            )
            rows.append(
                {
                    **r,
                    "event_id": row_id("V", doc_id, r["start"], r["end"], r["date_start"], r["date_end"]),
                    **provenance(doc, r["start"], r["end"]),
                    "review_status": names.UNREVIEWED,
                }
            )
    return normalize_frame(names.T_EVENTS, pd.DataFrame(rows))


def citations_table(docs: dict[str, Document]) -> pd.DataFrame:
    """The parsed reference lists of all documents (one row per reference entry)."""
    from pipeline.consolidate.citations import citations

    rows = [
        {**c, "citation_id": row_id("C", c["doc_id"], c["start"], c["end"])}
        for doc in docs.values()
        if doc.status != names.STATUS_ERROR
        for c in citations(doc)
    ]
    return normalize_frame(names.T_CITATIONS, pd.DataFrame(rows))


def main(
    ingest_dir: Path, entities_dir: Path, figures_dir: Path, events_dir: Path, out_dir: Path, params: dict[str, Any]
) -> dict[str, pd.DataFrame]:
    """Build the corpus tables from the per-document stage outputs and write them to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    docs = {
        p.name[: -len(DOC_SUFFIX)]: load_document(p)
        for p in sorted(ingest_dir.glob(f"*{DOC_SUFFIX}"))
        if p.name != MANIFEST
    }
    ok = [d for d, doc in docs.items() if doc.status != names.STATUS_ERROR]
    mentions, index = entities_tables(
        docs,
        _frames(entities_dir, ok),
        Path(params["aliases"]),
        float(params.get("similarity_threshold", 0.0)),
        params.get("calibration"),
    )
    tables = {
        names.T_DOCUMENTS: documents_table(docs),
        names.T_ENTITIES: mentions,
        names.T_ENTITY_INDEX: index,
        names.T_FIGURES: figures_table(docs, _frames(figures_dir, ok)),
        names.T_EVENTS: events_table(docs, _frames(events_dir, ok)),
        names.T_CITATIONS: citations_table(docs),
    }
    for name, df in tables.items():
        df.to_parquet(out_dir / f"{name}{SUFFIX}", index=False)
    for stale in out_dir.glob(f"*{SUFFIX}"):
        if stale.stem not in tables:
            stale.unlink()
    return tables


__all__ = ["main", "row_id", "provenance", "empty_frame"]
