"""Test PDFs generated with reportlab (no committed binaries).

:func:`two_column_paper` draws, line by line with the canvas, a paper whose layout is known
exactly: a full-width title, authors and abstract, then two columns with numbered sentences, a
running header and page numbers on every page, a footnote with a raised superscript marker, a word
hyphenated across a line end (and one that keeps its hyphen), a ruled table and a references list.
The awkward cases (encrypted, image-only, truncated, empty) are small functions beside it.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

W, H = A4
MARGIN, GUTTER = 56.0, 24.0
COL_W = (W - 2 * MARGIN - GUTTER) / 2
BODY, LEADING = 10.0, 13.0
HEADER = "Journal of Synthetic Tests · Vol. 7"
TITLE = "Migration Corridors and Diaspora Networks in Central Asia"
AUTHORS = "Aigerim Sato and Daniel Okafor"
REFERENCES = [
    "Brubaker, R. (2005). The 'diaspora' diaspora. Ethnic and Racial Studies, 28(1), 1-19. "
    "https://doi.org/10.1080/0141987042000289997",
    "King, C., & Melvin, N. J. (2000). Diaspora politics: Ethnic linkages, foreign policy, and security "
    "in Eurasia. International Security, 24(3), 108-138.",
]


def sentence(n: int) -> str:
    """Body sentence number ``n`` (each names itself, so reading order can be asserted)."""
    return f"Sentence number {n} describes the corridor with several plain words for the reader."


def _wrap(words: list[str], width: float, size: float = BODY, font: str = "Helvetica") -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, cur = [], ""
    for w in words:
        cand = f"{cur} {w}".strip()
        if cur and stringWidth(cand, font, size) > width:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    return lines + ([cur] if cur else [])


class _Paper:
    def __init__(self, path: Path, **enc) -> None:
        self.c = canvas.Canvas(str(path), pagesize=A4, **enc)
        self.page = 0

    def new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        self.c.setFont("Helvetica", 8)
        self.c.drawString(MARGIN, H - 30, HEADER)
        self.c.drawCentredString(W / 2, 30, str(self.page))

    def text(self, x: float, y: float, s: str, size: float = BODY, font: str = "Helvetica") -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, y, s)

    def column(self, x: float, y: float, lines: list[str], size: float = BODY) -> float:
        for line in lines:
            self.text(x, y, line, size)
            y -= LEADING
        return y - LEADING  # a blank line after the paragraph


def two_column_paper(path: Path, pages: int = 2, table: bool = True) -> Path:
    """Write the test paper to ``path``; body sentences are numbered in reading order from 1."""
    p = _Paper(path)
    p.new_page()
    c = p.c
    c.setFont("Helvetica-Bold", 18)
    c.drawCentredString(W / 2, H - 80, TITLE)
    c.setFont("Helvetica", 11)
    c.drawCentredString(W / 2, H - 102, AUTHORS)
    y = H - 130
    p.text(MARGIN, y, "Abstract", 10, "Helvetica-Bold")
    y -= LEADING
    abstract = "This abstract spans the full width of the page above the two columns of the body text below it."
    y = p.column(MARGIN, y, _wrap(abstract.split(), W - 2 * MARGIN))
    top = y
    n = 1
    for page in range(1, pages + 1):
        if page > 1:
            p.new_page()
            top = H - 64
        for col in range(2):
            x = MARGIN + col * (COL_W + GUTTER)
            y = top
            if page == 1 and col == 0:
                p.text(x, y, "1. Introduction", 11, "Helvetica-Bold")
                y -= LEADING * 1.5
                # A word hyphenated across the line end, and one whose hyphen is real (long-term, below).
                y = p.column(x, y, ["The census gives new informa-", "tion on the long-", "term movement of people."])
                p.text(x, y, "A population of 1,500,000", BODY)
                from reportlab.pdfbase.pdfmetrics import stringWidth

                w = stringWidth("A population of 1,500,000", "Helvetica", BODY)
                p.text(x + w, y + 4, "1", 6)
                p.text(x + w + 4, y, "lives abroad as a", BODY)
                y = p.column(x, y - LEADING, ["long-term diaspora."])
            for _ in range(3 if page == 1 else 4):
                y = p.column(x, y, _wrap(sentence(n).split(), COL_W))
                n += 1
            if page == 1 and col == 0:
                p.text(x, 80, "1", 5)
                p.text(x + 4, 77, "Source: national census of 2009, table 4.", 8)
        if page == pages and table:
            _table(p, 250)
    p.new_page()
    p.text(MARGIN, H - 80, "References", 11, "Helvetica-Bold")
    y = H - 80 - 1.5 * LEADING
    for ref in REFERENCES:
        lines = _wrap(ref.split(), W - 2 * MARGIN)
        for k, line in enumerate(lines):
            p.text(MARGIN + (12 if k else 0), y, line)
            y -= LEADING
        y -= LEADING / 2
    c.save()
    return path


TABLE_ROWS = [["Country", "2001", "2003"], ["China", "1,500,000", "1,296,000"], ["Mongolia", "83,000", "157,000"]]


def _table(p: _Paper, y: float) -> None:
    """A ruled table across both columns, its caption above it."""
    c = p.c
    p.text(MARGIN, y + 34, "Table 1. Kazakhs abroad by country", 9, "Helvetica-Bold")
    x0, widths, row_h = MARGIN + 60, [140, 100, 100], 18
    c.setLineWidth(0.5)
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [y + 24 - k * row_h for k in range(len(TABLE_ROWS) + 1)]
    for yy in ys:
        c.line(xs[0], yy, xs[-1], yy)
    for xx in xs:
        c.line(xx, ys[0], xx, ys[-1])
    for r, row in enumerate(TABLE_ROWS):
        for k, cell in enumerate(row):
            p.text(xs[k] + 4, ys[r] - 13, cell, 9, "Helvetica-Bold" if r == 0 else "Helvetica")


def encrypted(path: Path, user_password: str = "") -> Path:
    """A one-page paper encrypted with ``user_password`` (empty: opens without one)."""
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner-secret", strength=128)
    p = _Paper(path, encrypt=enc)
    p.new_page()
    p.text(MARGIN, H - 100, "An encrypted paper about diaspora networks.")
    p.c.save()
    return path


def image_only(path: Path) -> Path:
    """A page with a drawing and no text layer (as a scan would be)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)
    c.save()
    return path


