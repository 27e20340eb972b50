"""The collection-point pages: codes that scan to the right form, who may see which commune,
and what creating, rotating and retiring a point does to the links already printed."""

from __future__ import annotations

import io
import re
import zipfile

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import CollectionPoint
from survey_app.models import Province
from survey_app.models import RetiredToken
from survey_app.models import Role
from survey_app.models.collection_points import TOKEN_LENGTH
from survey_app.services.intake.store import store_response
from tests.fixtures.jobs import ask_job

POSTERS_JOB = "/quan-tri/ma-qr/chuan-bi"

CODES = [f"PKS0{n}" for n in range(1, 8)]




@pytest.fixture
def home(create_commune, groupings, open_campaign):
    return create_commune("Xã Hợp Thịnh", groupings[0])


@pytest.fixture
def neighbour(create_commune, groupings):
    return create_commune("Xã Đồng Kỳ", groupings[1])


@pytest.fixture
def points(home, neighbour, create_point) -> dict[tuple[str, str], CollectionPoint]:
    return {(c.name, code): create_point(c, code) for c in (home, neighbour) for code in CODES}


def sign_in(client, create_user, role: Role, **scope):
    create_user(role.value, role, **scope)
    reply = client.post("/dang-nhap", data={"username": role.value,
                                            "password": "correct horse battery"})
    assert reply.status_code in (302, 303)
    return client


@pytest.fixture
def admin(client, create_user):
    return sign_in(client, create_user, Role.admin)


@pytest.fixture
def official(client, create_user, home):
    return sign_in(client, create_user, Role.commune_official, commune_id=home.id)


def decode_png(data: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    return result.text


def test_png_code_scans_to_the_right_form_of_the_right_commune(admin, points):
    point = points[("Xã Hợp Thịnh", "PKS05")]
    image = admin.get(f"/quan-tri/ma-qr/diem/{point.id}.png")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    link = decode_png(image.data)
    assert link == f"http://localhost/f/{point.token}"
    form = admin.get(link)
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert "Xã Hợp Thịnh" in html
    assert "công chức làm việc tại bộ phận một cửa" in html
    assert "Xã Đồng Kỳ" not in html


def test_a5_png_scans_too_and_svg_is_served(admin, points):
    point = points[("Xã Đồng Kỳ", "PKS07")]
    assert decode_png(admin.get(f"/quan-tri/ma-qr/diem/{point.id}.png?size=a5").data).endswith(
        point.token)
    svg = admin.get(f"/quan-tri/ma-qr/diem/{point.id}.svg?download=1")
    assert svg.mimetype == "image/svg+xml"
    assert "attachment" in svg.headers["Content-Disposition"]
    assert b'width="120mm"' in svg.data


@pytest.mark.parametrize("token", ["zzzzzzzzzz", "k7m2x9qp4t", "../../etc", "x" * 80])
def test_made_up_token_is_404(client, points, token):
    assert client.get(f"/f/{token}").status_code == 404


def test_tampered_token_is_404(client, points):
    token = points[("Xã Hợp Thịnh", "PKS05")].token
    tampered = token[:-1] + ("2" if token[-1] != "2" else "3")
    assert client.get(f"/f/{tampered}").status_code == 404


def test_token_typed_from_a_poster_in_capitals_with_dashes_opens_the_form(client, points):
    point = points[("Xã Hợp Thịnh", "PKS02")]
    typed = f"{point.token[:4]}-{point.token[4:]}".upper()
    reply = client.get(f"/f/{typed}")
    assert reply.status_code == 200
    assert "Xã Hợp Thịnh" in reply.get_data(as_text=True)
    db.session.refresh(point)
    assert point.scan_count == 1


def test_admin_opens_a_point_with_a_label_and_a_short_token(admin, home, published_forms):
    reply = admin.post(f"/quan-tri/ma-qr/xa/{home.id}/them",
                       data={"form_code": "PKS04", "label": " Quầy số 2 "})
    assert reply.status_code == 302
    point = db.session.scalar(select(CollectionPoint))
    assert (point.commune_id, point.form.code, point.label) == (home.id, "PKS04", "Quầy số 2")
    assert len(point.token) == TOKEN_LENGTH
    page = admin.get(reply.headers["Location"]).get_data(as_text=True)
    assert f"localhost/f/{point.token}" in page
    assert "Quầy số 2" in page


def test_a_second_live_point_with_the_same_form_and_label_is_refused(admin, points, home):
    reply = admin.post(f"/quan-tri/ma-qr/xa/{home.id}/them", data={"form_code": "PKS05"},
                       follow_redirects=True)
    assert reply.status_code == 200
    assert "Xã Hợp Thịnh" in reply.get_data(as_text=True)
    count = db.session.scalar(select(func.count()).select_from(CollectionPoint))
    assert count == 14
    labelled = admin.post(f"/quan-tri/ma-qr/xa/{home.id}/them",
                          data={"form_code": "PKS05", "label": "Quầy 2"})
    assert labelled.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CollectionPoint)) == 15


