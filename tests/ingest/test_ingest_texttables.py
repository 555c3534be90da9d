"""Tables in text inputs become table blocks with cells, like PDF tables (pipeline.ingest.texttables)."""

from __future__ import annotations

import pytest

from pipeline.core import names
from pipeline.ingest import read_document
from pipeline.ingest.texttables import split_headers
from tests.conftest import RAW, ingest_text


def _grid(doc, table: int) -> dict[tuple[int, int], tuple[str, bool]]:
    """(row, col) -> (cell text, is header) for one table, checking every cell's char range on the way."""
    out = {}
    for c in doc.cells:
        if c.table == table:
            text = doc.text[c.start : c.end]
            assert text == text.strip() and text, (c, text)
            out[(c.row, c.col)] = (text, c.header)
    return out


def _block_kinds(doc) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]


@pytest.fixture(scope="module")
def doc001():
    return read_document(next(RAW.glob("001_*.txt")), RAW)


@pytest.fixture(scope="module")
def doc002():
    return read_document(next(RAW.glob("002_*.txt")), RAW)


def test_texttables_corpus_001_table1(doc001):
    g = _grid(doc001, 0)
    assert [g[(0, c)] for c in range(3)] == [
        ("Countries", True),
        ("Mendikulova G. (as in 2001)", True),
        ("Tatimov M. (as in 2003)", True),
    ]
    assert [g[(2, c)][0] for c in range(3)] == ["China", "1,500,000", "1,296,000"]
    # a row header printed over two lines, its numbers after a blank line, a qualifier kept with its number
    assert [g[(4, c)][0] for c in range(3)] == ["The Russian Federation (RF)", "About 800,000", "660,000"]
    assert [g[(6, c)][0] for c in range(3)] == ["CIS except Uzbekistan, RF", "187,000", "177,000"]
    assert [g[(15, c)][0] for c in range(3)] == ["Total", "4,134,000", "3,277,000"]
    assert g[(1, 0)] == ("Kazakhstan", False) and g[(1, 1)] == ("8,725,000", False) and (1, 2) not in g
    kinds = _block_kinds(doc001)
    t = next(i for i, b in enumerate(doc001.blocks) if b.kind == names.TABLE)
    assert kinds[t - 1] == (names.CAPTION, "Table 1. - Estimated numbers of Kazakhs Abroad")
    assert kinds[t + 1] == (names.FOOTNOTE, "Note - Source")
    assert doc001.text[doc001.blocks[t].start :].startswith("Countries\tMendikulova G. (as in 2001)\tTatimov M.")


def test_texttables_corpus_001_table2_ranks_markers_and_note(doc001):
    g = _grid(doc001, 1)
    assert [g[(0, c)][0] for c in range(4)] == ["Ranking", "Country", "Official data", "Field study data 2007–2009"]
    assert [g[(2, c)][0] for c in range(4)] == ["2", "China", "1,250,500", "1,413,500"]  # the marker "3" is in no cell
    assert [g[(3, c)][0] for c in range(4)] == ["3", "Uzbekistan", "899,195", "1.3-1.5 million"]
    assert [g[(7, c)][0] for c in range(2)] == ["7", "43 other countries"] and (7, 2) not in g
    assert "2\tChina\t1,250,500\t1,413,500 3\n3\tUzbekistan" in doc001.text
    note = next(b for b in doc001.blocks if doc001.text[b.start : b.end].startswith("Note Source"))
    assert (note.kind, doc001.text[note.start : note.end]) == (
        names.FOOTNOTE,
        "Note Source (Yermek bay Zh.A. et al, 2015)",
    )
    assert max(c.table for c in doc001.cells) == 1  # Table 3 (Yes/No answers, no numbers) is left as text


def test_texttables_corpus_002_fact_box(doc002):
    g = _grid(doc002, 0)
    assert [(g[(r, 0)][0], g[(r, 1)][0]) for r in range(5)] == [
        ("Russia", "2,559,711"),
        ("Germany", "940,296"),
        ("Ukraine", "224.467"),
        ("Belarus", "69,084"),
        ("US", "31,199²"),
    ]
    assert not any(h for _, h in g.values())
    block = doc002.block_at(doc002.cells[0].start)
    assert block.kind == names.TABLE and block.section == names.SEC_TABLE
    # each character still points at its own line of the source
    i = doc002.text.index("2,559,711")
    assert doc002.source_map.line_col(i) == (51, 1)


