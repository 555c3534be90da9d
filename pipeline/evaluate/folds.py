"""The gold documents of the leave-one-document-out scores and each fold's fine-tuned spaCy NER.

:func:`gold_documents` reads every gold document (the corpus papers of ``gold/entities`` whole, the PDFs
of ``gold/pdfs`` with their annotated pages) with its text and parse; :func:`fold_model` trains the
``spacy_ft`` of a fold on the other documents' gold (:func:`fold_labels`) or loads it from the cache
of the work folder. The cache key is a fingerprint of the labels, base model, config and the code of
this module and of :mod:`pipeline.training.spacy_ner`: an edit to the scoring (:mod:`.loo`) retrains
nothing, an edit here retrains every fold.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import code_version, fingerprint
from pipeline.core.io import DOC_SUFFIX, PARSE_SUFFIX, load_document, load_parse, read_jsonl
from pipeline.core.normalize import norm_text
from pipeline.entities.candidates import url_spans
from pipeline.evaluate.pdf_gold import ENTITIES, read_gold_pdfs
from pipeline.training.spacy_ner import DocLabels, TrainConfig, base_pipeline, examples, project

log = logging.getLogger(__name__)

TEXT, PDF = "text", "pdf"
FOLD_META = "loo_fold.json"

#: A score key: (doc_id, page, normalized text, label); page 0 for a text document (no pages).
Key = tuple[str, int, str, str]


@dataclass
class GoldDoc:
    """One gold document: its text and parse, its gold keys and labels, the pages it is scored on."""

    doc_id: str
    kind: str  # TEXT or PDF
    doc: Document
    parsed: Any  # spacy.tokens.Doc
    gold: list[tuple[str, str, int]]  # (text, label, page); page 0 for a text document
    pages: tuple[int, ...] = ()  # annotated pages of a PDF; () = the whole document

    def keys(self) -> set[Key]:
        return {(self.doc_id, p, norm_text(t), lab) for t, lab, p in self.gold}


def gold_documents(gold_dir: Path, ingest_dir: Path, parse_dir: Path, pdf_work: Path, model: str) -> list[GoldDoc]:
    """Every gold document with its ingested text and parse: ``gold/entities`` read from ``ingest_dir`` /
    ``parse_dir``, ``gold/pdfs`` from the ``pdf-run`` work folder (``pdf_work``/ingest, /parse)."""
    out = []
    for path in sorted((gold_dir / "entities").glob("*.jsonl")):
        d = path.stem
        gold = [(g["text"], g["label"], 0) for g in read_jsonl(path)]
        out.append(_load(d, TEXT, ingest_dir, parse_dir, model, gold, ()))
    for d, g in sorted(read_gold_pdfs(gold_dir / "pdfs").items()):
        path = gold_dir / "pdfs" / ENTITIES / f"{d}.jsonl"
        gold = [(r["text"], r["label"], int(r["page"])) for r in read_jsonl(path)] if path.exists() else []
        out.append(_load(d, PDF, pdf_work / "ingest", pdf_work / "parse", model, gold, g.pages))
    return out


def _load(doc_id: str, kind: str, ingest: Path, parse: Path, model: str, gold: list, pages: tuple) -> GoldDoc:
    doc_path, parse_path = ingest / f"{doc_id}{DOC_SUFFIX}", parse / f"{doc_id}{PARSE_SUFFIX}"
    for p in (doc_path, parse_path):
        if not p.exists():
            how = "python -m pipeline pdf-run" if kind == PDF else "dvc repro parse"
            raise FileNotFoundError(f"{p} not found: the gold document {doc_id} must be ingested and parsed ({how})")
    return GoldDoc(doc_id, kind, load_document(doc_path), load_parse(parse_path, model), gold, pages)


# --- the fine-tuned model of a fold -------------------------------------------------------------


def fold_labels(g: GoldDoc) -> DocLabels:
    """What one gold document teaches a fold's ``spacy_ft``: its gold texts placed on its annotated text
    (:func:`pipeline.training.spacy_ner.project`). A corpus paper is exhaustive (every other token "O");
    a PDF is exhaustive on its annotated pages only, each page's gold placed on that page, and every
    token off those pages is missing (neither entity nor "O")."""
    doc = g.doc
    urls = url_spans(doc.text)

    def allowed(lo: int, hi: int):
        def ok(s: int, e: int) -> bool:
            return (
                lo <= s
                and e <= hi
                and doc.section_of(s) not in names.SECTIONS_NOT_EXTRACTED
                and not any(a < e and s < b for a, b in urls)
            )

        return ok

    if g.kind == TEXT:
        return DocLabels(project(doc.text, [(t, lab) for t, lab, _ in g.gold], allowed(0, len(doc.text))))
    spans: list[tuple[int, int, str]] = []
    outside: list[tuple[int, int]] = []
    for page in doc.pages:
        if page.number not in g.pages:
            continue
        spans += project(
            doc.text, [(t, lab) for t, lab, p in g.gold if p == page.number], allowed(page.start, page.end)
        )
        outside += [
            (max(b.start, page.start), min(b.end, page.end))
            for b in doc.blocks
            if b.start < page.end
            and page.start < b.end
            and b.section not in names.SECTIONS_NOT_EXTRACTED
            and doc.text[b.start : b.end].strip()
        ]
    return DocLabels(sorted(spans), sorted(outside))


def annotated_part(g: GoldDoc) -> Document:
    """``g``'s document with only the blocks its gold annotates (a PDF's annotated pages; a paper whole):
    the blocks of the other pages would train nothing (every token unlabelled) and cost time."""
    if g.kind == TEXT:
        return g.doc
    pages = [p for p in g.doc.pages if p.number in g.pages]
    blocks = [b for b in g.doc.blocks if any(b.start < p.end and p.start < b.end for p in pages)]
    return replace(g.doc, blocks=blocks)


def fold_model(
    train_docs: list[GoldDoc], model: str, config: TrainConfig, work: Path, held_out: str
) -> tuple[Language, bool]:
    """The fold's ``spacy_ft`` (trained on ``train_docs``), from the cache in ``work`` when its fingerprint
    matches, else trained and saved there; and whether it was trained now."""
    labels = [(g, fold_labels(g)) for g in train_docs]
    key = fingerprint(
        model,
        asdict(config),
        code_version("pipeline.training.spacy_ner", "pipeline.evaluate.folds"),
        [(g.doc_id, g.doc.sha256, len(g.doc.text), asdict(lab)) for g, lab in labels],
    )
    out = work / f"fold-{held_out}"
    meta = out / FOLD_META
    if meta.exists() and json.loads(meta.read_text()).get("fingerprint") == key:
        return spacy.load(out), False
    random.seed(config.seed)
    spacy.util.fix_random_seed(config.seed)
    nlp = base_pipeline(model, config.init)
    data: list[Example] = []
    for g, lab in labels:
        data += examples(nlp, annotated_part(g), lab)
    optimizer = nlp.resume_training() if config.init == "pretrained" else nlp.initialize(lambda: data)
    for it in range(config.n_iter):
        random.shuffle(data)
        losses: dict[str, float] = {}
        for batch in minibatch(data, size=config.batch_size):
            nlp.update(batch, drop=config.dropout, sgd=optimizer, losses=losses)
        log.info("loo: fold %s, iteration %d, ner loss %.1f", held_out, it + 1, losses.get("ner", 0.0))
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    meta.write_text(
        json.dumps({"fingerprint": key, "held_out": held_out, "trained_on": [g.doc_id for g in train_docs]})
    )
    return nlp, True
