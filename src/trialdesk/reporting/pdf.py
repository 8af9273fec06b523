"""A report (reporting.reports.Report) as PDF with reportlab, the project's PDF library, its charts drawn
offline by vl-convert from the same Vega-Lite specifications the page embeds (core.charts.to_jpeg).

Every page has the report's title, when and for whom it was generated (UTC) and "Page n of m". The PDF is
written without page compression, so its text can be checked and searched (tests, the leak test).
"""

import io
import os
from concurrent.futures import ThreadPoolExecutor
from xml.sax.saxutils import escape

from django.utils.translation import gettext
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trialdesk.core import charts
from trialdesk.core.extensions import ReportTable
from trialdesk.core.pdf_fonts import CJK_FONT, font_for_language
from trialdesk.reporting.reports import Report

MARGIN = 16 * mm
# Charts are drawn at 1.5 times their CSS pixels (144 dpi as printed): sharp enough, and each chart's
# raster is about half the cost of 2x.
SCALE = 1.5
TEXT_WIDTH = A4[0] - 2 * MARGIN
STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9, leading=11.5, alignment=TA_LEFT)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7.5, leading=9)
HEAD_CELL = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, textColor=colors.HexColor("#4b5563"))
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=16, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=12, spaceBefore=10, spaceAfter=4)
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


# Japanese lines are broken between any two characters (core.pdf_fonts gives the font).
_CJK_STYLES: dict[str, ParagraphStyle] = {}


def _localized(style: ParagraphStyle) -> ParagraphStyle:
    if font_for_language(style.fontName) == style.fontName:
        return style
    if style.name not in _CJK_STYLES:
        _CJK_STYLES[style.name] = ParagraphStyle(
            f"{style.name}-cjk", parent=style, fontName=CJK_FONT, wordWrap="CJK"
        )
    return _CJK_STYLES[style.name]


def _text(value: str, style=BODY) -> Paragraph:
    return Paragraph(escape(str(value)), _localized(style))


def _cell(value, style: ParagraphStyle, width: float):
    """A table cell: its text as it is where it fits on one line (reportlab draws a string in a fraction of
    a paragraph's time, and a report's tables have hundreds of cells), else a paragraph that wraps."""
    text, style = str(value), _localized(style)
    padding = 2 * 3 + 1  # LEFTPADDING + RIGHTPADDING, and a point to spare
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) + padding <= width:
        return text
    return Paragraph(escape(text), style)


def _grid(rows: list[list], widths: list[float], *, bold_first: bool, **options) -> Table:
    """A table whose cells are texts: the head row (or, with `bold_first` off, the second column) bold."""
    cells = [
        [
            _cell(value, HEAD_CELL if (bold_first and r == 0) or (not bold_first and c == 1) else CELL, w)
            for c, (value, w) in enumerate(zip(row, widths, strict=True))
        ]
        for r, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=widths, **options)
    table.setStyle(GRID)
    bold = ((0, 0), (-1, 0)) if bold_first else ((1, 0), (1, -1))
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font_for_language(CELL.fontName), CELL.fontSize, CELL.leading),
                ("FONT", *bold, font_for_language(HEAD_CELL.fontName), HEAD_CELL.fontSize, HEAD_CELL.leading),
            ]
        )
    )
    return table


def _figures(figures) -> Table:
    return _grid([list(pair) for pair in figures], [TEXT_WIDTH * 0.55, TEXT_WIDTH * 0.45], bold_first=False)


CHAR_WIDTH = 4.4  # points per character of CELL text, roughly
SHORT = 16  # a column whose texts are at most this long keeps its natural width


