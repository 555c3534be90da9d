"""Calibrated mention scores: a mention's ``score`` estimates P(correct), measured by leave-one-document-out.

The table is fitted by the ``loo`` stage (:mod:`pipeline.evaluate.loo`) on the held-out mentions of every
fold: each gold document's mentions merged from sources none of which was built from that document (its
fold's ``spacy_ft`` trained on the other documents, its gazetteer without the names only it has). A mention
is correct when its (text, label) is in its document's gold. The ``calibrate`` stage copies that table to
``models/ner_calibration.json`` (committed; ``make train`` refreshes it), which ``consolidate`` reads
(param ``consolidate.calibration``). Its cells are keyed by the mention's *evidence* — the sorted sources
that proposed it, plus ``gazetteer`` for a gazetteer match — and its label, and shrunk twice
(Laplace-style, weight ``m``):

* per evidence: ``p_e = (tp_e + m · prior_e) / (n_e + m)``, where ``prior_e`` is the ensemble's
  prior score of that evidence (``1 - Π(1 - prior_source)``, the fallback below);
* per (evidence, label): ``p = (tp + m · p_e) / (n + m)``.

A mention whose (evidence, label) was never seen takes ``p_e``; unseen evidence keeps the
ensemble's own score (the sources' priors combined, :mod:`.ensemble`).

The table knows the sources it was measured with (``sources``: rules, pretrained and fine-tuned spaCy;
the transformer is not trained per fold, see :mod:`pipeline.evaluate.loo`). A mention's evidence is read
over those sources only: "rules+spacy_ft+transformer" is looked up as "rules+spacy_ft", whose held-out
precision is measured, and a mention only unmeasured sources proposed keeps the ensemble's score.
How well the table does on documents it never saw is ``entities.calibration.after`` of ``metrics/loo.json``
(each document scored by a table fitted on the others).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

GAZETTEER = "gazetteer"


def evidence(sources: Iterable[str], gazetteer: bool = False) -> str:
    """The key of a mention's evidence: ``"rules+spacy_ft"``; ``+gazetteer`` for a gazetteer match.

    >>> evidence(["spacy_ft", "rules"], gazetteer=True)
    'gazetteer+rules+spacy_ft'
    """
    return "+".join(sorted(set(sources) | ({GAZETTEER} if gazetteer else set())))


@dataclass(frozen=True)
class Calibration:
    """``p`` per evidence (``by_evidence``) and per ``"evidence|label"`` (``cells``), measured with ``sources``
    (empty: every source)."""

    by_evidence: dict[str, float] = field(default_factory=dict)
    cells: dict[str, float] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()

    def score(self, sources: Iterable[str], label: str, gazetteer: bool, fallback: float) -> float:
        """P(correct) of a mention proposed by ``sources``, read over the table's own sources (see the module)."""
        known = [s for s in sources if not self.sources or s in self.sources]
        return self.lookup(evidence(known, gazetteer), label, fallback) if known else fallback

    def lookup(self, e: str, label: str, fallback: float) -> float:
        """The estimate for evidence key ``e`` and ``label``: its cell, else its evidence's, else ``fallback``."""
        return self.cells.get(f"{e}|{label}", self.by_evidence.get(e, fallback))


def from_table(t: dict) -> Calibration:
    """A :class:`Calibration` from a fitted table (:func:`pipeline.training.calibration.fit`'s dict, with the
    ``sources`` it was measured with when it has them)."""
    return Calibration(
        {e: v["p"] for e, v in t["by_evidence"].items()},
        {k: v["p"] for k, v in t["cells"].items()},
        frozenset(t.get("sources", ())),
    )


def load(path: Path | str | None) -> Calibration | None:
    """The table written by the ``calibrate`` stage; None when ``path`` is empty (calibration off).

    A named table that is missing is an error, never a silent fallback to uncalibrated scores."""
    if not path:
        return None
    if not Path(path).exists():
        raise FileNotFoundError(
            f"{path}: the calibration table named by params consolidate.calibration is missing; restore it "
            f"(git checkout {path}), rebuild it (make train), or set consolidate.calibration: '' to keep the "
            "ensemble's scores"
        )
    return from_table(json.loads(Path(path).read_text(encoding="utf-8")))
