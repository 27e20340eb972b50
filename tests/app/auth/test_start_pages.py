"""Each role lands on its own start page after signing in, never on a 403."""

from __future__ import annotations

import pytest

from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.demo import DEMO_PASSWORD
from survey_app.demo import load_demo
from survey_app.extensions import db
from survey_app.models import Grouping
from survey_app.models import Role
from tests.fixtures.field import PASSWORD
from tests.fixtures.field import StaffClient
from tests.fixtures.field import add_user

#: Demo account → where it lands, and words its start page shows.
STARTS = {
    "admin": ("/quan-tri/", "Đợt khảo sát"),
    "bancd": ("/bang-dieu-khien/", "Bảng điều khiển"),
    "cum1": ("/bang-dieu-khien/", "Bảng điều khiển"),
    "canboxa": ("/bang-dieu-khien/xa/", "Bảng điều khiển"),
    "dieuphoi": ("/thuc-dia/", "Khảo sát thực địa"),
    "dieutravien": ("/thuc-dia/", "Khảo sát thực địa"),
}


@pytest.fixture
def demo(app):
    with unit_of_work(db.session):
        load_demo(db.session, 12, today_in_vietnam().year)


def sign_in(app, username: str, next_path: str | None = None):
    client = StaffClient(app, app.response_class, use_cookies=True)
    url = "/dang-nhap" + (f"?next={next_path}" if next_path else "")
    reply = client.post(url, data={"username": username, "password": DEMO_PASSWORD},
                        follow_redirects=True)
    return client, reply


# One demo province for all the roles (loading it takes seconds on PostgreSQL).
def test_every_demo_role_lands_on_a_page_it_can_use(app, demo):
    for username, (path, words) in sorted(STARTS.items()):
        _client, reply = sign_in(app, username)
        assert reply.status_code == 200, username
        assert reply.request.path.startswith(path), username
        text = reply.get_data(as_text=True)
        assert words in text, username
        assert "Trang đầu" in text, username  # the staff home is one click away


def test_a_surveyor_sent_to_the_dashboard_lands_on_field_work(app, demo):
    client, reply = sign_in(app, "dieutravien", "/bang-dieu-khien/")
    assert reply.status_code == 200
    assert reply.request.path == "/thuc-dia/"
    # Opened by hand, the dashboard still refuses, but points to what the surveyor can do.
    refused = client.get("/bang-dieu-khien/")
    assert refused.status_code == 403
    assert "/nhan-vien/" in refused.get_data(as_text=True)


def test_a_page_the_role_may_open_is_kept_as_next(app, demo):
    _client, reply = sign_in(app, "bancd", "/ma-qr-khong-co/")
    assert reply.request.path == "/bang-dieu-khien/"  # no such page: its start instead
    _client, reply = sign_in(app, "bancd", "/quan-tri/ma-qr/")
    assert reply.status_code == 200
    assert reply.request.path == "/quan-tri/ma-qr/"


#: Demo account → links its staff home lists, and links it does not.
HOMES = [
    ("dieutravien", ["/thuc-dia/"], ["/bang-dieu-khien/", "/quan-tri/dot-khao-sat/"]),
    ("dieuphoi", ["/thuc-dia/", "/quan-tri/tai-khoan", "/bang-dieu-khien/"],
     ["/quan-tri/dot-khao-sat/"]),
    ("canboxa", ["/bang-dieu-khien/", "/quan-tri/ma-qr/"], ["/thuc-dia/\""]),
    ("admin", ["/quan-tri/dot-khao-sat/", "/quan-tri/"], []),
]


def test_staff_home_lists_what_the_role_can_do(app, demo):
    for username, listed, not_listed in HOMES:
        client, _reply = sign_in(app, username)
        reply = client.get("/nhan-vien/")
        assert reply.status_code == 200, username
        main = reply.get_data(as_text=True).split("<main>", 1)[1]
        for path in listed:
            assert f'href="{path}' in main, (username, path)
        for path in not_listed:
            assert f'href="{path}' not in main, (username, path)
        for link in listed:  # each opens, through at most a redirect of its own
            assert client.get(link, follow_redirects=True).status_code == 200, (username, link)


def test_before_any_campaign_every_role_still_lands_on_a_200(app, dummy_commune, organisations):
    grouping = Grouping(province_id=dummy_commune.province_id, code="CUM1", name="Cụm 1")
    db.session.add(grouping)
    db.session.flush()
    province = dummy_commune.province_id
    youth = organisations["youth_union"].id
    scopes = {
        Role.admin: {}, Role.steering: {"province_id": province},
        Role.grouping: {"grouping_id": grouping.id},
        Role.commune_official: {"commune_id": dummy_commune.id},
        Role.coordinator: {"province_id": province, "organisation_id": youth},
        Role.surveyor: {"province_id": province, "organisation_id": youth},
    }
    for role, scope in scopes.items():
        add_user(role.value, role, **scope)
    db.session.commit()
    for role in scopes:
        client = StaffClient(app, app.response_class, use_cookies=True)
        reply = client.post("/dang-nhap", data={"username": role.value, "password": PASSWORD},
                            follow_redirects=True)
        assert reply.status_code == 200, role
        assert client.get("/nhan-vien/").status_code == 200