def test_rotating_sends_the_old_poster_to_the_explained_page(admin, client, points):
    point = points[("Xã Hợp Thịnh", "PKS05")]
    old = point.token
    assert admin.post(f"/quan-tri/ma-qr/diem/{point.id}/doi-ma").status_code == 302
    db.session.refresh(point)
    assert point.token != old
    assert db.session.get(RetiredToken, old).point_id == point.id
    stale = client.get(f"/f/{old}")
    assert stale.status_code == 410
    assert "Xã Hợp Thịnh" in stale.get_data(as_text=True)
    assert client.get(f"/f/{point.token}").status_code == 200
    assert decode_png(admin.get(f"/quan-tri/ma-qr/diem/{point.id}.png").data).endswith(
        point.token)


def test_changes_need_the_pages_csrf_token(app, admin, points):
    app.config["WTF_CSRF_ENABLED"] = True
    point = points[("Xã Hợp Thịnh", "PKS05")]
    page = admin.get(f"/quan-tri/ma-qr/xa/{point.commune_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert admin.post(f"/quan-tri/ma-qr/diem/{point.id}/doi-ma").status_code == 400
    assert admin.post(f"/quan-tri/ma-qr/diem/{point.id}/doi-ma",
                      data={"csrf_token": token}).status_code == 302
    assert admin.post(f"/quan-tri/ma-qr/xa/{point.commune_id}/them",
                      data={"csrf_token": token, "form_code": "PKS05", "label": "Quầy 2"}
                      ).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CollectionPoint)) == 15


def test_retiring_closes_the_link_with_410_and_stops_printing(admin, client, points):
    point = points[("Xã Hợp Thịnh", "PKS03")]
    assert admin.post(f"/quan-tri/ma-qr/diem/{point.id}/ngung").status_code == 302
    assert client.get(f"/f/{point.token}").status_code == 410
    assert admin.get(f"/quan-tri/ma-qr/diem/{point.id}.png").status_code == 404
    assert admin.post(f"/quan-tri/ma-qr/diem/{point.id}/doi-ma").status_code == 404
    page = admin.get(f"/quan-tri/ma-qr/xa/{point.commune_id}").get_data(as_text=True)
    assert f"/quan-tri/ma-qr/diem/{point.id}.svg" not in page
    pdf = admin.get(f"/quan-tri/ma-qr/ap-phich.pdf?commune={point.commune_id}")
    assert len(pdfium.PdfDocument(pdf.data)) == 6


