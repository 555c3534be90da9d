"""Text tables: row labels, column headers, rank numbers and stray markers (ingested literal, no model)."""

from __future__ import annotations

from conftest import ingest_text

from pipeline.figures.tables import cell_contexts

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


def test_tables_text_table_rows_columns_and_ranks(tmp_path):
    doc = ingest_text(TABLE, tmp_path=tmp_path)
    ctx = cell_contexts(doc)
    got = {doc.text[s:s + 16].split(" ")[0]: v for s, v in sorted(ctx.items()) if not v.get("drop")}
    assert got["1,413,500"] == {"place": "China", "object": "Kazakhs Abroad", "source": "Field study data",
                                "time": "2007–2009"}
    assert got["899,195"] == {"place": "Uzbekistan", "object": "Kazakhs Abroad", "source": "Official data",
                              "time": None}
    assert got["145,000"] == {"place": "Mongolia", "object": "Kazakhs Abroad", "source": None, "time": None}
    assert got["43"] == {"object": "other countries", "place": None}
    dropped = sorted(doc.text[s:s + 1] for s, v in ctx.items() if v.get("drop"))
    assert dropped == ["2", "3", "3", "4", "5"]  # the "1" opening the block is already masked as a marker
