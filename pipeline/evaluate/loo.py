"""Leave-one-document-out (LOO) entity scores over every gold document (the ``loo`` stage).

The gold documents are the corpus papers of ``gold/entities`` (their whole body text) and the PDFs
of ``gold/pdfs`` (their annotated pages only, scored as :mod:`.pdf_gold` scores them: unique
``(document, page, text, label)``). Fold *k* holds document *k* out, and nothing scored on *k* was
built from it:

* ``rules``: the structure rules as they are (they are about the language, not a document); the
  gazetteer without every pattern whose string is in *k*'s gold and in no other gold document's
  (:func:`held_out_patterns`): a name only *k* could have suggested is never matched in *k*.
  ``gazetteer`` scores the rules' gazetteer matches alone.
* ``spacy``: the pretrained pipeline as it is (never trained on these documents).
* ``spacy_ft``: trained anew on the gold of every other document (:func:`fold_labels`: a corpus paper
  whole, a PDF on its annotated pages, the rest of that PDF unlabelled), with ``params.yaml``
  ``loo.spacy`` (fewer iterations than ``train.config``: 13 trainings must fit the stage's time).
* ``transformer``: not measured by LOO: one training is minutes on the CPU, thirteen exceed the
  stage's budget, so the LOO ensemble runs without it (it only counts by agreement there anyway).
* ``ensemble``: the three sources above merged by :func:`pipeline.consolidate.ensemble.merge`.

Every fold's ``spacy_ft`` model is cached in the work folder (:mod:`.folds`: documents and fold models)
under a fingerprint of its training labels, base model, config and training code, so rescoring after
a rule change, or an edit of this module, trains nothing.
The merged mentions' scores, with their correctness, are the held-out rows that
:func:`loo_calibration` fits and checks a calibration table on, document by document.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline.consolidate import provenance
from pipeline.consolidate.calibration import evidence, from_table
from pipeline.consolidate.ensemble import merge
from pipeline.core import names
from pipeline.core.io import read_jsonl
from pipeline.core.nlp import load_nlp
from pipeline.core.normalize import norm_text
from pipeline.entities.candidates import Candidate, candidates_from_spans, finish, pretrained
from pipeline.entities.rules import EntityRules, load_patterns
from pipeline.evaluate.folds import PDF, TEXT, GoldDoc, Key, fold_model, gold_documents
from pipeline.evaluate.pdf_gold import ENTITIES
from pipeline.evaluate.scores import ALL, score_sets
from pipeline.training.calibration import fit
from pipeline.training.spacy_ner import TrainConfig

log = logging.getLogger(__name__)

GAZETTEER = "gazetteer"  # the rules' gazetteer matches, scored apart
ENSEMBLE = "ensemble"
#: The sources of the LOO ensemble: a calibration table fitted on its mentions knows these only.
LOO_SOURCES = (names.SRC_RULES, names.SRC_SPACY, names.SRC_SPACY_FT)
TRANSFORMER_NOT_MEASURED = (
    "not measured by leave-one-document-out: one training of the transformer takes minutes on the CPU and "
    "thirteen exceed the stage's budget; the LOO ensemble runs without it (a recall source, counted by "
    "agreement only). Its scores in metrics/entities.json are on the dev documents and PDF pages."
)


# --- what fold k may not use --------------------------------------------------------------------


def gold_strings(gold_dir: Path) -> dict[str, set[str]]:
    """The gold entity strings (normalized) of every gold document: ``gold/entities`` and ``gold/pdfs``."""
    files = sorted((gold_dir / "entities").glob("*.jsonl")) + sorted((gold_dir / "pdfs" / ENTITIES).glob("*.jsonl"))
    return {p.stem: {norm_text(g["text"]) for g in read_jsonl(p)} for p in files}


def single_document_strings(strings: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per document, its gold strings that no other gold document has.

    >>> single_document_strings({"a": {"Astana", "Osh"}, "b": {"Astana"}})
    {'a': {'Osh'}, 'b': set()}
    """
    count: dict[str, int] = defaultdict(int)
    for s in strings.values():
        for x in s:
            count[x] += 1
    return {d: {x for x in s if count[x] == 1} for d, s in strings.items()}


def held_out_patterns(patterns: list[dict], only_in_held_out: set[str]) -> tuple[list[dict], list[str]]:
    """The gazetteer of a fold: ``patterns`` without those whose string only the held-out document's gold
    has; and the dropped strings, sorted.

    >>> kept, dropped = held_out_patterns([{"label": "GPE", "pattern": "Astana", "id": "astana"},
    ...                                    {"label": "GPE", "pattern": "Osh", "id": "osh"}], {"Osh"})
    >>> [p["pattern"] for p in kept], dropped
    (['Astana'], ['Osh'])
    """
    kept = [p for p in patterns if norm_text(p["pattern"]) not in only_in_held_out]
    dropped = sorted({p["pattern"] for p in patterns if norm_text(p["pattern"]) in only_in_held_out})
    return kept, dropped


# --- one fold's predictions ---------------------------------------------------------------------


def fold_candidates(g: GoldDoc, rules: EntityRules, ft: Language | None) -> list[Candidate]:
    """Every LOO source's candidates on the held-out document, checked against each other as the
    ``entities`` stage checks them (:func:`pipeline.entities.candidates.finish`)."""
    out = candidates_from_spans(g.doc, rules.match(g.parsed), names.SRC_RULES)
    out += pretrained(g.doc, g.parsed)
    if ft is not None:
        out += candidates_from_spans(g.doc, ft(g.doc.text).ents, names.SRC_SPACY_FT)
    return finish(g.doc.text, out)


