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
import logging
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.consolidate import rowcache
from pipeline.consolidate.calibration import Calibration
from pipeline.consolidate.calibration import load as load_calibration
from pipeline.consolidate.ensemble import merge
from pipeline.consolidate.grouping import abbreviations, canonical_name, entity_id, group_key, load_aliases
from pipeline.consolidate.similarity import merge_similar
from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import MANIFEST, StageResult, code_version, fingerprint, input_hashes, sha256_file
from pipeline.core.io import DOC_SUFFIX, load_document
from pipeline.core.schema import empty_frame, normalize_frame
from pipeline.entities.candidates import Candidate

SUFFIX = ".parquet"
log = logging.getLogger(__name__)


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


def _frame(directory: Path, doc_id: str) -> pd.DataFrame | None:
    p = directory / f"{doc_id}{SUFFIX}"
    return pd.read_parquet(p) if p.exists() else None


def document_row(d: Document) -> dict[str, Any]:
    """The ``documents`` row of one ingested file (errors included)."""
    return {
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


def documents_table(docs: Mapping[str, Document]) -> pd.DataFrame:
    """The ``documents`` table of ``docs`` (by id), as :func:`main` writes it."""
    return normalize_frame(names.T_DOCUMENTS, pd.DataFrame([document_row(d) for d in docs.values()]))


def mention_rows(
    doc: Document, cands: pd.DataFrame, aliases: dict[tuple[str, str], str], calibration: Calibration | None
) -> list[dict[str, Any]]:
    """One document's merged mentions (one per span, scores calibrated when a table is given), each with
    its ``group`` key (:func:`.grouping.group_key`) for :func:`group_mentions`."""
    abbrevs = abbreviations(doc.text)
    cs = [
        Candidate(int(r.start), int(r.end), r.label, r.source, float(r.score), r.key or "") for r in cands.itertuples()
    ]
    rows = []
    for m in merge(cs, calibration=calibration):
        text = doc.text[m.start : m.end]
        rows.append(
            {
                "mention_id": row_id("M", doc.doc_id, m.start, m.end, m.label),
                "doc_id": doc.doc_id,
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
    return rows


def group_mentions(
    rows: list[dict[str, Any]] | pd.DataFrame, similarity_threshold: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The mentions table and the corpus entities from every document's :func:`mention_rows`: groups of one
    label whose names are near-duplicates are joined (:func:`.similarity.merge_similar`, off at threshold 0).
    Reads names and counts only, never a document's text."""
    df = pd.DataFrame(rows) if isinstance(rows, list) else rows.reset_index(drop=True)
    if not len(df):
        return empty_frame(names.T_ENTITIES), empty_frame(names.T_ENTITY_INDEX)
    forms: dict[str, Counter] = {}
    for (group, text), n in df.groupby(["group", "text"], sort=True).size().items():
        forms.setdefault(group, Counter())[text] = int(n)
    merged = merge_similar(
        {g: (g.rsplit("|", 1)[1], canonical_name(f)) for g, f in forms.items()}, similarity_threshold
    )
    ids = {}
    for g in forms:
        key, label = merged[g].rsplit("|", 1)
        ids[g] = entity_id(label, key)
    df["entity_id"] = df["group"].map(ids)
    mentions = normalize_frame(names.T_ENTITIES, df.drop(columns=["group"]))
    return mentions, entity_index(mentions)


def entities_tables(
    docs: Mapping[str, Document],
    cands: Mapping[str, pd.DataFrame],
    aliases_path: Path,
    similarity_threshold: float = 0.0,
    calibration_path: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merged mentions and the corpus entities of ``cands`` (:func:`mention_rows`, :func:`group_mentions`)."""
    aliases, calibration = load_aliases(aliases_path), load_calibration(calibration_path)
    rows = [r for doc_id, df in cands.items() for r in mention_rows(docs[doc_id], df, aliases, calibration)]
    return group_mentions(rows, similarity_threshold)


def entity_index(mentions: pd.DataFrame, canonical: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per corpus entity of ``mentions``: its canonical name (the most frequent form unless
    ``canonical`` names one, as a review decision does), label, aliases and counts."""
    canonical = canonical or {}
    if not len(mentions):
        return empty_frame(names.T_ENTITY_INDEX)
    per = mentions.groupby("entity_id", sort=True)
    label, n_mentions = per["label"].first().to_dict(), per.size().to_dict()
    n_docs = per["doc_id"].nunique().to_dict()
    forms: dict[str, Counter] = {}  # by entity id, in id order
    for (eid, text), n in mentions.groupby(["entity_id", "text"], sort=True).size().items():
        forms.setdefault(eid, Counter())[text] = int(n)
    rows = [
        {
            "entity_id": eid,
            "canonical": canonical.get(eid) or canonical_name(f),
            "label": label[eid],
            "aliases": sorted(f),
            "n_mentions": int(n_mentions[eid]),
            "n_docs": int(n_docs[eid]),
        }
        for eid, f in forms.items()
    ]
    return normalize_frame(names.T_ENTITY_INDEX, pd.DataFrame(rows))


def figure_rows(doc: Document, figs: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "figure_id": row_id("F", doc.doc_id, r["start"], r["end"]),
            **provenance(doc, r["start"], r["end"]),
            "review_status": names.UNREVIEWED,
        }
        for r in figs.to_dict("records")
    ]


def _distinct_event_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with no two sharing an ``event_id``: two events told in one clause with one date (two
    triggers: "the demise of the Union and the launch of ..., in the 1990s") would share the id of the
    span and dates, and a table keyed by it would keep one. Only such events get an id that also hashes
    their type and trigger (then their order among events still alike), so every other id stays as it was."""
    seen = Counter(r["event_id"] for r in rows)
    alike: Counter = Counter()
    for r in rows:
        if seen[r["event_id"]] > 1:
            parts = (r["event_id"], r.get("event_type"), r.get("trigger"))
            alike[parts] += 1
            r["event_id"] = row_id("V", *parts, alike[parts])
    return rows


def event_rows(doc: Document, evs: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in evs.to_dict("records"):
        r["participants"] = (
            json.loads(r["participants"]) if isinstance(r["participants"], str) else list(r["participants"])
        )
        rows.append(
            {
                **r,
                "event_id": row_id("V", doc.doc_id, r["start"], r["end"], r["date_start"], r["date_end"]),
                **provenance(doc, r["start"], r["end"]),
                "review_status": names.UNREVIEWED,
            }
        )
    return _distinct_event_ids(rows)


def citation_rows(doc: Document) -> list[dict[str, Any]]:
    """The parsed reference list of one document (one row per reference entry)."""
    from pipeline.consolidate.citations import citations

    if doc.status == names.STATUS_ERROR:
        return []
    return [{**c, "citation_id": row_id("C", c["doc_id"], c["start"], c["end"])} for c in citations(doc)]


#: The folder, in the work folder (``data/``), where the per-document rows are kept between runs (:mod:`.rowcache`).
ROW_CACHE = "consolidate-rows"
#: The parameters that only the corpus-level part of the stage reads: changing them keeps the row cache.
CORPUS_PARAMS = ("similarity_threshold",)


def row_keys(
    ingest_dir: Path, entities_dir: Path, figures_dir: Path, events_dir: Path, params: Mapping[str, Any]
) -> dict[str, str]:
    """``{doc_id: key}`` of every ingested document: what its cached rows (:mod:`.rowcache`) were made from —
    the keys its ingest and extractor stages recorded, the consolidate code, the parameters and the alias
    and calibration tables they name."""
    version = code_version("pipeline.consolidate", "pipeline.core", "pipeline.entities")
    tables = [Path(params["aliases"]), Path(params["calibration"]) if params.get("calibration") else None]
    setting = fingerprint(
        version,
        {k: v for k, v in params.items() if k not in CORPUS_PARAMS},
        [sha256_file(t) if t is not None and t.is_file() else None for t in tables],
    )
    stages = [input_hashes(d, SUFFIX) if d.is_dir() else {} for d in (entities_dir, figures_dir, events_dir)]
    return {
        doc_id: fingerprint(h, *(s.get(doc_id) for s in stages), setting)
        for doc_id, h in input_hashes(ingest_dir, DOC_SUFFIX).items()
        if doc_id != MANIFEST[: -len(DOC_SUFFIX)]
    }


def document_rows(
    doc: Document,
    entities_dir: Path,
    figures_dir: Path,
    events_dir: Path,
    aliases: dict[tuple[str, str], str],
    calibration: Calibration | None,
) -> dict[str, list[dict[str, Any]]]:
    """One document's rows of every table (mentions with their ``group`` key, not yet their entity)."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in rowcache.TABLES}
    rows[names.T_DOCUMENTS].append(document_row(doc))
    if doc.status == names.STATUS_ERROR:
        return rows
    for directory, table, make in (
        (entities_dir, "mentions", lambda d, df: mention_rows(d, df, aliases, calibration)),
        (figures_dir, names.T_FIGURES, figure_rows),
        (events_dir, names.T_EVENTS, event_rows),
    ):
        df = _frame(directory, doc.doc_id)
        if df is not None:
            rows[table] += make(doc, df)
    rows[names.T_CITATIONS] += citation_rows(doc)
    return rows


def main(
    ingest_dir: Path,
    entities_dir: Path,
    figures_dir: Path,
    events_dir: Path,
    out_dir: Path,
    params: dict[str, Any],
    cache_dir: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Build the corpus tables from the per-document stage outputs and write them to ``out_dir``.

    Only documents that are new or changed since the last run are read (their rows are kept in
    ``cache_dir``, :mod:`.rowcache`; None reads every document). Those are read one at a time, in id
    order, and let go once their rows are made: what the stage holds is the rows of the tables, never the
    corpus's texts. Only the entity grouping waits for every document, and it reads names and counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = row_keys(ingest_dir, entities_dir, figures_dir, events_dir, params)
    cached, reused, gone = rowcache.load(cache_dir, keys)
    result = StageResult("consolidate", reused=sorted(reused), removed=sorted(gone))
    aliases, calibration = load_aliases(Path(params["aliases"])), load_calibration(params.get("calibration"))
    fresh: dict[str, list[dict[str, Any]]] = {t: [] for t in rowcache.TABLES}
    for doc_id in sorted(set(keys) - reused):
        doc = load_document(ingest_dir / f"{doc_id}{DOC_SUFFIX}")
        for table, rows in document_rows(doc, entities_dir, figures_dir, events_dir, aliases, calibration).items():
            fresh[table] += rowcache.tag(rows, doc_id, keys[doc_id])
        result.processed.append(doc_id)
    frames = {t: rowcache.combine(cached.get(t), fresh[t]) for t in rowcache.TABLES}
    rowcache.save(cache_dir, frames)
    log.info(result.summary())
    if cache_dir is not None:
        result.write_log(cache_dir.parent / "logs")
    made = {t: rowcache.untag(df) for t, df in frames.items()}
    mentions, index = group_mentions(made.pop("mentions"), float(params.get("similarity_threshold", 0.0)))
    tables = {
        names.T_DOCUMENTS: normalize_frame(names.T_DOCUMENTS, made[names.T_DOCUMENTS]),
        names.T_ENTITIES: mentions,
        names.T_ENTITY_INDEX: index,
        names.T_FIGURES: normalize_frame(names.T_FIGURES, made[names.T_FIGURES]),
        names.T_EVENTS: normalize_frame(names.T_EVENTS, made[names.T_EVENTS]),
        names.T_CITATIONS: normalize_frame(names.T_CITATIONS, made[names.T_CITATIONS]),
    }
    for name, df in tables.items():
        df.to_parquet(out_dir / f"{name}{SUFFIX}", index=False)
    for stale in out_dir.glob(f"*{SUFFIX}"):
        if stale.stem not in tables:
            stale.unlink()
    return tables


__all__ = ["ROW_CACHE", "main", "row_id", "provenance", "empty_frame"]
