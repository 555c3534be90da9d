"""The PDF reader on real publisher papers (``../shared/pdfs``, see its SOURCES.md): every file reads, no
ligature splits a word, rotated margin text stays out of the body, first pages read in order, and the
metadata printed on each first page comes out right (values written by reading the PDFs)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline.core import names
from pipeline.ingest import read_document

#: ``../shared/pdfs`` beside the repository (a git worktree one folder deeper looks one level up too).
PDFS = next((d for d in (ROOT.parent / "shared" / "pdfs", ROOT.parent.parent / "shared" / "pdfs") if d.is_dir()), ROOT)
FILES = sorted(p.name for p in PDFS.glob("*.pdf")) if PDFS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason=f"real PDFs not found at {PDFS} (../shared/pdfs beside the repo)")


@pytest.fixture(scope="module")
def docs():
    return {name: read_document(PDFS / name, PDFS) for name in FILES}


def test_real_pdfs_all_ten_are_there():
    assert len(FILES) == 10, FILES


def test_real_pdfs_ingest_ok_or_warning_with_a_reason(docs):
    for name, doc in docs.items():
        assert doc.status in (names.STATUS_OK, names.STATUS_WARNING), (name, doc.error)
        assert doc.status == names.STATUS_OK or doc.error, name
        assert doc.text and all(doc.text[b.start : b.end].strip() for b in doc.blocks), name


#: A word broken after an f-ligature: "f ind", "af fects", "inf luence", "conf lict", "signif icantly".
_SPLIT = re.compile(r"\b(f|af|ef|of|if|inf|conf|signif|dif|suf|ref|def|benef|speci|identi|of)\s+((?:i|l|f)\w*)")


def _layer_words(path: Path) -> tuple[set[str], set[tuple[str, str]]]:
    """The words of the text layer as pdfium reads it (ligatures as letters, no spaces added), and
    the pairs of words that stand next to each other there."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        words: list[str] = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            words += re.findall(r"\w+", textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    lower = [w.lower() for w in words]
    return set(lower), set(zip(lower, lower[1:]))


def split_ligature_words(text: str, path: Path) -> list[str]:
    """Two-word hits of :data:`_SPLIT` that the text layer writes as one word (and never as two)."""
    words, pairs = _layer_words(path)
    out = []
    for m in _SPLIT.finditer(text):
        head, tail = m.group(1).lower(), m.group(2).lower()
        if head + tail in words and (head, tail) not in pairs:
            out.append(m.group(0))
    return out


