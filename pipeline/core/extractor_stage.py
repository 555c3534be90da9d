"""The loop every extractor stage shares: for each changed document, read its text and parse,
run the family's pure ``extract``, write one Parquet file of rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.core.document import Document
from pipeline.core.incremental import StageResult, input_hashes, input_sizes, run_per_document
from pipeline.core.io import DOC_SUFFIX, PARSE_SUFFIX, atomic_write_bytes, load_document, load_parse

if TYPE_CHECKING:  # annotations only: importing this module does not load spaCy
    from spacy.tokens import Doc

OUT_SUFFIX = ".parquet"


def run_extractor(
    stage: str,
    ingest_dir: Path,
    parse_dir: Path,
    out_dir: Path,
    params: dict[str, Any],
    version: str,
    extract: Callable[[Document, Doc, dict[str, Any]], list],
    to_frame: Callable[[str, str, list], pd.DataFrame],
) -> StageResult:
    """Run ``extract`` on every parsed document whose parse or ``version`` changed."""

    def work(doc_id: str) -> list[str]:
        doc = load_document(ingest_dir / f"{doc_id}{DOC_SUFFIX}")
        parsed = load_parse(parse_dir / f"{doc_id}{PARSE_SUFFIX}", params["model"])
        frame = to_frame(doc_id, doc.text, extract(doc, parsed, params))
        atomic_write_bytes(out_dir / f"{doc_id}{OUT_SUFFIX}", frame.to_parquet(index=False))
        return [f"{doc_id}{OUT_SUFFIX}"]

    inputs = input_hashes(parse_dir, PARSE_SUFFIX)
    return run_per_document(stage, out_dir, inputs, version, work, sizes=input_sizes(parse_dir, PARSE_SUFFIX))
