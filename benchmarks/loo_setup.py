"""What the leave-one-document-out benchmarks share: the folds' inputs as the ``loo`` stage reads them
(:mod:`pipeline.evaluate.loo`), each fold's rules over its held-out gazetteer, and the ensemble's F1 on the
text papers and the PDF pages apart. Used by ``loo_rules.py`` and ``loo_base_model.py``."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.nlp import load_nlp  # noqa: E402
from pipeline.core.params import load_params, stage_params  # noqa: E402
from pipeline.entities.rules import EntityRules, load_patterns  # noqa: E402
from pipeline.evaluate import folds, loo  # noqa: E402
from pipeline.training.spacy_ner import TrainConfig  # noqa: E402


@dataclass
class Folds:
    """The gold documents, the params' parse model and fold config, and per document its held-out rules."""

    model: str
    config: TrainConfig
    golds: list[folds.GoldDoc]
    rules: dict[str, EntityRules]

    def train_docs(self, held_out: str) -> list[folds.GoldDoc]:
        return [o for o in self.golds if o.doc_id != held_out]


def load_folds(params_path: str | Path, name: str) -> Folds:
    """The folds of the ``loo`` stage from ``params.yaml``, the gold and the pipeline's data folders."""
    params = load_params(Path(params_path))
    model = stage_params(params, "parse")["model"]
    config = TrainConfig(**stage_params(params, "loo")["spacy"])
    patterns_dir = Path(stage_params(params, "entities")["patterns_dir"])
    golds = folds.gold_documents(Path("gold"), Path("data/ingest"), Path("data/parse"), Path("data/pdfs-work"), model)
    only = loo.single_document_strings(loo.gold_strings(Path("gold")))
    patterns, nlp = load_patterns(patterns_dir), load_nlp(model)
    rules = {
        g.doc_id: EntityRules(nlp, name, str(patterns_dir), patterns=loo.held_out_patterns(patterns, only[g.doc_id])[0])
        for g in golds
    }
    return Folds(model, config, golds, rules)


def ensemble_row(golds: list[folds.GoldDoc], results: list[loo.FoldResult]) -> tuple[dict[str, Any], float, float]:
    """The LOO scores of ``results`` (``loo.scores``), and the ensemble F1 of the text papers and the PDF pages."""
    by = {
        k: loo.scores([g for g in golds if g.kind == k], [r for r in results if r.kind == k]) for k in ("text", "pdf")
    }
    return loo.scores(golds, results), by["text"]["ensemble"]["ALL"]["f1"], by["pdf"]["ensemble"]["ALL"]["f1"]
