"""Every event keeps a row of its own: two events told in one clause with one date get distinct ids."""

from __future__ import annotations

from conftest import RAW, ingest_text

from pipeline.consolidate import event_rows, row_id
from pipeline.events import extract, to_frame


def _paragraph(start: str) -> str:
    """The paragraph of corpus paper 000 that begins with ``start`` (read from raw/, never copied here)."""
    text = next(RAW.glob("000_*.txt")).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith(start))


def test_two_events_of_one_clause_and_date_have_two_ids(nlp):
    doc = ingest_text(_paragraph("Following the demise of the Soviet Union"))
    rows = event_rows(doc, to_frame(doc.doc_id, doc.text, extract(doc, nlp(doc.text))))
    told = [(r["trigger"], r["event_type"], r["date_start"], r["date_end"], r["start"], r["end"]) for r in rows]
    first = [t for t in told if t[4:] == told[0][4:]]
    assert [t[:4] for t in first] == [
        ("demise", "other", "1990-01-01", "1999-12-31"),
        ("launch", "founding", "1990-01-01", "1999-12-31"),
    ]
    assert len({r["event_id"] for r in rows}) == len(rows)
    for r in rows:
        assert doc.text[r["start"] : r["end"]] == r["text"]


def test_an_event_alone_in_its_clause_keeps_the_id_of_its_span_and_dates(nlp):
    doc = ingest_text("The First World Kurultai of Kazakhs was held in Almaty on the 29th of September 1992.")
    (r,) = event_rows(doc, to_frame(doc.doc_id, doc.text, extract(doc, nlp(doc.text))))
    assert r["event_id"] == row_id("V", doc.doc_id, r["start"], r["end"], "1992-09-29", "1992-09-29")
