"""The decision's annex: the national header and the communes' names, with their diacritics,
read back from the PDF; its first page rendered to PNG for a person to look at."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import Decision
from survey_app.models import Dossier
from survey_app.models import DossierState
from survey_app.services.recognition import decisions
from tests.fixtures.browser import ARTIFACTS

NAMES = ["Xã Hợp Thịnh", "Phường Đông Ngàn", "Xã Tam Sơn"]


def recognise_all(world) -> Decision:
    for commune in (world.meets, world.fails, world.nodata):
        db.session.add(Dossier(campaign_id=world.campaign.id, commune_id=commune.id,
                               state=DossierState.approved, survey_points=Decimal("17.5"),
                               survey_rates={"PKS07": "82.5"}, rulebook_version=0))
    db.session.flush()
    return decisions.issue(db.session, world.campaign, world.users["steering"],
                           "45/QĐ-UBND", date(2026, 12, 5), "Nguyễn Thị Bình",
                           "Chủ tịch")


def test_the_annex_pdf_reads_back_with_header_and_names(world, app):
    with app.test_request_context():
        content = decisions.annex_pdf(db.session, recognise_all(world))
    document = pdfium.PdfDocument(content)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    flat = " ".join(text.split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "45/QĐ-UBND" in flat
    assert "Nguyễn Thị Bình" in flat
    for name in NAMES:
        assert name in flat
    ARTIFACTS.mkdir(exist_ok=True)
    document[0].render(scale=1.5).to_pil().save(ARTIFACTS / "recognition-annex.png")


def test_the_annex_workbook_lists_the_same_communes(world, app):
    with app.test_request_context():
        content = decisions.annex_xlsx(db.session, recognise_all(world))
    sheet = load_workbook(io.BytesIO(content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values
    for name in NAMES:
        assert name in values
