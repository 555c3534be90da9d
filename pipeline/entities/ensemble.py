"""Merge overlapping candidates from all NER sources into one mention per span.

Policy (documented in the README, tested in ``tests/test_entities_ensemble.py``):

1. Candidates that overlap form a cluster; each cluster yields at most one mention.
2. A gazetteer match (a ``rules`` candidate with a ``key``) wins its cluster: the longest one.
3. Otherwise every distinct (start, end, label) is scored by the sources that proposed it,
   ``1 - Π(1 - score_i)``, so agreement raises the score; the best wins, ties to the longer span,
   then to the label proposed by more sources.
4. ``sources`` lists every source that proposed exactly the winning span and label.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import names
from .candidates import Candidate


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str
    sources: tuple[str, ...]
    score: float
    key: str = ""


def clusters(cands: list[Candidate]) -> list[list[Candidate]]:
    """Groups of transitively overlapping candidates, in text order."""
    out: list[list[Candidate]] = []
    end = -1
    for c in sorted(cands, key=lambda c: (c.start, -c.end)):
        if out and c.start < end:
            out[-1].append(c)
            end = max(end, c.end)
        else:
            out.append([c])
            end = c.end
    return out


def merge(cands: list[Candidate]) -> list[Mention]:
    """One mention per cluster of overlapping candidates (see the module's policy)."""
    mentions: list[Mention] = []
    for group in clusters(cands):
        votes: dict[tuple[int, int, str], list[Candidate]] = {}
        for c in group:
            votes.setdefault((c.start, c.end, c.label), []).append(c)

        def score(key: tuple[int, int, str]) -> float:
            miss = 1.0
            for c in {c.source: c for c in votes[key]}.values():
                miss *= 1.0 - c.score
            return 1.0 - miss

        gazetteer = [k for k, cs in votes.items() if any(c.source == names.SRC_RULES and c.key for c in cs)]
        pool = gazetteer or list(votes)
        best = max(pool, key=lambda k: (score(k), k[1] - k[0], len(votes[k]), -k[0], k[2]))
        srcs = tuple(sorted({c.source for c in votes[best]}))
        key = next((c.key for c in votes[best] if c.key), "")
        mentions.append(Mention(best[0], best[1], best[2], srcs, round(score(best), 4), key))
    return mentions
