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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core import names

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
        return self.lookup(evidence(sources, gazetteer), label, fallback)

    def lookup(self, e: str, label: str, fallback: float) -> float:
        """The estimate for evidence key ``e`` and ``label``: its cell, else its evidence's, else ``fallback``."""
        return self.cells.get(f"{e}|{label}", self.by_evidence.get(e, fallback))


def from_table(t: dict) -> Calibration:
    """A :class:`Calibration` from a fitted table (:func:`pipeline.training.calibration.fit`'s dict)."""
    return Calibration({e: v["p"] for e, v in t["by_evidence"].items()}, {k: v["p"] for k, v in t["cells"].items()})


def load(path: Path | str | None) -> Calibration | None:
    """The table written by the ``calibrate`` stage, or None when ``path`` is empty or missing."""
    if not path or not Path(path).exists():
        return None
    return from_table(json.loads(Path(path).read_text(encoding="utf-8")))
