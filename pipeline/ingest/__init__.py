"""The ``ingest`` stage: every file in ``raw/`` becomes one :class:`~pipeline.core.document.Document`.

Readers: ``.pdf`` (:mod:`.pdf`), ``.txt`` and ``.md`` (:mod:`.text`). A file that cannot be read
still yields a document, with ``status="error"`` and a one-line reason; the others go on.
Output: ``<out_dir>/<doc_id>.json`` per document and, for a readable one, its canonical text alone in
``<doc_id>.txt``; the stage's ``manifest.json`` keeps each document's status and error (:func:`note`).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.executors import Written
from pipeline.core.incremental import (
    StageResult,
    fingerprint,
    run_per_document,
    sha256_bytes,
    sha256_file,
    stage_version,
)
from pipeline.core.io import DOC_SUFFIX, TEXT_SUFFIX, atomic_write_text, load_document  # noqa: F401  (load_document: re-exported for readers of ingest)
from pipeline.core.params import IngestParams
from pipeline.ingest.errors import IngestError, too_large, too_long, too_long_bytes

log = logging.getLogger(__name__)
READERS = {".pdf": names.FORMAT_PDF, ".txt": names.FORMAT_TXT, ".md": names.FORMAT_MD}
DEFAULT_TIMEOUT_S = 120.0  # per-PDF time limit when params set no ``timeout_s``
LIMITS = IngestParams()  # max_bytes and max_chars when params set none
MAX_BYTES_PER_CHAR = 4  # the most bytes one character takes in any text encoding (UTF-8, UTF-16, UTF-32)


def doc_id_for(rel: Path) -> str:
    """The document id of a file at ``rel`` (relative to raw/): its path without extension."""
    stem = rel.with_suffix("").as_posix().replace("/", "__")
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem)


def discover(raw_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """The document files under ``raw_dir`` by document id, and one message per entry not read.

    Every file with a reader's extension is listed (a link out of ``raw_dir``, a loop or an
    unreadable file then gets its error row from :func:`read_document`); hidden entries, other
    extensions, folders that cannot be listed, linked folders and folders named like a document
    get a message. Linked folders are never followed: their files, if inside ``raw_dir``, are read there.
    """
    notes: list[tuple[Path, str]] = []
    candidates: list[Path] = []

    def unlisted(e: OSError) -> None:
        notes.append(
            (Path(e.filename), f"skipped, folder cannot be listed ({e.strerror}); give read access or move it")
        )

    for top, dirs, files in os.walk(raw_dir, onerror=unlisted):
        subdirs = []
        for name in dirs:
            path = Path(top) / name
            if name.startswith("."):
                notes.append((path, "skipped, hidden (name starts with '.')"))
            elif path.is_symlink():
                inside = _inside(path, raw_dir)
                notes.append(
                    (
                        path,
                        f"skipped, a link to a folder {'inside raw/ (its files are read there)' if inside else 'outside raw/ (not read)'}",
                    )
                )
            else:
                if path.suffix.lower() in READERS:
                    notes.append((path, f"a folder, not a {path.suffix} file (the files in it are read)"))
                subdirs.append(name)
        dirs[:] = sorted(subdirs)
        for name in files:
            path = Path(top) / name
            if name.startswith("."):
                notes.append((path, "skipped, hidden (name starts with '.')"))
            elif path.suffix.lower() not in READERS:
                notes.append(
                    (path, f"skipped, unknown extension {path.suffix or '(none)'!r} (readable: .pdf, .txt, .md)")
                )
            else:
                candidates.append(path)
    found: dict[str, Path] = {}
    for path in sorted(candidates):
        doc_id = doc_id_for(path.relative_to(raw_dir))
        if doc_id in found:
            notes.append((path, f"skipped, same document id as {found[doc_id].relative_to(raw_dir)} (rename one)"))
        else:
            found[doc_id] = path
    return found, [f"{path.relative_to(raw_dir)}: {msg}" for path, msg in sorted(notes)]


def _inside(path: Path, raw_dir: Path) -> bool:
    """Whether ``path``, links followed, is inside ``raw_dir``."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(raw_dir))


def refusal(path: Path, raw_dir: Path, params: dict[str, Any] | None = None) -> str | None:
    """Why the file at ``path`` must not be read (never opening it), or None.

    A link whose target is outside ``raw_dir``, a link loop, a broken link, something that is not
    a regular file (a pipe, a device), a file the process may not read, a file over
    ``ingest.max_bytes`` (and a text file too big for ``ingest.max_chars`` characters).
    """
    params = params or {}
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "a link loop (the link points back to itself); not read: remove or fix the link"
        if path.is_symlink():
            return "a broken link (its target does not exist); not read: remove or fix the link"
        return f"cannot be read ({e.strerror}); fix its permissions or remove it"
    if not _inside(path, raw_dir):
        return "a link to a file outside raw/; not read: copy the file into raw/ if it belongs to the corpus"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a pipe, socket or device); not read"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied); give read permission (chmod +r) or remove it"
    max_bytes = int(params.get("max_bytes", LIMITS.max_bytes))
    if st.st_size > max_bytes:
        return too_large(st.st_size, max_bytes)
    max_chars = int(params.get("max_chars", LIMITS.max_chars))
    if READERS[path.suffix.lower()] != "pdf" and st.st_size > MAX_BYTES_PER_CHAR * max_chars + len(codecs.BOM_UTF32):
        return too_long_bytes(st.st_size, max_chars)
    return None


