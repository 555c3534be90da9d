"""The mention-score calibration table: :func:`fit` (used by the ``loo`` stage on the held-out mentions
of every fold) and :func:`main` (the ``calibrate`` stage: the table of ``metrics/loo.json`` written to
``models/ner_calibration.json``, which ``consolidate`` reads).

The table's model — evidence keys, shrinkage, the sources it knows — is described in
:mod:`pipeline.consolidate.calibration`, which looks the scores up at consolidation time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path


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


def loo_table(loo_metrics: dict) -> dict:
    """The table the ``loo`` stage fitted on every fold's held-out mentions (``entities.calibration.table``)."""
    try:
        return loo_metrics["entities"]["calibration"]["table"]
    except KeyError as e:
        raise ValueError(f"no calibration table ({e} missing): run `dvc repro loo` with the current code") from None


def main(loo_json: Path, out: Path) -> dict:
    """Write the leave-one-document-out calibration table of ``loo_json`` (``metrics/loo.json``) to ``out``.

    Example: ``main(Path("metrics/loo.json"), Path("models/ner_calibration.json"))``.
    """
    loo = json.loads(Path(loo_json).read_text(encoding="utf-8"))
    ent = loo["entities"]
    table = {
        **loo_table(loo),
        "fitted_on": "held-out mentions of every leave-one-document-out fold (" + ent["scored_on"] + ")",
        "documents": sorted(ent["by_doc"]),
        "held_out_check": ent["calibration"]["after"],
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return table


def stale(table_path: Path, loo_json: Path) -> str | None:
    """Why the served table (``models/ner_calibration.json``) is not the one ``loo_json`` fits, in words
    ending in what to run; None when it is (or when either file is absent: nothing to compare)."""
    if not Path(table_path).exists() or not Path(loo_json).exists():
        return None
    served = json.loads(Path(table_path).read_text(encoding="utf-8"))
    try:
        fitted = loo_table(json.loads(Path(loo_json).read_text(encoding="utf-8")))
    except ValueError:
        return None
    if {k: served.get(k) for k in fitted} == fitted:
        return None
    return f"{table_path} is not the calibration table {loo_json} measures: run make train (or dvc commit after `python -m pipeline calibrate`)"
