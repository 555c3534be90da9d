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

from pipeline.core import executors, names
from pipeline.core.params import load_params, stage_params

log = logging.getLogger("pipeline")
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_").replace("_", "-")] = fn
    return fn


@command
def cmd_ingest(a: argparse.Namespace) -> int:
    """Read every file of raw/ into a canonical text document.

    Example: python -m pipeline ingest --raw raw --out data/ingest
    """
    from pipeline.ingest import main
    from pipeline.report import ingest_summary

    result = main(Path(a.raw), Path(a.out), stage_params(load_params(a.params), "ingest"))
    return ingest_summary(Path(a.out), result)


@command
def cmd_parse(a: argparse.Namespace) -> int:
    """Tokenize, tag, parse and run pretrained NER on every ingested document.

    Example: python -m pipeline parse --ingest data/ingest --out data/parse
    """
    from pipeline.parse import main

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

    from pipeline.training.labels import check_split

    params = load_params(a.params)
    p = stage_params(params, "train")
    dev_docs = stage_params(params, "evaluate")["dev_docs"]
    check_split(p["train_docs"], dev_docs)
    reviews = {
        "reviews_dir": Path(a.reviews) if a.reviews else None,
        "dev_docs": dev_docs,
        "review_params": stage_params(params, "review"),
    }
    if a.model not in ("spacy", "transformer", "all"):
        raise ValueError(f"--model must be spacy, transformer or all, not {a.model!r}")
    if a.model in ("spacy", "all"):
        from pipeline.training.spacy_ner import REAL_CONFIG, TrainConfig, train

        cfg = TrainConfig(**{**asdict(REAL_CONFIG), **(p.get("config") or {})})
        out = train(
            Path(a.gold),
            Path(a.ingest),
            p["train_docs"],
            Path(a.out),
            stage_params(params, "parse")["model"],
            cfg,
            **reviews,
        )
        print(f"train: spaCy NER fine-tuned on {len(p['train_docs'])} documents into {out}")
    if a.model in ("transformer", "all"):
        from pipeline.entities import transformer
        from pipeline.training.transformer import train as train_transformer

        tcfg = transformer.TransformerConfig(**{**asdict(transformer.REAL_CONFIG), **(p.get("transformer") or {})})
        out = train_transformer(Path(a.gold), Path(a.ingest), p["train_docs"], Path(a.transformer_out), tcfg, **reviews)
        print(f"train: transformer NER fine-tuned on {len(p['train_docs'])} documents into {out}")
    return 0


@command
def cmd_train_set(a: argparse.Namespace) -> int:
    """Copy the training documents' ingested texts (params ``train.train_docs``) apart, for the train stages.

    The train stages read this folder only, so adding a paper to raw/ retrains nothing.

    Example: python -m pipeline train-set --ingest data/ingest --out data/train_set
    """
    from pipeline.training.documents import select

    params = load_params(a.params)
    dev_docs = stage_params(params, "evaluate")["dev_docs"]
    ids = select(Path(a.ingest), Path(a.out), stage_params(params, "train")["train_docs"], dev_docs)
    print(f"train-set: {len(ids)} training documents in {a.out}")
    return 0


@command
def cmd_labels(a: argparse.Namespace) -> int:
    """Place the annotators' entity decisions on the training documents, as training labels for ``train``.

    Writes one JSON line per reviewed span of ``train.train_docs`` (never a dev document), placed on the
    current text as the review stage places them (params ``review``); decisions on other papers are left
    out, so only a decision on a training document changes it; ``train-status`` then asks for ``make train``.

    Example: python -m pipeline labels --ingest data/ingest --reviews reviews --out data/train_labels.jsonl
    """
    from pipeline.core.io import DOC_SUFFIX, load_document
    from pipeline.training.labels import load_reviewed, write_reviewed

    params = load_params(a.params)
    train_docs = stage_params(params, "train")["train_docs"]
    dev_docs = stage_params(params, "evaluate")["dev_docs"]
    paths = {d: Path(a.ingest) / f"{d}{DOC_SUFFIX}" for d in train_docs}
    docs = {
        d: load_document(p) for d, p in paths.items() if p.exists()
    }  # a missing one: its decisions are skipped, named
    spans = load_reviewed(
        Path(a.reviews) if a.reviews else None, docs, train_docs, dev_docs, stage_params(params, "review")
    )
    n = write_reviewed(spans, Path(a.out))
    print(f"labels: {n} reviewed spans on {len(spans)} of {len(train_docs)} training documents into {a.out}")
    return 0


@command
def cmd_train_status(a: argparse.Namespace) -> int:
    """Say whether the models are trained on the current gold and reviewed training labels (``dvc repro``
    never retrains: the train stages are frozen; ``make train`` does).

    Prints one line per difference, each ending in what to run, or that the models are up to date (the
    calibration table too: it must be the one metrics/loo.json measures);
    with ``--check`` exits 1 when the models lag behind.

    Example: python -m pipeline train-status --labels data/train_labels.jsonl
    """
    from pipeline.training.calibration import stale
    from pipeline.training.status import pending

    params = load_params(a.params)
    p = stage_params(params, "train")
    lines = pending([Path(a.spacy_model), Path(a.transformer_model)], Path(a.gold), Path(a.labels), p["train_docs"])
    table = stage_params(params, "consolidate")["calibration"]
    lines += [line for line in [stale(Path(table), Path(a.loo))] if table and line]
    for line in lines:
        print(f"train-status: {line}")
    if not lines:
        print(f"train-status: the models are trained on the current gold and reviewed labels ({a.labels})")
    return 1 if lines and a.check else 0