def _widths(table: ReportTable) -> list[float]:
    """Short columns (codes, dates, counts) as wide as their text; the long ones share what is left in
    proportion to their longest text, so that no word is broken."""
    longest = [
        max(len(heading.split()[0]) if heading else 1, *(len(str(row[i])) for row in table.rows), 1)
        for i, heading in enumerate(table.headings)
    ]
    natural = [n * CHAR_WIDTH + 8 for n in longest]
    if sum(natural) <= TEXT_WIDTH or all(n <= SHORT for n in longest):
        return [width * TEXT_WIDTH / sum(natural) for width in natural]
    short = [n <= SHORT for n in longest]
    left = TEXT_WIDTH - sum(w for w, is_short in zip(natural, short, strict=True) if is_short)
    shared = sum(min(n, 60) for n, is_short in zip(longest, short, strict=True) if not is_short)
    return [
        w if is_short else left * min(n, 60) / shared
        for w, n, is_short in zip(natural, longest, short, strict=True)
    ]


def _table(table: ReportTable) -> Table:
    rows = [list(table.headings), *(list(row) for row in table.rows)]
    return _grid(rows, _widths(table), bold_first=True, repeatRows=1)


def _pictures(report: Report) -> list[bytes]:
    """Every chart of the report as JPEG, drawn side by side: vl-convert draws outside Python's lock, and
    drawing is most of a report's time."""
    specs = report.charts
    if len(specs) < 2:
        return [charts.to_jpeg(spec, scale=SCALE) for spec in specs]
    with ThreadPoolExecutor(max_workers=min(len(specs), os.cpu_count() or 1, 4)) as pool:
        return list(pool.map(lambda spec: charts.to_jpeg(spec, scale=SCALE), specs))


def _chart(picture: bytes) -> Image:
    width, height = PILImage.open(io.BytesIO(picture)).size
    shown_width = min(TEXT_WIDTH, width / SCALE * 0.75)  # a CSS px is 0.75 pt
    return Image(io.BytesIO(picture), width=shown_width, height=shown_width * height / width)


def _story(report: Report) -> list:
    pictures = iter(_pictures(report))
    story = [
        _text(report.title, H1),
        _text(report.subtitle),
        Spacer(1, 2 * mm),
        _text(f"{report.generated_line} · {report.generated_for_line}", SMALL),
        _text(
            gettext(
                "Figures as of %(on)s (UTC day; a site's dates are its local days). "
                "Only what this reader may see is included."
            )
            % {"on": report.as_of.isoformat()},
            SMALL,
        ),
    ]
    for section in report.sections:
        block = section.block
        head = [_text(section.title, H2)]
        if block.summary:
            head.append(_text(block.summary))
        story.append(KeepTogether(head))
        if block.figures:
            story += [Spacer(1, 2 * mm), _figures(block.figures)]
        for _ in block.charts:
            story += [Spacer(1, 3 * mm), _chart(next(pictures))]
        for table in block.tables:
            story += [Spacer(1, 3 * mm), _table(table)]
    return story


class _NumberedCanvas(canvas.Canvas):
    """Draws "Page n of m" and the generated lines once every page is known (a second pass)."""

    report: Report

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._footer(number, len(self._pages))
            super().showPage()
        super().save()

    def _footer(self, number: int, total: int) -> None:
        self.setFont(font_for_language("Helvetica"), 7.5)
        self.setFillColor(colors.HexColor("#4b5563"))
        self.drawString(
            MARGIN,
            9 * mm,
            f"{self.report.title} · {self.report.generated_line} · {self.report.generated_for_line}",
        )
        self.drawRightString(
            A4[0] - MARGIN,
            9 * mm,
            gettext("Page %(number)s of %(total)s") % {"number": number, "total": total},
        )


def report_pdf(report: Report) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=report.title,
        author="Trialdesk",
        subject=report.generated_for_line,
        pageCompression=0,
    )
    numbered = type("ReportCanvas", (_NumberedCanvas,), {"report": report})
    # Images as binary streams: reportlab's pure-Python ASCII85 encoding of the charts took longer than
    # the rest of the layout. Text stays uncompressed (pageCompression=0).
    ascii85, rl_config.useA85 = rl_config.useA85, 0
    try:
        document.build(_story(report), canvasmaker=numbered)
    finally:
        rl_config.useA85 = ascii85
    return buffer.getvalue()
