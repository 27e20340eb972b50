"""A report in the official layout as plain data, and that data drawn as a PDF.

The dashboard builds one ``ReportDocument`` (every word already in Vietnamese); the print page
and the PDF both draw it, so what is printed and what is downloaded say the same thing. The
layout is that of an administrative document (Decree 30/2020/NĐ-CP, annex I): the issuing
body top left with the number under it, the national name and motto top right with the place
and date under them, the title, the body, then "Nơi nhận" and the signature block; page
numbers from the second page on, at the top. The headline chart is drawn with reportlab's own
shapes, not through a browser.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import Line
from reportlab.graphics.shapes import Rect
from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Flowable
from reportlab.platypus import KeepTogether
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle

from survey_app.services.collection_points.posters import BOLD
from survey_app.services.collection_points.posters import FONT_FILES
from survey_app.services.collection_points.posters import REGULAR
from survey_app.services.collection_points.posters import register_fonts
from survey_app.services.recognition.decisions import NATIONAL_MOTTO
from survey_app.services.recognition.decisions import NATIONAL_NAME

__all__ = ["NATIONAL_MOTTO", "NATIONAL_NAME"]


@dataclass(frozen=True)
class Bar:
    label: str
    #: 0..1, None when there is nothing to divide (drawn as an empty bar marked "—").
    value: float | None
    #: Where this bar's target or threshold lies, 0..1.
    mark: float
    text: str
    #: Reaches its mark (green), falls short (red), or cannot be judged (grey: None).
    reached: bool | None


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    #: "Chỉ tiêu 60%": written once at the top of the line when every bar has the same mark.
    mark_label: str
    caption: str


@dataclass(frozen=True)
class ReportTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Share of the text width of each column (adds up to 1).
    widths: tuple[float, ...]
    #: Columns holding numbers: right-aligned.
    numeric: frozenset[int] = frozenset()
    total: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    chart: BarChart | None = None
    table: ReportTable | None = None
    #: Text under the table (what its columns mean).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportDocument:
    #: The body above the issuer ("UBND TỈNH BẮC NINH"), then the issuer itself.
    issuer_above: str
    issuer: str
    number: str
    place_date: str
    title: str
    subtitle: str
    scope_line: str
    warnings: tuple[str, ...]
    sections: tuple[Section, ...]
    recipients: tuple[str, ...]
    signer_for: str
    signer_title: str
    signer_hint: str
    signer_name: str
    footnotes: tuple[str, ...] = field(default=())
    national_name: str = NATIONAL_NAME
    national_motto: str = NATIONAL_MOTTO


ITALIC, BOLD_ITALIC = "BeVietnamPro-Italic", "BeVietnamPro-BoldItalic"


def register_report_fonts() -> None:
    """The poster fonts and their italics, as one family, so that <b> and <i> pick them."""
    register_fonts()
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (ITALIC, BOLD_ITALIC):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_FILES / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                  boldItalic=BOLD_ITALIC)


def nfc(text: str) -> str:
    """Precomposed letters: the font has a designed glyph for each (ắ, ộ, ự...), and a text
    typed with combining marks would otherwise stack them by guesswork."""
    return unicodedata.normalize("NFC", text)


def markup(text: str) -> str:
    return escape(nfc(text))


# Sizes follow Decree 30's annex I: 12-13 pt headers, 13-14 pt body (12 here, so that the
# tables fit), 14 pt title.
TEXT_WIDTH = A4[0] - 45 * mm
STYLES = {
    "normal": ParagraphStyle("normal", fontName=REGULAR, fontSize=12, leading=16,
                             alignment=TA_JUSTIFY, spaceAfter=4, firstLineIndent=8 * mm),
    "center": ParagraphStyle("center", fontName=REGULAR, fontSize=12, leading=15,
                             alignment=TA_CENTER),
    "bold_center": ParagraphStyle("bold_center", fontName=BOLD, fontSize=12, leading=15,
                                  alignment=TA_CENTER),
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=14, leading=18,
                            alignment=TA_CENTER),
    "subtitle": ParagraphStyle("subtitle", fontName=BOLD, fontSize=13, leading=17,
                               alignment=TA_CENTER),
    "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=12.5, leading=16,
                              spaceBefore=8, spaceAfter=4),
    "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=9.5, leading=12),
    "cell_head": ParagraphStyle("cell_head", fontName=BOLD, fontSize=9, leading=11.5,
                                alignment=TA_CENTER),
    "cell_num": ParagraphStyle("cell_num", fontName=REGULAR, fontSize=9.5, leading=12,
                               alignment=2),
    "warning": ParagraphStyle("warning", fontName=BOLD, fontSize=11.5, leading=15,
                              textColor=colors.HexColor("#8b0000")),
    "small": ParagraphStyle("small", fontName=REGULAR, fontSize=9, leading=12,
                            textColor=colors.HexColor("#444444")),
    "recipients": ParagraphStyle("recipients", fontName=REGULAR, fontSize=11, leading=13),
}
GREEN, RED, GREY = colors.HexColor("#2e7d32"), colors.HexColor("#c62828"), colors.HexColor(
    "#9e9e9e")


def header(document: ReportDocument) -> Table:
    s = STYLES
    left = [Paragraph(markup(document.issuer_above), s["center"]),
            Paragraph(markup(document.issuer), s["bold_center"]), Underline(22 * mm),
            Paragraph(markup(document.number), s["center"])]
    right = [Paragraph(markup(document.national_name), s["bold_center"]),
             Paragraph(markup(document.national_motto), ParagraphStyle(
                 "motto", parent=s["bold_center"], fontSize=13, leading=16)),
             Underline(stringWidth(document.national_motto, BOLD, 13)),
             Paragraph("<i>" + markup(document.place_date) + "</i>", s["center"])]
    table = Table([[left, right]], colWidths=[68 * mm, TEXT_WIDTH - 68 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


class Underline(Flowable):
    """The short rule under the issuer and the title, and the one under the motto as long as
    the motto (Decree 30), centred in whatever width it is given."""

    def __init__(self, length: float) -> None:
        super().__init__()
        self.length = length

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 5

    def draw(self) -> None:
        start = (self.width - self.length) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(start, 3, start + self.length, 3)


def chart_drawing(chart: BarChart) -> Drawing:
    """Horizontal bars, 0-100%, with each bar's target marked by a red line."""
    label_width, right = 52 * mm, 16 * mm
    plot = TEXT_WIDTH - label_width - right
    row, top, bottom = 16, 18, 16
    height = top + bottom + row * len(chart.bars)
    drawing = Drawing(TEXT_WIDTH, height)
    x0 = label_width
    for tick in range(0, 101, 20):
        x = x0 + plot * tick / 100
        drawing.add(Line(x, bottom, x, height - top, strokeColor=colors.HexColor("#dddddd"),
                         strokeWidth=0.5))
        drawing.add(String(x, bottom - 11, f"{tick}%", fontName=REGULAR, fontSize=8,
                           textAnchor="middle"))
    for index, bar in enumerate(chart.bars):
        y = height - top - row * (index + 1) + 3
        label = nfc(bar.label)
        while stringWidth(label, REGULAR, 9) > label_width - 6 and len(label) > 4:
            label = label[:-2] + "…"
        drawing.add(String(x0 - 4, y + 3, label, fontName=REGULAR, fontSize=9,
                           textAnchor="end"))
        drawing.add(Rect(x0, y, plot, row - 6, fillColor=colors.HexColor("#f3f3f3"),
                         strokeColor=None))
        if bar.value is not None:
            colour = GREY if bar.reached is None else GREEN if bar.reached else RED
            drawing.add(Rect(x0, y, plot * min(max(bar.value, 0), 1), row - 6,
                             fillColor=colour, strokeColor=None))
        drawing.add(String(x0 + plot + 3, y + 3, nfc(bar.text), fontName=BOLD, fontSize=9))
        mark = x0 + plot * bar.mark
        drawing.add(Line(mark, y - 2, mark, y + row - 4, strokeColor=colors.HexColor("#8b0000"),
                         strokeWidth=1.6))
    marks = {bar.mark for bar in chart.bars}
    if len(marks) == 1 and chart.bars:
        mark = x0 + plot * marks.pop()
        drawing.add(Line(mark, bottom, mark, height - top + 2,
                         strokeColor=colors.HexColor("#8b0000"), strokeWidth=1,
                         strokeDashArray=[3, 2]))
        drawing.add(String(mark, height - top + 5, nfc(chart.mark_label), fontName=BOLD,
                           fontSize=8.5, textAnchor="middle",
                           fillColor=colors.HexColor("#8b0000")))
    return drawing


