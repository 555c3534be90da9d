"""The ``evaluate`` stage: extraction quality against the gold annotations in ``gold/``.

Writes ``metrics/entities.json``, ``figures.json``, ``events.json`` and ``review.json`` for
``dvc metrics show`` / ``dvc metrics diff``. Every score is measured on the dev documents of
``evaluate.dev_docs`` (never a training document) or on the annotated PDF pages of ``gold/pdfs``,
and says which in its ``scored_on`` key (``docs/evaluation.md``):

* entities: P/R/F1 on unique (document, text, label), overall, per label and per source (every
  ``source`` in the candidates, ``transformer`` included), and how well mention scores estimate
  P(correct) (``calibration``: reliability bins, ECE, Brier);
* figures: P/R/F1 of value detection (value or low/high within 0.5%), and accuracy of object, place,
  time; the hand-written tricky sentences apart (``tricky_sentences``);
* events: P/R/F1 (same interval and the trigger word in the event's text), and time-expression value
  accuracy on hand-written cases (``timex``);
* review: each extractor scored against the annotators' decisions (accepted/corrected = true positive,
  rejected = false positive, added = missed by every source).

Each of entities/figures/events also has ``by_format``: ``text`` (the dev documents read from text
files) and ``pdf`` (the annotated pages of ``gold/pdfs``, scored on the run of ``pipeline pdf-run``,
:mod:`.pdf_gold`; ``{"skipped": why}`` without one). The scores of the pre-dev-only rule, on every
gold document, training ones included, stay under ``all_documents`` for comparison.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core import names
from pipeline.core.io import read_jsonl
from pipeline.core.normalize import norm_text
from pipeline.evaluate.pdf_gold import SKIPPED, figure_groups, pdf_metrics
from pipeline.evaluate.scores import (  # noqa: F401  (re-exported: benchmarks and docs use pipeline.evaluate.*)
    ALL,
    align,
    aligned_scores,
    event_matches,
    event_scores,
    figure_matches,
    figure_scores,
    prf,
    score_sets,
)

#: What a score was measured on (the ``scored_on`` key of each metrics block).
ON_DEV = "dev_docs"
ON_ALL = "all gold documents, training documents included (not a measure of generalization)"
ON_TRICKY_FIGURES = "gold/figures/tricky.jsonl: hand-written sentences, values only"
ON_TRICKY_TIMEX = "gold/timex/tricky.jsonl: hand-written sentences"
TEXT, PDF = "text", "pdf"  # the by_format keys; a document is "pdf" when its format is pdf
FORMAT_PDF = names.FORMAT_PDF


# --- entities ---------------------------------------------------------------------------------


def entity_metrics(
    gold_dir: Path, dev_docs: list[str], mentions: pd.DataFrame, candidates: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    """Unique (doc_id, text, label) of ``dev_docs``: the ensemble, each source, the scores' calibration."""
    gold = (
        {(d, norm_text(g["text"]), g["label"]) for d in dev_docs for g in read_jsonl(gold_dir / f"{d}.jsonl")}
        if dev_docs
        else set()
    )
    dev = set(dev_docs)
    ens = {(r.doc_id, norm_text(r.text), r.label) for r in mentions.itertuples() if r.doc_id in dev}
    out: dict[str, Any] = {
        "scored_on": ON_DEV,
        "dev_docs": sorted(dev),
        "ensemble": score_sets(gold, ens),
        "by_source": {},
    }
    per_source: dict[str, set] = defaultdict(set)
    for doc_id, df in candidates.items():
        if doc_id in dev:
            for r in df.itertuples():
                per_source[r.source].add((doc_id, norm_text(r.text), r.label))
    for src, pred in sorted(per_source.items()):
        out["by_source"][src] = score_sets(gold, pred)[ALL]
    if dev_docs and "score" in mentions:
        out["calibration"] = calibration_metrics(
            gold,
            [(r.doc_id, norm_text(r.text), r.label, float(r.score)) for r in mentions.itertuples() if r.doc_id in dev],
        )
    return out


#: Score bins of the reliability table (upper bounds; the last bin holds 1.0).
SCORE_BINS = (0.5, 0.7, 0.8, 0.9, 0.95, 1.0)