def _key(g: GoldDoc, start: int, end: int, label: str) -> Key | None:
    """The score key of a span of ``g``, or None when it lies off the annotated pages of a PDF."""
    text = norm_text(g.doc.text[start:end])
    if g.kind == TEXT:
        return (g.doc_id, 0, text, label)
    page = provenance(g.doc, start, end)["page"]
    return (g.doc_id, int(page), text, label) if page is not None and int(page) in g.pages else None


@dataclass
class FoldResult:
    """The held-out predictions of one fold: per source keys, the ensemble's keys, and the scored
    mentions ``(evidence, label, correct, score)`` for calibration."""

    doc_id: str
    kind: str
    by_source: dict[str, set[Key]]
    mentions: list[tuple[str, str, bool, float]]


def score_fold(g: GoldDoc, cands: list[Candidate]) -> FoldResult:
    gold = g.keys()
    by_source: dict[str, set[Key]] = defaultdict(set)
    for c in cands:
        k = _key(g, c.start, c.end, c.label)
        if k is not None:
            by_source[c.source].add(k)
            if c.source == names.SRC_RULES and c.key:
                by_source[GAZETTEER].add(k)
    rows = []
    for m in merge(cands):
        k = _key(g, m.start, m.end, m.label)
        if k is not None:
            by_source[ENSEMBLE].add(k)
            rows.append((evidence(m.sources, bool(m.key)), m.label, k in gold, m.score))
    return FoldResult(g.doc_id, g.kind, dict(by_source), rows)


# --- the stage ----------------------------------------------------------------------------------


def scores(golds: list[GoldDoc], results: list[FoldResult]) -> dict[str, Any]:
    gold = set().union(*(g.keys() for g in golds)) if golds else set()
    sources = sorted({s for r in results for s in r.by_source} | {ENSEMBLE})
    pred = {s: set().union(*(r.by_source.get(s, set()) for r in results)) for s in sources}
    return {
        ENSEMBLE: score_sets(gold, pred[ENSEMBLE]),
        "by_source": {s: score_sets(gold, pred[s]) for s in sources if s != ENSEMBLE},
    }


def loo_calibration(results: list[FoldResult], m: float = 2.0) -> dict[str, Any]:
    """The ensemble's scores against held-out correctness: before (the sources' priors combined) and
    after a table fitted on the other documents' held-out mentions (:func:`pipeline.training.calibration.fit`),
    document by document, so no mention's calibrated score saw its own document; and ``table``, fitted on
    every document's held-out mentions: the one the ``calibrate`` stage serves (``after`` measures it)."""
    from pipeline.evaluate import calibration_metrics

    before, after = [], []
    for r in results:
        table = from_table(fit([row for o in results if o.doc_id != r.doc_id for row in o.mentions], m))
        for i, (ev, label, ok, score) in enumerate(r.mentions):
            before.append((r.doc_id, i, ok, score))
            after.append((r.doc_id, i, ok, table.lookup(ev, label, score)))

    def metrics(rows: list[tuple[str, int, bool, float]]) -> dict[str, Any]:
        gold = {(d, str(i), "x") for d, i, ok, _ in rows if ok}
        return calibration_metrics(gold, [(d, str(i), "x", s) for d, i, _, s in rows])

    served = fit([row for r in results for row in r.mentions], m)
    return {
        "before": metrics(before),
        "after": metrics(after),
        "m": m,
        "table": {**served, "sources": list(LOO_SOURCES)},
    }


def main(
    gold_dir: Path,
    ingest_dir: Path,
    parse_dir: Path,
    pdf_work: Path,
    patterns_dir: Path,
    work: Path,
    out: Path,
    model: str,
    config: TrainConfig,
) -> dict[str, Any]:
    """Score every fold and write ``out`` (``metrics/loo.json``); fold models are cached in ``work``."""
    golds = gold_documents(gold_dir, ingest_dir, parse_dir, pdf_work, model)
    only = single_document_strings(gold_strings(gold_dir))
    patterns = load_patterns(patterns_dir)
    nlp = load_nlp(model)
    results, folds = [], {}
    work.mkdir(parents=True, exist_ok=True)
    for g in golds:
        kept, dropped = held_out_patterns(patterns, only[g.doc_id])
        train_docs = [o for o in golds if o.doc_id != g.doc_id]
        ft, trained = fold_model(train_docs, model, config, work, g.doc_id)
        rules = EntityRules(nlp, "entity_rules_loo", str(patterns_dir), patterns=kept)
        results.append(score_fold(g, fold_candidates(g, rules, ft)))
        folds[g.doc_id] = {
            "kind": g.kind,
            "pages": list(g.pages) if g.kind == PDF else "all",
            "spacy_ft_trained_on": [o.doc_id for o in train_docs],
            "gazetteer_dropped": dropped,
        }
        log.info("loo: fold %s scored (%s)", g.doc_id, "trained" if trained else "cached model")
    per_doc = {g.doc_id: score_sets(g.keys(), r.by_source.get(ENSEMBLE, set()))[ALL] for g, r in zip(golds, results)}
    entities = {
        "scored_on": (
            "leave-one-document-out over every gold document: the corpus papers of gold/entities (whole text, "
            "unique (doc, text, label)) and the PDFs of gold/pdfs (annotated pages, unique (doc, page, text, label))"
        ),
        **scores(golds, results),
        "by_format": {
            kind: scores([g for g in golds if g.kind == kind], [r for r in results if r.kind == kind])
            for kind in (TEXT, PDF)
        },
        "by_doc": per_doc,
        "folds": folds,
        "spacy_ft_config": asdict(config),
        "transformer": TRANSFORMER_NOT_MEASURED,
        "calibration": loo_calibration(results),
    }
    report = {"entities": entities}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return report
