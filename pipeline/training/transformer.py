"""Fine-tuning the ``transformer`` entity source (the ``train_transformer`` stage).

The model, its tags and its windows are defined in :mod:`pipeline.entities.transformer` (inference);
this module holds the training loop. It learns from the same labels as the spaCy fine-tune
(:func:`pipeline.training.spacy_ner.training_labels`).
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.incremental import code_version
from pipeline.core.progress import Steps
from pipeline.entities.transformer import (
    ENCODER_PACKAGE,
    REAL_CONFIG,
    SHAPES,
    TAGS,
    Encoded,
    Tagger,
    TransformerConfig,
    _setup,
    _torch,
    encode,
    encoder_dir,
    windows,
    word_tags,
)
from pipeline.training.spacy_ner import block_labels, training_labels
from pipeline.training.status import record_training

if TYPE_CHECKING:  # imported where used (:func:`_torch`): loading torch takes seconds
    import torch
    from transformers.modeling_outputs import TokenClassifierOutput

log = logging.getLogger(__name__)


def training_windows(
    tagger: Tagger,
    gold_dir: Path,
    ingest_dir: Path,
    doc_ids: list[str],
    reviews_dir: Path | None = None,
    dev_docs: Iterable[str] = (),
    review_params: dict | None = None,
) -> list[tuple[Encoded, int, int, list[int]]]:
    """Every window of every annotated block of the training documents, with its tags (labels:
    :func:`pipeline.training.spacy_ner.training_labels`)."""
    cfg = tagger.config
    out = []
    for doc, labels in training_labels(gold_dir, ingest_dir, doc_ids, reviews_dir, dev_docs, review_params):
        for _, text, block, outside in block_labels(doc, labels):
            enc = encode(tagger.tokenizer, text)
            if enc.ids:
                tags = word_tags(enc, block, outside)
                out += [(enc, a, b, tags) for a, b in windows(enc.words, cfg.max_len, cfg.stride)]
    return out


def epoch_batches(data: list, batch_size: int, rng: random.Random, pool: int = 8) -> list[list[int]]:
    """One epoch of batches in a seeded random order; windows of similar length share a batch (shuffled,
    then sorted by length within pools of ``pool`` batches), so short blocks are not padded to 128."""
    order = list(range(len(data)))
    rng.shuffle(order)
    size = lambda i: data[i][2] - data[i][1]  # noqa: E731
    out = []
    for p in range(0, len(order), pool * batch_size):
        chunk = sorted(order[p : p + pool * batch_size], key=lambda i: (size(i), i))
        out += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


def _loss(out: TokenClassifierOutput) -> torch.Tensor:
    """The loss of a forward pass given labels (a token classifier always returns one then)."""
    if out.loss is None:
        raise RuntimeError("train_transformer: the model returned no loss for labelled windows")
    return out.loss


def train(
    gold_dir: Path,
    ingest_dir: Path,
    doc_ids: list[str],
    out_dir: Path,
    config: TransformerConfig = REAL_CONFIG,
    reviews_dir: Path | None = None,
    dev_docs: Iterable[str] = (),
    review_params: dict | None = None,
) -> Path:
    """Fine-tune the ``transformer`` source on ``doc_ids`` (TRAIN documents only) and save it to ``out_dir``.

    Labels: gold plus the entity decisions under ``reviews_dir`` when given (:func:`pipeline.training.spacy_ner.training_labels`).

    Example: ``train(Path("gold/entities"), Path("data/ingest"), ["000_…"], Path("models/ner_transformer"),
    reviews_dir=Path("reviews"))``.
    """
    torch = _torch()
    _setup(config.seed, config.threads)
    tagger = Tagger(encoder_dir(), config, fresh_head=True)
    data = training_windows(tagger, gold_dir, ingest_dir, doc_ids, reviews_dir, dev_docs, review_params)
    if not data:
        raise ValueError(f"no training examples: check {gold_dir} and {ingest_dir} for {doc_ids}")
    trained = tagger.trained()
    for name, p in tagger.model.named_parameters():
        p.requires_grad_(name in trained)
    params = list(trained.values()) + (list(tagger.shapes.parameters()) if tagger.shapes is not None else [])
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
    warm = max(1, int(config.warmup * config.steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (config.steps - s) / max(1, config.steps - warm))
    )
    rng = random.Random(config.seed)
    batches: list[list[int]] = []
    tagger.model.train()
    with Steps(config.steps, "train_transformer") as bar:
        for _ in range(config.steps):
            if not batches:
                batches = epoch_batches(data, config.batch_size, rng)
            loss = _loss(tagger.forward(*tagger.batch([data[i] for i in batches.pop(0)])))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            bar.update(loss.item())
    epochs = config.steps * config.batch_size / len(data)
    meta = {
        "tags": list(TAGS),
        "shapes": list(SHAPES),
        "config": asdict(config),
        "train_docs": list(doc_ids),
        "n_windows": len(data),
        "epochs": round(epochs, 2),
        "encoder": ENCODER_PACKAGE,
        "code_version": code_version("pipeline.entities.transformer"),
    }
    if not math.isfinite(loss.item()):
        raise RuntimeError("train_transformer: the loss is not finite; lower the learning rate")
    tagger.save(out_dir, meta)
    record_training(out_dir, gold_dir, ingest_dir, doc_ids, reviews_dir, dev_docs, review_params)
    return out_dir
