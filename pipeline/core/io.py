"""Reading and writing the pipeline's files: ingested documents, parses, JSONL, published datasets.

Every writer is atomic (a temporary file renamed into place), so a failed or killed run never leaves
a truncated file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.document import Document

DOC_SUFFIX = ".json"  # data/ingest/<doc_id>.json
TEXT_SUFFIX = ".txt"  # data/ingest/<doc_id>.txt: the canonical text alone (readable documents only)
PARSE_SUFFIX = ".spacy"  # data/parse/<doc_id>.spacy
TABLE_SUFFIX = ".parquet"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file, one per non-blank line.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_text('{"a": 1}\\n\\n{"b": 2}\\n')
    >>> read_jsonl(p)
    [{'a': 1}, {'b': 2}]
    """
    # The standard library's json, not srsly: srsly's ujson decodes 0.3333 as 0.33330000000000004.
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))


def load_document(path: Path) -> Document:
    """An ingested document from ``data/ingest/<doc_id>.json``."""
    return Document.from_json(Path(path).read_text(encoding="utf-8"))


def load_canonical_text(ingest_dir: Path, doc_id: str) -> str | None:
    """The canonical text of an ingested document, read from ``<doc_id>.txt`` without parsing its JSON;
    None if ingest wrote no text (an unreadable document, or a folder from before the text files)."""
    path = Path(ingest_dir) / f"{doc_id}{TEXT_SUFFIX}"
    return _read_exact(path) if path.exists() else None


def load_parse(path: Path, model: str) -> Any:
    """The spaCy ``Doc`` of a document's parse (``data/parse/<doc_id>.spacy``), with ``model``'s vocab."""
    from spacy.tokens import DocBin

    from pipeline.core.nlp import load_nlp

    nlp = load_nlp(model)
    return next(DocBin().from_disk(path).get_docs(nlp.vocab))


def _read_exact(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def load_dataset(path: str | Path = "outputs") -> dict[str, pd.DataFrame]:
    """Load every table of a published dataset: ``{"documents": df, "entities": df, ...}``.

    >>> data = load_dataset("outputs")  # doctest: +SKIP
    >>> data["figures"][["text", "value", "place"]].head()  # doctest: +SKIP
    """
    path = Path(path)
    desc = json.loads((path / "datapackage.json").read_text())
    out: dict[str, pd.DataFrame] = {}
    for res in desc["resources"]:
        if str(res["path"]).endswith(TABLE_SUFFIX):
            out.setdefault(Path(res["path"]).stem, pd.read_parquet(path / res["path"]))
    for p in sorted(path.glob(f"*{TABLE_SUFFIX}")):
        out.setdefault(p.stem, pd.read_parquet(p))
    return out


def load_text(path: str | Path, doc_id: str) -> str:
    """The canonical text of ``doc_id`` in a published dataset (every ``start``/``end`` indexes it)."""
    return _read_exact(Path(path) / "texts" / f"{doc_id}.txt")