def calibration_metrics(gold: set[tuple], scored: list[tuple[str, str, str, float]]) -> dict[str, Any]:
    """How well mention scores estimate P(correct) on the dev documents: per score bin the number of
    mentions, their mean score and the share correct; the expected calibration error (ECE, the
    mention-weighted mean |mean score - share correct|) and the Brier score.

    >>> m = calibration_metrics({("d", "Astana", "GPE")}, [("d", "Astana", "GPE", 0.9), ("d", "Nur", "ORG", 0.6)])
    >>> m["ece"], m["brier"], m["bins"]["0.5-0.7"]
    (0.35, 0.185, {'n': 1, 'mean_score': 0.6, 'correct': 0.0})
    """
    bins: dict[str, list[tuple[float, bool]]] = {}
    lows = (0.0,) + SCORE_BINS[:-1]
    for doc_id, text, label, score in scored:
        k = next(i for i, hi in enumerate(SCORE_BINS) if score < hi or hi == SCORE_BINS[-1])
        bins.setdefault(f"{lows[k]:g}-{SCORE_BINS[k]:g}", []).append((score, (doc_id, text, label) in gold))
    out: dict[str, Any] = {"bins": {}}
    ece = brier = 0.0
    for name, xs in sorted(bins.items()):
        mean, ok = sum(x for x, _ in xs) / len(xs), sum(o for _, o in xs) / len(xs)
        out["bins"][name] = {"n": len(xs), "mean_score": round(mean, 4), "correct": round(ok, 4)}
        ece += len(xs) * abs(mean - ok)
        brier += sum((x - o) ** 2 for x, o in xs)
    n = len(scored)
    out["ece"], out["brier"], out["n"] = round(ece / n, 4) if n else 0.0, round(brier / n, 4) if n else 0.0, n
    return out


def tricky_figures(path: Path) -> list[tuple[list[dict], list[dict]]]:
    """(gold, predicted) figure lists for the hand-written tricky sentences (string reader only)."""
    from pipeline.figures.numbers import find_numbers

    if not path.exists():
        return []
    return [
        (t["figures"], [{"value": n.value, "low": n.low, "high": n.high} for n in find_numbers(t["sentence"])])
        for t in read_jsonl(path)
    ]


def timex_metrics(path: Path) -> dict[str, Any]:
    """Value accuracy of time-expression normalization on hand-written cases (negatives included)."""
    from pipeline.events.timex import find_timexes

    ok = 0
    rows = read_jsonl(path) if path.exists() else []
    misses = []
    for g in rows:
        found = find_timexes(g["sentence"])
        if g.get("date_text") is None:
            good = not found
        else:
            at = g["sentence"].find(g["date_text"])
            hit = [t for t in found if t.start < at + len(g["date_text"]) and at < t.end]
            good = bool(hit) and (hit[0].date_start, hit[0].date_end) == (g["date_start"], g["date_end"])
        ok += good
        if not good:
            misses.append(g.get("date_text"))
    return {"accuracy": round(ok / len(rows), 4) if rows else 0.0, "n": len(rows), "misses": misses[:50]}


# --- figures and events -----------------------------------------------------------------------


def _doc_groups(gold_dir: Path, table: pd.DataFrame, doc_ids: list[str] | None):
    """``(doc_id, gold rows, predictions in text order)`` per gold file of ``doc_ids`` (None: every gold file)."""
    for path in sorted(gold_dir.glob("*.jsonl")):
        if path.stem == "tricky" or (doc_ids is not None and path.stem not in doc_ids):
            continue
        yield path.stem, read_jsonl(path), table[table["doc_id"] == path.stem].sort_values("start").to_dict("records")


def figure_metrics(gold_dir: Path, figures: pd.DataFrame, dev_docs: list[str]) -> dict[str, Any]:
    """Figure scores on the dev documents that have figure gold (``value``, ``by_doc``, field accuracies)."""
    return {
        "scored_on": ON_DEV,
        "dev_docs": sorted(dev_docs),
        **figure_scores(_doc_groups(gold_dir, figures, dev_docs)),
    }


