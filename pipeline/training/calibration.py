"""Fitting the mention-score calibration table (the ``calibrate`` stage) on the TRAIN documents.

The table's model — evidence keys, shrinkage, the sources left out — is described in
:mod:`pipeline.consolidate.calibration`, which looks the scores up at consolidation time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pipeline.consolidate.calibration import TRAINED, evidence


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


def main(entities_dir: Path, gold_dir: Path, doc_ids: list[str], out: Path) -> dict:
    """Fit the table on the merged mentions of ``doc_ids`` (TRAIN documents; :data:`TRAINED` sources left
    out) and write it to ``out``.

    Example: ``main(Path("data/entities"), Path("gold/entities"), ["000_…"], Path("models/ner_calibration.json"))``.
    """
    import pandas as pd

    from pipeline.consolidate.ensemble import merge
    from pipeline.core.io import read_jsonl
    from pipeline.core.normalize import norm_text
    from pipeline.entities.candidates import Candidate

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
