"""Two-step sign-in: a steering account turns it on from its own page, sign-in then asks for
the code, a code works once, and an administrator or the shell turns it off for a lost phone."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from survey_app.auth import views as auth_views
from survey_app.extensions import db
from survey_app.models import User
from tests.fixtures.field import PASSWORD
from tests.fixtures.field import StaffClient


@pytest.fixture
def new_client(app):
    return lambda: StaffClient(app, app.response_class, use_cookies=True)


def account(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def password_step(client, username: str = "steering", query: str = ""):
    return client.post(f"/dang-nhap{query}", data={"username": username, "password": PASSWORD})


def turn_on(client) -> str:
    """Open the set-up page, read the key beside the QR code, confirm with the app's code."""
    page = client.get("/quan-tri/mat-khau/hai-buoc").get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    key = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    confirmed = client.post("/quan-tri/mat-khau/hai-buoc",
                            data={"code": pyotp.TOTP(key).now()})
    assert confirmed.status_code == 303
    return key


def code_at(key: str, steps_ahead: int) -> str:
    return pyotp.TOTP(key).at(time.time() + 30 * steps_ahead)


@pytest.fixture
def later(monkeypatch):
    """Move the sign-in's clock ``seconds`` ahead."""
    def move(seconds: int) -> None:
        monkeypatch.setattr(auth_views, "now_utc",
                            lambda: datetime.now(UTC) + timedelta(seconds=seconds))
    return move


def test_the_whole_flow(field_world, login, new_client, later, caplog):
    caplog.set_level(logging.DEBUG)
    steering = login("steering")
    own_page = steering.get("/quan-tri/mat-khau").get_data(as_text=True)
    assert 'href="/quan-tri/mat-khau/hai-buoc"' in own_page

    key = turn_on(steering)
    assert account("steering").totp_secret == key
    # Turning it on ended every other session; this browser was signed in again.
    assert steering.get("/quan-tri/mat-khau").status_code == 200

    # The password alone no longer signs in: it leads to the code page, signed out.
    browser = new_client()
    step = password_step(browser, query="?next=/quan-tri/mat-khau")
    assert step.headers["Location"] == "/dang-nhap/ma"
    assert browser.get("/quan-tri/mat-khau").status_code == 302
    assert browser.get("/dang-nhap/ma").status_code == 200
    assert browser.post("/dang-nhap/ma", data={"code": "000000"}).status_code == 401
    # The code that confirmed the set-up was used already: the app's next one signs in.
    code = code_at(key, 1)
    signed = browser.post("/dang-nhap/ma", data={"code": code})
    assert signed.headers["Location"] == "/quan-tri/mat-khau"
    assert browser.get("/quan-tri/mat-khau").status_code == 200
    assert account("steering").last_login_at is not None

    # A code works once: seen over a shoulder, it opens nothing more.
    replay = new_client()
    password_step(replay)
    assert replay.post("/dang-nhap/ma", data={"code": code}).status_code == 401
    later(90)
    assert replay.post("/dang-nhap/ma", data={"code": code_at(key, 3)}).status_code == 302

    # The secret is never written to the log.
    assert key not in caplog.text


def test_without_a_pending_sign_in_the_code_page_sends_to_sign_in(client, field_world):
    response = client.get("/dang-nhap/ma")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dang-nhap"


def test_a_wrong_confirmation_code_leaves_it_off(field_world, login):
    steering = login("steering")
    steering.get("/quan-tri/mat-khau/hai-buoc")
    response = steering.post("/quan-tri/mat-khau/hai-buoc", data={"code": "123456"})
    assert response.status_code == 200
    assert "Mã không đúng" in response.get_data(as_text=True)
    assert account("steering").totp_secret is None


def test_field_accounts_cannot_turn_it_on(field_world, login):
    assert login("surveyor").get("/quan-tri/mat-khau/hai-buoc").status_code == 403


def test_the_account_turns_it_off_with_a_current_code(field_world, login, new_client):
    steering = login("steering")
    key = turn_on(steering)
    assert steering.post("/quan-tri/mat-khau/hai-buoc/tat",
                         data={"code": "999999"}).status_code == 303
    assert account("steering").totp_secret == key
    steering.post("/quan-tri/mat-khau/hai-buoc/tat", data={"code": code_at(key, 1)})
    assert account("steering").totp_secret is None
    assert password_step(new_client()).headers["Location"] == "/bang-dieu-khien/"


def test_an_administrator_turns_it_off_for_a_lost_phone(field_world, login, new_client):
    turn_on(login("steering"))
    admin = login("admin")
    user_id = account("steering").id
    assert "/hai-buoc/tat" in admin.get("/quan-tri/tai-khoan").get_data(as_text=True)
    assert admin.post(f"/quan-tri/tai-khoan/{user_id}/hai-buoc/tat").status_code == 303
    assert account("steering").totp_secret is None
    assert password_step(new_client()).headers["Location"] == "/bang-dieu-khien/"


def test_the_shell_turns_it_off(field_world, login, runner):
    turn_on(login("steering"))
    result = runner.invoke(args=["users", "totp-off", "steering"])
    assert result.exit_code == 0, result.output
    assert account("steering").totp_secret is None
    assert runner.invoke(args=["users", "totp-off", "khong.co.ai"]).exit_code != 0
