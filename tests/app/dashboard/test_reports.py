"""The report in the official layout through the client: each scope for each role, the
refusals, the period picker, the warning of an empty period, and the PDF read back."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.services.audit import trail
from survey_app.services.results.report_document import ReportDocument
from survey_app.services.results.report_document import ReportTable
from survey_app.services.results.report_document import Section
from survey_app.services.results.report_document import report_pdf
from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.field import PASSWORD

URL = "/bang-dieu-khien/bao-cao"
NAMES = ("Xã Hợp Thịnh", "Phường Đông Ngàn", "Xã Tam Sơn")
#: Every Vietnamese letter with every tone mark, lower and upper case.
VOWELS = "aăâeêioôơuưy"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def every_letter() -> str:
    import unicodedata

    letters = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in ("", *TONES)]
    text = "".join(letters) + "đ"
    return text + text.upper()


@pytest.fixture
def as_user(results_world, login):
    return lambda name: login(name, PASSWORD)


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response


def document_of(html: str) -> str:
    """The printed document alone (the picker above it lists every commune in scope)."""
    return html.split('<article class="official"', 1)[1].split("</article>", 1)[0]


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return " ".join(text.split())


def test_the_province_report_has_the_official_layout(as_user, results_world):
    html = get(as_user("steering"), URL).get_data(as_text=True)
    doc = document_of(html)
    for words in ("UBND TỈNH BẮC NINH", "BAN CHỈ ĐẠO XÂY DỰNG CHÍNH QUYỀN THÂN THIỆN",
                  "Số:", "/BC-BCĐ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Bắc Ninh, ngày", "BÁO CÁO",
                  "Nơi nhận:", "TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN", "(Ký, ghi rõ họ tên)",
                  "Chỉ tiêu 60%", "Cụm thi đua số 1", "Cụm thi đua số 2", *NAMES):
        assert words in doc, words
    assert "trong tổng số 3 xã, có 1 xã đạt chuẩn (33,3%)" in doc
    assert "quy tắc mặc định (phiên bản 0)" in doc
    assert "Không tính: 2 phiếu bị đánh dấu nghi vấn" in doc
    assert "<svg" in doc
    assert 'role="img"' in doc
    # The headline chart, then groupings, forms, communes and method, numbered.
    assert [f"{n}. " in doc for n in ("I", "II", "III", "IV", "V")] == [True] * 5
    assert trail.head(db.session).entry_hash in doc
    assert "data-print" in html
    assert "/bang-dieu-khien/bao-cao.pdf?" in html


def test_a_grouping_report_holds_its_communes_only(as_user, results_world):
    client = as_user("steering")
    doc = document_of(get(client, f"{URL}?grouping={results_world.cluster2.id}")
                      .get_data(as_text=True))
    assert "CỤM THI ĐUA SỐ 2" in doc
    assert "/BC-CTĐ" in doc
    assert "CỤM TRƯỞNG" in doc
    assert "Xã Tam Sơn" in doc
    assert "Xã Hợp Thịnh" not in doc
    assert "Phường Đông Ngàn" not in doc


def test_a_commune_report_shows_its_forms_rates_and_status(as_user, results_world):
    doc = document_of(get(as_user("steering"), f"{URL}?commune={results_world.fails.id}")
                      .get_data(as_text=True))
    assert "ỦY BAN NHÂN DÂN PHƯỜNG ĐÔNG NGÀN" in doc
    assert "/BC-UBND" in doc
    assert "Kết quả: Chưa đạt" in doc
    assert "71,4%" in doc  # PKS01: 5 of 7
    assert "Dưới ngưỡng" in doc
    assert "Ngưỡng 80%" in doc
    assert "Xã Hợp Thịnh" not in doc


def test_a_grouping_role_reads_its_grouping_and_its_communes_only(as_user, results_world):
    client = as_user("grouping")
    doc = document_of(get(client, URL).get_data(as_text=True))
    assert "CỤM THI ĐUA SỐ 1" in doc
    assert "Xã Hợp Thịnh" in doc
    assert "Xã Tam Sơn" not in doc
    assert "Xã Hợp Thịnh" in document_of(get(
        client, f"{URL}?commune={results_world.meets.id}").get_data(as_text=True))
    get(client, f"{URL}?commune={results_world.nodata.id}", 404)
    get(client, f"{URL}?grouping={results_world.cluster2.id}", 404)
    get(client, f"{URL}.pdf?commune={results_world.nodata.id}", 404)


def test_a_commune_official_gets_their_communes_report_only(as_user, results_world):
    client = as_user("official")
    doc = document_of(get(client, URL).get_data(as_text=True))
    assert "ỦY BAN NHÂN DÂN XÃ HỢP THỊNH" in doc
    assert "Kết quả: Đạt chuẩn" in doc
    assert "Phường Đông Ngàn" not in doc
    get(client, f"{URL}?commune={results_world.fails.id}", 404)
    get(client, f"{URL}.pdf?commune={results_world.fails.id}", 404)
    assert "Xã Hợp Thịnh" in pdf_text(get(client, f"{URL}.pdf").data)


def test_coordinators_read_the_province_and_others_are_refused(as_user, results_world,
                                                                client):
    assert "Xã Tam Sơn" in document_of(get(as_user("coordinator"), URL).get_data(
        as_text=True))
    get(as_user("surveyor"), URL, 403)
    get(as_user("surveyor"), f"{URL}.pdf", 403)
    foreign = as_user("foreign")
    get(foreign, f"{URL}?campaign={results_world.campaign.id}", 404)
    get(foreign, f"{URL}.pdf?campaign={results_world.campaign.id}", 404)
    get(foreign, f"{URL}?commune={results_world.meets.id}", 404)


def test_anonymous_visitors_are_sent_to_sign_in(client, results_world):
    for url in (URL, f"{URL}.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/dang-nhap" in response.headers["Location"]


def test_the_picker_offers_the_campaigns_periods(as_user, results_world):
    client = as_user("steering")
    html = get(client, URL).get_data(as_text=True)
    today = today_in_vietnam()
    assert '<option value="campaign" selected>' in html
    assert f'value="h{1 if today.month <= 6 else 2}-{today.year}"' in html
    assert f'value="q{(today.month - 1) // 3 + 1}-{today.year}"' in html
    assert 'value="custom"' in html
    get(client, f"{URL}?period=q1-1999", 404)
    get(client, f"{URL}?period=bogus", 404)
    get(client, f"{URL}?kind=monthly", 404)
    get(client, f"{URL}?period=custom&from=2026-13-01", 404)


def test_dates_outside_the_campaign_are_moved_in_and_said_so(as_user, results_world):
    html = get(as_user("steering"), f"{URL}?period=custom&from=2000-01-01&to=2199-12-31"
               ).get_data(as_text=True)
    assert "nằm ngoài thời gian đợt khảo sát" in html
    start = today_in_vietnam() - timedelta(days=30)
    assert f'name="from" value="{start.isoformat()}"' in html
    assert f'name="to" value="{today_in_vietnam().isoformat()}"' in html


def test_an_empty_period_is_a_warning_not_a_bare_zero(as_user, results_world):
    yesterday = (today_in_vietnam() - timedelta(days=1)).isoformat()
    client = as_user("steering")
    html = get(client, f"{URL}?period=custom&to={yesterday}").get_data(as_text=True)
    doc = document_of(html)
    assert "CẢNH BÁO: đến hết ngày" in doc
    assert "chưa có phiếu khảo sát nào" in doc
    assert "có 0 xã đạt chuẩn" not in doc
    # The warning comes before the title and the figures.
    assert doc.index("CẢNH BÁO") < doc.index("BÁO CÁO<br>") < doc.index("I. ")
    text = pdf_text(get(client, f"{URL}.pdf?period=custom&to={yesterday}").data)
    assert text.index("CẢNH BÁO") < text.index("Kết quả khảo sát sự hài lòng")


def test_the_older_links_still_open_a_report(as_user, results_world):
    client = as_user("steering")
    for url in (f"{URL}?kind=year", f"{URL}?kind=six_month", f"{URL}?until=2100-06-30"):
        assert "BÁO CÁO" in get(client, url).get_data(as_text=True)


def test_number_signer_and_recipients_come_from_the_form(as_user, results_world):
    client = as_user("steering")
    query = ("?number=15/BC-BCĐ&signer_title=Phó Trưởng ban thường trực"
             "&signer_name=Nguyễn Thị Hồng Nhung&recipients=Ban Dân vận Tỉnh ủy;%0ALưu: VT.")
    doc = document_of(get(client, URL + query).get_data(as_text=True))
    for words in ("Số: 15/BC-BCĐ", "PHÓ TRƯỞNG BAN THƯỜNG TRỰC", "Nguyễn Thị Hồng Nhung",
                  "- Ban Dân vận Tỉnh ủy;", "- Lưu: VT."):
        assert words in doc, words
    assert "Thường trực Tỉnh ủy" not in doc
    too_long = get(client, f"{URL}?number={'9' * 41}").get_data(as_text=True)
    assert "Số báo cáo dài quá 40 ký tự nên không được in." in too_long


def test_the_pdf_reads_back_and_is_in_the_audit_trail(as_user, results_world):
    client = as_user("steering")
    response = get(client, f"{URL}.pdf?number=15/BC-BCĐ&signer_name=Trần Văn Ấn"
                   f"&grouping={results_world.cluster1.id}")
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "BÁO CÁO", "Số: 15/BC-BCĐ", "Trần Văn Ấn", "Nơi nhận:",
                  "(Ký, ghi rõ họ tên)", "Chỉ tiêu 60%", "Xã Hợp Thịnh", "Phường Đông Ngàn",
                  "Cụm thi đua số 1"):
        assert words in text, words
    assert "Xã Tam Sơn" not in text
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    details = trail.details_of(entry)
    assert entry.action == "export_downloaded"
    assert entry.actor_name == "steering"
    assert (details["export"], details["scope"], details["unit"], details["period"],
            details["number"]) == ("report_pdf", "grouping", results_world.cluster1.id,
                                   "campaign", "15/BC-BCĐ")
    ARTIFACTS.mkdir(exist_ok=True)
    pdfium.PdfDocument(response.data)[0].render(scale=1.5).to_pil().save(
        ARTIFACTS / "report-grouping-pdf.png")


def test_the_printed_page_is_not_logged_as_a_download(as_user, results_world):
    client = as_user("steering")
    before = trail.head(db.session).seq
    get(client, URL)
    assert trail.head(db.session).seq == before


def test_every_vietnamese_letter_survives_the_pdf(app):
    letters = every_letter()
    document = ReportDocument(
        issuer_above="UBND TỈNH BẮC NINH", issuer=letters, number="Số: 1/BC-BCĐ",
        place_date="Bắc Ninh, ngày 01 tháng 7 năm 2026", title="BÁO CÁO", subtitle=letters,
        scope_line="Toàn tỉnh", warnings=(letters,),
        sections=(Section("I. Chữ", (letters,)),), recipients=("Nơi nhận:", letters),
        signer_for="", signer_title="TRƯỞNG BAN", signer_hint="(Ký, ghi rõ họ tên)",
        signer_name=letters)
    text = pdf_text(report_pdf(document, "Thử", "Thử")).replace(" ", "")
    assert text.count(letters) >= 5


def test_a_long_table_breaks_across_pages_with_its_header(app):
    rows = tuple((str(n), f"Xã Thử Nghiệm {n}", "Cụm thi đua số 1", "Chưa đủ dữ liệu", "—")
                 for n in range(1, 121))
    table = ReportTable(("STT", "Tên xã", "Cụm", "Kết quả", "Lý do"), rows,
                        (0.07, 0.25, 0.2, 0.16, 0.32), frozenset({0}))
    document = ReportDocument(
        issuer_above="UBND TỈNH BẮC NINH", issuer="BAN CHỈ ĐẠO", number="Số: 1/BC-BCĐ",
        place_date="Bắc Ninh", title="BÁO CÁO", subtitle="Danh sách", scope_line="",
        warnings=(), sections=(Section("IV. Danh sách xã", table=table),),
        recipients=("Nơi nhận:",), signer_for="", signer_title="TRƯỞNG BAN",
        signer_hint="(Ký, ghi rõ họ tên)", signer_name="")
    pdf = pdfium.PdfDocument(report_pdf(document, "Thử", "Thử"))
    assert len(pdf) >= 3
    pages = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    assert all("STT Tên xã Cụm Kết quả Lý do" in page for page in pages[:-1])
    assert "Xã Thử Nghiệm 120" in " ".join(pages)
    # Decree 30: page numbers from the second page on.
    assert pages[1].startswith("2 ")


def test_a_commune_page_links_to_its_report(as_user, results_world):
    commune = results_world.meets
    html = get(as_user("official"), f"/bang-dieu-khien/xa/{commune.id}").get_data(as_text=True)
    assert "Báo cáo của xã" in html
    assert f"bao-cao?campaign={results_world.campaign.id}&amp;commune={commune.id}" in html