def figure_metrics_all_documents(gold_dir: Path, figures: pd.DataFrame, tricky: list[tuple[list[dict], list[dict]]]):
    """The figure scores as measured before the dev-only rule: every gold document plus the tricky sentences."""
    docs = figure_scores(_doc_groups(gold_dir, figures, None))
    t, _, _ = aligned_scores([("tricky", g, p) for g, p in tricky], figure_matches)
    both = [docs["value"][k] + t[k] for k in ("tp", "fp", "fn")]
    return {**docs, "scored_on": ON_ALL + " + " + ON_TRICKY_FIGURES, "value": prf(*both)}


def tricky_figure_metrics(tricky: list[tuple[list[dict], list[dict]]]) -> dict[str, Any]:
    total, _, _ = aligned_scores([("tricky", g, p) for g, p in tricky], figure_matches)
    return {"scored_on": ON_TRICKY_FIGURES, "value": total, "n_sentences": len(tricky)}


def event_metrics(gold_dir: Path, events: pd.DataFrame, dev_docs: list[str] | None) -> dict[str, Any]:
    """Event scores on ``dev_docs`` that have event gold (None: every gold document, as before the dev-only rule)."""
    on = ON_DEV if dev_docs is not None else ON_ALL
    extra = {"dev_docs": sorted(dev_docs)} if dev_docs is not None else {}
    return {"scored_on": on, **extra, **event_scores(_doc_groups(gold_dir, events, dev_docs))}


#: Why every event score over all gold documents is a held-out one (the ``loo`` block of events.json).
ON_EVENTS_LOO = (
    "every gold document (gold/events papers whole, gold/pdfs annotated pages): the event extractor "
    "(pipeline/events: clause rules, a trigger lexicon, time-expression grammar) has no part fitted to or "
    "listed from a document, so each document's score is a held-out score with nothing to leave out"
)


def events_loo(text_all: dict[str, Any], pdf: dict[str, Any]) -> dict[str, Any]:
    """The events' leave-one-document-out block: the text papers' and the PDF pages' counts added up,
    per document and in total (the PDF part left out, and said so, when it was skipped)."""
    parts = [text_all] + ([] if pdf.get("skipped") else [pdf])
    by_doc = {d: m for part in parts for d, m in part["by_doc"].items()}
    total = prf(*(sum(part["events"][k] for part in parts) for k in ("tp", "fp", "fn")))
    out: dict[str, Any] = {"scored_on": ON_EVENTS_LOO, "events": total, "by_doc": by_doc}
    if pdf.get("skipped"):
        out["pdf_skipped"] = pdf["skipped"]
    return out


#: Why the figure scores over all gold documents are held-out ones (the ``loo`` block of figures.json).
ON_FIGURES_LOO = (
    "every gold document (gold/figures papers whole, gold/pdfs annotated pages; not the hand-written "
    "sentences): the figure extractor (pipeline/figures: number grammar, table rules; object, place and time "
    "from the pretrained parser's dependencies and entities and the time-expression grammar) has no part "
    "trained on or listed from a document, so each document's score is a held-out score with nothing to leave out"
)


def figures_loo(text_groups: list, pdf_groups: list | None, pdf_skipped: str | None) -> dict[str, Any]:
    """The figures' leave-one-document-out block: value P/R/F1, object/place/time accuracy over every
    matched pair of the text papers and the PDF pages together, and per document."""
    out: dict[str, Any] = {"scored_on": ON_FIGURES_LOO, **figure_scores(text_groups + (pdf_groups or []))}
    if pdf_skipped:
        out["pdf_skipped"] = pdf_skipped
    return out


#: The leave-one-document-out entity block of metrics/loo.json, as metrics/entities.json repeats it.
LOO_KEYS = ("scored_on", "ensemble", "by_source", "by_format", "by_doc", "transformer", "spacy_ft_config")


def entities_loo(loo_json: Path | None) -> dict[str, Any]:
    """``metrics/loo.json``'s entity scores for ``metrics/entities.json`` (``leave_one_document_out``): the
    ensemble per label, each source, text and PDF apart, per document, and the calibration before and after
    the table (without the table itself, which ``models/ner_calibration.json`` holds)."""
    if loo_json is None or not loo_json.exists():
        return {SKIPPED: f"{loo_json}: no leave-one-document-out scores (run `dvc repro loo`)"}
    ent = json.loads(loo_json.read_text(encoding="utf-8"))["entities"]
    cal = {k: v for k, v in ent.get("calibration", {}).items() if k != "table"}
    return {**{k: ent[k] for k in LOO_KEYS if k in ent}, "calibration": cal, "source_file": str(loo_json)}