@command
def cmd_calibrate(a: argparse.Namespace) -> int:
    """Write the mention-score calibration table the loo stage measured (every fold's held-out mentions).

    Example: python -m pipeline calibrate --loo metrics/loo.json --out models/ner_calibration.json
    """
    from pipeline.training.calibration import main

    table = main(Path(a.loo), Path(a.out))
    print(f"calibrate: {len(table['cells'])} cells from {len(table['documents'])} held-out documents into {a.out}")
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
    from pipeline.consolidate import ROW_CACHE, main

    w = Path(a.work)
    tables = main(
        w / "ingest",
        w / "entities",
        w / "figures",
        w / "events",
        Path(a.out),
        stage_params(load_params(a.params), "consolidate"),
        cache_dir=w / ROW_CACHE,
    )
    print("consolidate: " + ", ".join(f"{len(df)} {name}" for name, df in tables.items()))
    return 0


@command
def cmd_publish(a: argparse.Namespace) -> int:
    """Write the dataset (Parquet + CSV + texts + datapackage.json) to outputs/.

    Example: python -m pipeline publish --tables data/reviewed --ingest data/ingest --out outputs
    """
    from pipeline.publish import main

    tables = main(Path(a.tables), Path(a.ingest), Path(a.out))
    print(f"publish: {len(tables)} tables in {a.out}")
    return 0


@command
def cmd_evaluate(a: argparse.Namespace) -> int:
    """Score the extractions against gold/ and write metrics/*.json.

    --loo metrics/loo.json (the loo stage's scores) repeats the leave-one-document-out entity scores in
    metrics/entities.json (``leave_one_document_out``).

    Example: python -m pipeline evaluate --tables outputs --entities data/entities --gold gold --out metrics --loo metrics/loo.json
    """
    from pipeline.evaluate import main
    from pipeline.report import metrics_summary

    results = main(
        Path(a.tables),
        Path(a.entities),
        Path(a.gold),
        Path(a.out),
        stage_params(load_params(a.params), "evaluate"),
        pdf_run=Path(a.pdfs) if a.pdfs else None,
        loo_json=Path(a.loo) if a.loo else None,
    )
    print(metrics_summary(results))
    return 0


@command
def cmd_loo(a: argparse.Namespace) -> int:
    """Leave-one-document-out entity scores over every gold document (corpus papers and PDF gold pages).

    Fold k holds document k out: its spacy_ft is trained on the others' gold (params loo.spacy), its
    gazetteer drops the patterns only k's gold names; fold models are cached in --work
    (docs/evaluation.md). Writes --out (metrics/loo.json).

    Example: python -m pipeline loo --gold gold --ingest data/ingest --parse data/parse --pdf-work data/pdfs-work --out metrics/loo.json
    """
    from pipeline.evaluate.loo import main
    from pipeline.training.spacy_ner import TrainConfig

    params = load_params(a.params)
    model = stage_params(params, "parse")["model"]
    config = TrainConfig(**stage_params(params, "loo")["spacy"])
    patterns = stage_params(params, "entities")["patterns_dir"]
    report = main(
        Path(a.gold),
        Path(a.ingest),
        Path(a.parse),
        Path(a.pdf_work),
        Path(patterns),
        Path(a.work),
        Path(a.out),
        model,
        config,
    )
    e = report["entities"]
    print(
        f"loo: {len(e['folds'])} folds, ensemble F1 {e['ensemble']['ALL']['f1']} "
        f"(text {e['by_format']['text']['ensemble']['ALL']['f1']}, pdf {e['by_format']['pdf']['ensemble']['ALL']['f1']})"
    )
    return 0


@command
def cmd_pdf_run(a: argparse.Namespace) -> int:
    """Run the pipeline over the PDFs that gold/pdfs annotates (params evaluate.pdf_dir), for evaluate's PDF scores.

    Only the annotated PDFs are read, each checked against the SHA-256 its gold/pdfs/pages file
    records (another version is an error). Without the PDF folder (a clone without ../shared) it
    writes a marker instead, and evaluate reports the PDF scores as skipped. Intermediate files go to
    --work; --out gets outputs/, entity_candidates.parquet and status.json (docs/evaluation.md).

    Example: python -m pipeline pdf-run --gold gold/pdfs --out data/pdfs --work data/pdfs-work
    """
    from pipeline.evaluate import pdf_gold
    from pipeline.run import run

    params = load_params(a.params)
    pdf_dir, gold, out, work = stage_params(params, "evaluate")["pdf_dir"], Path(a.gold), Path(a.out), Path(a.work)
    reason = pdf_gold.skip_reason(Path(pdf_dir), gold)
    if reason:
        pdf_gold.write_skipped(out, reason)
        print(f"pdf-run: skipped, {reason}")
        return 0
    docs = pdf_gold.stage_pdfs(Path(pdf_dir), gold, work / "raw")
    pdf_gold.prepare(out)
    # No calibration table: it is fitted (stage loo) on these PDFs' held-out folds, which read this stage's
    # work folder, so using it here would be a cycle; the PDF scores count spans, never a mention's score.
    params = {**params, "consolidate": {**params.get("consolidate", {}), "calibration": ""}}
    code = run(work / "raw", out / pdf_gold.OUTPUTS, work, params)
    if code == 0:
        pdf_gold.write_run(out, work, docs, pdf_dir)
        print(f"pdf-run: {len(docs)} annotated PDFs of {pdf_dir} run into {out}")
    return code


