"""Accounts in bulk: checked row by row, nobody created from a broken file, one-time passwords
delivered once in a file and replaced at the first sign-in."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models import User
from tests.fixtures.field import PASSWORD

HEADER = ["ten_dang_nhap", "ho_ten", "vai_tro", "ma_tinh", "ma_nhom", "ma_xa", "to_chuc"]


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "nguoi.xlsx"):
    return client.post("/quan-tri/tai-khoan/nhap", data={"file": (io.BytesIO(data), name)})


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


@pytest.fixture
def admin(field_world, login):
    return login("admin", PASSWORD)


def good_rows(world) -> list[list[object]]:
    return [
        ["nva.dtv", "Nguyễn Văn A", "surveyor", "24", None, None, "youth_union"],
        ["ttb.xa", "Trần Thị B", "Cán bộ xã", None, None, world.own.code, None],
        ["lvc.cum", "Lê Văn C", "grouping", "24", "cum1", None, None],
        ["pvd.bcd", "Phạm Văn D", "Ban chỉ đạo", "24", None, None, None],
        ["hte.dp", "Hoàng Thị E", "coordinator", "24", None, None, "Hội Nông dân"],
    ]


def test_only_the_admin_imports_accounts(field_world, login):
    for name in ("coordinator", "steering", "surveyor"):
        client = login(name, PASSWORD)
        assert client.get("/quan-tri/tai-khoan/nhap").status_code == 403
        assert client.get("/quan-tri/tai-khoan/nhap/mau.xlsx").status_code == 403
        assert upload(client, xlsx(good_rows(field_world))).status_code == 403
    assert user_count() == len(field_world.users)


def test_the_template_lists_the_columns(admin):
    response = admin.get("/quan-tri/tai-khoan/nhap/mau.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER


def test_a_clean_file_creates_everyone_and_hands_out_passwords_once(admin, field_world, login):
    response = upload(admin, xlsx(good_rows(field_world)))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(
        min_row=3, values_only=True))
    passwords = {row[0]: row[4] for row in rows}
    assert set(passwords) == {"nva.dtv", "ttb.xa", "lvc.cum", "pvd.bcd", "hte.dp"}
    created = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_(passwords)))}
    assert created["ttb.xa"].role is Role.commune_official
    assert created["ttb.xa"].commune_id == field_world.own.id
    assert created["lvc.cum"].grouping_id == field_world.grouping.id
    assert created["hte.dp"].organisation_id == field_world.farmers.id
    for username, user in created.items():
        assert user.must_change_password
        assert user.check_password(passwords[username])
        assert passwords[username] not in user.password_hash
    # Signing in with it opens nothing but the change of password.
    client = login("nva.dtv", passwords["nva.dtv"])
    for page in ("/thuc-dia/", "/quan-tri/mat-khau", "/bang-dieu-khien/"):
        answer = client.get(page)
        assert answer.status_code == 302
        assert answer.headers["Location"].endswith("/dang-nhap/mat-khau-moi")
    same = client.post("/dang-nhap/mat-khau-moi", data={
        "password": passwords["nva.dtv"], "confirm": passwords["nva.dtv"]})
    assert same.status_code == 200
    done = client.post("/dang-nhap/mat-khau-moi", data={
        "password": "Chuoi mat khau rieng 2026", "confirm": "Chuoi mat khau rieng 2026"})
    assert done.status_code == 302
    assert "mat-khau-moi" not in done.headers["Location"]
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "nva.dtv"))
    assert not user.must_change_password
    assert client.get("/thuc-dia/").status_code == 200


BROKEN = {
    "wrong columns": (lambda w: xlsx([["a.b", "A", "surveyor"]],
                                     header=["ten_dang_nhap", "ho_ten", "chuc_vu"]),
                      [(1, "sheet_column_unknown"), (1, "column_missing")]),
    "unknown codes": (lambda w: xlsx([
        ["a.one", "A", "surveyor", "99", None, None, "youth_union"],
        ["a.two", "B", "commune_official", None, None, "12345", None],
        ["a.three", "C", "surveyor", "24", None, None, "hoi_khong_co"],
        ["a.four", "D", "grouping", "24", "KHONG", None, None],
        ["a.five", "E", "chu_tich", "24", None, None, None],
        ["a.six", "F", "steering", None, None, None, None],
    ]), [(2, "unknown_province"), (3, "import_unknown_commune"), (4, "unknown_organisation"),
         (5, "grouping_unknown"), (6, "role_unknown"), (7, "scope_column_empty")]),
    "duplicates": (lambda w: xlsx([
        ["moi.mot", "A", "steering", "24", None, None, None],
        ["Moi.Mot", "B", "steering", "24", None, None, None],
        ["surveyor", "C", "steering", "24", None, None, None],
        ["có dấu", "D", "steering", "24", None, None, None],
    ]), [(3, "username_repeated"), (4, "username_taken"), (5, "username_invalid")]),
    "bad encoding": (lambda w: "ten_dang_nhap,ho_ten,vai_tro\nabc,Đào Văn,steering\n"
                     .encode("cp1258"), [(2, "not_utf8")]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_creates_nobody_and_reports_each_row(admin, field_world, case):
    make, expected = BROKEN[case]
    before = user_count()
    name = "nguoi.csv" if case == "bad encoding" else "nguoi.xlsx"
    # Correct rows in a broken file (moi.mot) are not created either.
    response = upload(admin, make(field_world), name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Không lưu gì từ" in page or name in page
    assert user_count() == before
    from survey_app.services.people.bulk_accounts import check_people
    report, _rows = check_people(db.session, name, make(field_world), 2000,
                                 {role: role.value for role in Role})
    assert [(p.row, p.code) for p in report.problems] == expected


def test_a_generated_password_from_the_account_page_is_one_time(admin, field_world):
    response = admin.post(f"/quan-tri/tai-khoan/{field_world.users['surveyor'].id}/mat-khau",
                          data={"password": "", "confirm": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, field_world.users["surveyor"].id).must_change_password


def test_flask_users_import(field_world, runner, tmp_path):
    source, out = tmp_path / "nguoi.xlsx", tmp_path / "mat_khau.xlsx"
    source.write_bytes(xlsx(good_rows(field_world)[:2]))
    result = runner.invoke(args=["users", "import", str(source), str(out)])
    assert result.exit_code == 0, result.output
    assert "accounts created: 2" in result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == ["nva.dtv", "ttb.xa"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(xlsx([["an.moi", "A", "steering", "24", None, None, None],
                             ["nva.dtv", "B", "steering", "24", None, None, None]]))
    before = user_count()
    result = runner.invoke(args=["users", "import", str(broken), str(tmp_path / "khac.xlsx")])
    assert result.exit_code == 1
    assert "row 3" in result.output
    assert user_count() == before
    assert not (tmp_path / "khac.xlsx").exists()
