"""Accounts: scoped roles, password rules, sessions that end on the server, the users CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.demo import DEMO_PASSWORD
from survey_app.demo import ensure_demo_accounts
from survey_app.extensions import db
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Role
from survey_app.models import SurveyorAssignment
from survey_app.models import User
from survey_app.services.people.accounts import AccountError
from survey_app.services.people.accounts import Scope
from survey_app.services.people.accounts import check_password
from survey_app.services.people.accounts import create_account
from survey_app.services.people.accounts import ensure_organisations
from tests.fixtures.field import PASSWORD

STRONG = "ruộng lúa xanh 1987"


def user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def signed_in(client) -> bool:
    """Whether the client's session still opens a staff page."""
    return client.get("/thuc-dia/tien-do").status_code == 200


def new_account(client, **fields):
    data = {"username": "nguyen.van.an", "full_name": "Nguyễn Văn An", "role": "steering",
            "province_id": 0, "grouping_id": 0, "commune_id": 0, "organisation_id": 0,
            "password": STRONG, "confirm": STRONG, **fields}
    return client.post("/quan-tri/tai-khoan/moi", data=data)


@pytest.mark.parametrize(("password", "code"), [
    ("ngắn quá", "password_short"),
    ("1234567890", "password_common"),
    ("Matkhau@123", "password_common"),
    ("qwertyuiop", "password_common"),
    ("aaaaaaaaaaaa", "password_common"),
    ("abababababab", "password_common"),
    ("9876543210", "password_common"),
    ("nguyen.van.an 2026", "password_username"),
])
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(AccountError) as refused:
        check_password(password, "nguyen.van.an")
    assert refused.value.code == code


def test_a_long_uncommon_password_is_accepted_and_hashed_with_scrypt(app, dummy_province):
    created = create_account(db.session, None, username=" Nguyen.Van.An ", full_name="An",
                             role=Role.steering, password=STRONG,
                             scope=Scope(province_id=dummy_province.id))
    assert created.username == "nguyen.van.an"
    assert created.password_hash.startswith("scrypt:")
    assert STRONG not in created.password_hash
    assert created.check_password(STRONG)


def test_the_six_organisations_are_added_once(app):
    assert ensure_organisations(db.session) == 6
    assert ensure_organisations(db.session) == 0
    names = set(db.session.scalars(select(Organisation.name)))
    assert names == {"Liên đoàn Lao động", "Hội Cựu chiến binh", "Hội Nông dân",
                     "Đoàn Thanh niên", "Hội Liên hiệp Phụ nữ", "Tổ dân vận"}


def test_the_admin_creates_a_steering_account_for_a_province(field_world, login):
    admin = login("admin")
    reply = new_account(admin, province_id=field_world.campaign.province_id)
    assert reply.status_code == 303
    created = user("nguyen.van.an")
    assert created.role is Role.steering
    assert created.province_id == field_world.campaign.province_id
    assert created.organisation_id is None


@pytest.mark.parametrize(("role", "missing"), [
    ("steering", "một tỉnh"), ("commune_official", "một xã"),
    ("coordinator", "một tổ chức"), ("grouping", "một huyện hoặc cụm"),
])
def test_a_role_without_its_unit_is_refused(field_world, login, role, missing):
    reply = new_account(login("admin"), role=role)
    assert reply.status_code == 200
    assert missing in reply.get_data(as_text=True)
    assert user("nguyen.van.an") is None


def test_a_commune_officials_province_follows_its_commune(field_world, login):
    new_account(login("admin"), role="commune_official", commune_id=field_world.other.id)
    created = user("nguyen.van.an")
    assert (created.commune_id, created.province_id) == (
        field_world.other.id, field_world.other.province_id)


def test_a_weak_password_is_refused_in_the_page(field_world, login):
    reply = new_account(login("admin"), province_id=field_world.campaign.province_id,
                        password="1234567890", confirm="1234567890")
    assert "quá phổ biến" in reply.get_data(as_text=True)
    assert user("nguyen.van.an") is None


def test_an_empty_password_is_made_up_and_shown_once(field_world, login):
    admin = login("admin")
    reply = new_account(admin, province_id=field_world.campaign.province_id, password="",
                        confirm="")
    page = admin.get(reply.headers["Location"]).get_data(as_text=True)
    shown = page.split("chỉ hiện lần này: ")[1].split("<")[0].strip()
    assert len(shown) >= 12
    assert user("nguyen.van.an").check_password(shown)


def test_disabling_an_account_ends_its_session_on_the_server(field_world, login):
    steering = login("steering")
    assert signed_in(steering)
    admin = login("admin")
    target = field_world.users["steering"]
    reply = admin.post(f"/quan-tri/tai-khoan/{target.id}/trang-thai", data={"enabled": "0"})
    assert reply.status_code == 303
    assert not signed_in(steering)
    assert steering.post("/dang-nhap", data={"username": "steering",
                                             "password": PASSWORD}).status_code == 401
    admin.post(f"/quan-tri/tai-khoan/{target.id}/trang-thai", data={"enabled": "1"})
    assert signed_in(login("steering"))


