"""All stages in order without DVC: ``pipeline run --raw DIR --out DIR`` (library users and tests).

The run works in a folder of its own (``--work``, by default ``<out>-work`` beside ``--out``); it
reads decisions and writes metrics only where told to, so trying it on another folder from inside the
project leaves the project's ``data/``, ``metrics/`` and ``dvc.lock`` as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline import consolidate, entities, evaluate, events, figures, ingest, parse, publish
from pipeline.core.lock import hold
from pipeline.core.params import stage_params
from pipeline.report import ingest_summary, metrics_summary


def default_work(out: Path) -> Path:
    """The work folder of a run whose ``--work`` is not given: ``<out>-work`` beside ``out``.

    >>> default_work(Path("/tmp/papers-dataset")).as_posix()
    '/tmp/papers-dataset-work'
    """
    out = Path(out)
    return out.with_name(f"{out.name}-work")


def run(
    raw: Path,
    out: Path,
    work: Path,
    params: dict[str, Any],
    gold: Path | None = None,
    metrics: Path | None = None,
    reviews: Path | None = None,
) -> int:
    """Run ingest → parse → entities/figures/events → consolidate → review → publish (→ evaluate).

    ``reviews`` holds the annotators' decision files; None (or a missing folder) leaves every row
    unreviewed. Metrics are written only when both ``gold`` and ``metrics`` are given. A second run
    on the same ``work`` or ``out`` folder meanwhile stops with a message (:mod:`pipeline.core.lock`).
    """
    with hold(work, out):
        return _run(raw, out, work, params, gold, metrics, reviews)


def _run(
    raw: Path,
    out: Path,
    work: Path,
    params: dict[str, Any],
    gold: Path | None,
    metrics: Path | None,
    reviews: Path | None,
) -> int:
    if reviews is None:
        reviews = work / "no-reviews"  # never created: no decisions
    code = ingest_summary(work / "ingest", ingest.main(raw, work / "ingest", stage_params(params, "ingest")))
    if code:
        return code
    print(parse.main(work / "ingest", work / "parse", stage_params(params, "parse")).summary())
    for stage in (entities, figures, events):
        name = stage.__name__.rsplit(".", 1)[-1]
        print(stage.main(work / "ingest", work / "parse", work / name, stage_params(params, name)).summary())
    consolidate.main(
        work / "ingest",
        work / "entities",
        work / "figures",
        work / "events",
        work / "tables",
        stage_params(params, "consolidate"),
        cache_dir=work / consolidate.ROW_CACHE,
    )
    from pipeline.review import apply as review_apply

    print(
        review_apply(
            work / "tables", work / "ingest", reviews, work / "reviewed", stage_params(params, "review")
        ).summary()
    )
    publish.main(work / "reviewed", work / "ingest", out)
    if gold is not None and metrics is not None and gold.exists():
        print(metrics_summary(evaluate.main(out, work / "entities", gold, metrics, stage_params(params, "evaluate"))))
    return 0