@command
def cmd_run(a: argparse.Namespace) -> int:
    """Run every stage in order without DVC, in a folder of its own (for library users and tests).

    Intermediate files go to --work (default: a folder beside --out, named ``<out>-work``); the
    annotators' decisions are read from --reviews only when given; scores against --gold are written
    to --metrics only when asked for. The project's data/, metrics/ and dvc.lock are never touched.

    Example: python -m pipeline run --raw ~/papers --out ~/papers-dataset --metrics ~/papers-metrics
    """
    from pipeline.run import default_work, run

    out = Path(a.out)
    return run(
        Path(a.raw),
        out,
        Path(a.work) if a.work else default_work(out),
        load_params(a.params),
        gold=Path(a.gold) if a.metrics else None,
        metrics=Path(a.metrics) if a.metrics else None,
        reviews=Path(a.reviews) if a.reviews else None,
    )


#: The commands that run per-document stages, and so take --jobs and --scheduler (pipeline.core.executors).
PER_DOCUMENT = ("ingest", "parse", "entities", "figures", "events", "run", "pdf-run")
JOBS_HELP = (
    f"documents at once, in worker processes (default: ${executors.JOBS_ENV}, else every core; 1: in this process)"
)
SCHEDULER_HELP = f"a Dask scheduler's address (tcp://HOST:8786): run the documents on its workers (default: ${executors.SCHEDULER_ENV})"


def build_parser(review: bool = True) -> argparse.ArgumentParser:
    """The command line's parser; ``review=False`` leaves the ``review`` group's own commands out."""
    p = argparse.ArgumentParser(
        prog="pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("-v", "--verbose", action="store_true", help="per-document logs")
    sub = p.add_subparsers(dest="command", required=True)
    args: dict[str, list[tuple[str, str | None]]] = {
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
        "train-set": [("--ingest", "data/ingest"), ("--out", "data/train_set")],
        "train-status": [
            ("--gold", "gold/entities"),
            ("--labels", "data/train_labels.jsonl"),
            ("--spacy-model", "models/ner_spacy"),
            ("--transformer-model", "models/ner_transformer"),
            ("--loo", "metrics/loo.json"),
        ],
        "labels": [("--ingest", "data/ingest"), ("--reviews", "reviews"), ("--out", "data/train_labels.jsonl")],
        "calibrate": [("--loo", "metrics/loo.json"), ("--out", "models/ner_calibration.json")],
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
            ("--pdfs", None),
            ("--loo", None),
        ],
        "pdf-run": [("--gold", "gold/pdfs"), ("--out", "data/pdfs"), ("--work", "data/pdfs-work")],
        "loo": [
            ("--gold", "gold"),
            ("--ingest", "data/ingest"),
            ("--parse", "data/parse"),
            ("--pdf-work", "data/pdfs-work"),
            ("--work", "data/loo"),
            ("--out", "metrics/loo.json"),
        ],
        "run": [
            ("--raw", "raw"),
            ("--out", "outputs"),
            ("--work", None),
            ("--reviews", None),
            ("--gold", "gold"),
            ("--metrics", None),
        ],
    }
    for name, fn in COMMANDS.items():
        doc = (fn.__doc__ or "").strip()
        sp = sub.add_parser(
            name, help=doc.splitlines()[0], description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        for flag, default in args.get(name, []):
            sp.add_argument(flag, default=default, help=f"(default: {default})" if default is not None else None)
        if name == "train-status":
            sp.add_argument("--check", action="store_true", help="exit 1 when the models lag behind")
        sp.add_argument("--params", default="params.yaml", type=Path, help="(default: params.yaml)")
        if name in PER_DOCUMENT:
            sp.add_argument("--jobs", type=int, help=JOBS_HELP)
            sp.add_argument("--scheduler", help=SCHEDULER_HELP)
        sp.set_defaults(func=fn)
    if review:
        from pipeline.review.cli import register as register_review

        register_review(sub)
    else:  # the review group's parser imports the review stage (pandas, spaCy): built only when asked for
        sub.add_parser("review", help="annotators' decisions: export for review, import, apply (review --help)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    a = build_parser(review="review" in argv).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if a.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if a.command not in PER_DOCUMENT:
            return a.func(a)
        with executors.configured(a.jobs, a.scheduler):
            return a.func(a)
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


__all__ = ["main", "names"]
