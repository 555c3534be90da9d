"""The ``evaluate`` stage: extraction quality against the gold annotations in ``gold/``.

Writes ``metrics/entities.json``, ``metrics/figures.json`` and ``metrics/events.json`` for
``dvc metrics show`` / ``dvc metrics diff``. Only documents listed in ``evaluate.dev_docs`` are
scored for entities, so no score is measured on a training document.

* entities: P/R/F1 on unique (document, text, label), overall, per label and per source (every
  ``source`` in the candidates, ``transformer`` included), and how well mention scores estimate
  P(correct) (``calibration``: reliability bins, ECE, Brier);
* figures: P/R/F1 of value detection (value or low/high within 0.5%), and accuracy of object, place, time;
* events: P/R/F1 (same interval and the trigger word in the event's text), and time-expression value accuracy;
* review: each extractor scored against the annotators' decisions (accepted/corrected = true positive,
  rejected = false positive, added = missed by every source), ``metrics/review.json``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core import names
from pipeline.core.io import read_jsonl
from pipeline.core.normalize import norm_text

ALL = "ALL"


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


# --- entities ---------------------------------------------------------------------------------


def score_sets(gold: set[tuple], pred: set[tuple]) -> dict[str, Any]:
    """P/R/F1 overall and per label for sets of (doc_id, text, label)."""
    out = {ALL: prf(len(gold & pred), len(pred - gold), len(gold - pred))}
    for label in names.ENTITY_LABELS:
        g = {x for x in gold if x[2] == label}
        p = {x for x in pred if x[2] == label}
        if g or p:
            out[label] = prf(len(g & p), len(p - g), len(g - p))
    return out


def entity_metrics(
    gold_dir: Path, dev_docs: list[str], mentions: pd.DataFrame, candidates: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    gold = (
        {(d, norm_text(g["text"]), g["label"]) for d in dev_docs for g in read_jsonl(gold_dir / f"{d}.jsonl")}
        if dev_docs
        else set()
    )
    dev = set(dev_docs)
    ens = {(r.doc_id, norm_text(r.text), r.label) for r in mentions.itertuples() if r.doc_id in dev}
    out: dict[str, Any] = {"dev_docs": sorted(dev), "ensemble": score_sets(gold, ens), "by_source": {}}
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


# --- figures ----------------------------------------------------------------------------------


def _close(a: float | None, b: float | None, tol: float = 0.005) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return False
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-9)


def figure_matches(gold: dict, pred: dict) -> bool:
    if gold.get("value") is not None:
        return _close(gold["value"], pred.get("value"))
    return _close(gold.get("low"), pred.get("low")) and _close(gold.get("high"), pred.get("high"))


def _field_ok(g: Any, p: Any) -> bool:
    g = None if g is None or (isinstance(g, float) and pd.isna(g)) else str(g).lower().strip()
    p = None if p is None or (isinstance(p, float) and pd.isna(p)) or p is pd.NA else str(p).lower().strip()
    if g is None or p is None:
        return g == p
    return g in p or p in g


def align(gold: list[dict], pred: list[dict], match) -> list[tuple[dict, dict]]:
    """Greedy one-to-one alignment in order: each gold item takes the first unused matching prediction."""
    used: set[int] = set()
    pairs = []
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and match(g, p):
                used.add(i)
                pairs.append((g, p))
                break
    return pairs


def figure_metrics(
    gold_dir: Path, figures: pd.DataFrame, extra: Iterable[tuple[list[dict], list[dict]]] = ()
) -> dict[str, Any]:
    tp = fp = fn = 0
    fields = {"object": [0, 0], "place": [0, 0], "time": [0, 0]}
    per_doc = {}

    def add(gold: list[dict], pred: list[dict], with_fields: bool = True) -> dict:
        nonlocal tp, fp, fn
        pairs = align(gold, pred, figure_matches)
        tp += len(pairs)
        fp += len(pred) - len(pairs)
        fn += len(gold) - len(pairs)
        for g, p in pairs if with_fields else ():
            for f in fields:
                fields[f][0] += _field_ok(g.get(f), p.get(f))
                fields[f][1] += 1
        return prf(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))

    for path in sorted(gold_dir.glob("*.jsonl")):
        if path.stem == "tricky":
            continue
        pred = figures[figures["doc_id"] == path.stem].sort_values("start").to_dict("records")
        per_doc[path.stem] = add(read_jsonl(path), pred)
    for gold, pred in extra:  # sentences read without a parse: values only, not object/place/time
        add(gold, pred, with_fields=False)
    out = {"value": prf(tp, fp, fn), "by_doc": per_doc}
    for f, (ok, n) in fields.items():
        out[f"{f}_accuracy"] = round(ok / n, 4) if n else 0.0
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


# --- events -----------------------------------------------------------------------------------


def event_matches(gold: dict, pred: dict) -> bool:
    return (
        gold["date_start"] == pred.get("date_start")
        and gold["date_end"] == pred.get("date_end")
        and gold["trigger"].lower() in str(pred.get("text", "")).lower()
    )


def event_metrics(gold_dir: Path, events: pd.DataFrame) -> dict[str, Any]:
    tp = fp = fn = 0
    per_doc = {}
    for path in sorted(gold_dir.glob("*.jsonl")):
        gold = read_jsonl(path)
        pred = events[events["doc_id"] == path.stem].sort_values("start").to_dict("records")
        pairs = align(gold, pred, event_matches)
        per_doc[path.stem] = prf(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
        tp, fp, fn = tp + len(pairs), fp + len(pred) - len(pairs), fn + len(gold) - len(pairs)
    return {"events": prf(tp, fp, fn), "by_doc": per_doc}


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


def main(
    tables_dir: Path, entities_dir: Path, gold_dir: Path, metrics_dir: Path, params: dict[str, Any]
) -> dict[str, Any]:
    metrics_dir.mkdir(parents=True, exist_ok=True)
    mentions = pd.read_parquet(tables_dir / f"{names.T_ENTITIES}.parquet")
    candidates = {p.stem: pd.read_parquet(p) for p in sorted(entities_dir.glob("*.parquet"))}
    dev = [d for d in params.get("dev_docs", []) if (gold_dir / "entities" / f"{d}.jsonl").exists()]
    results = {
        "entities": entity_metrics(gold_dir / "entities", dev, mentions, candidates),
        "figures": figure_metrics(
            gold_dir / "figures",
            pd.read_parquet(tables_dir / f"{names.T_FIGURES}.parquet"),
            tricky_figures(gold_dir / "figures" / "tricky.jsonl"),
        ),
        "events": {
            **event_metrics(gold_dir / "events", pd.read_parquet(tables_dir / f"{names.T_EVENTS}.parquet")),
            "timex": timex_metrics(gold_dir / "timex" / "tricky.jsonl"),
        },
    }
    if (tables_dir / "review" / "rejected.parquet").exists():  # the annotators' verdicts are gold too
        from pipeline.evaluate.review_metrics import review_metrics

        results["review"] = review_metrics(tables_dir)
    for name, m in results.items():
        (metrics_dir / f"{name}.json").write_text(json.dumps(m, indent=1, sort_keys=True) + "\n")
    return results