def table_flowable(table: ReportTable) -> Table:
    s = STYLES

    def cells(values: tuple[str, ...], bold: bool = False) -> list:
        out = []
        for column, value in enumerate(values):
            style = s["cell_num"] if column in table.numeric else s["cell"]
            text = markup(value)
            out.append(Paragraph(f"<b>{text}</b>" if bold else text, style))
        return out

    data = [[Paragraph(markup(h), s["cell_head"]) for h in table.headers]]
    data += [cells(row) for row in table.rows]
    if table.total is not None:
        data.append(cells(table.total, bold=True))
    flowable = Table(data, colWidths=[TEXT_WIDTH * w for w in table.widths], repeatRows=1)
    flowable.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return flowable


def warning_box(warnings: tuple[str, ...]) -> Table:
    paragraphs = [Paragraph(markup(w), STYLES["warning"]) for w in warnings]
    box = Table([[paragraphs]], colWidths=[TEXT_WIDTH])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor("#8b0000")),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff4d6")),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return box


def closing(document: ReportDocument) -> Table:
    """"Nơi nhận" on the left, the signature block on the right."""
    s = STYLES
    recipients = [Paragraph("<b><i>" + markup(line) + "</i></b>" if not n else
                            markup(line), s["recipients"] if n else ParagraphStyle(
                                "to", parent=s["recipients"], fontSize=12))
                  for n, line in enumerate(document.recipients)]
    signer = []
    if document.signer_for:
        signer.append(Paragraph(markup(document.signer_for), s["bold_center"]))
    signer += [Paragraph(markup(document.signer_title), s["bold_center"]),
               Paragraph("<i>" + markup(document.signer_hint) + "</i>", s["center"]),
               Spacer(1, 20 * mm),
               Paragraph(markup(document.signer_name), s["bold_center"])]
    table = Table([[recipients, signer]], colWidths=[TEXT_WIDTH * 0.45, TEXT_WIDTH * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def story(document: ReportDocument) -> list:
    s = STYLES
    parts: list = [header(document), Spacer(1, 8 * mm)]
    if document.warnings:
        parts += [warning_box(document.warnings), Spacer(1, 5 * mm)]
    parts += [Paragraph(markup(document.title), s["title"]),
              Paragraph(markup(document.subtitle), s["subtitle"]),
              Paragraph(markup(document.scope_line), s["center"]), Underline(40 * mm),
              Spacer(1, 5 * mm)]
    for section in document.sections:
        parts.append(CondPageBreak(40 * mm))
        parts.append(Paragraph(markup(section.heading), s["heading"]))
        parts += [Paragraph(markup(text), s["normal"]) for text in section.paragraphs]
        if section.chart is not None and section.chart.bars:
            parts.append(KeepTogether([
                Paragraph("<b>" + markup(section.chart.title) + "</b>", s["center"]),
                chart_drawing(section.chart),
                Paragraph("<i>" + markup(section.chart.caption) + "</i>", s["small"])]))
        if section.table is not None:
            parts.append(table_flowable(section.table))
        parts += [Paragraph(markup(text), s["small"]) for text in section.notes]
    parts += [Spacer(1, 6 * mm), KeepTogether([closing(document)]), Spacer(1, 6 * mm)]
    parts += [Paragraph(markup(text), s["small"]) for text in document.footnotes]
    return parts


def page_number(canvas, document) -> None:
    """Decree 30: from the second page on, the page number at the top, centred."""
    canvas.saveState()
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(A4[0] / 2 + 7.5 * mm, A4[1] - 12 * mm, str(document.page))
    canvas.restoreState()


def report_pdf(document: ReportDocument, title: str, author: str) -> bytes:
    """The report as an A4 PDF with Be Vietnam Pro embedded."""
    register_report_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
        bottomMargin=20 * mm, title=nfc(title), author=nfc(author),
        creator="Khảo sát chính quyền thân thiện")
    template.build(story(document), onLaterPages=page_number)
    return buffer.getvalue()