def doc_formats(tables_dir: Path) -> dict[str, str]:
    """Each published document's format (``pdf``, ``txt``, ``md``) by id."""
    docs = pd.read_parquet(tables_dir / f"{names.T_DOCUMENTS}.parquet", columns=["doc_id", "format"])
    return dict(zip(docs["doc_id"], docs["format"]))


def main(
    tables_dir: Path,
    entities_dir: Path,
    gold_dir: Path,
    metrics_dir: Path,
    params: dict[str, Any],
    pdf_run: Path | None = None,
    loo_json: Path | None = None,
) -> dict[str, Any]:
    """Score ``tables_dir`` (a published dataset) and, when given, the PDF run in ``pdf_run``; write metrics/
    (with the leave-one-document-out entity scores of ``loo_json``, the ``loo`` stage's, repeated in
    entities.json)."""
    metrics_dir.mkdir(parents=True, exist_ok=True)
    mentions = pd.read_parquet(tables_dir / f"{names.T_ENTITIES}.parquet")
    figures = pd.read_parquet(tables_dir / f"{names.T_FIGURES}.parquet")
    events = pd.read_parquet(tables_dir / f"{names.T_EVENTS}.parquet")
    candidates = {p.stem: pd.read_parquet(p) for p in sorted(entities_dir.glob("*.parquet"))}
    dev = [d for d in params.get("dev_docs", []) if (gold_dir / "entities" / f"{d}.jsonl").exists()]
    all_dev = list(params.get("dev_docs", []))
    formats = doc_formats(tables_dir)
    text_dev = [d for d in all_dev if formats.get(d) != FORMAT_PDF]
    tricky = tricky_figures(gold_dir / "figures" / "tricky.jsonl")
    pdf = pdf_metrics(pdf_run, gold_dir / "pdfs")
    pdf_skip = pdf["figures"].get(SKIPPED)
    pdf_figures = figure_groups(pdf_run, gold_dir / "pdfs") if pdf_run is not None and not pdf_skip else None
    results = {
        "entities": {
            **entity_metrics(gold_dir / "entities", dev, mentions, candidates),
            "by_format": {
                TEXT: entity_metrics(gold_dir / "entities", [d for d in dev if d in text_dev], mentions, candidates),
                PDF: pdf["entities"],
            },
            "leave_one_document_out": entities_loo(loo_json),
        },
        "figures": {
            **figure_metrics(gold_dir / "figures", figures, all_dev),
            "tricky_sentences": tricky_figure_metrics(tricky),
            "all_documents": figure_metrics_all_documents(gold_dir / "figures", figures, tricky),
            "by_format": {TEXT: figure_metrics(gold_dir / "figures", figures, text_dev), PDF: pdf["figures"]},
            "loo": figures_loo(list(_doc_groups(gold_dir / "figures", figures, None)), pdf_figures, pdf_skip),
        },
        "events": {
            **event_metrics(gold_dir / "events", events, all_dev),
            "timex": {"scored_on": ON_TRICKY_TIMEX, **timex_metrics(gold_dir / "timex" / "tricky.jsonl")},
            "all_documents": event_metrics(gold_dir / "events", events, None),
            "by_format": {TEXT: event_metrics(gold_dir / "events", events, text_dev), PDF: pdf["events"]},
            "loo": events_loo(event_metrics(gold_dir / "events", events, None), pdf["events"]),
        },
    }
    if (tables_dir / "review" / "rejected.parquet").exists():  # the annotators' verdicts are gold too
        from pipeline.evaluate.review_metrics import review_metrics

        results["review"] = {
            "scored_on": ON_DEV,
            "dev_docs": sorted(all_dev),
            **review_metrics(tables_dir, set(all_dev)),
            "all_documents": {"scored_on": ON_ALL, **review_metrics(tables_dir)},
        }
    for name, m in results.items():
        (metrics_dir / f"{name}.json").write_text(json.dumps(m, indent=1, sort_keys=True) + "\n")
    return results
