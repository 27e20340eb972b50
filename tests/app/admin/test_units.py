"""The units pages: only admins; figures edited and imported, groupings managed, renamings."""

from __future__ import annotations

import io

from openpyxl import Workbook

from survey_app.extensions import db
from survey_app.models import CommuneFormerName
from survey_app.models import Grouping
from tests.fixtures.field import PASSWORD


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_only_admins_open_the_units_pages(field_world, login):
    for user in ("steering", "grouping", "coordinator", "surveyor", "official"):
        client = login(user, PASSWORD)
        assert client.get("/quan-tri/don-vi").status_code == 403
        assert client.post("/quan-tri/don-vi/so-lieu").status_code == 403
        assert client.get("/quan-tri/nhom-don-vi").status_code == 403


def test_the_admin_imports_figures_and_sees_them(field_world, login):
    admin = login("admin", PASSWORD)
    own = field_world.own
    province = own.province_id
    template = admin.get(f"/quan-tri/don-vi/mau/{province}.xlsx")
    assert template.status_code == 200
    assert template.data.startswith(b"PK")
    response = admin.post("/quan-tri/don-vi/so-lieu", data={
        "province": str(province),
        "file": (io.BytesIO(xlsx([["ma_xa", "so_can_bo", "dan_so"], [own.code, 31, 15000]])),
                 "so_lieu.xlsx")})
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "15.000" in page
    assert "31" in page
    db.session.refresh(own)
    assert (own.staff_headcount, own.population) == (31, 15000)


def test_a_broken_upload_shows_the_report_and_stores_nothing(field_world, login):
    admin = login("admin", PASSWORD)
    own = field_world.own
    response = admin.post("/quan-tri/don-vi/so-lieu", data={
        "province": str(own.province_id),
        "file": (io.BytesIO(xlsx([["ma_xa", "so_can_bo"], [own.code, 44], ["12345", 3],
                                  [own.code, "hai"]])), "so_lieu.xlsx")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Không có xã nào mã “12345”" in page or "12345" in page
    assert "so_lieu.xlsx" in page
    db.session.refresh(own)
    assert own.staff_headcount == 20


def test_a_commune_is_edited_renamed_and_grouped(field_world, login):
    admin = login("admin", PASSWORD)
    other = field_world.other
    response = admin.post(f"/quan-tri/don-vi/{other.id}", data={
        "staff_headcount": "18", "population": "9.800", "yearly_transactions": "",
        "grouping_id": str(field_world.grouping.id)})
    assert response.status_code == 303
    db.session.refresh(other)
    assert (other.staff_headcount, other.population, other.grouping_id) == (
        18, 9800, field_world.grouping.id)
    refused = admin.post(f"/quan-tri/don-vi/{other.id}", data={
        "staff_headcount": "mười", "grouping_id": "0"})
    assert refused.status_code == 200
    assert "Số cán bộ, công chức phải là số nguyên" in refused.get_data(as_text=True)
    db.session.refresh(other)
    assert other.staff_headcount == 18
    response = admin.post(f"/quan-tri/don-vi/{other.id}/doi-ten", data={
        "name": "Phường Đông Ngàn Mới", "from_day": "2027-01-01"})
    assert response.status_code == 303
    db.session.refresh(other)
    assert other.name == "Phường Đông Ngàn Mới"
    former = db.session.scalars(db.select(CommuneFormerName)).one()
    assert former.name == "Phường Đông Ngàn"
    assert "Phường Đông Ngàn" in admin.get(f"/quan-tri/don-vi/{other.id}").get_data(as_text=True)


def test_groupings_are_created_renamed_and_filled(field_world, login):
    admin = login("admin", PASSWORD)
    province = field_world.own.province_id
    response = admin.post("/quan-tri/nhom-don-vi", data={
        "province": str(province), "code": "HUYEN1", "name": "Huyện Một", "kind": "district"})
    assert response.status_code == 303
    grouping = db.session.scalars(db.select(Grouping).where(Grouping.code == "HUYEN1")).one()
    response = admin.post(f"/quan-tri/nhom-don-vi/{grouping.id}", data={
        "name": "Huyện Một (cũ)", "kind": "district",
        "commune": [str(field_world.own.id), str(field_world.other.id)]})
    assert response.status_code == 303
    db.session.refresh(field_world.own)
    assert field_world.own.grouping_id == grouping.id
    page = admin.get(f"/quan-tri/nhom-don-vi?province={province}").get_data(as_text=True)
    assert "Huyện Một (cũ)" in page
    duplicate = admin.post("/quan-tri/nhom-don-vi", data={
        "province": str(province), "code": "huyen1", "name": "X", "kind": "district"})
    assert duplicate.status_code == 303
    assert db.session.scalar(db.select(db.func.count(Grouping.id)).where(
        db.func.lower(Grouping.code) == "huyen1")) == 1


def test_flask_units_figures_import(field_world, runner, tmp_path):
    own = field_world.own
    good = tmp_path / "so_lieu.xlsx"
    good.write_bytes(xlsx([["ma_xa", "giao_dich_nam"], [own.code, 5200]]))
    result = runner.invoke(args=["units", "figures", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "communes changed: 1" in result.output
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(xlsx([["ma_xa", "giao_dich_nam"], [own.code, 1], ["00000", 2]]))
    result = runner.invoke(args=["units", "figures", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 3" in result.output
    assert "nothing stored" in result.output
    db.session.refresh(own)
    assert own.yearly_transactions == 5200
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(args=["units", "figures", "template", "24", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")
