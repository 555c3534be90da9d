"""The ``ingest`` stage: every file in ``raw/`` becomes one :class:`~pipeline.model.Document`.

Readers: ``.pdf`` (:mod:`.pdf`), ``.txt`` and ``.md`` (:mod:`.text`). A file that cannot be read
still yields a document, with ``status="error"`` and a one-line reason; the others go on.
Output: ``<out_dir>/<doc_id>.json`` per document, plus the stage's ``manifest.json``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import StageResult, fingerprint, run_per_document, sha256_file, stage_version
from pipeline.core.io import DOC_SUFFIX, load_document  # noqa: F401  (load_document: re-exported for readers of ingest)
from pipeline.ingest.errors import IngestError

log = logging.getLogger(__name__)
READERS = {".pdf": "pdf", ".txt": "txt", ".md": "md"}
DEFAULT_TIMEOUT_S = 120.0  # per-PDF time limit when params set no ``timeout_s``


def doc_id_for(rel: Path) -> str:
    """The document id of a file at ``rel`` (relative to raw/): its path without extension."""
    stem = rel.with_suffix("").as_posix().replace("/", "__")
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem)


def discover(raw_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """The readable files under ``raw_dir`` by document id, and one message per file skipped."""
    found: dict[str, Path] = {}
    skipped: list[str] = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() not in READERS:
            skipped.append(f"{rel}: skipped, unknown extension {path.suffix or '(none)'!r} (readable: .pdf, .txt, .md)")
            continue
        doc_id = doc_id_for(rel)
        if doc_id in found:
            skipped.append(f"{rel}: skipped, same document id as {found[doc_id].relative_to(raw_dir)} (rename one)")
            continue
        found[doc_id] = path
    return found, skipped


def read_document(path: Path, raw_dir: Path, params: dict[str, Any] | None = None) -> Document:
    """Read one file into a Document; a bad file gives ``status="error"`` instead of raising."""
    params = params or {}
    rel = path.relative_to(raw_dir).as_posix()
    fmt = READERS[path.suffix.lower()]
    doc = Document(doc_id=doc_id_for(path.relative_to(raw_dir)), source=rel, sha256=sha256_file(path), fmt=fmt)
    try:
        if fmt == "pdf":
            from pipeline.ingest.pdf import read_pdf

            password = (params.get("passwords") or {}).get(rel)
            limits = {"max_memory_mb": params["max_memory_mb"]} if "max_memory_mb" in params else {}
            read_pdf(doc, path, password, params.get("timeout_s", DEFAULT_TIMEOUT_S), **limits)
        else:
            from pipeline.ingest.text import read_text

            read_text(doc, path.read_bytes())
        from pipeline.ingest.metadata import fill_metadata

        fill_metadata(doc)
    except IngestError as e:
        doc = Document(doc.doc_id, doc.source, doc.sha256, fmt, status=names.STATUS_ERROR, error=f"{rel}: {e}")
    except Exception as e:  # a reader bug must not stop the corpus either
        log.exception("reading %s", rel)
        doc = Document(
            doc.doc_id,
            doc.source,
            doc.sha256,
            fmt,
            status=names.STATUS_ERROR,
            error=f"{rel}: unexpected {type(e).__name__}: {e}",
        )
    if doc.status == names.STATUS_WARNING and doc.error and not doc.error.startswith(rel):
        doc.error = f"{rel}: {doc.error}"
    return doc


def main(raw_dir: Path, out_dir: Path, params: dict[str, Any] | None = None) -> StageResult:
    """Ingest every readable file of ``raw_dir`` into ``out_dir``; only new or changed files are read."""
    params = params or {}
    files, skipped = discover(raw_dir)
    for msg in skipped:
        log.warning(msg)
    version = fingerprint(stage_version("ingest"), params)
    inputs = {doc_id: fingerprint(sha256_file(p), p.relative_to(raw_dir).as_posix()) for doc_id, p in files.items()}

    def work(doc_id: str) -> list[str]:
        doc = read_document(files[doc_id], raw_dir, params)
        (out_dir / f"{doc_id}{DOC_SUFFIX}").write_text(doc.to_json(), encoding="utf-8")
        return [f"{doc_id}{DOC_SUFFIX}"]

    result = run_per_document("ingest", out_dir, inputs, version, work)
    result.skipped = skipped  # type: ignore[attr-defined]
    return result


def provenance(doc: Document, start: int, end: int) -> dict[str, Any]:
    """Where ``doc.text[start:end]`` came from: its page and box (PDFs), or its line and column (text files).

    >>> provenance(doc, 10, 20)  # a PDF  # doctest: +SKIP
    {'page': 1, 'x0': 56.0, 'top': 181.3, 'x1': 120.4, 'bottom': 188.5}
    """
    if not 0 <= start <= end <= len(doc.text):
        raise ValueError(f"span [{start}, {end}) outside the text (length {len(doc.text)})")
    box = doc.box(start, end)
    if box is not None:
        return {"page": box.page, "x0": box.x0, "top": box.top, "x1": box.x1, "bottom": box.bottom}
    if doc.source_map is not None and end > start:
        line, col = doc.source_map.line_col(start)
        end_line, end_col = doc.source_map.line_col(end - 1)
        return {"line": line, "col": col, "end_line": end_line, "end_col": end_col + 1}
    return {}
