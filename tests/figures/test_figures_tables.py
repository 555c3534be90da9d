"""Figures in tables read from ``doc.cells``: row header = place, column header = source/time, ranks dropped."""

from __future__ import annotations

from conftest import RAW, ingest_text

from pipeline.figures.tables import cell_contexts
from pipeline.ingest import read_document

TABLE = """Some text before the table.

Table 2. - Estimated numbers of Kazakhs Abroad

Ranking Country Official data Field study data
2007–2009

1 Kazakhstan 10,301,165 10,301,165
2 China 1,250,500 1,413,500 3
3 Uzbekistan 899,195 1.3-1.5 million
4 Mongolia 145,000
5 43 other countries
Note Source (Yermek bay Zh.A. et al, 2015)

The countries with the presence of the Kazakh diaspora can be grouped into three categories of hosts.
"""


def _by_text(doc, ctx):
    return {doc.text[s : s + 16].split("\t")[0].split("\n")[0]: v for s, v in sorted(ctx.items()) if not v.get("drop")}


def test_tables_text_table_rows_columns_and_ranks(tmp_path):
    doc = ingest_text(TABLE, tmp_path=tmp_path)
    ctx = cell_contexts(doc)
    got = _by_text(doc, ctx)
    assert got["1,413,500 3"] == {
        "place": "China",
        "object": "Kazakhs Abroad",
        "source": "Field study data",
        "time": "2007–2009",
    }
    assert got["899,195"] == {
        "place": "Uzbekistan",
        "object": "Kazakhs Abroad",
        "source": "Official data",
        "time": None,
    }
    # a row with fewer numbers than the table has columns: the column is not known
    assert got["145,000"] == {"place": "Mongolia", "object": "Kazakhs Abroad", "source": None, "time": None}
    assert got["43 other countri"] == {"object": "other countries", "place": None}
    dropped = sorted(doc.text[s : s + 1] for s, v in ctx.items() if v.get("drop"))
    assert dropped == ["1", "2", "3", "3", "4", "5"]  # the rank column and the footnote marker after 1,413,500


def test_tables_corpus_001_table1_cell():
    doc = read_document(next(RAW.glob("001_*.txt")), RAW)
    ctx = cell_contexts(doc)
    cell = next(c for c in doc.cells if c.table == 0 and c.row == 2 and c.col == 1)
    assert doc.text[cell.start : cell.end] == "1,500,000"
    assert ctx[cell.start] == {"place": "China", "object": "Kazakhs Abroad", "source": "Mendikulova G.", "time": "2001"}
    total = next(c for c in doc.cells if c.table == 0 and doc.text[c.start : c.end] == "3,277,000")
    assert ctx[total.start] == {"place": None, "object": "Kazakhs Abroad", "source": "Tatimov M.", "time": "2003"}


def test_tables_corpus_002_fact_box():
    doc = read_document(next(RAW.glob("002_*.txt")), RAW)
    ctx = cell_contexts(doc)
    i = doc.text.index("224.467")
    assert ctx[i] == {"place": "Ukraine", "object": None, "source": None, "time": None}


def test_tables_markdown_table(tmp_path):
    doc = ingest_text(
        "Intro.\n\n| Country | Official data (2019) |\n|---|---|\n| Total | 12,000 |\n| Turkey | 3,500 |\n",
        name="t.md",
        tmp_path=tmp_path,
    )
    ctx = cell_contexts(doc)
    assert ctx[doc.text.index("3,500")] == {
        "place": "Turkey",
        "object": None,
        "source": "Official data",
        "time": "2019",
    }
    assert ctx[doc.text.index("12,000")]["place"] is None


def _real_table_figures(name: str, page: int) -> list[tuple[str, dict]]:
    """The numbers in the first table of ``page`` of a shared PDF that the figures stage keeps, with their context."""
    from pipeline.core import names
    from pipeline.figures.numbers import find_numbers
    from pipeline.ingest import read_document
    from tests.shared_pdfs import shared_pdf

    path = shared_pdf(name)
    doc = read_document(path, path.parent, {"timeout_s": 0})
    contexts = cell_contexts(doc)
    block = next(b for b in doc.blocks if b.kind == names.TABLE and doc.page_of(b.start) == page)
    out = []
    for n in find_numbers(doc.text[block.start : block.end]):
        ctx = contexts.get(block.start + n.start, {})
        if not ctx.get("drop"):
            out.append((doc.text[block.start + n.start : block.start + n.end], ctx))
    return out


def test_tables_real_regression_table_gives_no_figures():
    """Coefficients, standard errors, fit and N of models ("(1) … (6)", stars): none is a figure."""
    assert _real_table_figures("blair2021_apsr_liberal_displacement_policies.pdf", 4) == []


def test_tables_real_data_table_cell_figure_takes_its_row_and_column_headers():
    """Row header: whose; column header: what ("Number of killed servicemen") and which kind ("Percent of …");
    relative risks and their 95% intervals are statistics, not figures."""
    figures = _real_table_figures("bessudnov2023_socarxiv_russian_fatalities_ethnicity.pdf", 6)
    buryat = [(text, ctx) for text, ctx in figures if ctx.get("place") == "Buryat"]
    assert [(t, c.get("object"), c.get("kind")) for t, c in buryat] == [
        ("317", "killed servicemen", None),
        ("1.6", "killed servicemen", "percent"),
        ("0.4", "male Russian populationa", "percent"),
    ]
    assert not {"3.83", "3.44", "4.28"} & {t for t, _ in figures}


def test_tables_column_quantity():
    from pipeline.figures.tables import column_quantity

    assert column_quantity("n applications", "count") == {"unit": "applications"}
    assert column_quantity("Proportion contacted", "count") == {"kind": "share"}
    assert column_quantity("Share of migrants (%)", "count") == {"kind": "percent", "object": "migrants"}
    assert column_quantity("Mendikulova G. (as in 2001)", "count") == {}
