"""Tables found in real PDFs (``../shared/pdfs/``): exact cells, and no table on pages without one."""

from __future__ import annotations

from functools import cache

import pytest

from pipeline.core import names
from pipeline.core.document import Document
from pipeline.ingest import read_document
from tests.shared_pdfs import shared_pdf


@cache
def _doc(name: str) -> Document:
    path = shared_pdf(name)
    return read_document(path, path.parent, {"timeout_s": 0})


def _table_on(doc: Document, page: int) -> dict[tuple[int, int], tuple[str, bool]]:
    """(row, col) -> (text, header) of the first table on ``page``."""
    tables = sorted({c.table for c in doc.cells if doc.page_of(c.start) == page})
    assert tables, f"no table on page {page}"
    return {(c.row, c.col): (doc.text[c.start : c.end], c.header) for c in doc.cells if c.table == tables[0]}


def _rows(cells: dict, rows: range) -> list[list[str]]:
    cols = 1 + max(k for _, k in cells)
    return [[cells[(r, k)][0] for k in range(cols)] for r in rows]


def test_ingest_pdf_tables_apsr_summary_statistics():
    cells = _table_on(_doc("zonszein2024_apsr_ethnic_minority_turnout.pdf"), 3)
    assert [cells[(0, k)] for k in range(6)] == [(h, True) for h in ("Variable", "Mean", "SD", "Min", "Max", "N")]
    assert _rows(cells, range(1, 4)) == [
        ["Turnout rate", "0.67", "0.05", "0.51", "0.79", "465"],
        ["Incumbent party vote share", "55.80", "10.53", "8.37", "85.73", "465"],
        ["Incumbent party prob. victory", "0.91", "0.29", "0.00", "1.00", "465"],
    ]
    assert cells[(4, 5)] == ("410", False)
    assert max(r for r, _ in cells) == 14  # header + 14 variables, the note left out


def test_ingest_pdf_tables_socarxiv_fatalities_data_table():
    """A double-spaced table whose header runs over three lines: one header row."""
    cells = _table_on(_doc("bessudnov2023_socarxiv_russian_fatalities_ethnicity.pdf"), 6)
    assert [cells[(0, k)] for k in range(5)] == [
        ("Ethnic category", True),
        ("Number of killed servicemen", True),
        ("Percent of killed servicemen", True),
        ("Percent in the male Russian populationa", True),
        ("Relative risk", True),
    ]
    assert _rows(cells, range(3, 8)) == [
        ["North Caucasusd", "1,169", "5.8", "6.5", "0.89", "[0.84; 0.94]"],
        ["Bashkir / Tatar", "1,049", "5.2", "4.8", "1.08", "[1.02; 1.15]"],
        ["Buryat", "317", "1.6", "0.4", "3.83", "[3.44; 4.28]"],
        ["Tuvan", "210", "1.0", "0.2", "4.68", "[4.07; 5.33]"],
        ["Others", "1,053", "5.2", "7.6", "0.68", "[0.64; 0.72]"],
    ]
    assert cells[(8, 0)] == ("Total", False) and cells[(8, 1)] == ("20,253", False)


def test_ingest_pdf_tables_blair_regression_table():
    cells = _table_on(_doc("blair2021_apsr_liberal_displacement_policies.pdf"), 4)
    assert [cells[(0, k)] for k in range(7)] == [("VARIABLES", True)] + [(f"({k})", True) for k in range(1, 7)]
    assert _rows(cells, range(2, 4)) == [
        ["Facilitator", "−1.156", "−1.203", "−0.022", "0.016", "−0.344**", "−0.331**"],
        ["", "(0.992)", "(0.963)", "(0.342)", "(0.305)", "(0.153)", "(0.154)"],
    ]
    assert _rows(cells, range(10, 12)) == [
        ["Observations", "112,034", "112,034", "111,883", "111,883", "112,334", "112,334"],
        ["Summary index weighting", "ICW", "EW", "ICW", "EW", "ICW", "EW"],
    ]


def test_ingest_pdf_tables_are_table_blocks():
    doc = _doc("zonszein2024_apsr_ethnic_minority_turnout.pdf")
    [block] = [b for b in doc.blocks if b.kind == names.TABLE]
    assert block.section == names.SEC_TABLE
    assert all(block.start <= c.start <= c.end <= block.end for c in doc.cells)
    box = doc.box(block.start, block.end)
    assert box.page == 3 and box.x0 < 70 and box.x1 > 530


@pytest.mark.parametrize(
    "name",
    [
        "zhou2023_worlddev_refugee_hosting_uganda.pdf",  # figures with gridlines, footnotes, references, no table
        "arutyunova2024_socoboz_ethnicity_debate_ru.pdf",  # one column of Russian prose, two reference lists
        "vasilenko2013_pskovregjournal_migration_theories_ru.pdf",  # two columns, numbered references
    ],
)
def test_ingest_pdf_tables_none_in_prose_references_and_footnotes(name):
    assert _doc(name).cells == []


def test_ingest_pdf_tables_esr_header_above_a_rule_and_tables_side_by_side():
    """Table 1's header sits above a rule (a wider gap), its size header wider than its numbers;
    Tables 2 and 3 stand side by side, one in each column of the page."""
    doc = _doc("bessudnov2019_esr_ethnic_discrimination_russia.pdf")
    cells = _table_on(doc, 6)
    assert [cells[(0, k)] for k in range(5)] == [
        ("Ethnic group", True),
        ("Size in Russia in 2010 (thousand)", True),
        ("Region of origin", True),
        ("Dominant religion", True),
        ("Titular", True),
    ]
    assert _rows(cells, range(4, 5)) == [["Chechens", "1,431", "North Caucasus", "Muslim", "In Chechnya"]]
    tables = sorted({c.table for c in doc.cells if doc.page_of(c.start) == 6})
    by_label = [
        {doc.text[c.start : c.end]: c.row for c in doc.cells if c.table == t and c.col == 0} for t in tables[1:]
    ]
    texts = [{(c.row, c.col): doc.text[c.start : c.end] for c in doc.cells if c.table == t} for t in tables[1:]]
    assert [texts[0][(by_label[0]["Russian"], k)] for k in range(4)] == ["Russian", "88", "90", "12"]
    assert [texts[0][(by_label[0]["Tajik"], k)] for k in range(4)] == ["Tajik", "12", "84", "99"]
    assert [texts[1][(by_label[1]["St. Petersburg"], k)] for k in range(3)] == [
        "St. Petersburg",
        "5,282",
        "Russians (92)",
    ]
    assert [texts[1][(by_label[1]["St. Petersburg"] + 1, k)] for k in range(3)] == ["", "", "Ukrainians (1.5)"]
