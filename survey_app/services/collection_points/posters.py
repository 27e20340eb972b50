"""Printable posters and QR image bundles for collection points, one page per live point.

Points are read from the database a hundred rows at a time and drawn as they come; the QR
code is vector art and every page stream is compressed, so a whole province (about 700
pages) stays a few megabytes in memory and on disk (docs/PERFORMANCE.md, "Posters").
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import fontpkg_be_vietnam_pro
from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import FILL_NON_ZERO
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.collation import by_name
from survey_app.collation import name_key
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Grouping
from survey_app.models import Province
from survey_app.services.collection_points.points import public_link
from survey_app.services.collection_points.qr import SIZES
from survey_app.services.collection_points.qr import outlines
from survey_app.services.collection_points.qr import qr_matrix
from survey_app.services.collection_points.qr import qr_png

#: Be Vietnam Pro was drawn for Vietnamese: every stacked diacritic (ầ, ỗ, ự...) is designed,
#: not composed, and the files are embedded (subset) in each PDF.
FONT_FILES = fontpkg_be_vietnam_pro.ROOT / "files"
REGULAR, MEDIUM, BOLD = "BeVietnamPro-Regular", "BeVietnamPro-Medium", "BeVietnamPro-Bold"
PAGE_SIZES = {"a4": A4, "a5": A5}
RED = (0x8B / 255, 0, 0)
DARK_RED = (0x5A / 255, 0, 0)
INK = (0.1, 0.1, 0.1)
GREY = (0.33, 0.33, 0.33)
CREAM = (0.99, 0.96, 0.88)


@dataclass(frozen=True)
class PosterScope:
    """Which live points to print: a province, a grouping, a commune or one point, and
    optionally one form."""

    province_id: int | None = None
    grouping_id: int | None = None
    commune_id: int | None = None
    form_code: str | None = None
    point_id: int | None = None


@dataclass(frozen=True)
class Poster:
    """Everything printed for one point."""

    province: str
    grouping: str | None
    commune_code: str
    commune: str
    form_code: str
    form_title: str
    respondents: str
    label: str | None
    link: str

    @property
    def short_link(self) -> str:
        """The link as people type it: browsers add the scheme themselves."""
        return self.link.split("://", 1)[-1]


def points_query(scope: PosterScope, visible: Select) -> Select:
    """The live points in ``scope`` among the communes ``visible`` selects, in print order."""
    query = (
        select(CollectionPoint.token, CollectionPoint.label, Commune.code, Commune.name,
               Province.division_type, Province.name, Grouping.name, Form.id, Form.code)
        .join(Commune, CollectionPoint.commune_id == Commune.id)
        .join(Province, Commune.province_id == Province.id)
        .outerjoin(Grouping, Commune.grouping_id == Grouping.id)
        .join(Form, CollectionPoint.form_id == Form.id)
        .where(CollectionPoint.retired_at.is_(None), Commune.id.in_(visible))
        .order_by(Commune.grouping_id, Commune.name, Commune.code, Form.code,
                  CollectionPoint.label, CollectionPoint.id)
    )
    if scope.province_id is not None:
        query = query.where(Commune.province_id == scope.province_id)
    if scope.grouping_id is not None:
        query = query.where(Commune.grouping_id == scope.grouping_id)
    if scope.commune_id is not None:
        query = query.where(Commune.id == scope.commune_id)
    if scope.form_code:
        query = query.where(Form.code == scope.form_code)
    if scope.point_id is not None:
        query = query.where(CollectionPoint.id == scope.point_id)
    return query


def find_posters(session: Session, scope: PosterScope, visible: Select) -> Iterator[Poster]:
    """Yield the poster of each live point in ``scope``, reading the database in batches."""
    forms = form_texts(session)
    rows = session.execute(points_query(scope, visible).execution_options(yield_per=100))
    # The database orders by code point ("Đ" after "Y"): communes in Vietnamese order here,
    # grouping by grouping (a stable sort keeps the rest of the print order).
    rows = by_name(rows, lambda row: row[3])
    rows.sort(key=lambda row: (row[6] is None, name_key(row[6])))
    for token, label, code, name, division, province, grouping, form_id, form_code in rows:
        title, respondents = forms[form_id]
        yield Poster(
            province=f"{division[:1].upper()}{division[1:]} {province}".strip(),
            grouping=grouping, commune_code=code,
            commune=name, form_code=form_code, form_title=title, respondents=respondents,
            label=label, link=public_link(token),
        )


def count_posters(session: Session, scope: PosterScope, visible: Select) -> int:
    """How many pages ``find_posters`` will yield (a job's progress counts them)."""
    return session.scalar(select(func.count()).select_from(
        points_query(scope, visible).order_by(None).subquery()))


def form_texts(session: Session) -> dict[int, tuple[str, str]]:
    """Each form's title and intended respondents, from its current published version."""
    texts = {}
    for form in session.scalars(select(Form)):
        version = form.current_version()
        if version is None:
            texts[form.id] = (form.title, "")
        else:
            texts[form.id] = (version.parsed.title, version.parsed.respondents)
    return texts


def register_fonts() -> None:
    """Make the poster fonts known to reportlab, once per process."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (REGULAR, MEDIUM, BOLD):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_FILES / f"{name}.ttf")))


def write_posters_pdf(posters: Iterable[Poster], out: BinaryIO, size: str = "a4") -> int:
    """Draw one page per poster into ``out`` as a single PDF; return the number of pages.

    A5 pages are the A4 layout scaled by 1/√2, which is exactly how A5 relates to A4.
    """
    register_fonts()
    canvas = Canvas(out, pagesize=PAGE_SIZES[size], pageCompression=1)
    with force_locale("vi"):
        # Posters are for citizens and always in Vietnamese, whatever the admin's language.
        canvas.setTitle(_("Survey QR posters"))
        canvas.setCreator(_("Friendly government survey"))
        texts = PosterTexts.current()
    pages = 0
    for poster in posters:
        if size != "a4":
            canvas.scale(PAGE_SIZES[size][0] / A4[0], PAGE_SIZES[size][0] / A4[0])
        draw_poster(canvas, poster, texts)
        canvas.showPage()
        pages += 1
    if pages:
        canvas.save()
    return pages


@dataclass(frozen=True)
class PosterTexts:
    """The fixed wording of a poster, translated once per document."""

    heading: str
    steps: tuple[str, str, str]
    type_it: str
    form: str
    for_whom: str
    footer: str

    @classmethod
    def current(cls) -> PosterTexts:
        return cls(
            heading=_("Please scan the code and give us your opinion"),
            steps=(
                _("Open the camera or Zalo on your phone and point it at the code."),
                _("Tap the link that appears to open the survey form."),
                _("Choose your answers and press Send. The form does not ask your name."),
            ),
            type_it=_("Or type this address:"),
            form=_("Form"),
            for_whom=_("For:"),
            footer=_("Friendly government survey · It takes about a minute · Thank you!"),
        )


def draw_poster(canvas: Canvas, poster: Poster, texts: PosterTexts) -> None:
    """Lay out one A4 poster: who it is for on top, the code in the middle, how-to below."""
    width, height = A4
    margin = 15 * mm
    inner = width - 2 * margin
    band = draw_band(canvas, poster, width, height, margin, inner)

    y = height - band - 12 * mm
    badge = f"{texts.form} {poster.form_code}"
    canvas.setFont(BOLD, 15)
    badge_width = canvas.stringWidth(badge, BOLD, 15) + 8 * mm
    canvas.setFillColorRGB(*RED)
    canvas.roundRect(margin, y - 3 * mm, badge_width, 10 * mm, 2 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.drawString(margin + 4 * mm, y, badge)
    if poster.respondents:
        canvas.setFillColorRGB(*GREY)
        text = f"{texts.for_whom} {poster.respondents}"
        size = fitting_size(text, MEDIUM, 14, 10, inner - badge_width - 5 * mm)
        canvas.setFont(MEDIUM, size)
        canvas.drawString(margin + badge_width + 5 * mm, y, text)

    y -= 12 * mm
    canvas.setFillColorRGB(*INK)
    y = draw_lines(canvas, simpleSplit(poster.form_title, BOLD, 17, inner)[:3], BOLD, 17,
                   margin, y, 7.5 * mm)

    y -= 4 * mm
    canvas.setFillColorRGB(*DARK_RED)
    canvas.setFont(BOLD, 19)
    canvas.drawCentredString(width / 2, y, texts.heading)

    qr_side = SIZES["a4"].qr_mm * mm
    qr_top = y - 4 * mm
    draw_qr(canvas, poster.link, (width - qr_side) / 2, qr_top - qr_side, qr_side)

    y = qr_top - qr_side - 4 * mm
    y = draw_steps(canvas, texts.steps, margin, y, inner)
    draw_link(canvas, poster, texts, margin, y - 4 * mm, inner)

    canvas.setFillColorRGB(*GREY)
    canvas.setFont(REGULAR, 10)
    canvas.drawCentredString(width / 2, 9 * mm, texts.footer)


def draw_band(canvas: Canvas, poster: Poster, width: float, height: float, margin: float,
              inner: float) -> float:
    """The red band with province and commune; return its height."""
    name_size = fitting_size(poster.commune, BOLD, 40, 26, inner)
    band = 41 * mm if poster.label is None else 49 * mm
    canvas.setFillColorRGB(*RED)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(MEDIUM, 14)
    canvas.drawString(margin, height - 13 * mm, poster.province.upper())
    canvas.setFont(BOLD, name_size)
    canvas.drawString(margin, height - 30 * mm, poster.commune)
    if poster.label is not None:
        canvas.setFont(MEDIUM, 16)
        canvas.drawString(margin, height - 41 * mm, poster.label)
    return band


def draw_qr(canvas: Canvas, link: str, x: float, y: float, side: float) -> None:
    """The code for ``link``, dark outlines filled on a white square (its quiet zone)."""
    matrix = qr_matrix(link)
    module = side / len(matrix)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for loop in outlines(matrix):
        (first_x, first_y), *rest = loop
        path.moveTo(x + first_x * module, y + side - first_y * module)
        for corner_x, corner_y in rest:
            path.lineTo(x + corner_x * module, y + side - corner_y * module)
        path.close()
    canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)


def draw_steps(canvas: Canvas, steps: tuple[str, ...], margin: float, y: float,
               inner: float) -> float:
    """The numbered how-to, on a cream panel; return the y below it."""
    size, leading = 16, 7.5 * mm
    text_x = margin + 16 * mm
    lines = [simpleSplit(step, MEDIUM, size, inner - 20 * mm) for step in steps]
    panel = sum(len(ls) for ls in lines) * leading + len(lines) * 2.5 * mm + 5 * mm
    canvas.setFillColorRGB(*CREAM)
    canvas.roundRect(margin, y - panel, inner, panel, 3 * mm, stroke=0, fill=1)
    y -= 8 * mm
    for number, step_lines in enumerate(lines, start=1):
        canvas.setFillColorRGB(*RED)
        canvas.circle(margin + 8.5 * mm, y + 1.9 * mm, 4.5 * mm, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont(BOLD, 16)
        canvas.drawCentredString(margin + 8.5 * mm, y - 0.1 * mm, str(number))
        canvas.setFillColorRGB(*INK)
        y = draw_lines(canvas, step_lines, MEDIUM, size, text_x, y, leading) - 2.5 * mm
    return y - 2.5 * mm


def draw_link(canvas: Canvas, poster: Poster, texts: PosterTexts, margin: float, y: float,
              inner: float) -> None:
    """The short link in large type, for people who cannot scan."""
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(MEDIUM, 13)
    canvas.drawCentredString(A4[0] / 2, y - 2 * mm, texts.type_it)
    size = fitting_size(poster.short_link, BOLD, 24, 12, inner)
    canvas.setFillColorRGB(*INK)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(A4[0] / 2, y - 12 * mm, poster.short_link)


def draw_lines(canvas: Canvas, lines: list[str], font: str, size: float, x: float, y: float,
               leading: float) -> float:
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawString(x, y, line)
        y -= leading
    return y


def fitting_size(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest font size, down to ``smallest``, at which ``text`` fits ``width``."""
    natural = pdfmetrics.stringWidth(text, font, largest)
    return largest if natural <= width else max(smallest, largest * width / natural)


def write_qr_zip(posters: Iterable[Poster], out: BinaryIO, size: str = "a4") -> int:
    """Write a ZIP of each point's QR code as a print-ready PNG, plus links.csv listing them.

    File names are plain ASCII (``<commune code>-<commune>/<form>[-<label>].png``) so that
    every unzip tool and every office PC shows them the same way.
    """
    rows = io.StringIO()
    table = csv.writer(rows)
    table.writerow(["province", "grouping", "commune_code", "commune", "form", "label", "link",
                    "file"])
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for poster in posters:
            name = f"{poster.commune_code}-{ascii_slug(poster.commune)}/{poster.form_code}"
            if poster.label:
                name += f"-{ascii_slug(poster.label)}"
            name += ".png"
            archive.writestr(name, qr_png(poster.link, size))
            table.writerow([poster.province, poster.grouping or "", poster.commune_code,
                            poster.commune, poster.form_code, poster.label or "", poster.link,
                            name])
            count += 1
        # With a byte-order mark, so that Excel opens the Vietnamese names correctly.
        archive.writestr("links.csv", "\ufeff" + rows.getvalue())
    return count


def ascii_slug(text: str) -> str:
    """'Xã Hợp Thịnh' -> 'xa-hop-thinh'."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    words = "".join(c if c.isalnum() else " " for c in plain if c.isascii())
    return "-".join(words.lower().split()) or "x"
