"""All stages in order without DVC: ``pipeline run --raw DIR --out DIR`` (library users and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import consolidate, entities, evaluate, events, figures, ingest, parse, publish
from .cli import stage_params
from .lock import hold
from .report import ingest_summary, metrics_summary


def run(
    raw: Path,
    out: Path,
    work: Path,
    params: dict[str, Any],
    gold: Path | None = None,
    metrics: Path | None = None,
    reviews: Path = Path("reviews"),
) -> int:
    """Run ingest → parse → entities/figures/events → consolidate → review → publish (→ evaluate).

    ``reviews`` holds the annotators' decision files; a missing folder leaves every row unreviewed.
    A second run on the same ``work`` or ``out`` folder meanwhile stops with a message (:mod:`.lock`).
    """
    with hold(work, out):
        return _run(raw, out, work, params, gold, metrics, reviews)


def _run(
    raw: Path, out: Path, work: Path, params: dict[str, Any], gold: Path | None, metrics: Path | None, reviews: Path
) -> int:
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
    )
    from .review import apply as review_apply

    print(
        review_apply(
            work / "tables", work / "ingest", reviews, work / "reviewed", stage_params(params, "review")
        ).summary()
    )
    publish.main(work / "reviewed", work / "ingest", out)
    if gold is not None and metrics is not None and gold.exists():
        print(metrics_summary(evaluate.main(out, work / "entities", gold, metrics, stage_params(params, "evaluate"))))
    return 0
