"""The document creation time (pipeline/ingest/creation_date.py) and the news/narrative choice (events/reference.py)
on invented texts, and on real PDFs from ../shared/pdfs when they are there."""

from pathlib import Path

import pytest
from conftest import ROOT, ingest_text

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.events.reference import document_mode, reference_time
from pipeline.ingest.creation_date import creation_date, find_creation_date

BODY = "The herders' union said the new grazing quota would be doubled before the spring.\n\n"


@pytest.mark.parametrize(
    "text,date,source,words",
    [
        (
            "Grazing quota doubled\n\nTARAZ, March 3, 2021 – " + BODY,
            "2021-03-03",
            names.DATE_DATELINE,
            "March 3, 2021",
        ),
        (
            "Grazing quota doubled\n\nOSH, Kyrgyzstan (Kabar) — 14 October 2019: " + BODY,
            "2019-10-14",
            names.DATE_DATELINE,
            "14 October 2019",
        ),
        (
            "Grazing quota doubled\n\nPublished: 9 June 2020 | Updated: 10 June 2020\n\n" + BODY,
            "2020-06-09",
            names.DATE_PUBLISHED,
            "9 June 2020",
        ),
        (
            "Grazing quota doubled\n\nBy Dana Omarova | July 21, 2018\n\n" + BODY,
            "2018-07-21",
            names.DATE_HEADER,
            "July 21, 2018",
        ),
        ("Grazing quota doubled\n\nNovember 2017\n\n" + BODY, "2017-11", names.DATE_HEADER, "November 2017"),
        (
            "Pastures and quotas\n\nReceived: 2 May 2016; Revised: 1 August 2016; Accepted: 19 September 2016\n\n"
            + BODY,
            "2016-09-19",
            names.DATE_HISTORY,
            "19 September 2016",
        ),
        ("Pastures and quotas\n\n© 2015 The Steppe Society\n\n" + BODY, "2015", names.DATE_COPYRIGHT, "2015"),
    ],
)
def test_creation_date_sources(text, date, source, words):
    doc = ingest_text(text)
    found = find_creation_date(doc)
    assert (found.date, found.source) == (date, source) == creation_date(doc)
    assert doc.text[found.start : found.end] == words
    assert (doc.metadata["date"], doc.metadata["date_source"]) == (date, source)
    assert doc.text[slice(*doc.metadata["date_span"])] == words


@pytest.mark.parametrize(
    "text",
    [
        "Pastures and quotas\n\nAccessed: 12 June 2014\n\n" + BODY,  # an access date is not a creation date
        "Pastures and quotas\n\nThe March 2019 floods\n\n" + BODY,  # a heading with a date is not a byline
        "Pastures and quotas\n\n" + BODY,
        "Pastures and quotas\n\nThe first herd book was published on 3 May 1901 in Kazan.\n",  # a sentence, no label
    ],
)
def test_creation_date_none(text):
    doc = ingest_text(text)
    assert creation_date(doc) == (None, None)
    assert "date" not in doc.metadata


@pytest.mark.parametrize(
    "metadata,text,date,source",
    [
        ({"CreationDate": "D:20191008122205+05'30'"}, BODY, "2019-10-08", names.DATE_PDF),
        # a printed year that agrees keeps the PDF's day; one that disagrees (a later scan) wins
        ({"CreationDate": "D:20191008122205Z", "year": 2019}, BODY, "2019-10-08", names.DATE_PDF),
        (
            {"CreationDate": "D:20080306203817Z"},
            "Source: Steppe Review, Vol. 27, No. 3 (Sep., 1968)\n" + BODY,
            "1968",
            names.DATE_FRONT_MATTER,
        ),
        ({"CreationDate": "not a date", "year": 2011}, BODY, "2011", names.DATE_FRONT_MATTER),
    ],
)
def test_creation_date_pdf_metadata_is_a_weaker_fallback(metadata, text, date, source):
    doc = Document("d", "d.pdf", "0", "pdf", text=text, metadata=metadata)
    assert creation_date(doc) == (date, source)


def _long(text: str) -> str:
    return text + BODY * 400


@pytest.mark.parametrize(
    "text,params,mode",
    [
        ("Quota doubled\n\nTARAZ, March 3, 2021 – " + BODY, {}, names.MODE_NEWS),
        ("Quota doubled\n\nPublished: 9 June 2020\n\n" + BODY, {}, names.MODE_NEWS),
        (_long("Quota doubled\n\nPublished: 9 June 2020\n\n"), {}, names.MODE_NARRATIVE),  # long: a report
        (
            "Quota doubled\n\nPublished: 9 June 2020\n\nAbstract\n\nWe study quotas.\n\n" + BODY,
            {},
            names.MODE_NARRATIVE,
        ),
        ("Quotas\n\nReceived: 2 May 2016; Accepted: 19 September 2016\n\n" + BODY, {}, names.MODE_NARRATIVE),
        ("Quotas\n\n" + BODY, {}, names.MODE_NARRATIVE),
        ("Quotas\n\n" + BODY, {"mode": "news"}, names.MODE_NEWS),
        ("Quota doubled\n\nTARAZ, March 3, 2021 – " + BODY, {"mode": "narrative"}, names.MODE_NARRATIVE),
    ],
)
def test_events_document_mode(text, params, mode):
    doc = ingest_text(text)
    assert document_mode(doc, params) == mode
    dct = reference_time(doc, params)
    assert (dct is not None) == (mode == names.MODE_NEWS and "date" in doc.metadata)


def _shared_pdfs() -> Path | None:
    return next((p / "shared" / "pdfs" for p in ROOT.parents if (p / "shared" / "pdfs").is_dir()), None)


@pytest.mark.skipif(_shared_pdfs() is None, reason="../shared/pdfs is not there")
@pytest.mark.parametrize(
    "name,date,source",
    [
        ("zonszein2024_ajps_immigrant_accession_backlash.pdf", "2024-01-29", names.DATE_HISTORY),
        ("leasure1968_slavicreview_internal_migration_russia_scan.pdf", "1968", names.DATE_FRONT_MATTER),
    ],
)
def test_creation_date_real_pdfs(name, date, source):
    from pipeline.ingest import read_document

    pdfs = _shared_pdfs()
    doc = read_document(pdfs / name, pdfs)
    assert creation_date(doc) == (date, source)
    assert document_mode(doc) == names.MODE_NARRATIVE


@pytest.mark.model
def test_figure_time_is_not_the_dateline(nlp):
    from pipeline.figures import extract

    doc = ingest_text(
        "Quota raised\n\nTARAZ, March 10, 2021 – About 3,000 families arrived in Taraz in 2019, the union said.\n"
        "\nAbout 1,200 families came last year.\n"
    )
    # the dateline's year dates the story, not its figures; "last year" is read against it (news mode)
    assert [(doc.text[f.start : f.end], f.time, f.time_start) for f in extract(doc, nlp(doc.text), {})] == [
        ("3,000", "2019", "2019-01-01"),
        ("1,200", "last year", "2020-01-01"),
    ]
