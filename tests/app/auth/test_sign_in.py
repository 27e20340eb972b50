"""Signing in: ``next=`` leads only to this site, and a refusal takes as much work whether or
not the username exists."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.security import generate_password_hash

from survey_app.auth.redirects import same_site_path
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.people import sign_in
from tests.fixtures.field import PASSWORD
from tests.fixtures.field import StaffClient
from tests.fixtures.field import add_user

#: Pieces that have taken sign-in redirects elsewhere on some browser or framework.
PIECES = ["/", "//", "\\", "\t", "\n", "\r", "%09", "%0d%0a", " ", "\x00", "@", ":", ".",
          "..", "?", "#", "http:", "https://", "javascript:", "evil.example", "dang-nhap",
          "é", "\u3000", "\uff0f", "%2f", "%5c"]


def browser_reading(location: str) -> str:
    """A Location as a browser resolves it: tabs and line breaks dropped, backslashes read as
    slashes, leading spaces and controls trimmed."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/")
    return cleaned.lstrip("".join(map(chr, range(0x21))))


def stays_on_this_site(location: str) -> bool:
    seen = browser_reading(location)
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "localhost"
    return seen.startswith("/") and not seen.startswith("//")


@pytest.mark.parametrize(("target", "kept"), [
    ("/bang-dieu-khien/?campaign=3", True),
    ("/quan-tri/tai-khoan?q=an#top", True),
    ("//evil.example", False),
    ("/\t/evil.example", False),
    ("/\\evil.example", False),
    ("\\\\evil.example", False),
    ("https://evil.example/", False),
    ("javascript:alert(1)", False),
    ("/x\r\nSet-Cookie: a=b", False),
    ("bang-dieu-khien", False),
    ("/\uff0fevil.example", False),
    ("//[", False),
    ("///evil.example", False),
    ("", False),
])
def test_only_paths_of_this_site_are_kept(target, kept):
    assert (same_site_path(target) == target) is kept
    assert kept or same_site_path(target) is None


@pytest.fixture
def staff(app, dummy_province):
    """A client for an admin account, whose start page is the admin home."""
    add_user("steering", Role.admin)
    db.session.commit()
    return StaffClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def quick_hash(monkeypatch) -> None:
    """Password checks that take no time: the fuzz tests the redirect, not scrypt."""
    monkeypatch.setattr(sign_in, "check_password_hash", lambda _hash, password:
                        password == PASSWORD)


def post_sign_in(client, query: str):
    return client.post(f"/dang-nhap?{query}", data={"username": "steering", "password": PASSWORD})


@pytest.mark.parametrize("query", ["next=/%09/evil.example", "next=%2F%09%2Fevil.example",
                                   "next=/%0d%0aSet-Cookie:x=1", "next=/%0a/evil.example",
                                   "next=%5C%5Cevil.example", "next=https://evil.example"])
def test_a_crafted_next_lands_on_the_home_page(staff, query):
    response = post_sign_in(staff, query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/quan-tri/"


def test_a_next_on_this_site_is_followed(staff):
    response = post_sign_in(staff, "next=/quan-tri/mat-khau%3Fa%3D1")
    assert response.headers["Location"] == "/quan-tri/mat-khau?a=1"


NEXT_VALUES = st.one_of(st.text(max_size=40),
                        st.lists(st.sampled_from(PIECES), max_size=8).map("".join))


@settings(max_examples=500, deadline=None)
@given(target=NEXT_VALUES)
@example(target="//[")
@example(target="///evil.example")
def test_a_kept_target_is_itself_and_on_this_site(target):
    kept = same_site_path(target)
    assert kept is None or (kept == target and stays_on_this_site(kept))


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=NEXT_VALUES)
@example(target="/\t/evil.example")
@example(target="/\r\n/evil.example")
@example(target="//\uff0f")
def test_no_next_errs_or_leaves_the_site(staff, quick_hash, target):
    response = staff.post("/dang-nhap", query_string={"next": target},
                          data={"username": "steering", "password": PASSWORD})
    # Signed in and sent somewhere on this site, or (a NUL or another control character, which
    # the input guard refuses for every page) a 400.
    assert response.status_code in (302, 400)
    location = response.headers.get("Location")
    assert (location is None) is (response.status_code == 400)
    assert location is None or stays_on_this_site(location), location
    db.session.rollback()


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """The hashes that signing in checks a password against."""
    checked: list[str] = []
    real = sign_in.check_password_hash

    def check(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(sign_in, "check_password_hash", check)
    return checked


def test_an_unknown_username_still_has_a_password_checked(client, field_world, hash_checks):
    response = client.post("/dang-nhap", data={"username": "khong.co.ai", "password": PASSWORD})
    assert response.status_code == 401
    assert hash_checks == [sign_in.dummy_hash()]


def test_a_disabled_account_has_its_own_password_checked(client, field_world, hash_checks):
    user = field_world.users["steering"]
    user.is_enabled = False
    db.session.commit()
    response = client.post("/dang-nhap", data={"username": "steering", "password": PASSWORD})
    assert response.status_code == 401
    assert hash_checks == [user.password_hash]


def test_the_dummy_hash_costs_what_a_real_one_does():
    method = generate_password_hash("x").split("$")[0]
    assert sign_in.dummy_hash().split("$")[0] == method