def test_real_pdfs_no_split_ligature_words(docs):
    found = {name: split_ligature_words(doc.text, PDFS / name) for name, doc in docs.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_real_pdfs_ligatures_read_as_letters(docs):
    """The ﬁ/ﬂ words of the papers with ligature glyphs read whole (SOURCES.md counts their glyphs)."""
    text = docs["zhou2023_worlddev_refugee_hosting_uganda.pdf"].text
    assert "host communities" in text and " conflict" in text and " findings" in text
    assert "Inclusive refugee-hosting can improve local development" in text
    ru = docs["vasilenko2013_pskovregjournal_migration_theories_ru.pdf"].text
    assert "\uf002" not in ru and "influenced" in ru  # the Private Use fl ligature


def _rotated_boxes(path: Path) -> set[tuple[int, float, float]]:
    """(page, x0, top) of every character whose baseline is not horizontal, read here from pdfium's
    matrices independently of the reader."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out = set()
    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            height = page.get_height()
            textpage = page.get_textpage()
            matrix, box = raw.FS_MATRIX(), raw.FS_RECTF()
            for k in range(raw.FPDFText_CountChars(textpage.raw)):
                if not raw.FPDFText_GetMatrix(textpage.raw, k, matrix):
                    continue
                angle = math.atan2(matrix.b, matrix.a) % (2 * math.pi)
                if 0.05 < angle < 2 * math.pi - 0.05 and raw.FPDFText_GetLooseCharBox(textpage.raw, k, box):
                    out.add((i + 1, round(box.left, 2), round(height - box.top, 2)))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return out


@pytest.mark.parametrize(
    "name, margin_line",
    [
        ("bessudnov2019_esr_ethnic_discrimination_russia.pdf", "Downloaded from https://academic.oup.com/esr/"),
        ("blair2021_apsr_liberal_displacement_policies.pdf", "Downloaded from https://www.cambridge.org/core"),
        ("zonszein2024_ajps_immigrant_accession_backlash.pdf", "Downloaded from https://onlinelibrary.wiley.com/"),
    ],
)
def test_real_pdfs_rotated_margin_lines_out_of_the_body(docs, name, margin_line):
    doc = docs[name]
    rotated = _rotated_boxes(PDFS / name)
    assert len(rotated) > 500  # the margin line of every page
    body = [b for b in doc.blocks if b.section not in names.SECTIONS_NOT_EXTRACTED]
    inside = [
        (doc.text[b.start : b.end][:60], box)
        for b in body
        for box in doc.char_boxes[b.start : b.end]
        if box is not None and (box[0], box[1], box[2]) in rotated
    ]
    assert inside == []
    # the line repeats on every page: dropped like a running head, never read letter by letter
    assert margin_line not in doc.text and "g r o . i" not in doc.text


#: (file, title, authors, year, journal, doi): as printed on each first page (journal and DOI None where
#: the first page prints none). ``year`` is the year of the issue in the citation line where there is
#: one, else the copyright year, else the year printed in the front matter (else the file's date).
METADATA = [
    (
        "arutyunova2024_socoboz_ethnicity_debate_ru.pdf",
        "Обмен мнениями по поводу статьи Е. Варшавера «Что именно исследуется, когда исследуется этничность? "
        "Дескриптивная модель для конструктивистских исследований этничности в контексте когнитивного поворота»",
        ["Екатерина Арутюнова", "Алексей Бессуднов", "Ольга Вендина", "Дмитрий Верховцев", "Михаил Каменских"],
        2024,
        "Russian Sociological Review",
        "10.17323/1728-192x-2024-3-127-145",
    ),
    (
        "bessudnov2019_esr_ethnic_discrimination_russia.pdf",
        "Ethnic Discrimination in Multi-ethnic Societies: Evidence from Russia",
        ["Alexey Bessudnov", "Andrey Shcherbak"],
        2019,
        "European Sociological Review",
        "10.1093/esr/jcz045",
    ),
    (
        "bessudnov2023_socarxiv_russian_fatalities_ethnicity.pdf",
        "Ethnic and regional inequalities in the Russian military fatalities in Ukraine: "
        "Preliminary findings from crowdsourced data",
        ["Alexey Bessudnov"],
        2023,
        None,
        None,
    ),
    (
        "blair2021_apsr_liberal_displacement_policies.pdf",
        "Liberal Displacement Policies Attract Forced Migrants in the Global South",
        ["Christopher W. Blair", "Guy Grossman", "Jeremy M. Weinstein"],
        2021,
        "American Political Science Review",
        "10.1017/S0003055421000848",
    ),
    (
        "dipoppa2023_jop_asian_hate_crimes_italy.pdf",
        "Locked Down, Lashing Out: COVID-19 Effects on Asian Hate Crimes in Italy",
        ["Gemma Dipoppa", "Guy Grossman", "Stephanie Zonszein"],
        2023,
        "The Journal of Politics",
        "10.1086/722346",
    ),
    (
        "leasure1968_slavicreview_internal_migration_russia_scan.pdf",
        "Internal Migration in Russia in the Late Nineteenth Century",
        ["J. William Leasure", "Robert A. Lewis"],
        1968,
        "Slavic Review",
        None,
    ),
    (
        "vasilenko2013_pskovregjournal_migration_theories_ru.pdf",
        "ЗАРУБЕЖНЫЕ ТЕОРИИ МИГРАЦИИ НАСЕЛЕНИЯ",
        ["П. В. Василенко"],
        2013,
        None,
        None,
    ),
    (
        "zhou2023_worlddev_refugee_hosting_uganda.pdf",
        "Inclusive refugee-hosting can improve local development and prevent public backlash",
        ["Yang-Yang Zhou", "Guy Grossman", "Shuning Ge"],
        2023,
        "World Development",
        "10.1016/j.worlddev.2023.106203",
    ),
    (
        "zonszein2024_ajps_immigrant_accession_backlash.pdf",
        "Voted in, standing out: Public response to immigrants’ political accession",
        ["Stephanie Zonszein", "Guy Grossman"],
        2025,
        "American Journal of Political Science",
        "10.1111/ajps.12877",
    ),
    (
        "zonszein2024_apsr_ethnic_minority_turnout.pdf",
        "Turnout Turnaround: Ethnic Minority Victories Mobilize White Voters",
        ["Stephanie Zonszein", "Guy Grossman"],
        2024,
        "American Political Science Review",
        "10.1017/S000305542300103X",
    ),
]


@pytest.mark.parametrize("name, title, authors, year, journal, doi", METADATA, ids=[m[0][:24] for m in METADATA])
def test_real_pdfs_metadata(docs, name, title, authors, year, journal, doi):
    doc = docs[name]
    got = doc.metadata
    assert (doc.title, got["authors"], got.get("year")) == (title, authors, year)
    assert (got.get("journal"), got.get("doi")) == (journal, doi)


#: First pages of the two-column papers: (file, phrases in reading order): the title, the first
#: author, the abstract's start, the first column's text, the second column's text.
FIRST_PAGES = [
    (
        "bessudnov2019_esr_ethnic_discrimination_russia.pdf",
        [
            "Ethnic Discrimination in Multi-ethnic Societies",
            "Alexey Bessudnov",
            "Field experiments have provided ample evidence",
            "The field experiment has now become a standard method",
            "applicants from minority groups. Racial and ethnic",
        ],
    ),
    (
        "blair2021_apsr_liberal_displacement_policies.pdf",
        [
            "Liberal Displacement Policies Attract",
            "CHRISTOPHER W. BLAIR",
            "Most forced migrants around the world are displaced",
            "Do de jure policies affect potential migrants",
            "policies (Adamson and Tsourapas 2020).¹ Prevailing neglect",
        ],
    ),
    (
        "dipoppa2023_jop_asian_hate_crimes_italy.pdf",
        [
            "Locked Down, Lashing Out",
            "Gemma Dipoppa",
            "COVID-19 caused a major health crisis",
            "Exclusionary attitudes toward immigrants are on the rise in Europe",
            "an increase in the incidence of hate crimes",
        ],
    ),
    (
        "vasilenko2013_pskovregjournal_migration_theories_ru.pdf",
        [
            "ЗАРУБЕЖНЫЕ ТЕОРИИ МИГРАЦИИ НАСЕЛЕНИЯ",
            "В статье рассматривается развитие западной миграционной теории",
            "В современном исследовании миграций населения существуют заметные различия",
            "какая теоретическая база ему соответствует",
            "places of people and the Laws of Migration»",
        ],
    ),
    (
        "zhou2023_worlddev_refugee_hosting_uganda.pdf",
        [
            "Inclusive refugee-hosting can improve local development",
            "Yang-Yang Zhou",
            "Large arrivals of refugees raise concerns",
            "An unprecedented—and growing—number of people",
            "policies in host communities (Alesina & Tabellini, 2022)",
        ],
    ),
    (
        "zonszein2024_ajps_immigrant_accession_backlash.pdf",
        [
            "Voted in, standing out",
            "Stephanie Zonszein",
            "Abstract How do dominant-group natives react to immigrants’ political integration? We argue",
            "How do dominant-group natives respond to immigrant-origin",
            "ity, expressed as violence or exclusionary attitudes",
        ],
    ),
    (
        "zonszein2024_apsr_ethnic_minority_turnout.pdf",
        [
            "Turnout Turnaround",
            "STEPHANIE ZONSZEIN",
            "In Western democracies, like the United States",
            "In Western democracies, the number of ethnic minority office holders",
            "electoral responses of majority-group members to the increased representation",
        ],
    ),
]


@pytest.mark.parametrize("name, phrases", FIRST_PAGES, ids=[f[0][:24] for f in FIRST_PAGES])
def test_real_pdfs_first_page_reads_in_order(docs, name, phrases):
    doc = docs[name]
    end = doc.pages[1].start
    found = [doc.text.find(p) for p in phrases]
    assert all(0 <= at < end for at in found), list(zip(phrases, found))
    assert found == sorted(found), list(zip(phrases, found))


def test_real_pdfs_notes_after_the_columns_they_stand_under(docs):
    """On a first page the notes at a column's foot come after the page's text, not between its columns."""
    doc = docs["zonszein2024_apsr_ethnic_minority_turnout.pdf"]
    text = doc.text[: doc.pages[1].start]
    assert text.index("in the form of turnout and vote choice. Studying the") < text.index("electoral responses")
    assert text.index("electoral responses") < text.index("Corresponding author: Stephanie Zonszein")
    notes = [b for b in doc.blocks if b.kind == names.FOOTNOTE and b.start < doc.pages[1].start]
    assert [doc.text[b.start : b.start + 2] for b in notes] == ["¹ ", "² ", "³ "]
