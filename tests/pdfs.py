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
