"""The chairman's decision: the approved communes recognised, and its annex as PDF and XLSX.

The annex follows the layout of an administrative document (Decree 30/2020/NĐ-CP): the issuing
body on the left and the national header on the right, the number and the place and date, the
title, the list, and the signature block. It is always in Vietnamese, whatever the reader's
language, as the posters are.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import BinaryIO

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.recognition import number_text
from analytics.rulebook import percent_text
from survey_app.clock import now_utc
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Decision
from survey_app.models import Dossier
from survey_app.models import DossierState
from survey_app.models import Grouping
from survey_app.models import User
from survey_app.services.collection_points.posters import BOLD
from survey_app.services.collection_points.posters import REGULAR
from survey_app.services.collection_points.posters import register_fonts
from survey_app.services.recognition.dossiers import RecognitionError
from survey_app.services.recognition.dossiers import may_manage
from survey_app.services.recognition.dossiers import record
from survey_app.services.recognition.dossiers import view

#: The national header: the state's name and motto, written exactly so on every document.
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class AnnexRow:
    commune: str
    division_type: str
    grouping: str
    total: Fraction
    form_rate: Fraction | None
    form_code: str | None


def approved_dossiers(session: Session, campaign: Campaign) -> list[Dossier]:
    return list(session.scalars(
        select(Dossier).join(Commune, Dossier.commune_id == Commune.id)
        .where(Dossier.campaign_id == campaign.id, Dossier.state == DossierState.approved)
        .order_by(Commune.name, Commune.code)))


def decision_of(session: Session, campaign: Campaign) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.campaign_id == campaign.id))


def issue(session: Session, campaign: Campaign, user: User, number: str, decided_on: date,
          signer_name: str, signer_title: str) -> Decision:
    """Record the decision recognising every approved dossier of the campaign.

    :raises RecognitionError: not the committee's, already issued, or nothing approved.
    """
    if not may_manage(user, campaign):
        raise RecognitionError("rec_not_allowed")
    if decision_of(session, campaign) is not None:
        raise RecognitionError("rec_decision_exists")
    dossiers = approved_dossiers(session, campaign)
    if not dossiers:
        raise RecognitionError("rec_nothing_approved")
    decision = Decision(campaign_id=campaign.id, number=number, decided_on=decided_on,
                        signer_name=signer_name, signer_title=signer_title,
                        created_by_id=user.id, created_at=now_utc())
    session.add(decision)
    session.flush()
    for dossier in dossiers:
        dossier.decision_id = decision.id
        record(session, dossier, "recognised", user, reason=number)
    session.flush()
    return decision


def annex_rows(session: Session, decision: Decision) -> list[AnnexRow]:
    groupings = dict(session.execute(select(Grouping.id, Grouping.name)).all())
    rows = []
    for dossier in session.scalars(
            select(Dossier).join(Commune, Dossier.commune_id == Commune.id)
            .where(Dossier.decision_id == decision.id).order_by(Commune.name, Commune.code)):
        seen = view(session, dossier)
        rows.append(AnnexRow(dossier.commune.name, dossier.commune.division_type,
                             groupings.get(dossier.commune.grouping_id, ""),
                             seen.assessment.total, seen.assessment.form_rate,
                             seen.rules.pass_form))
    return rows


def place_and_date(province: str, day: date) -> str:
    place = province.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    return _("%(place)s, %(day)s %(month)s %(year)s", place=place, day=f"{day.day:02d}",
             month=day.month if day.month > 2 else f"{day.month:02d}", year=day.year)


def write_annex_pdf(session: Session, decision: Decision, out: BinaryIO) -> None:
    """The annex: header, title, the list of recognised communes, signature block."""
    register_fonts()
    rows = annex_rows(session, decision)
    province = decision.campaign.province
    with force_locale("vi"):
        normal = ParagraphStyle("normal", fontName=REGULAR, fontSize=11, leading=14)
        center = ParagraphStyle("center", parent=normal, alignment=TA_CENTER)
        bold_center = ParagraphStyle("bold", parent=center, fontName=BOLD)
        title = ParagraphStyle("title", parent=bold_center, fontSize=13, leading=17)
        issuer = (_("PEOPLE'S COMMITTEE") + "<br/>"
                  + escape(f"{province.division_type} {province.name}".upper()))
        header = Table([
            [Paragraph(issuer, bold_center),
             Paragraph(f"{NATIONAL_NAME}<br/><u>{NATIONAL_MOTTO}</u>", bold_center)],
            [Paragraph(_("No.: %(number)s", number=escape(decision.number)), center),
             Paragraph("<i>" + place_and_date(province.name, decision.decided_on) + "</i>",
                       center)],
        ], colWidths=[65 * mm, 105 * mm])
        header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("TOPPADDING", (0, 1), (-1, 1), 8)]))
        form = rows[0].form_code if rows else None
        table = [[_("Row no."), _("Name of the unit"), _("District or cluster"), _("Total score"),
                  _("%(form)s satisfaction", form=form) if form else ""]]
        for n, row in enumerate(rows, start=1):
            table.append([str(n), Paragraph(escape(row.commune), normal),
                          Paragraph(escape(row.grouping), normal),
                          vietnamese(number_text(row.total)),
                          vietnamese(percent_text(row.form_rate)) + "%"
                          if row.form_rate is not None else ""])
        body = Table(table, colWidths=[12 * mm, 55 * mm, 48 * mm, 24 * mm, 31 * mm],
                     repeatRows=1)
        body.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), REGULAR, 10.5), ("FONT", (0, 0), (-1, 0), BOLD, 10.5),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (0, 0), (0, -1), "CENTER"), ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
        ]))
        signature = Table([[
            "", Paragraph(f"<b>{escape(decision.signer_title.upper())}</b><br/><br/><br/><br/>"
                          f"<b>{escape(decision.signer_name)}</b>", bold_center)]],
            colWidths=[80 * mm, 90 * mm])
        story = [
            header, Spacer(1, 10 * mm),
            Paragraph(_("LIST"), title),
            Paragraph(_("Communes recognised as meeting the friendly-government standard, "
                        "%(campaign)s", campaign=escape(decision.campaign.name)), title),
            Paragraph("<i>" + _("(Annex to Decision No. %(number)s of %(date)s of the "
                                "Chairman of the People's Committee of %(province)s)",
                                number=escape(decision.number),
                                date=decision.decided_on.strftime("%d/%m/%Y"),
                                province=escape(province.name)) + "</i>", center),
            Spacer(1, 6 * mm), body, Spacer(1, 4 * mm),
            Paragraph(_("%(n)s communes in all.", n=len(rows)), normal),
            Spacer(1, 8 * mm), signature,
        ]
        document = SimpleDocTemplate(
            out, pagesize=A4, leftMargin=25 * mm, rightMargin=15 * mm, topMargin=20 * mm,
            bottomMargin=20 * mm, title=_("Annex to Decision %(number)s",
                                          number=decision.number),
            author=_("People's Committee of %(province)s", province=province.name))
        document.build(story)


def annex_pdf(session: Session, decision: Decision) -> bytes:
    buffer = io.BytesIO()
    write_annex_pdf(session, decision, buffer)
    return buffer.getvalue()


def annex_xlsx(session: Session, decision: Decision) -> bytes:
    rows = annex_rows(session, decision)
    province = decision.campaign.province
    with force_locale("vi"):
        book = Workbook()
        sheet = book.active
        sheet.title = _("Recognised communes")[:31]
        sheet.append([NATIONAL_NAME])
        sheet.append([NATIONAL_MOTTO])
        sheet.append([_("No.: %(number)s", number=decision.number),
                      place_and_date(province.name, decision.decided_on)])
        sheet.append([_("Communes recognised as meeting the friendly-government standard, "
                        "%(campaign)s", campaign=decision.campaign.name)])
        sheet.append([])
        form = rows[0].form_code if rows else None
        sheet.append([_("Row no."), _("Name of the unit"), _("Type"), _("District or cluster"),
                      _("Total score"), _("%(form)s satisfaction (%%)", form=form or "")])
        for cell in sheet[6]:
            cell.font = Font(bold=True)
        for n, row in enumerate(rows, start=1):
            sheet.append([n, row.commune, row.division_type, row.grouping, float(row.total),
                          float(row.form_rate * 100) if row.form_rate is not None else None])
        sheet.append([])
        sheet.append(["", "", "", "", decision.signer_title, ""])
        sheet.append(["", "", "", "", decision.signer_name, ""])
        for cell in sheet[1] + sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="left")
        for column, width in zip("ABCDEF", (6, 32, 10, 28, 12, 18), strict=True):
            sheet.column_dimensions[column].width = width
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def vietnamese(number: str) -> str:
    """17,5 rather than 17.5: the decimal comma of a Vietnamese document."""
    return number.replace(".", ",")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
