"""Every staff action the trail lists leaves its row, written with the action: one test each,
driven as the staff member would (a page, or the shell), and the trail's own page."""

from __future__ import annotations

import io

import pyotp
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import CollectionPoint
from survey_app.models import Province
from survey_app.models import Role
from survey_app.services.audit import trail
from tests.app.admin.test_accounts import STRONG
from tests.app.admin.test_accounts import new_account
from tests.app.admin.test_rulebooks import fields as rulebook_fields
from tests.app.auth.test_two_factor import turn_on
from tests.app.field.test_imports import confirm
from tests.app.field.test_imports import csv_bytes
from tests.app.field.test_imports import row
from tests.app.field.test_imports import template_header
from tests.app.field.test_imports import upload
from tests.app.test_cli import PKS05
from tests.app.test_cli import pks05 as pks05_file
from tests.fixtures.field import PASSWORD


def rows(action: str | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def last(action: str) -> AuditEntry:
    found = rows(action)
    assert found, f"no {action} row in the trail"
    return found[-1]


@pytest.fixture
def admin(field_world, login):
    return login("admin")


def test_sign_in_failed_sign_in_and_sign_out(field_world, login, client):
    assert client.post("/dang-nhap", data={"username": "steering", "password": "wrong one!"}
                       ).status_code == 401
    assert client.post("/dang-nhap", data={"username": "nobody.here", "password": "hunter22"}
                       ).status_code == 401
    failed = rows("sign_in_failed")
    assert [(r.actor_name, r.target_id) for r in failed] == [
        ("steering", field_world.users["steering"].id), ("?", None)]
    assert all("hunter22" not in r.details and "wrong" not in r.details for r in rows())
    steering = login("steering")
    signed = last("sign_in")
    assert (signed.actor_id, signed.province_id) == (field_world.users["steering"].id,
                                                    field_world.users["steering"].province_id)
    steering.post("/dang-xuat")
    assert last("sign_out").actor_name == "steering"


def test_account_created_changed_disabled_enabled_and_password_set(admin, field_world):
    assert new_account(admin, province_id=field_world.own.province_id).status_code in (302, 303)
    created = last("account_created")
    assert trail.details_of(created)["username"] == "nguyen.van.an"
    assert STRONG not in created.details
    target = created.target_id
    admin.post(f"/quan-tri/tai-khoan/{target}", data={
        "full_name": "Nguyễn Văn An", "role": "steering", "province_id":
            field_world.own.province_id, "grouping_id": 0, "commune_id": 0, "organisation_id": 0})
    assert last("account_changed").target_id == target
    admin.post(f"/quan-tri/tai-khoan/{target}/trang-thai", data={"enabled": "0"})
    admin.post(f"/quan-tri/tai-khoan/{target}/trang-thai", data={"enabled": "1"})
    assert last("account_disabled").target_id == target
    assert last("account_enabled").target_id == target
    admin.post(f"/quan-tri/tai-khoan/{target}/mat-khau",
               data={"password": STRONG + "x", "confirm": STRONG + "x"})
    assert (last("password_set").actor_name, last("password_set").target_id) == ("admin", target)
    assert STRONG not in "".join(r.details for r in rows())


def test_own_password_changed(field_world, login):
    steering = login("steering")
    steering.post("/quan-tri/mat-khau", data={"current": PASSWORD, "password": STRONG,
                                              "confirm": STRONG})
    assert last("own_password_changed").actor_name == "steering"


def test_two_step_sign_in_on_and_off(field_world, login):
    steering = login("steering")
    key = turn_on(steering)
    assert last("two_factor_on").actor_name == "steering"
    assert key not in "".join(r.details for r in rows())
    login("admin").post(f"/quan-tri/tai-khoan/{field_world.users['steering'].id}/hai-buoc/tat")
    off = last("two_factor_off")
    assert (off.actor_name, off.target_id) == ("admin", field_world.users["steering"].id)
    assert pyotp.TOTP(key).now() not in off.details


def test_rulebook_saved(results_world, login):
    login("admin", PASSWORD).post("/quan-tri/bo-quy-tac", data=rulebook_fields())
    saved = last("rulebook_saved")
    assert trail.details_of(saved) == {"version": 1, "note": "Quyết định số 12/QĐ-BCĐ"}


def test_point_created_rotated_and_retired(admin, field_world):
    old_points = set(db.session.scalars(select(CollectionPoint.id)))
    admin.post(f"/quan-tri/ma-qr/xa/{field_world.own.id}/them",
               data={"form_code": "PKS05", "label": "Quầy 2"})
    point = db.session.scalar(select(CollectionPoint).where(
        CollectionPoint.id.not_in(old_points)))
    created = last("point_created")
    assert (created.target_id, trail.details_of(created)["label"]) == (point.id, "Quầy 2")
    admin.post(f"/quan-tri/ma-qr/diem/{point.id}/doi-ma")
    db.session.expire_all()
    rotated = last("token_rotated")
    assert rotated.target_id == point.id
    assert db.session.get(CollectionPoint, point.id).token not in rotated.details
    admin.post(f"/quan-tri/ma-qr/diem/{point.id}/ngung")
    assert last("point_retired").target_id == point.id


def test_organisations_assigned_and_reset(admin, field_world, published_forms):
    campaign = field_world.campaign
    admin.post(f"/quan-tri/phan-cong/{campaign.id}", data={
        "form_id": published_forms["PKS05"].id, "organisation_id": field_world.farmers.id,
        "all_communes": "1"})
    assigned = trail.details_of(last("organisation_assigned"))
    assert (assigned["form"], assigned["organisation"]) == ("PKS05", "farmers")
    admin.post(f"/quan-tri/phan-cong/{campaign.id}/mac-dinh")
    assert last("organisations_reset").target_id == campaign.id


def test_surveyor_assigned(field_world, login):
    coordinator = login("coordinator")
    surveyor = field_world.users["surveyor"]
    coordinator.post(f"/thuc-dia/phan-cong/{field_world.campaign.id}/nguoi/{surveyor.id}",
                     data={"commune_id": [field_world.other.id]})
    details = trail.details_of(last("surveyor_assigned"))
    assert (details["added"], details["removed"]) == ([field_world.other.id],
                                                      [field_world.own.id])


def test_form_published_from_the_shell(app, runner, tmp_path):
    assert runner.invoke(args=["forms", "publish", str(PKS05)]).exit_code == 0
    assert runner.invoke(args=["forms", "publish", str(pks05_file(tmp_path))]).exit_code == 0
    published = rows("form_published")
    assert [(r.actor_name, trail.details_of(r)["version"]) for r in published] == [
        (trail.SHELL, 2), (trail.SHELL, 3)]


def test_import_stored_and_discarded(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 1)])
    assert confirm(surveyor, upload(surveyor, pks05, body)).status_code in (302, 303)
    stored = trail.details_of(last("import_stored"))
    assert (stored["stored"], stored["file"]) == (1, "phieu.csv")
    checked = upload(surveyor, pks05, csv_bytes(header, [row(field_world.own, 2)]))
    batch_id = checked.get_data(as_text=True).split("/nhap-tep/lo/", 1)[1].split("/", 1)[0]
    surveyor.post(f"/thuc-dia/nhap-tep/lo/{batch_id}/huy")
    assert last("import_discarded").target_id == int(batch_id)


