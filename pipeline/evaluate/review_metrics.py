"""Extractor precision against the annotators' verdicts (for the ``evaluate`` stage).

A reviewed row counts for each source that produced it: ``accepted`` is a true positive,
``corrected`` a true positive with a fix (counted apart), ``rejected`` a false positive; rows
``added`` by annotators are extractions every source missed. Unreviewed rows do not count.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core import names
from pipeline.review.apply import REVIEW_DIR, SUFFIX


def _sources(table: str, row: dict[str, Any]) -> list[str]:
    if table == names.T_ENTITIES:
        srcs = row.get("sources")
        return [str(s) for s in srcs] if srcs is not None and len(srcs) else ["unknown"]
    return [row.get("source") or (names.SRC_FIGURE_RULES if table == names.T_FIGURES else names.SRC_EVENT_RULES)]


def review_metrics(reviewed_dir: Path) -> dict[str, Any]:
    """``{table: {source: {accepted, corrected, rejected, precision}, "added": n}}`` from a review output."""
    reviewed_dir = Path(reviewed_dir)
    rejected = pd.read_parquet(reviewed_dir / REVIEW_DIR / f"rejected{SUFFIX}")
    out: dict[str, Any] = {}
    for table in (names.T_ENTITIES, names.T_FIGURES, names.T_EVENTS):
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {"accepted": 0, "corrected": 0, "rejected": 0})
        df = pd.read_parquet(reviewed_dir / f"{table}{SUFFIX}")
        for r in df.to_dict("records"):
            if r["review_status"] in (names.ACCEPTED, names.CORRECTED):
                for s in _sources(table, r):
                    counts[s][r["review_status"]] += 1
        for r in rejected[rejected["table"] == table]["row"]:
            for s in _sources(table, json.loads(r)):
                counts[s]["rejected"] += 1
        res: dict[str, Any] = {}
        for s, c in sorted(counts.items()):
            n = c["accepted"] + c["corrected"] + c["rejected"]
            res[s] = {**c, "precision": round((c["accepted"] + c["corrected"]) / n, 4) if n else 0.0}
        res["added"] = int((df["review_status"] == names.ADDED).sum())
        out[table] = res
    return out