def test_texttables_markdown_pipe_table():
    doc = ingest_text(
        "Intro line.\n\nTable 4. Votes\n\n| Party | 2019 | 2023 |\n|---|---|---|\n| Amanat | 71.1 | 53.9 |\n"
        "| Ak Zhol | 10.9 | 8.4 |\n\nProse resumes here after the table.\n",
        name="t.md",
    )
    g = _grid(doc, 0)
    assert g[(0, 1)] == ("2019", True) and g[(2, 0)] == ("Ak Zhol", False) and g[(2, 2)] == ("8.4", False)


def test_texttables_space_aligned_table():
    text = (
        "Some prose before the table, long enough to be prose.\n\n"
        "Table 2: Remittances by country\n"
        "Country        Inflow 2019    Outflow 2019\n"
        "Russia         1,200          3,400\n"
        "Kyrgyz Republic  85           410\n"
        "Source: World Bank\n\n"
        "Prose after the table goes on for a while.\n"
    )
    doc = ingest_text(text)
    g = _grid(doc, 0)
    assert g[(0, 0)] == ("Country", True) and g[(0, 2)] == ("Outflow 2019", True)
    assert [g[(2, c)][0] for c in range(3)] == ["Kyrgyz Republic", "85", "410"]
    kinds = _block_kinds(doc)
    assert (names.CAPTION, "Table 2: Remittances by country") in kinds
    assert (names.FOOTNOTE, "Source: World Bank") in kinds


def test_texttables_tab_separated_words_without_numbers_are_no_table():
    doc = ingest_text("%\tof\temi\tgra\tnts\tin\ntr\tntal\tl nor\tnul:\tatio\tn\n")
    assert doc.cells == []


def test_texttables_reflow_keeps_rows_apart():
    text = (
        "The paper begins with a sentence that runs long enough to set the wrap width of the text,\n"
        "and it goes on for a second line that is about as long as the first line of it was.\n\n"
        "Table 1. Population by region\n\n"
        "Region 2010 2020\n"
        "Almaty 1,400,000 1,900,000\n"
        "Astana 600,000 1,100,000\n\n"
        "The growth of the capital was the fastest of all regions in the country at the time.\n"
    )
    doc = ingest_text(text)
    assert "Almaty\t1,400,000\t1,900,000\nAstana\t600,000\t1,100,000" in doc.text
    assert _grid(doc, 0)[(0, 2)] == ("2020", True)


@pytest.mark.parametrize(
    "header,k,expected",
    [
        (
            "Countries Mendikulova G. (as in 2001) Tatimov M. (as in 2003)",
            2,
            ["Mendikulova G. (as in 2001)", "Tatimov M. (as in 2003)"],
        ),
        (
            "Ranking Country Official data Field study data 2007–2009",
            2,
            ["Official data", "Field study data 2007–2009"],
        ),
        ("Country Official data", 2, None),
    ],
)
def test_texttables_split_headers(header, k, expected):
    assert split_headers(header, k) == expected


def test_texttables_prose_after_table_word_is_no_table():
    text = (
        "Table 1 shows how the numbers changed over the decade of the\n"
        "study; the diaspora in Turkey grew from about 10,000 to 30,000\n"
        "and in Germany the community was estimated at some 7,000\n"
        "people by the end of the period that the survey covered.\n"
    )
    assert ingest_text(text).cells == []


def test_sentence_after_a_captioned_table_is_not_a_row():
    doc = ingest_text(
        "Some intro paragraph that is long enough to be a paragraph in this paper about it.\n\n"
        "Table 2. Population\nCountry   1999   2009\nChina   1,500,000   1,296,000\n"
        "Mongolia   102,000   101,526\n\nThe numbers fell in 2009.\n"
    )
    rows = {}
    for c in doc.cells:
        rows.setdefault(c.row, []).append(doc.text[c.start : c.end])
    assert rows == {
        0: ["Country", "1999", "2009"],
        1: ["China", "1,500,000", "1,296,000"],
        2: ["Mongolia", "102,000", "101,526"],
    }
    last = doc.blocks[-1]
    assert (doc.text[last.start : last.end], last.kind) == ("The numbers fell in 2009.", "paragraph")
