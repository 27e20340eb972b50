"""Posters: one print-ready page per live point, Vietnamese text intact, a code that scans."""

from __future__ import annotations

import csv
import io
import zipfile

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.collection_points.points import retire_point
from survey_app.services.collection_points.posters import PosterScope
from survey_app.services.collection_points.posters import ascii_slug
from survey_app.services.collection_points.posters import find_posters
from survey_app.services.collection_points.posters import write_posters_pdf
from survey_app.services.collection_points.posters import write_qr_zip

CODES = [f"PKS0{n}" for n in range(1, 8)]
EVERYWHERE = select(Commune.id)




@pytest.fixture
def communes(create_commune, groupings, open_campaign) -> list[Commune]:
    return [create_commune("Xã Hợp Thịnh", groupings[0]),
            create_commune("Phường Văn Miếu - Quốc Tử Giám", groupings[0]),
            create_commune("Xã Đồng Kỳ", groupings[1])]


@pytest.fixture
def points(communes, create_point):
    return {(c.name, code): create_point(c, code) for c in communes for code in CODES}


def render(pdf: bytes) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(pdf)


def pdf_of(scope: PosterScope, size: str = "a4") -> tuple[bytes, int]:
    out = io.BytesIO()
    pages = write_posters_pdf(find_posters(db.session, scope, EVERYWHERE), out, size)
    return out.getvalue(), pages


def page_text(page) -> str:
    """The page's text with line breaks as spaces, as a reader would say it."""
    return " ".join(page.get_textpage().get_text_range().split())


def test_poster_page_renders_with_the_commune_name_and_a_code_that_scans(client, points,
                                                                       communes):
    pdf, pages = pdf_of(PosterScope(commune_id=communes[0].id, form_code="PKS05"))
    assert pages == 1
    document = render(pdf)
    page = document[0]
    assert page.get_size() == pytest.approx((595.28, 841.89), abs=0.1)
    text = page_text(page)
    for printed in ("Xã Hợp Thịnh", "TỈNH BẮC NINH", "PKS05", "Người dân, tổ chức, doanh nghiệp",
                    "công chức làm việc tại bộ phận một cửa", "Zalo", "localhost/f/"):
        assert printed in text
    image = page.render(scale=150 / 72).to_pil().convert("L")
    dark = sum(image.histogram()[:128]) / (image.width * image.height)
    assert 0.10 < dark < 0.45, "the page is drawn (band, code, text), not blank or black"
    [link] = [r.text for r in zxingcpp.read_barcodes(image)]
    assert link == f"http://localhost/f/{points[('Xã Hợp Thịnh', 'PKS05')].token}"
    landing = client.get(link)
    assert landing.status_code == 200
    html = landing.get_data(as_text=True)
    assert "Xã Hợp Thịnh" in html
    assert "Phiếu khảo sát lấy ý kiến của người dân đối với công chức" in html


def test_font_with_vietnamese_glyphs_is_embedded(points, communes):
    pdf, _ = pdf_of(PosterScope(commune_id=communes[1].id, form_code="PKS01"))
    assert b"/FontFile2" in pdf
    assert b"BeVietnamPro-Bold" in pdf
    assert "Phường Văn Miếu - Quốc Tử Giám" in page_text(render(pdf)[0])


def test_a5_posters_are_the_same_layout_on_a5_and_still_scan(points, communes):
    pdf, pages = pdf_of(PosterScope(commune_id=communes[2].id), size="a5")
    assert pages == 7
    page = render(pdf)[6]
    assert page.get_size() == pytest.approx((419.53, 595.28), abs=0.1)
    assert "Xã Đồng Kỳ" in page_text(page)
    image = page.render(scale=200 / 72).to_pil()
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [
        f"http://localhost/f/{points[('Xã Đồng Kỳ', 'PKS07')].token}"]


def test_a_grouping_prints_one_page_per_live_point_in_it(points, groupings):
    retire_point(db.session, points[("Xã Hợp Thịnh", "PKS03")])
    pdf, pages = pdf_of(PosterScope(grouping_id=groupings[0].id))
    assert pages == 13
    texts = [page_text(page) for page in render(pdf)]
    assert len(texts) == 13
    assert not any("Xã Đồng Kỳ" in text for text in texts)
    assert sum("Xã Hợp Thịnh" in text for text in texts) == 6


def test_a_province_prints_every_live_point_and_scoping_narrows_it(points, dummy_province,
                                                                   communes):
    assert pdf_of(PosterScope(province_id=dummy_province.id))[1] == 21
    only_one = select(Commune.id).where(Commune.id == communes[2].id)
    posters = list(find_posters(db.session, PosterScope(province_id=dummy_province.id),
                                only_one))
    assert {p.commune for p in posters} == {"Xã Đồng Kỳ"}


def test_nothing_to_print_writes_nothing(points):
    out = io.BytesIO()
    assert write_posters_pdf(iter(()), out) == 0
    assert out.getvalue() == b""


def test_label_is_printed_under_the_commune(communes, create_point):
    point = create_point(communes[0], "PKS04", label="Quầy số 2")
    pdf, pages = pdf_of(PosterScope(point_id=point.id))
    assert pages == 1
    assert "Quầy số 2" in page_text(render(pdf)[0])


def test_zip_has_a_png_per_live_point_that_scans_and_a_links_list(points, groupings):
    out = io.BytesIO()
    count = write_qr_zip(find_posters(db.session, PosterScope(grouping_id=groupings[1].id),
                                      EVERYWHERE), out)
    assert count == 7
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert len(names) == 8
        name = next(n for n in names if n.endswith("PKS02.png"))
        assert name.endswith("-xa-dong-ky/PKS02.png")
        assert name.isascii()
        image = Image.open(io.BytesIO(archive.read(name)))
        listing = archive.read("links.csv").decode("utf-8-sig")
    token = points[("Xã Đồng Kỳ", "PKS02")].token
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [f"http://localhost/f/{token}"]
    rows = list(csv.DictReader(io.StringIO(listing)))
    assert len(rows) == 7
    row = next(r for r in rows if r["form"] == "PKS02")
    assert row["commune"] == "Xã Đồng Kỳ"
    assert row["link"] == f"http://localhost/f/{token}"
    assert row["file"] == name


def test_public_base_url_is_what_posters_print(app, points, communes):
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.bacninh.gov.vn/"
    [poster] = find_posters(db.session, PosterScope(commune_id=communes[0].id,
                                                    form_code="PKS07"), EVERYWHERE)
    token = points[("Xã Hợp Thịnh", "PKS07")].token
    assert poster.link == f"https://khaosat.bacninh.gov.vn/f/{token}"
    assert poster.short_link == f"khaosat.bacninh.gov.vn/f/{token}"


@pytest.mark.parametrize(("name", "slug"), [
    ("Xã Hợp Thịnh", "xa-hop-thinh"),
    ("Phường Văn Miếu - Quốc Tử Giám", "phuong-van-mieu-quoc-tu-giam"),
    ("Đặc khu Vân Đồn", "dac-khu-van-don"),
    ("Quầy số 2", "quay-so-2"),
    ("!!!", "x"),
])
def test_ascii_slug(name, slug):
    assert ascii_slug(name) == slug
