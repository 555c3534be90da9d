"""Merge overlapping candidates from all NER sources into one mention per span.

Policy (documented in the README, tested in ``tests/test_entities_ensemble.py``):

1. Candidates that overlap (transitively) form a cluster; the clusters are decided one by one.
2. Every distinct (start, end, label) of a cluster is scored by the sources that proposed it,
   ``1 - Π(1 - score_i)`` (each source once), so agreement raises the score. A gazetteer match
   (a ``rules`` candidate with a ``key``) scores at least :data:`GAZETTEER_SCORE`, so it wins
   against any single source and any pair of models.
3. The spans are taken greedily, best score first (ties: the longer span, then the one proposed
   by more sources), skipping any that overlaps one already taken: no nesting, and two adjacent
   names one model ran together ("Law of the Republic of X “On …”") both survive when a better
   source separates them. Label correction falls out of the scores: a citation PERSON from the
   rules (0.85) beats the pretrained model's ORG (0.6) on the same span, but the fine-tuned
   and pretrained models agreeing on GPE (0.9) beat a structure rule's ORG ("Soviet Union").
4. ``sources`` lists every source that proposed exactly the winning span and label; ``score``
   is the winner's combined score, or, given a calibration table (:mod:`.calibration`, fitted
   on the TRAIN documents), its estimate of P(correct) for the mention's evidence and label where
   the table has one (evidence of untrained sources only): the table sets the reported score
   only, never which span wins. A span scoring at least :data:`NESTING_SCORE` ranks with the
   best span nested in it, so the longest confident entity wins (guidelines 5.8). Mentions under ``min_score`` are dropped.
5. When the fine-tuned model ran on the document (any ``spacy_ft`` candidate), a span proposed by
   the pretrained model alone is dropped: the fine-tuned model learned our conventions (no
   "diaspora" PERSON, no byline) and declined it. Without it, the pretrained model stands alone.
6. The transformer (``transformer``) is a recall source: a span it alone proposes is dropped; it
   counts by agreement, its score the model's mean label probability capped at its prior (0.4): a
   span of the pretrained model that the transformer also proposes (up to 0.7) survives the veto
   of rule 5, and the fine-tuned model with the transformer (up to 0.82) can outrank the rules (0.8).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.consolidate.calibration import Calibration
from pipeline.core import names
from pipeline.entities.candidates import Candidate

#: The least score of a gazetteer match (curated: it wins against any one model or two of them).
GAZETTEER_SCORE = 0.97
#: The least score of a span that outranks the spans nested in it ("Decree of the Government of X" over
#: "Government of X"); the rules' prior is 0.8, the fine-tuned model's 0.7 (so its "Fifth World Kurultai of
#: Kazakhs" outranks the gazetteer's nested "World Kurultai of Kazakhs"), the pretrained model's 0.5 is below.
#: A model span running two names together is removed before the merge (``candidates.drop_run_ons``).
NESTING_SCORE = 0.7


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


def merge(cands: list[Candidate], min_score: float = 0.0, calibration: Calibration | None = None) -> list[Mention]:
    """Mentions chosen from each cluster of overlapping candidates (see the module's policy); ``score``
    from ``calibration`` when given (the combined score where the table has no cell for it)."""
    mentions: list[Mention] = []
    fine_tuned = any(c.source == names.SRC_SPACY_FT for c in cands)
    for group in clusters(cands):
        votes: dict[tuple[int, int, str], list[Candidate]] = {}
        for c in group:
            votes.setdefault((c.start, c.end, c.label), []).append(c)

        def score(key: tuple[int, int, str]) -> float:
            if any(c.source == names.SRC_RULES and c.key for c in votes[key]):
                return max(GAZETTEER_SCORE, _agree(votes[key]))
            return _agree(votes[key])

        def rank(k: tuple[int, int, str]) -> float:
            """A confident span ranks with the best span it contains: the longest entity wins (no nesting)."""
            inner = [score(j) for j in votes if j[:2] != k[:2] and k[0] <= j[0] and j[1] <= k[1]]
            return max([score(k)] + inner) if score(k) >= NESTING_SCORE else score(k)

        taken: list[tuple[int, int, str]] = []
        for k in sorted(votes, key=lambda k: (-rank(k), -(k[1] - k[0]), -len(votes[k]), k[0], k[2])):
            alone = {c.source for c in votes[k]}
            if fine_tuned and alone == {names.SRC_SPACY}:
                continue  # the fine-tuned model saw this text and did not propose it
            if alone == {names.SRC_TRANSFORMER}:
                continue  # a recall source: it counts by agreement only
            if score(k) >= min_score and not any(a < k[1] and k[0] < b for a, b, _ in taken):
                taken.append(k)
        for best in sorted(taken):
            srcs = tuple(sorted({c.source for c in votes[best]}))
            key = next((c.key for c in votes[best] if c.key), "")
            s = score(best) if calibration is None else calibration.score(srcs, best[2], bool(key), score(best))
            mentions.append(Mention(best[0], best[1], best[2], srcs, round(s, 4), key))
    return mentions


def _agree(cs: list[Candidate]) -> float:
    """``1 - Π(1 - score)`` over the sources (each counted once, at its best score)."""
    best: dict[str, float] = {}
    for c in cs:
        best[c.source] = max(best.get(c.source, 0.0), c.score)
    miss = 1.0
    for v in best.values():
        miss *= 1.0 - v
    return 1.0 - miss
