"""The scoring functions every metric uses: P/R/F1 of sets, greedy alignment of lists, match rules.

Pure functions over plain tuples and dicts; ``pipeline.evaluate`` applies them to the dev documents
and :mod:`.pdf_gold` to the annotated PDF pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from pipeline.core import names

ALL = "ALL"

Match = Callable[[dict, dict], bool]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (rounded to 4 places) with the counts they come from.

    >>> prf(3, 1, 2)
    {'precision': 0.75, 'recall': 0.6, 'f1': 0.6667, 'tp': 3, 'fp': 1, 'fn': 2}
    """
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score_sets(gold: set[tuple], pred: set[tuple]) -> dict[str, Any]:
    """P/R/F1 overall and per label for sets of tuples whose last item is the label:
    ``(doc_id, text, label)`` or ``(doc_id, page, text, label)``.

    >>> score_sets({("d", "Astana", "GPE")}, {("d", "Astana", "GPE"), ("d", "Nur", "ORG")})["ORG"]["fp"]
    1
    """
    out = {ALL: prf(len(gold & pred), len(pred - gold), len(gold - pred))}
    for label in names.ENTITY_LABELS:
        g = {x for x in gold if x[-1] == label}
        p = {x for x in pred if x[-1] == label}
        if g or p:
            out[label] = prf(len(g & p), len(p - g), len(g - p))
    return out


# --- matching rules ---------------------------------------------------------------------------


def _close(a: float | None, b: float | None, tol: float = 0.005) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return False
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-9)


def figure_matches(gold: dict, pred: dict) -> bool:
    """Same value (or same low and high for a range) within 0.5%."""
    if gold.get("value") is not None:
        return _close(gold["value"], pred.get("value"))
    return _close(gold.get("low"), pred.get("low")) and _close(gold.get("high"), pred.get("high"))


def event_matches(gold: dict, pred: dict) -> bool:
    """Same normalized interval, and the gold trigger word inside the event's text."""
    return (
        gold["date_start"] == pred.get("date_start")
        and gold["date_end"] == pred.get("date_end")
        and gold["trigger"].lower() in str(pred.get("text", "")).lower()
    )


def field_ok(g: Any, p: Any) -> bool:
    """A figure's object/place/time agrees: both empty, or one contains the other (case-insensitive)."""
    g = None if g is None or (isinstance(g, float) and pd.isna(g)) else str(g).lower().strip()
    p = None if p is None or (isinstance(p, float) and pd.isna(p)) or p is pd.NA else str(p).lower().strip()
    if g is None or p is None:
        return g == p
    return g in p or p in g


# --- alignment --------------------------------------------------------------------------------


def align(gold: list[dict], pred: list[dict], match: Match) -> list[tuple[dict, dict]]:
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


def aligned_scores(
    groups: Iterable[tuple[str, list[dict], list[dict]]], match: Match
) -> tuple[dict[str, float], dict[str, dict[str, float]], list[tuple[dict, dict]]]:
    """Align gold and predicted lists group by group (a document, or one page of it).

    ``groups`` holds ``(key, gold, predicted)``; a key may come more than once (the pages of one
    document) and its counts add up. Returns the overall P/R/F1, P/R/F1 per key and the matched pairs.

    >>> total, by_key, _ = aligned_scores([("d", [{"v": 1}], [{"v": 1}, {"v": 2}]), ("d", [{"v": 3}], [])],
    ...                                   lambda g, p: g["v"] == p["v"])
    >>> total["tp"], total["fp"], total["fn"], by_key["d"]["f1"]
    (1, 1, 1, 0.5)
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    pairs: list[tuple[dict, dict]] = []
    for key, gold, pred in groups:
        matched = align(gold, pred, match)
        pairs += matched
        c = counts[key]
        c[0], c[1], c[2] = c[0] + len(matched), c[1] + len(pred) - len(matched), c[2] + len(gold) - len(matched)
    by_key = {k: prf(*c) for k, c in sorted(counts.items())}
    total = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return total, by_key, pairs


FIGURE_FIELDS = ("object", "place", "time")


def field_accuracy(pairs: list[tuple[dict, dict]]) -> dict[str, float]:
    """``<field>_accuracy`` of object, place and time over matched figure pairs (0.0 when none)."""
    return {
        f"{f}_accuracy": round(sum(field_ok(g.get(f), p.get(f)) for g, p in pairs) / len(pairs), 4) if pairs else 0.0
        for f in FIGURE_FIELDS
    }


def figure_scores(groups: Iterable[tuple[str, list[dict], list[dict]]]) -> dict[str, Any]:
    """Value P/R/F1 (``value``), per key (``by_doc``), and object/place/time accuracy of the matches."""
    total, by_key, pairs = aligned_scores(groups, figure_matches)
    return {"value": total, "by_doc": by_key, **field_accuracy(pairs)}


def event_scores(groups: Iterable[tuple[str, list[dict], list[dict]]]) -> dict[str, Any]:
    """Event P/R/F1 (``events``) and per key (``by_doc``)."""
    total, by_key, _ = aligned_scores(groups, event_matches)
    return {"events": total, "by_doc": by_key}