def truncated(path: Path, tmp: Path) -> Path:
    """The test paper cut off after its first 40% of bytes."""
    data = two_column_paper(tmp).read_bytes()
    path.write_bytes(data[: int(len(data) * 0.4)])
    return path


# --- Dense journal-like pages (benchmark, streaming and unruled-table tests) -------------------------

_WORDS = (
    "diaspora network corridor migration census border policy state identity return repatriation "
    "labour remittance community language region survey household settlement kin elite regime "
    "nation minority homeland transnational mobility district province citizenship archive"
).split()
UNRULED_ROWS = [
    ["Region", "1999", "2009", "Change"],
    ["Almaty", "2,130,000", "2,041,000", "-4.2"],
    ["Karaganda", "1,410,000", "1,341,000", "-4.9"],
    ["Mangystau", "314,000", "485,000", "54.5"],
    ["Turkistan", "1,978,000", "2,469,000", "24.8"],
]


def _prose(rng, n_words: int) -> list[str]:
    words = [rng.choice(_WORDS) for _ in range(n_words)]
    words[0] = words[0].capitalize()
    for k in range(9, n_words - 1, rng.randint(9, 14)):
        words[k] += "."
        words[k + 1] = words[k + 1].capitalize()
    words[-1] += "."
    return words


def dense_paper(path: Path, pages: int = 20, table_every: int = 4, seed: int = 7) -> Path:
    """A journal-like paper: two columns of 52 lines (~5,000 characters a page), running header, page
    number, a footnote on every third page and, every ``table_every`` pages, a full-width table across
    the columns' middle: unruled (aligned columns, :data:`UNRULED_ROWS`) and ruled in turn.
    Deterministic for a given ``seed``."""
    import random

    rng = random.Random(seed)
    p = _Paper(path)
    size, leading, n_lines = 9.5, 12.5, 52
    top = H - 70
    for page in range(1, pages + 1):
        p.new_page()
        table_here = table_every and page % table_every == 0
        skip = range(20, 30) if table_here else range(0)  # lines left free for the table
        if table_here:
            y_table = top - 20 * leading
            if (page // table_every) % 2:
                p.text(
                    MARGIN,
                    y_table - 6,
                    f"Table {page // table_every}. Population by region (aligned columns)",
                    9,
                    "Helvetica-Bold",
                )
                _unruled_table(p, y_table - 28)
            else:
                p.text(
                    MARGIN, y_table - 6, f"Table {page // table_every}. Kazakhs abroad by country", 9, "Helvetica-Bold"
                )
                _table(p, y_table - 72)
        footnote = page % 3 == 0
        for col in range(2):
            x = MARGIN + col * (COL_W + GUTTER)
            lines: list[str] = []
            while len(lines) < n_lines:
                lines += _wrap(_prose(rng, rng.randint(40, 90)), COL_W, size) + [""]
            for k, line in enumerate(lines[: n_lines - (4 if footnote and col == 0 else 0)]):
                if k not in skip and line:
                    p.text(x, top - k * leading, line, size)
        if footnote:
            p.text(MARGIN, 78, "2", 5)
            p.text(MARGIN + 4, 75, "Figures from the statistical yearbook of the agency, several editions.", 7.5)
    p.c.save()
    return path


def _unruled_table(p: _Paper, y: float) -> None:
    """A table drawn with no lines: a left-aligned label column and right-aligned numeric columns."""
    x_label, rights = MARGIN + 40, [MARGIN + 230, MARGIN + 320, MARGIN + 400]
    for r, row in enumerate(UNRULED_ROWS):
        font = "Helvetica-Bold" if r == 0 else "Helvetica"
        p.text(x_label, y - r * 13, row[0], 9, font)
        for k, cell in enumerate(row[1:]):
            p.c.setFont(font, 9)
            p.c.drawRightString(rights[k], y - r * 13, cell)


def zero_pages(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.save(str(path))
    pdf.close()
    return path


COLUMN_ROWS = [
    ["Oblast", "2009", "Growth"],
    ["Almaty", "2,041", "-4.2"],
    ["Aktobe", "757", "12.0"],
    ["Atyrau", "510", "7.5"],
]


def table_page(path: Path, style: str) -> Path:
    """One dense two-column page with an unruled table drawn in one of two common ways.

    ``"column"``: a small table (:data:`COLUMN_ROWS`) inside the right column, prose above and below;
    ``"booktabs"``: :data:`UNRULED_ROWS` across both columns with only horizontal rules (top, under
    the header, bottom), as LaTeX's booktabs draws them, so no grid of ruling lines.
    """
    import random

    rng = random.Random(1)
    p = _Paper(path)
    p.new_page()
    top, leading = H - 70, 12.5
    for col in range(2):
        x = MARGIN + col * (COL_W + GUTTER)
        lines: list[str] = []
        while len(lines) < 52:
            lines += _wrap(_prose(rng, rng.randint(40, 90)), COL_W, 9.5) + [""]
        for k, line in enumerate(lines[:52]):
            free = 20 <= k < 30 and (style == "booktabs" or col == 1)
            if line and not free:
                p.text(x, top - k * leading, line, 9.5)
    y, c = top - 20 * leading - 20, p.c
    if style == "column":
        x0 = MARGIN + COL_W + GUTTER
        for r, row in enumerate(COLUMN_ROWS):
            c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 8.5)
            c.drawString(x0 + 4, y - r * 12, row[0])
            c.drawRightString(x0 + 140, y - r * 12, row[1])
            c.drawRightString(x0 + 200, y - r * 12, row[2])
    else:
        c.setLineWidth(0.8)
        for yy in (y + 12, y - 4, y - 13 * len(UNRULED_ROWS) + 8):
            c.line(MARGIN + 30, yy, MARGIN + 420, yy)
        _unruled_table(p, y)
    c.save()
    return path
