"""``flask qr posters``: a whole province, a grouping, a commune or a form, as PDF or ZIP."""

from __future__ import annotations

import zipfile

import pypdfium2 as pdfium
import pytest

from survey_app.extensions import db
from survey_app.models import Grouping

CODES = [f"PKS0{n}" for n in range(1, 8)]


@pytest.fixture
def province_points(dummy_province, create_commune, create_point, published_forms):
    cluster = Grouping(province_id=dummy_province.id, code="CUM1", name="Cụm thi đua số 1",
                       kind="cluster")
    db.session.add(cluster)
    db.session.flush()
    communes = [create_commune("Xã Hợp Thịnh", cluster), create_commune("Xã Đồng Kỳ")]
    return {(c.code, code): create_point(c, code) for c in communes for code in CODES}, communes


def invoke(runner, *args: str):
    return runner.invoke(args=["qr", "posters", *args])


def test_whole_province_is_one_pdf_with_a_page_per_point(runner, province_points, tmp_path):
    out = tmp_path / "tinh.pdf"
    result = invoke(runner, "--province", "24", "--base-url", "https://khaosat.bacninh.gov.vn",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "14 A4 posters written" in result.output
    document = pdfium.PdfDocument(str(out))
    assert len(document) == 14
    assert "khaosat.bacninh.gov.vn/f/" in document[0].get_textpage().get_text_range()
    assert not list(tmp_path.glob("*.partial"))


def test_grouping_commune_and_form_narrow_the_batch(runner, province_points, tmp_path):
    _, communes = province_points
    out = tmp_path / "cum.pdf"
    assert invoke(runner, "--province", "24", "--grouping", "CUM1", "--out", str(out)
                  ).exit_code == 0
    assert len(pdfium.PdfDocument(str(out))) == 7
    assert invoke(runner, "--province", "24", "--commune", communes[1].code, "--form", "PKS05",
                  "--size", "a5", "--out", str(out)).exit_code == 0
    [page] = pdfium.PdfDocument(str(out))
    assert "Xã Đồng Kỳ" in page.get_textpage().get_text_range()
    assert page.get_size() == pytest.approx((419.53, 595.28), abs=0.1)


def test_zip_holds_the_qr_images_and_the_links(runner, province_points, tmp_path):
    out = tmp_path / "ma.zip"
    result = invoke(runner, "--province", "24", "--form", "PKS07", "--zip", "--out", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist())[-1] == "links.csv"
        assert sum(name.endswith("/PKS07.png") for name in archive.namelist()) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--province", "99"], "no province with code 99"),
    (["--province", "abc"], "no province with code abc"),
    (["--province", "24", "--grouping", "CUM9"], "no grouping CUM9"),
    (["--province", "24", "--commune", "123"], "no commune 123"),
    (["--province", "24", "--form", "PKS99"], "no form PKS99"),
])
def test_unknown_codes_are_usage_errors_and_write_nothing(runner, province_points, tmp_path,
                                                          args, message):
    out = tmp_path / "x.pdf"
    result = invoke(runner, *args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_nothing_to_print_leaves_no_file(runner, province_points, tmp_path):
    points, _ = province_points
    for point in points.values():
        point.retired_at = point.created_at
    db.session.commit()
    out = tmp_path / "x.pdf"
    result = invoke(runner, "--province", "24", "--out", str(out))
    assert result.exit_code == 1
    assert "nothing written" in result.output
    assert not out.exists()
    assert not list(tmp_path.glob("x.pdf*"))


def test_without_a_public_address_the_command_says_what_to_set(app, runner, province_points,
                                                               tmp_path):
    app.config["SERVER_NAME"] = None
    result = invoke(runner, "--province", "24", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert "SURVEY_PUBLIC_BASE_URL" in result.output
