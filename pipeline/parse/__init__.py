"""The ``parse`` stage: tokens, sentences, tags, dependency parse and pretrained NER, once per document.

Every extractor reads the parse from ``<out_dir>/<doc_id>.spacy`` (a spaCy ``DocBin``) instead of
running the model again. Long documents are parsed in pieces of whole blocks, one at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import (
    StageResult,
    fingerprint,
    input_hashes,
    input_sizes,
    run_per_document,
    stage_version,
)
from pipeline.core.io import DOC_SUFFIX, PARSE_SUFFIX, TEXT_SUFFIX, atomic_write_bytes, load_document
from pipeline.core.nlp import load_nlp

CHUNK_CHARS = 50_000
MAX_CHUNK_FACTOR = 2  # a piece longer than this many CHUNK_CHARS (one huge block) is cut inside the block


def chunk_bounds(text: str, block_starts: list[int], size: int = CHUNK_CHARS) -> list[int]:
    """Cut points ``[0, ..., len(text)]`` of the pieces the parser reads one at a time.

    A piece ends at the first block start at least ``size`` characters after its own start; a
    block longer than ``MAX_CHUNK_FACTOR * size`` is cut after a line break, else after a space,
    else (a run of ``size`` characters without either) at ``size``, so no piece is much longer than
    ``size`` whatever the file holds.
    """
    cuts = [0]
    for start in block_starts:
        if start - cuts[-1] >= size:
            cuts.append(start)
    cuts.append(len(text))
    out = [0]
    for a, b in zip(cuts, cuts[1:]):
        while b - a > MAX_CHUNK_FACTOR * size:
            window = text[a + 1 : a + size + 1]
            cut = window.rfind("\n")
            if cut < 0:
                cut = window.rfind(" ")
            a = a + 1 + cut + 1 if cut >= 0 else a + size
            out.append(a)
        out.append(b)
    return out


def parse_document(doc: Document, model: str) -> Doc:
    """Parse ``doc.text`` with ``model``; the result's text is exactly the canonical text.

    A long text is parsed piece by piece (:func:`chunk_bounds`): the model runs on one piece at a
    time and the parsed pieces are joined, so the model's memory follows the piece, not the document.
    """
    nlp = load_nlp(model)
    if len(doc.text) <= CHUNK_CHARS:
        return nlp(doc.text)
    cuts = chunk_bounds(doc.text, [block.start for block in doc.blocks])
    parts = list(nlp.pipe((doc.text[a:b] for a, b in zip(cuts, cuts[1:])), batch_size=1))
    merged = Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]  # in spaCy since 3.3, not in its stub
    if merged.text != doc.text:
        raise RuntimeError(f"{doc.doc_id}: chunked parse changed the text")
    return merged


def main(in_dir: Path, out_dir: Path, params: dict[str, Any]) -> StageResult:
    """Parse every ingested document of ``in_dir`` whose text or the model changed."""
    model = params["model"]
    version = fingerprint(stage_version("parse"), params)
    inputs = input_hashes(in_dir, DOC_SUFFIX)

    def work(doc_id: str) -> list[str]:
        doc = load_document(in_dir / f"{doc_id}{DOC_SUFFIX}")
        if doc.status == names.STATUS_ERROR:
            return []
        db = DocBin(store_user_data=False)
        db.add(parse_document(doc, model))
        atomic_write_bytes(out_dir / f"{doc_id}{PARSE_SUFFIX}", db.to_bytes())
        return [f"{doc_id}{PARSE_SUFFIX}"]

    return run_per_document("parse", out_dir, inputs, version, work, sizes=input_sizes(in_dir, TEXT_SUFFIX))