def test_results_downloaded(results_world, login):
    steering = login("steering", PASSWORD)
    campaign = results_world.campaign
    assert steering.get(f"/bang-dieu-khien/xuat/ket-qua.xlsx?campaign={campaign.id}"
                        ).status_code == 200
    assert steering.get(f"/bang-dieu-khien/xuat/phieu.csv?campaign={campaign.id}&form=PKS05"
                        ).status_code == 200
    exports = rows("export_downloaded")
    assert [(trail.details_of(r)["export"], trail.details_of(r)["form"]) for r in exports] == [
        ("xlsx", None), ("csv", "PKS05")]
    assert {r.province_id for r in exports} == {campaign.province_id}


def test_the_trail_page_filters_and_checks_the_chain(field_world, login, admin):
    login("steering")
    page = admin.get("/quan-tri/nhat-ky?action=sign_in&actor=steering&verify=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Chuỗi nguyên vẹn" in html
    assert html.count("<td>steering</td>") == 1
    assert trail.head(db.session).entry_hash in html


def test_a_committee_reads_its_own_province_only(field_world, login, other_province_user):
    steering = login("steering")
    html = steering.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "<td>steering</td>" in html
    assert f"<td>{other_province_user}</td>" not in html


@pytest.fixture
def other_province_user(field_world, login, create_user):
    province = Province(code="01", name="Hà Nội", division_type="thành phố")
    db.session.add(province)
    db.session.commit()
    create_user("hanoi.steering", Role.steering, province_id=province.id)
    login("hanoi.steering")
    return "hanoi.steering"


def test_campaign_changes_from_the_shell_and_the_pages(field_world, runner, login):
    province = field_world.own.province.code
    assert runner.invoke(args=["campaigns", "create", "--province", province, "--year", "2031",
                               "--forms", "PKS05"]).exit_code == 0
    created = last("campaign_created")
    assert (created.actor_name, trail.details_of(created)["forms"]) == (trail.SHELL, ["PKS05"])
    campaign_form = next(cf for cf in field_world.campaign.forms if cf.form.code == "PKS07")
    admin = login("admin")
    admin.post(f"/quan-tri/dot-khao-sat/phieu/{campaign_form.id}/dong",
               data={"reason": "Xã sáp nhập, dừng khảo sát"})
    closed = last("campaign_form_closed")
    assert closed.actor_name == "admin"
    assert trail.details_of(closed)["reason"] == "Xã sáp nhập, dừng khảo sát"
    assert trail.details_of(closed)["form"] == "PKS07"


def test_the_workbook_and_the_report_print_the_trails_head(results_world, login):
    steering = login("steering", PASSWORD)
    campaign = results_world.campaign
    book = load_workbook(io.BytesIO(steering.get(
        f"/bang-dieu-khien/xuat/ket-qua.xlsx?campaign={campaign.id}").data))
    rows = {row[0]: row[1] for row in book.worksheets[-1].iter_rows(values_only=True)}
    head = trail.head(db.session)
    assert rows["Nhật ký thao tác khi tạo tệp (dòng cuối, mã băm)"] == \
        f"{head.seq} · {head.entry_hash}"
    assert last("export_downloaded").seq == head.seq
    report = steering.get(f"/bang-dieu-khien/bao-cao?campaign={campaign.id}&kind=year")
    assert trail.head(db.session).entry_hash in report.get_data(as_text=True)


def test_sheets_voided_and_replaced(field_world, login, published_forms):
    from tests.app.field.test_corrections import type_sheet
    from tests.fixtures.data import PKS05_ANSWERS

    surveyor = login("surveyor")
    first = type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
    second = type_sheet(surveyor, field_world, published_forms,
                        {**PKS05_ANSWERS, "gender": "nam"})
    surveyor.post(f"/thuc-dia/phieu/{first}/huy", data={"reason": "Nhập trùng"})
    surveyor.post(f"/thuc-dia/phieu/{second}/sua",
                  data={**PKS05_ANSWERS, "reason": "Gõ nhầm giới tính"})
    voided, replaced = last("response_voided"), last("response_replaced")
    assert (voided.target_type, voided.target_id, voided.actor_name) == (
        "response", first, "surveyor")
    assert "Nhập trùng" in voided.details
    assert replaced.target_id == second
    assert "Gõ nhầm giới tính" in replaced.details
    page = login("admin").get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Hủy phiếu" in page
    assert "Thay phiếu bằng phiếu đã sửa" in page
