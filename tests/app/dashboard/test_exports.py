"""Downloads: the workbook's sheets and headers, and the anonymous, defused CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.clock import now_utc
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.audit import trail
from tests.fixtures.field import PASSWORD


@pytest.fixture
def as_user(results_world, login):
    return lambda name: login(name, PASSWORD)


def workbook(client, url: str = "/bang-dieu-khien/xuat/ket-qua.xlsx"):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.data), read_only=True)


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_workbook_has_one_sheet_per_level_in_vietnamese(as_user):
    book = workbook(as_user("steering"))
    assert book.sheetnames == ["Tỉnh", "Cụm", "Các xã", "Phiếu", "Xã × phiếu", "Bộ quy tắc"]
    for sheet in book.worksheets:
        assert rows(sheet)[0][0].startswith("Bộ quy tắc: quy tắc mặc định (phiên bản 0)")
    communes = rows(book["Các xã"])
    assert communes[2][:4] == ("Mã xã", "Xã", "Cụm", "Tình trạng")
    by_name = {row[1]: row for row in communes[3:]}
    assert by_name["Xã Hợp Thịnh"][3] == "Đạt chuẩn"
    assert by_name["Phường Đông Ngàn"][4] == "PKS01"
    assert by_name["Xã Tam Sơn"][7] == 2  # flagged
    province = dict(rows(book["Tỉnh"])[3:])
    assert province["Các xã"] == 3
    assert province["Tỷ lệ xã đạt chuẩn"] == pytest.approx(1 / 3)
    detail = rows(book["Xã × phiếu"])
    exact = next(r for r in detail[3:] if r[1] == "Xã Hợp Thịnh" and r[2] == "PKS05")
    assert exact[4:7] == (30, 24, 0.8)


def test_the_workbook_is_scoped_like_the_pages(as_user):
    names = [row[1] for row in rows(workbook(as_user("grouping"))["Các xã"])[3:]]
    assert sorted(names) == ["Phường Đông Ngàn", "Xã Hợp Thịnh"]


def read_csv(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_is_anonymous_and_defused(as_user, results_world):
    table = read_csv(as_user("steering"), "/bang-dieu-khien/xuat/phieu.csv?form=PKS05")
    header, body = table[0], table[1:]
    assert header[:4] == ["STT", "Mã xã", "Xã", "Cụm"]
    assert len(body) == 30 + 5 + 12
    assert [row[0] for row in body] == [str(n) for n in range(1, len(body) + 1)]
    column = next(i for i, name in enumerate(header) if "ghi rõ" in name)
    written = [row[column] for row in body if row[column]]
    assert written == ["'" + '=HYPERLINK("http://x.example","bấm") <script>alert(1)</script>']
    assert all(":" not in row[7] for row in body)  # a date, no time of day
    assert sum(row[8] == "có" for row in body) == 2


def test_the_csv_leaves_free_text_out_for_other_roles(as_user):
    for user in ("grouping", "coordinator"):
        table = read_csv(as_user(user), "/bang-dieu-khien/xuat/phieu.csv?form=PKS05")
        assert not any("ghi rõ" in name for name in table[0])
        assert "HYPERLINK" not in "".join(",".join(row) for row in table)


def test_exports_refuse_what_the_user_cannot_see(as_user, results_world):
    client = as_user("steering")
    other = f"campaign={results_world.foreign_campaign.id}"
    assert client.get(f"/bang-dieu-khien/xuat/phieu.csv?{other}").status_code == 404
    assert client.get(f"/bang-dieu-khien/xuat/ket-qua.xlsx?{other}").status_code == 404
    assert as_user("surveyor").get("/bang-dieu-khien/xuat/phieu.csv").status_code == 403


def test_every_export_is_logged_with_who_and_what(as_user, results_world, capsys):
    client = as_user("steering")
    capsys.readouterr()
    client.get("/bang-dieu-khien/xuat/phieu.csv?form=PKS05")
    client.get("/bang-dieu-khien/xuat/ket-qua.xlsx")
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()
               if line.startswith("{")]
    exports = [e for e in entries if e.get("export")]
    steering = results_world.users["steering"]
    assert [(e["export"], e["form"], e["user_id"], e["role"], e["campaign_id"])
            for e in exports] == [
        ("csv", "PKS05", steering.id, "steering", results_world.campaign.id),
        ("xlsx", None, steering.id, "steering", results_world.campaign.id)]
    assert all(e["request_id"] for e in exports)


def test_the_csv_keeps_a_superseded_sheet_marked_and_carries_the_audit_head(
        as_user, results_world):
    with unit_of_work(db.session):
        sheet = db.session.scalars(select(Response).where(Response.form_id == results_world.forms[
            "PKS05"].id).order_by(Response.id)).first()
        sheet.superseded_at = now_utc()
        sheet.supersede_reason = "Nhập trùng"
    client = as_user("steering")
    response = client.get("/bang-dieu-khien/xuat/phieu.csv?form=PKS05")
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = table[0], table[1:]
    counted, reason = header.index("Được tính"), header.index("Lý do hủy/sửa phiếu")
    assert len(body) == 30 + 5 + 12  # kept in the file ...
    assert [(row[counted], row[reason]) for row in body if row[counted] != "có"] == [
        ("không: đã hủy", "Nhập trùng")]  # ... and marked
    head = trail.head(db.session)
    assert response.headers["X-Audit-Head"] == f"{head.seq} · {head.entry_hash}"
