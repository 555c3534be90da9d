"""The ``parse`` stage: tokens, sentences, tags, dependency parse and pretrained NER, once per document.

Every extractor reads the parse from ``<out_dir>/<doc_id>.spacy`` (a spaCy ``DocBin``) instead of
running the model again. Long documents are parsed in chunks of whole blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import StageResult, fingerprint, input_hashes, run_per_document, stage_version
from pipeline.core.io import DOC_SUFFIX, PARSE_SUFFIX, load_document
from pipeline.core.nlp import load_nlp

CHUNK_CHARS = 50_000


def parse_document(doc: Document, model: str) -> Doc:
    """Parse ``doc.text`` with ``model``; the result's text is exactly the canonical text."""
    nlp = load_nlp(model)
    if len(doc.text) <= CHUNK_CHARS:
        return nlp(doc.text)
    cuts = [0]
    for block in doc.blocks:
        if block.start - cuts[-1] >= CHUNK_CHARS:
            cuts.append(block.start)
    cuts.append(len(doc.text))
    parts = list(nlp.pipe(doc.text[a:b] for a, b in zip(cuts, cuts[1:])))
    merged = Doc.from_docs(parts, ensure_whitespace=False)
    assert merged.text == doc.text, f"{doc.doc_id}: chunked parse changed the text"
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
        db.to_disk(out_dir / f"{doc_id}{PARSE_SUFFIX}")
        return [f"{doc_id}{PARSE_SUFFIX}"]

    return run_per_document("parse", out_dir, inputs, version, work)