def read_document(path: Path, raw_dir: Path, params: dict[str, Any] | None = None) -> Document:
    """Read one file into a Document; a bad file gives ``status="error"`` instead of raising."""
    params = params or {}
    rel = path.relative_to(raw_dir).as_posix()
    fmt = READERS[path.suffix.lower()]
    doc = Document(doc_id=doc_id_for(path.relative_to(raw_dir)), source=rel, sha256="", fmt=fmt)
    max_chars = int(params.get("max_chars", LIMITS.max_chars))
    try:
        reason = refusal(path, raw_dir, params)
        if reason:
            raise IngestError(reason)
        if fmt == names.FORMAT_PDF:
            from pipeline.ingest.ocr import DEFAULT_LANGUAGES, OcrReader
            from pipeline.ingest.pdf import read_pdf

            doc.sha256 = _hash(path)
            password = (params.get("passwords") or {}).get(rel)
            limits = {"max_memory_mb": params["max_memory_mb"]} if "max_memory_mb" in params else {}
            ocr = OcrReader(params.get("ocr_languages") or DEFAULT_LANGUAGES) if params.get("ocr", True) else None
            read_pdf(doc, path, password, params.get("timeout_s", DEFAULT_TIMEOUT_S), ocr=ocr, **limits)
            if len(doc.text) > max_chars:
                raise IngestError(too_long(len(doc.text), max_chars))
        else:
            from pipeline.ingest.text import read_text

            data = _read(path)
            doc.sha256 = sha256_bytes(data)
            read_text(doc, data, max_chars, (params.get("encodings") or {}).get(rel))
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


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise IngestError(f"cannot be read ({e.strerror}); fix its permissions or remove it") from e


def _hash(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as e:
        raise IngestError(f"cannot be read ({e.strerror}); fix its permissions or remove it") from e


def note(doc: Document) -> dict[str, str]:
    """What the ingest manifest keeps of a document (:func:`pipeline.core.incremental.stage_notes`): its
    status and, if any, its error or warning, so the run's summary never opens the documents."""
    return {"status": doc.status, **({"error": doc.error} if doc.error else {})}


def input_key(path: Path, raw_dir: Path, params: dict[str, Any] | None = None) -> str:
    """The cache key of a raw file: its content hash, or why it is not read (so a fix re-reads it)."""
    rel = path.relative_to(raw_dir).as_posix()
    reason = refusal(path, raw_dir, params)
    if reason is None:
        try:
            return fingerprint(sha256_file(path), rel)
        except OSError as e:
            reason = e.strerror
    return fingerprint(f"not read: {reason}", rel)


def _file_sizes(files: dict[str, Path]) -> dict[str, int]:
    """Each raw file's bytes (0 when it cannot be read), the cost ingest schedules by."""
    out = {}
    for doc_id, path in files.items():
        with contextlib.suppress(OSError):
            out[doc_id] = path.stat().st_size
    return out


def main(raw_dir: Path, out_dir: Path, params: dict[str, Any] | None = None) -> StageResult:
    """Ingest every readable file of ``raw_dir`` into ``out_dir``; only new or changed files are read."""
    params = params or {}
    files, skipped = discover(raw_dir)
    for msg in skipped:  # the run's summary prints them (report.ingest_summary)
        log.info(msg)
    version = fingerprint(stage_version("ingest"), params)
    inputs = {doc_id: input_key(p, raw_dir, params) for doc_id, p in files.items()}

    def work(doc_id: str) -> Written:
        doc = read_document(files[doc_id], raw_dir, params)
        written = [f"{doc_id}{DOC_SUFFIX}"]
        if doc.status != names.STATUS_ERROR:  # the text alone, for readers that need nothing else (publish)
            atomic_write_text(out_dir / f"{doc_id}{TEXT_SUFFIX}", doc.text)
            written.append(f"{doc_id}{TEXT_SUFFIX}")
        atomic_write_text(out_dir / f"{doc_id}{DOC_SUFFIX}", doc.to_json())
        return Written(written, note(doc))

    result = run_per_document("ingest", out_dir, inputs, version, work, sizes=_file_sizes(files))
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
