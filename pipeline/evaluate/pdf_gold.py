"""The PDF page gold (``gold/pdfs``): which PDFs and pages it annotates, the run over them, its scores.

``gold/pdfs/pages/<doc_id>.json`` names a PDF (``source``), its SHA-256 and the annotated pages
(1-based). The ``pdf-run`` command runs the pipeline over exactly those PDFs, found in the folder of
params ``evaluate.pdf_dir``, after checking each one's SHA-256; it writes into its output folder:

* ``outputs/``: the published tables of the run (the dataset's contract, ``page`` included);
* ``entity_candidates.parquet``: every source's entity candidates with their page, for the per-source scores;
* ``status.json``: the documents run and their SHA-256, or ``{"skipped": "<why>"}`` when the PDF folder is
  missing (a clone without ``../shared``), so that ``evaluate`` reports the PDF scores as skipped.

:func:`pdf_metrics` scores that folder on the annotated pages only: a prediction on any other page is
ignored. Entities are unique ``(doc_id, page, text, label)``, as the gold lists them (one line per
distinct ``(text, label)`` per page); figures and events are aligned page by page, as the text
documents' are aligned document by document.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.consolidate import provenance
from pipeline.core import names
from pipeline.core.io import DOC_SUFFIX, load_document, read_jsonl
from pipeline.core.normalize import norm_text
from pipeline.evaluate.scores import ALL, event_scores, figure_scores, score_sets

PAGES, ENTITIES, FIGURES, EVENTS = "pages", "entities", "figures", "events"
STATUS = "status.json"
OUTPUTS = "outputs"
CANDIDATES = "entity_candidates.parquet"
SKIPPED = "skipped"
SCORED_ON = "pdf_gold_pages"  # the ``scored_on`` of every PDF score
CANDIDATE_COLUMNS = ["doc_id", "page", "start", "end", "text", "label", "source"]


class PdfGoldError(ValueError):
    """The PDF folder does not hold the PDFs the gold annotates (missing, or another version)."""


@dataclass(frozen=True)
class GoldPdf:
    """One annotated PDF: its id (file name without ``.pdf``), file name, SHA-256 and annotated pages."""

    doc_id: str
    source: str
    sha256: str
    pages: tuple[int, ...]


def read_gold_pdfs(gold_pdfs: Path) -> dict[str, GoldPdf]:
    """The annotated PDFs by document id, from ``<gold_pdfs>/pages/*.json``."""
    out = {}
    for path in sorted((gold_pdfs / PAGES).glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = GoldPdf(path.stem, d["source"], d["sha256"], tuple(sorted(d["pages"])))
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def skip_reason(pdf_dir: Path, gold_pdfs: Path) -> str | None:
    """Why the PDF run cannot happen here (no PDF folder, no PDF gold), or None when it can."""
    if not (gold_pdfs / PAGES).is_dir():
        return f"no PDF gold: {gold_pdfs / PAGES} not found"
    if not pdf_dir.is_dir():
        return (
            f"PDF folder {pdf_dir} not found (params evaluate.pdf_dir); put the PDFs of gold/pdfs there "
            "(../shared/pdfs beside the project) to score PDF pages"
        )
    return None


def stage_pdfs(pdf_dir: Path, gold_pdfs: Path, raw_dir: Path) -> dict[str, GoldPdf]:
    """Copy the annotated PDFs of ``pdf_dir`` into a fresh ``raw_dir``, each checked against its SHA-256.

    Raises :class:`PdfGoldError` naming the file and the fix when a PDF is missing or differs from
    the one annotated; ``raw_dir`` then holds nothing.
    """
    gold = read_gold_pdfs(gold_pdfs)
    problems = []
    for g in gold.values():
        path = pdf_dir / g.source
        if not path.is_file():
            problems.append(f"{path}: not found (annotated in {gold_pdfs / PAGES / g.doc_id}.json)")
        elif (digest := sha256_of(path)) != g.sha256:
            problems.append(
                f"{path}: SHA-256 {digest} is not the {g.sha256} that {gold_pdfs / PAGES / g.doc_id}.json "
                "records: this is another version of the paper; restore the annotated file"
            )
    if problems:
        raise PdfGoldError("the PDF gold's files do not match:\n  " + "\n  ".join(problems))
    if raw_dir.exists():
        shutil.rmtree(raw_dir)
    raw_dir.mkdir(parents=True)
    for g in gold.values():  # copies: ingest reads no link to a file outside its folder
        shutil.copyfile(pdf_dir / g.source, raw_dir / g.source)
    return gold


def _clear(out_dir: Path) -> None:
    """Remove what a previous run wrote into ``out_dir`` (only the names this module writes)."""
    if (out_dir / OUTPUTS).exists():
        shutil.rmtree(out_dir / OUTPUTS)
    for name in (CANDIDATES, STATUS):
        (out_dir / name).unlink(missing_ok=True)


def write_skipped(out_dir: Path, reason: str) -> None:
    """The marker of a PDF run that could not happen: ``{"skipped": reason}``."""
    _clear(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / STATUS).write_text(json.dumps({SKIPPED: reason}, indent=1, sort_keys=True) + "\n")


def prepare(out_dir: Path) -> None:
    """Clear ``out_dir`` before a run (the run publishes into ``<out_dir>/outputs``)."""
    _clear(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)


def candidates_with_pages(ingest_dir: Path, entities_dir: Path, doc_ids: list[str]) -> pd.DataFrame:
    """Every source's entity candidates of ``doc_ids`` with the page each is on (as the published mentions)."""
    rows = []
    for doc_id in doc_ids:
        cand_path, doc_path = entities_dir / f"{doc_id}.parquet", ingest_dir / f"{doc_id}{DOC_SUFFIX}"
        if not cand_path.exists() or not doc_path.exists():
            continue  # a document that could not be read has no candidates
        doc = load_document(doc_path)
        for r in pd.read_parquet(cand_path).itertuples():
            page = provenance(doc, int(r.start), int(r.end))["page"]
            rows.append((doc_id, page, int(r.start), int(r.end), r.text, r.label, r.source))
    df = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS).astype({"page": "Int64"})
    return df.sort_values(["doc_id", "start", "end", "label", "source"], kind="stable").reset_index(drop=True)


def write_run(out_dir: Path, work: Path, gold: dict[str, GoldPdf], pdf_dir: str) -> None:
    """After the run: the candidates with their pages and ``status.json`` (documents and SHA-256)."""
    cands = candidates_with_pages(work / "ingest", work / "entities", sorted(gold))
    cands.to_parquet(out_dir / CANDIDATES, index=False)
    status = {"pdf_dir": pdf_dir, "docs": {d: g.sha256 for d, g in sorted(gold.items())}}
    (out_dir / STATUS).write_text(json.dumps(status, indent=1, sort_keys=True) + "\n")


# --- scores -----------------------------------------------------------------------------------


def read_status(run_dir: Path) -> dict[str, Any]:
    path = run_dir / STATUS
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `python -m pipeline pdf-run --out {run_dir}` first")
    return json.loads(path.read_text())


def on_pages(df: pd.DataFrame, pages: dict[str, tuple[int, ...]]) -> pd.DataFrame:
    """The rows of ``df`` whose (doc_id, page) is an annotated page; every other row is dropped."""
    if df.empty:
        return df
    keep = [d in pages and not pd.isna(p) and int(p) in pages[d] for d, p in zip(df["doc_id"], df["page"])]
    return df[keep]


def _grouped(gold_dir: Path, pred: pd.DataFrame, pages: dict[str, tuple[int, ...]]):
    """``(doc_id, gold rows of a page, predictions on that page in text order)`` for every annotated page."""
    for doc_id, doc_pages in sorted(pages.items()):
        path = gold_dir / f"{doc_id}.jsonl"
        gold = read_jsonl(path) if path.exists() else []
        for page in doc_pages:
            on_page = pred[(pred["doc_id"] == doc_id) & (pred["page"] == page)] if len(pred) else pred
            yield doc_id, [g for g in gold if g["page"] == page], on_page.sort_values("start").to_dict("records")


def entity_scores(
    gold_dir: Path, pages: dict[str, tuple[int, ...]], mentions: pd.DataFrame, candidates: pd.DataFrame
) -> dict[str, Any]:
    """Unique ``(doc_id, page, text, label)`` of the annotated pages: the ensemble and each source."""
    gold = {
        (d, g["page"], norm_text(g["text"]), g["label"])
        for d in pages
        if (gold_dir / f"{d}.jsonl").exists()
        for g in read_jsonl(gold_dir / f"{d}.jsonl")
    }

    def keys(df: pd.DataFrame) -> set[tuple]:
        return {(r.doc_id, int(r.page), norm_text(r.text), r.label) for r in on_pages(df, pages).itertuples()}

    sources = sorted(set(candidates["source"])) if len(candidates) else []
    by_source = {src: score_sets(gold, keys(candidates[candidates["source"] == src]))[ALL] for src in sources}
    return {"ensemble": score_sets(gold, keys(mentions)), "by_source": by_source}


def pdf_metrics(run_dir: Path | None, gold_pdfs: Path) -> dict[str, dict[str, Any]]:
    """``{"entities": ..., "figures": ..., "events": ...}`` on the annotated PDF pages, each with
    ``scored_on`` and ``pages``; each ``{"skipped": why}`` when there is no PDF run to score."""
    if run_dir is None:
        reason = "no PDF run given (evaluate --pdfs DIR, written by `python -m pipeline pdf-run`)"
        return {k: {SKIPPED: reason} for k in (ENTITIES, FIGURES, EVENTS)}
    status = read_status(run_dir)
    if status.get(SKIPPED):
        return {k: {SKIPPED: status[SKIPPED]} for k in (ENTITIES, FIGURES, EVENTS)}
    gold = read_gold_pdfs(gold_pdfs)
    stale = sorted(d for d, g in gold.items() if status["docs"].get(d) != g.sha256)
    if stale:
        raise ValueError(f"{run_dir / STATUS}: the PDF run does not cover {stale} of {gold_pdfs}; run pdf-run again")
    pages = {d: g.pages for d, g in gold.items()}
    tables = run_dir / OUTPUTS
    common = {"scored_on": SCORED_ON, "pages": {d: list(p) for d, p in sorted(pages.items())}}
    ents = entity_scores(
        gold_pdfs / ENTITIES,
        pages,
        pd.read_parquet(tables / f"{names.T_ENTITIES}.parquet"),
        pd.read_parquet(run_dir / CANDIDATES),
    )
    figs = figure_scores(_grouped(gold_pdfs / FIGURES, pd.read_parquet(tables / f"{names.T_FIGURES}.parquet"), pages))
    evs = event_scores(_grouped(gold_pdfs / EVENTS, pd.read_parquet(tables / f"{names.T_EVENTS}.parquet"), pages))
    return {ENTITIES: {**common, **ents}, FIGURES: {**common, **figs}, EVENTS: {**common, **evs}}


def figure_groups(run_dir: Path, gold_pdfs: Path) -> list[tuple[str, list[dict], list[dict]]]:
    """The figure gold and predictions of every annotated PDF page, as :func:`pdf_metrics` scores them (the
    run must exist and cover the gold: call it when ``pdf_metrics`` did not skip the figures)."""
    pages = {d: g.pages for d, g in read_gold_pdfs(gold_pdfs).items()}
    table = pd.read_parquet(run_dir / OUTPUTS / f"{names.T_FIGURES}.parquet")
    return list(_grouped(gold_pdfs / FIGURES, table, pages))
