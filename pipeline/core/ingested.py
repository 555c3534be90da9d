"""The ingested corpus as the corpus-level stages read it: cheaply, and one document at a time.

A reader of the whole corpus (the run's summary, ``review``, ``publish``) needs, for most documents,
only their status or their canonical text; opening each document's JSON (its boxes, blocks and
cells) would make every run cost the whole corpus again. :func:`statuses` reads the ingest
manifest's notes, :func:`text` the ``<doc_id>.txt`` that ingest writes beside each readable document,
and :class:`Documents` opens a document only when it is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.core.incremental import MANIFEST, stage_notes
from pipeline.core.io import DOC_SUFFIX, load_canonical_text, load_document


def statuses(ingest_dir: Path) -> list[tuple[str, str, str | None]]:
    """``(doc_id, status, error)`` of every ingested document, in id order, from the notes of the ingest
    manifest (:func:`pipeline.ingest.note`); a document without a note is opened."""
    notes = stage_notes(ingest_dir)
    out = []
    for p in sorted(Path(ingest_dir).glob(f"*{DOC_SUFFIX}")):
        if p.name == MANIFEST:
            continue
        doc_id = p.name[: -len(DOC_SUFFIX)]
        if doc_id in notes:
            out.append((doc_id, notes[doc_id]["status"], notes[doc_id].get("error")))
        else:
            doc = load_document(p)
            out.append((doc_id, doc.status, doc.error))
    return out


def text(ingest_dir: Path, doc_id: str) -> str:
    """The canonical text of a readable document: its ``<doc_id>.txt``, else from its JSON."""
    found = load_canonical_text(ingest_dir, doc_id)
    return found if found is not None else load_document(Path(ingest_dir) / f"{doc_id}{DOC_SUFFIX}").text


class Documents(Mapping[str, Document]):
    """The readable documents of an ingest folder by id (errors left out), each opened on first use and
    kept: ``review`` asks only for the documents that decisions name."""

    def __init__(self, ingest_dir: Path) -> None:
        self.ingest_dir = Path(ingest_dir)
        self._ids = [d for d, status, _ in statuses(self.ingest_dir) if status != names.STATUS_ERROR]
        self._known = set(self._ids)
        self._open: dict[str, Document] = {}

    def __getitem__(self, doc_id: str) -> Document:
        if doc_id not in self._known:
            raise KeyError(doc_id)
        if doc_id not in self._open:
            self._open[doc_id] = load_document(self.ingest_dir / f"{doc_id}{DOC_SUFFIX}")
        return self._open[doc_id]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