def test_a_password_reset_ends_the_sessions_and_takes_the_new_password(field_world, login):
    steering = login("steering")
    target = field_world.users["steering"]
    reply = login("admin").post(f"/quan-tri/tai-khoan/{target.id}/mat-khau",
                                data={"password": STRONG, "confirm": STRONG})
    assert reply.status_code == 303
    assert not signed_in(steering)
    assert signed_in(login("steering", STRONG))


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(field_world, login):
    here, elsewhere = login("steering"), login("steering")
    reply = here.post("/quan-tri/mat-khau", data={"current": PASSWORD, "password": STRONG,
                                                   "confirm": STRONG})
    assert reply.status_code == 303
    assert signed_in(here)
    assert not signed_in(elsewhere)
    wrong = here.post("/quan-tri/mat-khau", data={"current": "not it at all",
                                                   "password": PASSWORD, "confirm": PASSWORD})
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)


def test_changing_a_role_ends_the_sessions(field_world, login):
    official = login("official")
    target = field_world.users["official"]
    reply = login("admin").post(f"/quan-tri/tai-khoan/{target.id}", data={
        "full_name": "Cán bộ", "role": "steering", "province_id": target.province_id,
        "grouping_id": 0, "commune_id": 0, "organisation_id": 0})
    assert reply.status_code == 303
    assert user("official").role is Role.steering
    assert user("official").commune_id is None
    assert not signed_in(official)


def test_the_last_admin_and_ones_own_account_cannot_be_disabled(field_world, login):
    admin = login("admin")
    me = field_world.users["admin"]
    page = admin.post(f"/quan-tri/tai-khoan/{me.id}/trang-thai", data={"enabled": "0"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Bạn không thể khóa tài khoản của chính mình." in page
    assert user("admin").is_enabled


def test_a_coordinator_sees_and_changes_its_own_organisations_surveyors_only(
        field_world, login):
    coordinator = login("coordinator")
    listing = coordinator.get("/quan-tri/tai-khoan").get_data(as_text=True)
    assert ">surveyor<" in listing
    assert ">farmer<" not in listing
    assert ">steering<" not in listing
    farmer, steering = field_world.users["farmer"], field_world.users["steering"]
    for other in (farmer, steering):
        assert coordinator.get(f"/quan-tri/tai-khoan/{other.id}").status_code == 404
        assert coordinator.post(f"/quan-tri/tai-khoan/{other.id}/trang-thai",
                                data={"enabled": "0"}).status_code == 404
        assert coordinator.post(f"/quan-tri/tai-khoan/{other.id}/mat-khau",
                                data={"password": STRONG, "confirm": STRONG}).status_code == 404
    assert user("farmer").is_enabled
    own = field_world.users["surveyor"]
    assert coordinator.post(f"/quan-tri/tai-khoan/{own.id}/trang-thai",
                            data={"enabled": "0"}).status_code == 303
    assert not user("surveyor").is_enabled


def test_a_coordinator_creates_only_surveyors_of_its_own_organisation(field_world, login):
    coordinator = login("coordinator")
    reply = new_account(coordinator, role="admin",
                        organisation_id=field_world.farmers.id)
    assert reply.status_code == 303
    created = user("nguyen.van.an")
    assert created.role is Role.surveyor
    assert created.organisation_id == field_world.youth.id
    assert created.province_id == field_world.users["coordinator"].province_id


@pytest.mark.parametrize("username", ["steering", "grouping", "official", "surveyor"])
def test_only_admins_and_coordinators_manage_accounts(field_world, login, username):
    client = login(username)
    assert client.get("/quan-tri/tai-khoan").status_code == 403
    assert new_account(client).status_code == 403
    assert client.get("/quan-tri/mat-khau").status_code == 200


def test_users_create_on_the_command_line_needs_the_roles_scope(runner, field_world):
    def invoke(*args):
        return runner.invoke(args=["users", "create", *args, "--password", STRONG])

    refused = invoke("an.coordinator", "--role", "coordinator", "--province", "24")
    assert refused.exit_code != 0
    assert "--organisation" in refused.output
    made = invoke("an.coordinator", "--role", "coordinator", "--province", "24",
                  "--organisation", "farmers")
    assert made.exit_code == 0, made.output
    created = user("an.coordinator")
    assert created.organisation_id == field_world.farmers.id
    weak = runner.invoke(args=["users", "create", "root", "--password", "1234567890"])
    assert weak.exit_code != 0
    assert "quá phổ biến" in weak.output
    first_admin = runner.invoke(args=["users", "create", "root", "--password", STRONG])
    assert first_admin.exit_code == 0
    assert user("root").role is Role.admin
    reset = runner.invoke(args=["users", "password", "root", "--password", STRONG + "!"])
    assert reset.exit_code == 0
    assert user("root").check_password(STRONG + "!")


def test_demo_accounts_cover_every_role_and_sign_in(
        dummy_province, create_commune, open_campaign, login):
    cluster = Grouping(province_id=dummy_province.id, code="CUM1", name="Cụm thi đua số 1")
    db.session.add(cluster)
    db.session.flush()
    communes = [create_commune(grouping=cluster) for _ in range(4)]
    accounts = ensure_demo_accounts(db.session, dummy_province, open_campaign, communes)
    db.session.commit()
    assert {role for _, _, role in accounts} == {r.value for r in Role}
    assert ensure_demo_accounts(db.session, dummy_province, open_campaign, communes) == accounts
    for username, password, _role in accounts:
        assert password == DEMO_PASSWORD
        login(username, password)
    surveyor = user("dieutravien")
    assert db.session.scalar(select(func.count(SurveyorAssignment.id)).where(
        SurveyorAssignment.user_id == surveyor.id)) == 3
    assert user("canboxa").commune_id in {c.id for c in communes}
