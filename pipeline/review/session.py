"""The review page's session: the published dataset, the annotator's session file, the decisions made.

:meth:`ReviewSession.decide` turns a page action into a :class:`~.decisions.Decision` with the full
anchor (id + document sha256 + quote + prefix/suffix + start/end in code points,
:meth:`~.decisions.Anchor.of`, as the CSV import does), checked by the one validator
(:func:`~.decisions.check_decision`), and appends it to ``reviews/<author>/<session>.jsonl``: one
file per server run.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.annotations.decisions import (
    ACCEPT,
    EDIT,
    EDITABLE,
    ID_COLUMN,
    LABELS,
    REJECT,
    RELABEL,
    SPAN_TABLES,
    Anchor,
    Decision,
    InvalidDecision,
    append_decisions,
    now,
    session_file,
)
from pipeline.core import names
from pipeline.review.pages import PageImages

SERVE_ACTIONS: tuple[str, ...] = (ACCEPT, REJECT, RELABEL, EDIT)
#: The column a relabel changes, per table (its vocabulary: :data:`.decisions.LABELS`).
LABEL_COLUMN = {names.T_ENTITIES: "label", names.T_FIGURES: "kind", names.T_EVENTS: "event_type"}
BOX_COLUMNS = ("page", "x0", "top", "x1", "bottom")
#: The fields the page's form edits, per table.
FORM_FIELDS = {
    names.T_ENTITIES: (),
    names.T_FIGURES: ("value", "low", "high", "unit", "object", "place", "time"),
    names.T_EVENTS: ("date_start", "date_end", "event_type", "location"),
}


def _plain(v: Any) -> Any:
    """A JSON-safe scalar (``pd.NA``/NaN → None, numpy scalars → Python)."""
    if v is None or v is pd.NA:
        return None
    if hasattr(v, "item") and not isinstance(v, (list, tuple)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


class ReviewSession:
    """The published dataset, the author's session file, and the decisions made in this run."""

    def __init__(
        self, outputs: Path, reviews: Path, author: str, created: str | None = None, raw: Path = Path("raw")
    ) -> None:
        """``raw``: the folder the documents were read from (``documents.source`` is relative to it),
        where the source PDFs are found for page images."""
        from pipeline.core.io import load_dataset, load_text

        self.outputs, self.author = Path(outputs), author
        self.tables = load_dataset(self.outputs)
        self._load_text = load_text
        docs = self.tables.get(names.T_DOCUMENTS)
        self.docs: list[dict[str, Any]] = []
        self.sha: dict[str, str | None] = {}
        pdfs: dict[str, tuple[Path, str | None]] = {}
        if docs is not None:
            for r in docs.to_dict("records"):
                if (self.outputs / "texts" / f"{r['doc_id']}.txt").exists():
                    self.sha[r["doc_id"]] = _plain(r.get("sha256"))
                    self.docs.append({"doc_id": r["doc_id"], "title": _plain(r.get("title"))})
                    if _plain(r.get("format")) == names.FORMAT_PDF and _plain(r.get("source")):
                        pdfs[r["doc_id"]] = (Path(raw) / r["source"], self.sha[r["doc_id"]])
        self.pages = PageImages(pdfs)
        self._pdf_docs = set(pdfs)
        self.path = session_file(Path(reviews), author, created or now())
        self.done: dict[str, str] = {}  # "table:id" → the last action taken in this run
        self._lock = threading.Lock()
        self._texts: dict[str, str] = {}

    def text(self, doc_id: str) -> str:
        if doc_id not in self.sha:
            raise KeyError(f"unknown document {doc_id!r}")
        if doc_id not in self._texts:
            self._texts[doc_id] = self._load_text(self.outputs, doc_id)
        return self._texts[doc_id]

    def _row(self, table: str, row_id: str) -> dict[str, Any]:
        df = self.tables.get(table)
        hit = df[df[ID_COLUMN[table]] == row_id] if df is not None else None
        if hit is None or not len(hit):
            raise KeyError(f"no {table} row {row_id!r}")
        return hit.iloc[0].to_dict()

    def document(self, doc_id: str) -> dict[str, Any]:
        """The text and the extractions of one document (offsets in code points)."""
        text = self.text(doc_id)
        items = []
        for table in SPAN_TABLES:
            df = self.tables.get(table)
            if df is None or not len(df):
                continue
            for r in df[df["doc_id"] == doc_id].to_dict("records"):
                rid = r[ID_COLUMN[table]]
                s, e = int(r["start"]), int(r["end"])
                box = {k: _plain(r.get(k)) for k in BOX_COLUMNS}
                items.append(
                    {
                        "table": table,
                        "id": rid,
                        "start": s,
                        "end": e,
                        "quote": text[s:e],
                        "box": box if None not in box.values() else None,
                        "label": _plain(r.get(LABEL_COLUMN[table])),
                        "fields": {f: _plain(r.get(f)) for f in FORM_FIELDS[table]},
                        "status": _plain(r.get("review_status")) or names.UNREVIEWED,
                        "done": self.done.get(f"{table}:{rid}"),
                    }
                )
        items.sort(key=lambda i: (i["start"], -i["end"], i["table"], i["id"]))
        pdf = doc_id in self._pdf_docs
        return {
            "doc_id": doc_id,
            "text": text,
            "items": items,
            "labels": {t: list(v) for t, v in LABELS.items()},
            "form_fields": {t: list(v) for t, v in FORM_FIELDS.items()},
            "pdf": pdf,
            "pages": self.pages.sizes(doc_id) if pdf else [],
            "page_problem": (self.pages.problem(doc_id) or None) if pdf else None,
        }

    def page_png(self, doc_id: str, page: str) -> bytes:
        """The PNG of page ``page`` (1-based) of a PDF document (KeyError if there is none)."""
        self.text(doc_id)  # unknown documents: KeyError
        try:
            n = int(page)
        except ValueError:
            raise KeyError(f"page must be a number, not {page!r}") from None
        return self.pages.png(doc_id, n)

    def decide(self, body: dict[str, Any]) -> Decision:
        """Build the decision a page action asks for and append it to the session file."""
        action, table, row_id = body.get("action"), body.get("table"), body.get("id")
        if action not in SERVE_ACTIONS:
            raise InvalidDecision(f"action must be one of {', '.join(SERVE_ACTIONS)}")
        if table not in SPAN_TABLES:
            raise InvalidDecision(f"table must be one of {', '.join(SPAN_TABLES)}")
        if not isinstance(row_id, str):
            raise InvalidDecision(f"id must be the row's id (a string), not {row_id!r}")
        note = body.get("note")
        if note is not None and not isinstance(note, str):
            raise InvalidDecision(f"note must be a string, not {note!r}")
        row = self._row(table, row_id)
        doc_id = row["doc_id"]
        text = self.text(doc_id)
        target = Anchor.of(text, doc_id, int(row["start"]), int(row["end"]), self.sha.get(doc_id))
        seen = {k: _plain(row.get(k)) for k in EDITABLE[table] if _plain(row.get(k)) is not None}
        if table == names.T_ENTITIES and _plain(row.get("label")):
            seen["label"] = row["label"]
        kw: dict[str, Any] = {}
        if action == RELABEL:
            kw["label"] = body.get("label")
        elif action == EDIT:
            fields = body.get("fields")
            if not isinstance(fields, dict) or not fields:
                raise InvalidDecision("an edit needs fields: an object of field: value")
            for k, v in fields.items():
                if k not in EDITABLE[table]:
                    raise InvalidDecision(
                        f"field {k!r} is not editable in {table} (editable: {', '.join(EDITABLE[table])})"
                    )
                if isinstance(v, bool) or (v is not None and not isinstance(v, str | int | float)):
                    raise InvalidDecision(f"field {k}: {v!r} must be a string or a number")
            kw["fields"] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
        d = Decision(
            action,
            table,
            self.author,
            now(),
            target_id=row[ID_COLUMN[table]],
            target=target,
            seen=seen,
            note=str(note) if note else None,
            **kw,
        )
        with self._lock:
            append_decisions(self.path, [d])
            self.done[f"{table}:{d.target_id}"] = action
        return d


__all__ = ["ReviewSession", "SERVE_ACTIONS"]
