"""Calibrated mention scores: a mention's ``score`` estimates P(correct), from the TRAIN documents.

The table is fitted by the ``calibrate`` stage on the merged mentions of the training documents
(never the dev documents): a mention is correct when its (text, label) is in its document's gold.
Its cells are keyed by the mention's *evidence* — the sorted sources that proposed it, plus
``gazetteer`` for a gazetteer match — and its label, and shrunk twice (Laplace-style, weight ``m``):

* per evidence: ``p_e = (tp_e + m · prior_e) / (n_e + m)``, where ``prior_e`` is the ensemble's
  prior score of that evidence (``1 - Π(1 - prior_source)``, the fallback below);
* per (evidence, label): ``p = (tp + m · p_e) / (n + m)``.

A mention whose (evidence, label) was never seen takes ``p_e``; unseen evidence keeps the
ensemble's own score (the sources' priors combined, :mod:`.ensemble`).

The trained sources (:data:`TRAINED`: ``spacy_ft``, ``transformer``) are left out of the fit: on
their own training documents they are nearly always right, and a table fitted with them (tried
first) was worse calibrated on the dev documents than the priors (ECE 0.064 against 0.027; every
span they missed in training looked wrong). So the table covers the evidence of the untrained
sources (rules, gazetteer, pretrained spaCy), merged as if no model had been trained, and every
mention a trained model proposed keeps the ensemble's score. A leave-one-document-out fit would
cover them too, at three more trainings of each model (about 15 minutes on 2 cores).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import names

GAZETTEER = "gazetteer"
#: Sources trained on the documents the table is fitted on: left out of the fit (see above).
TRAINED = frozenset({names.SRC_SPACY_FT, names.SRC_TRANSFORMER})


def evidence(sources: Iterable[str], gazetteer: bool = False) -> str:
    """The key of a mention's evidence: ``"rules+spacy_ft"``; ``+gazetteer`` for a gazetteer match.

    >>> evidence(["spacy_ft", "rules"], gazetteer=True)
    'gazetteer+rules+spacy_ft'
    """
    return "+".join(sorted(set(sources) | ({GAZETTEER} if gazetteer else set())))


@dataclass(frozen=True)
class Calibration:
    """``p`` per evidence (``by_evidence``) and per ``"evidence|label"`` (``cells``)."""

    by_evidence: dict[str, float] = field(default_factory=dict)
    cells: dict[str, float] = field(default_factory=dict)

    def score(self, sources: Iterable[str], label: str, gazetteer: bool, fallback: float) -> float:
        e = evidence(sources, gazetteer)
        return self.cells.get(f"{e}|{label}", self.by_evidence.get(e, fallback))


def fit(rows: Iterable[tuple[str, str, bool, float]], m: float = 2.0) -> dict:
    """The table (JSON-ready) from ``(evidence, label, correct, prior)`` rows, one per mention (an
    evidence's prior is the mean of its mentions' ensemble scores).

    >>> t = fit([("rules", "GPE", True, 0.8), ("rules", "GPE", True, 0.8), ("rules", "ORG", False, 0.8)])
    >>> t["by_evidence"]["rules"], t["cells"]["rules|GPE"]
    ({'n': 3, 'tp': 2, 'prior': 0.8, 'p': 0.72}, {'n': 2, 'tp': 2, 'p': 0.86})
    """
    ev: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])
    cell: dict[str, list] = defaultdict(lambda: [0, 0])
    for e, label, ok, prior in rows:
        ev[e][0] += 1
        ev[e][1] += int(ok)
        ev[e][2] += prior
        cell[f"{e}|{label}"][0] += 1
        cell[f"{e}|{label}"][1] += int(ok)
    by_ev = {
        e: {"n": n, "tp": tp, "prior": round(ps / n, 4), "p": round((tp + m * ps / n) / (n + m), 4)}
        for e, (n, tp, ps) in sorted(ev.items())
    }
    cells = {
        k: {"n": n, "tp": tp, "p": round((tp + m * by_ev[k.split("|")[0]]["p"]) / (n + m), 4)}
        for k, (n, tp) in sorted(cell.items())
    }
    return {"m": m, "by_evidence": by_ev, "cells": cells}


def load(path: Path | str | None) -> Calibration | None:
    """The table written by the ``calibrate`` stage, or None when ``path`` is empty or missing."""
    if not path or not Path(path).exists():
        return None
    t = json.loads(Path(path).read_text(encoding="utf-8"))
    return Calibration({e: v["p"] for e, v in t["by_evidence"].items()}, {k: v["p"] for k, v in t["cells"].items()})


def main(entities_dir: Path, gold_dir: Path, doc_ids: list[str], out: Path) -> dict:
    """Fit the table on the merged mentions of ``doc_ids`` (TRAIN documents; :data:`TRAINED` sources left
    out) and write it to ``out``.

    Example: ``main(Path("data/entities"), Path("gold/entities"), ["000_…"], Path("models/ner_calibration.json"))``.
    """
    import pandas as pd

    from ..evaluate import norm_text, read_jsonl
    from .candidates import Candidate
    from .ensemble import merge

    rows = []
    for doc_id in doc_ids:
        path = Path(entities_dir) / f"{doc_id}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"{path}: run the entities stage on the training documents first")
        df = pd.read_parquet(path)
        gold = {(norm_text(g["text"]), g["label"]) for g in read_jsonl(Path(gold_dir) / f"{doc_id}.jsonl")}
        text = {(int(r.start), int(r.end)): r.text for r in df.itertuples()}
        cands = [
            Candidate(int(r.start), int(r.end), r.label, r.source, float(r.score), r.key or "")
            for r in df.itertuples()
            if r.source not in TRAINED
        ]
        for mtn in merge(cands):
            ok = (norm_text(text[(mtn.start, mtn.end)]), mtn.label) in gold
            rows.append((evidence(mtn.sources, bool(mtn.key)), mtn.label, ok, mtn.score))
    table = {**fit(rows), "train_docs": list(doc_ids), "left_out": sorted(TRAINED)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return table