def test_scans_and_responses_are_shown_per_point(admin, client, points, open_campaign,
                                                 published_forms):
    point = points[("Xã Hợp Thịnh", "PKS07")]
    for _ in range(3):
        client.get(f"/f/{point.token}")
    version = published_forms["PKS07"].current_version()
    store_response(db.session, submission_id="8f1d1c3e-6a51-4d8e-9d83-7a1c2b3d4e5f",
                   campaign_id=open_campaign.id, commune_id=point.commune_id, version=version,
                   answers={}, channel=Channel.qr, collection_point_id=point.id)
    db.session.commit()
    page = admin.get(f"/quan-tri/ma-qr/xa/{point.commune_id}").get_data(as_text=True)
    card = page[page.index(f'id="point-{point.id}"'):]
    card = card[:card.index("</section>")]
    assert re.search(r"Lượt quét<b>3</b>", card)
    assert re.search(r"Phiếu đã gửi<b>1</b>", card)
    listing = admin.get("/quan-tri/ma-qr/").get_data(as_text=True)
    row = listing[listing.index("Xã Hợp Thịnh"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'class="num">(\d+)<', row) == ["7", "3", "1"]
    admin.post(f"/quan-tri/ma-qr/diem/{point.id}/ngung")
    listing = admin.get("/quan-tri/ma-qr/").get_data(as_text=True)
    row = listing[listing.index("Xã Hợp Thịnh"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'class="num">(\d+)<', row) == ["6", "3", "1"], "history stays"


def test_commune_official_sees_and_prints_only_their_commune(official, points, home, neighbour):
    assert official.get("/quan-tri/ma-qr/").headers["Location"].endswith(
        f"/quan-tri/ma-qr/xa/{home.id}")
    page = official.get(f"/quan-tri/ma-qr/xa/{home.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    own = points[("Xã Hợp Thịnh", "PKS05")]
    assert f"localhost/f/{own.token}" in html
    assert "doi-ma" not in html, "officials reprint; they do not rotate or retire"
    assert official.get(f"/quan-tri/ma-qr/diem/{own.id}/ap-phich.pdf").status_code == 200
    other = points[("Xã Đồng Kỳ", "PKS05")]
    for url in (f"/quan-tri/ma-qr/xa/{neighbour.id}",
                f"/quan-tri/ma-qr/diem/{other.id}.png",
                f"/quan-tri/ma-qr/diem/{other.id}.svg",
                f"/quan-tri/ma-qr/diem/{other.id}/ap-phich.pdf",
                f"/quan-tri/ma-qr/ap-phich.pdf?commune={neighbour.id}",
                f"/quan-tri/ma-qr/ma-qr.zip?commune={neighbour.id}"):
        assert official.get(url).status_code == 404, url
    whole = pdfium.PdfDocument(
        ask_job(official, POSTERS_JOB, {"province": home.province_id}).file.data)
    assert len(whole) == 7
    assert not any("Xã Đồng Kỳ" in page.get_textpage().get_text_range() for page in whole)


def test_commune_official_cannot_change_points(official, points):
    point = points[("Xã Hợp Thịnh", "PKS05")]
    assert official.post(f"/quan-tri/ma-qr/diem/{point.id}/doi-ma").status_code == 403
    assert official.post(f"/quan-tri/ma-qr/diem/{point.id}/ngung").status_code == 403
    assert official.post(f"/quan-tri/ma-qr/xa/{point.commune_id}/them",
                         data={"form_code": "PKS01"}).status_code == 403


def test_grouping_user_sees_its_communes_only(client, create_user, points, groupings, home,
                                              neighbour):
    sign_in(client, create_user, Role.grouping, grouping_id=groupings[0].id)
    listing = client.get("/quan-tri/ma-qr/").get_data(as_text=True)
    assert "Xã Hợp Thịnh" in listing
    assert "Xã Đồng Kỳ" not in listing
    assert client.get(f"/quan-tri/ma-qr/xa/{home.id}").status_code == 200
    assert client.get(f"/quan-tri/ma-qr/xa/{neighbour.id}").status_code == 404
    pdf = ask_job(client, POSTERS_JOB, {"grouping": groupings[0].id}).file
    assert len(pdfium.PdfDocument(pdf.data)) == 7
    other = ask_job(client, POSTERS_JOB, {"grouping": groupings[1].id})
    assert other.file is None
    assert "Không có điểm thu" in other.text


def test_steering_of_another_province_sees_nothing_here(client, create_user, points, home):
    other = Province(code="1", name="Hà Nội", division_type="thành phố")
    db.session.add(other)
    db.session.commit()
    sign_in(client, create_user, Role.steering, province_id=other.id)
    assert client.get(f"/quan-tri/ma-qr/xa/{home.id}").status_code == 404
    assert "Xã Hợp Thịnh" not in client.get("/quan-tri/ma-qr/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.surveyor, Role.coordinator])
def test_field_roles_are_refused(client, create_user, points, home, role):
    sign_in(client, create_user, role)
    assert client.get(f"/quan-tri/ma-qr/xa/{home.id}").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, points, home):
    reply = client.get(f"/quan-tri/ma-qr/xa/{home.id}")
    assert reply.status_code == 302
    assert "/dang-nhap" in reply.headers["Location"]


def test_province_pdf_has_a_page_per_live_point_and_zip_a_png_each(admin, points,
                                                                  dummy_province):
    pdf = ask_job(admin, POSTERS_JOB, {"province": dummy_province.id, "size": "a5"}).file
    assert pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    document = pdfium.PdfDocument(pdf.data)
    assert len(document) == 14
    assert document[0].get_size() == pytest.approx((419.53, 595.28), abs=0.1)
    archive = zipfile.ZipFile(io.BytesIO(ask_job(admin, POSTERS_JOB, {
        "province": dummy_province.id, "form": "PKS05", "what": "zip"}).file.data))
    assert sorted(n.rsplit("/", 1)[-1] for n in archive.namelist()) == [
        "PKS05.png", "PKS05.png", "links.csv"]


def test_batch_without_a_unit_is_404_and_an_empty_one_explains(admin, home):
    assert admin.get("/quan-tri/ma-qr/ap-phich.pdf").status_code == 404
    assert admin.post(POSTERS_JOB).status_code == 404
    wider = admin.get(f"/quan-tri/ma-qr/ap-phich.pdf?province={home.province_id}")
    assert wider.status_code == 302, "a province's posters are a job, never drawn in a request"
    reply = admin.get(f"/quan-tri/ma-qr/ap-phich.pdf?commune={home.id}", follow_redirects=True)
    assert reply.status_code == 200
    assert "Không có điểm thu" in reply.get_data(as_text=True)


def test_admin_home_links_to_the_points_area(admin):
    assert "/quan-tri/ma-qr/" in admin.get("/quan-tri/").get_data(as_text=True)


@pytest.mark.browser
@pytest.mark.live
def test_commune_page_in_a_browser_shows_codes_that_scan(live_server, desktop, create_user,
                                                         points, home):
    from tests.fixtures.browser import screenshot

    create_user("admin", Role.admin)
    desktop.goto(f"{live_server.url}/dang-nhap")
    desktop.fill("#username", "admin")
    desktop.fill("#password", "correct horse battery")
    desktop.click("button[type=submit]")
    desktop.goto(f"{live_server.url}/quan-tri/ma-qr/?province={home.province_id}")
    assert desktop.locator("h1").inner_text() == "Mã QR và áp phích"
    screenshot(desktop, "admin-points-index")
    desktop.goto(f"{live_server.url}/quan-tri/ma-qr/xa/{home.id}")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("section.point").count() == 7
    card = desktop.locator(f"#point-{points[('Xã Hợp Thịnh', 'PKS05')].id}")
    image = Image.open(io.BytesIO(card.locator("img").screenshot()))
    # The SVG as Chromium draws it on screen, 152 px wide, still reads.
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [
        f"{live_server.url}/f/{points[('Xã Hợp Thịnh', 'PKS05')].token}"]
    screenshot(desktop, "admin-points-commune")
