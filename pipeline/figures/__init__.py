"""The ``figures`` stage: every number with its meaning, per document.

:mod:`.numbers` finds and normalizes number expressions in text; :mod:`.context` reads from the
parse what each one counts (``object``), where (``place``), when (``time``) and on whose authority
(``source``). Output: ``<out_dir>/<doc_id>.parquet``, one row per figure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from spacy.tokens import Doc

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.extractor_stage import run_extractor
from pipeline.core.incremental import StageResult, fingerprint, stage_version
from pipeline.events.reference import reference_time
from pipeline.events.sentences import dated_sentences
from pipeline.figures.context import dated, describe, header_time
from pipeline.figures.numbers import find_numbers
from pipeline.figures.tables import cell_contexts


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    kind: str
    unit: str | None
    qualifier: str
    object: str | None = None
    place: str | None = None
    time: str | None = None
    time_start: str | None = None
    time_end: str | None = None
    time_resolution: str | None = None
    source: str | None = None


FIGURE_COLUMNS = [
    "doc_id",
    "start",
    "end",
    "text",
    *[f for f in Figure.__dataclass_fields__ if f not in ("start", "end")],
]


def extract(doc: Document, parsed: Doc, params: dict[str, Any] | None = None) -> list[Figure]:
    """All figures of one document, outside references and front matter (pure); dated as events are, with the
    ``events`` section of ``params`` (its news/narrative choice, :mod:`pipeline.events.reference`)."""
    events_params = (params or {}).get("events")
    timexes = {sent.start_char: txs for sent, txs in dated_sentences(doc, parsed, events_params, every=True)}
    dct = reference_time(doc, events_params)
    out: list[Figure] = []
    cells = cell_contexts(doc)
    for block in doc.blocks:
        if block.section in names.SECTIONS_NOT_EXTRACTED:
            continue
        chunk = doc.text[block.start : block.end]
        footnote = block.kind == names.FOOTNOTE or block.section == names.SEC_FOOTNOTE
        for n in find_numbers(chunk, footnote):
            start, end = block.start + n.start, block.start + n.end
            cell = cells.get(start)
            if cell and cell.get("drop"):
                continue
            ctx = header_time(cell) if cell is not None else describe(doc, parsed, start, end, n.kind, timexes)
            if ctx.get("time_start") is None and dct is not None:  # a news figure is as of its publication
                ctx = {**ctx, **dated(None, dct)}
            out.append(
                Figure(
                    start,
                    end,
                    n.value,
                    n.low,
                    n.high,
                    ctx.get("kind") or n.kind,
                    ctx.get("unit") or n.unit,
                    n.qualifier,
                    ctx.get("object"),
                    ctx.get("place"),
                    ctx.get("time"),
                    ctx.get("time_start"),
                    ctx.get("time_end"),
                    ctx.get("time_resolution"),
                    ctx.get("source"),
                )
            )
    return out


def to_frame(doc_id: str, text: str, figures: list[Figure]) -> pd.DataFrame:
    rows = [{"doc_id": doc_id, "text": text[f.start : f.end], **asdict(f)} for f in figures]
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def main(ingest_dir: Path, parse_dir: Path, out_dir: Path, params: dict[str, Any]) -> StageResult:
    version = fingerprint(stage_version("figures"), params)
    return run_extractor("figures", ingest_dir, parse_dir, out_dir, params, version, extract, to_frame)
