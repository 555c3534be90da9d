"""The ``entities`` stage: candidate mentions from every NER source, per document.

Sources: the rule layer (:mod:`.rules`), the pretrained spaCy pipeline (its ``doc.ents`` from the
``parse`` stage) and, when trained, the fine-tuned models in ``models/``: the spaCy NER
(``spacy_ft``, :mod:`.train`) and the transformer token classifier (``transformer``,
:mod:`.transformer`), each read block by block. Output:
``<out_dir>/<doc_id>.parquet`` with one row per (source, span, label); the ``consolidate`` stage
merges them (:mod:`.ensemble`) and groups mentions into corpus entities (:mod:`.grouping`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import StageResult, fingerprint, stage_version
from pipeline.core.params import EntitiesParams
from pipeline.entities.candidates import (
    SOURCE_PRIOR,
    Candidate,
    candidates_from_spans,
    finish,
    pretrained,
)

# spaCy (and torch under it) load only when a document is read: the stages above this package import it for
# its data model (Candidate) and would otherwise pay two seconds and 250 MB before reading a file.
if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from pipeline.core.nlp import FilesVersion
    from pipeline.entities.rules import EntityRules
    from pipeline.entities.transformer import Tagger

DEFAULT_FT = EntitiesParams.spacy_ft
DEFAULT_TRANSFORMER = EntitiesParams.transformer
DEFAULT_BATCH = EntitiesParams.transformer_batch
DEFAULT_THREADS = EntitiesParams.transformer_threads
DEFAULT_INT8 = EntitiesParams.transformer_int8
#: The transformer's span scores are rounded to this many places (:func:`transformer_spans`).
SCORE_PLACES = 2
CANDIDATE_COLUMNS = ["doc_id", "start", "end", "text", "label", "source", "score", "key"]


def _fine_tuned(path: str) -> Language:
    from pipeline.core.nlp import files_version

    return _load_fine_tuned(files_version(path))


@functools.lru_cache(maxsize=2)
def _load_fine_tuned(version: FilesVersion) -> Language:
    import spacy

    return spacy.load(version[0])


def fine_tuned_spans(parsed: Doc, path: Path) -> Sequence[Span]:
    """The fine-tuned NER's entities, read on the parse's tokens (no second tokenization).

    The fine-tuned pipeline is the project's tokenizer and one ``ner`` (:mod:`pipeline.training.spacy_ner`),
    so the parse's words, spaces and norms are those its tokenizer would make; only its ``ner`` runs, on
    a fresh ``Doc`` without the parse's sentences and entities (the ``ner`` would keep to both), so the
    entities are those of ``nlp(doc.text)``. A document is read whole whatever its length (the
    fine-tuned pipeline's ``max_length`` bounds only its tokenizer).
    """
    from spacy.tokens import Doc

    nlp = _fine_tuned(str(path))
    fresh = Doc(nlp.vocab, words=[t.text for t in parsed], spaces=[bool(t.whitespace_) for t in parsed])
    for tok, src in zip(fresh, parsed):
        if tok.norm != src.norm:  # a tokenizer exception's norm ("n't" -> "not") lives on the token
            tok.norm_ = src.norm_
    for _, component in nlp.pipeline:
        fresh = component(fresh)
    return fresh.ents


def fine_tuned_dir(params: dict[str, Any]) -> Path | None:
    """The fine-tuned spaCy NER directory (param ``spacy_ft``, default ``models/ner_spacy``) if it exists."""
    path = params.get("spacy_ft", DEFAULT_FT)
    return Path(path) if path and (Path(path) / "meta.json").exists() else None


def transformer_dir(params: dict[str, Any]) -> Path | None:
    """The transformer NER directory (param ``transformer``, default ``models/ner_transformer``) if it exists."""
    from pipeline.entities.transformer import META_FILE

    path = params.get("transformer", DEFAULT_TRANSFORMER)
    return Path(path) if path and (Path(path) / META_FILE).exists() else None


def _tagger(path: str, int8: bool = DEFAULT_INT8) -> Tagger:
    from pipeline.core.nlp import files_version

    return _load_tagger(files_version(path), int8)


@functools.lru_cache(maxsize=2)
def _load_tagger(version: FilesVersion, int8: bool) -> Tagger:
    from pipeline.entities.transformer import load

    return load(Path(version[0]), int8=int8)


@dataclass(frozen=True)
class _Span:
    """A predicted span shaped like a spaCy ``Span`` for :func:`.candidates.candidates_from_spans`."""

    start_char: int
    end_char: int
    label_: str
    score: float


def transformer_spans(
    doc: Document,
    path: Path,
    batch_size: int = DEFAULT_BATCH,
    threads: int = DEFAULT_THREADS,
    int8: bool = DEFAULT_INT8,
) -> list[_Span]:
    """The transformer's spans over the annotated blocks of ``doc`` (canonical offsets), each scored
    by the model's mean label probability capped at the source's prior, to 2 places: the places after
    follow the CPU's float kernels, and two machines must write the same bytes (:mod:`pipeline.core.kernels`).

    The windows of all the blocks run together, ``batch_size`` a forward pass, on ``threads`` torch
    threads (0: every CPU): :meth:`.transformer.Tagger.predict_many`; with ``int8`` the encoder's linear
    layers run in int8 (:meth:`.transformer.Tagger.quantize`)."""
    from pipeline.entities.transformer import use_threads

    tagger = _tagger(str(path), int8)
    use_threads(threads)
    cap = SOURCE_PRIOR[names.SRC_TRANSFORMER]
    blocks = [
        b for b in doc.blocks if b.section not in names.SECTIONS_NOT_EXTRACTED and doc.text[b.start : b.end].strip()
    ]
    predicted = tagger.predict_many([doc.text[b.start : b.end] for b in blocks], batch_size)
    return [
        _Span(b.start + s, b.start + e, lab, round(min(p, cap), SCORE_PLACES))
        for b, spans in zip(blocks, predicted)
        for s, e, lab, p in spans
    ]


def _rules(model: str, patterns_dir: str) -> EntityRules:
    from pipeline.core.nlp import files_version

    return _load_rules(model, files_version(patterns_dir))


@functools.lru_cache(maxsize=2)
def _load_rules(model: str, version: FilesVersion) -> EntityRules:
    from pipeline.core.nlp import load_nlp
    from pipeline.entities.rules import EntityRules

    return EntityRules(load_nlp(model), "entity_rules", version[0])


def extract(doc: Document, parsed: Doc, params: dict[str, Any]) -> list[Candidate]:
    """All candidates for one document (pure: reads ``doc`` and ``parsed``, changes neither)."""
    rules = _rules(params["model"], params["patterns_dir"])
    spans = rules.match(parsed)
    out = candidates_from_spans(doc, spans, names.SRC_RULES)
    if params.get("use_pretrained", True):
        out += pretrained(doc, parsed)
    ft = fine_tuned_dir(params)
    if ft is not None:
        out += candidates_from_spans(doc, fine_tuned_spans(parsed, ft), names.SRC_SPACY_FT)
    tf = transformer_dir(params)
    if tf is not None:
        batch, threads, int8 = (
            params.get("transformer_batch", DEFAULT_BATCH),
            params.get("transformer_threads", DEFAULT_THREADS),
            params.get("transformer_int8", DEFAULT_INT8),
        )
        predicted = transformer_spans(doc, tf, batch, threads, int8)
        out += candidates_from_spans(doc, predicted, names.SRC_TRANSFORMER)
    return finish(doc.text, out)


def to_frame(doc_id: str, text: str, cands: list[Candidate]) -> pd.DataFrame:
    rows = [{"doc_id": doc_id, **asdict(c), "text": text[c.start : c.end]} for c in cands]
    df = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    return df.drop_duplicates().sort_values(["start", "end", "label", "source"], kind="stable").reset_index(drop=True)


def patterns_version(patterns_dir: str) -> str:
    return fingerprint(*[(p.name, p.read_text(encoding="utf-8")) for p in sorted(Path(patterns_dir).glob("*.jsonl"))])


def model_version(path: Path | None) -> str:
    """A fingerprint of a trained model directory (its files' sizes and hashes), "" when absent."""
    if path is None:
        return ""
    return fingerprint(
        *[
            (str(p.relative_to(path)), hashlib.sha1(p.read_bytes()).hexdigest())
            for p in sorted(path.rglob("*"))
            if p.is_file()
        ]
    )


def main(ingest_dir: Path, parse_dir: Path, out_dir: Path, params: dict[str, Any]) -> StageResult:
    from pipeline.core.extractor_stage import run_extractor

    version = fingerprint(
        stage_version("entities"),
        params,
        patterns_version(params["patterns_dir"]),
        model_version(fine_tuned_dir(params)),
        model_version(transformer_dir(params)),
    )
    return run_extractor("entities", ingest_dir, parse_dir, out_dir, params, version, extract, to_frame)
