"""Guessing passwords is throttled per address and per username, with a Vietnamese 429."""

from __future__ import annotations

import pytest

from tests.fixtures.field import PASSWORD


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_LIMIT": "3 per minute"}


def attempt(client, username: str, password: str = "không phải mật khẩu", address="10.0.0.1"):
    return client.post("/dang-nhap", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_fourth_wrong_password_in_a_minute_is_refused_with_retry_after(client, field_world):
    for _ in range(3):
        assert attempt(client, "admin").status_code == 401
    reply = attempt(client, "admin")
    assert reply.status_code == 429
    assert 0 < int(reply.headers["Retry-After"]) <= 60
    assert "vui lòng đợi một phút" in reply.get_data(as_text=True).lower()
    # Even the right password waits: the limit is on trying, not on failing.
    assert attempt(client, "admin", PASSWORD).status_code == 429


def test_one_username_is_throttled_from_every_address(client, field_world):
    for number in range(3):
        attempt(client, "admin", address=f"10.0.1.{number}")
    assert attempt(client, "admin", address="10.0.1.9").status_code == 429
    assert attempt(client, "surveyor", address="10.0.1.9").status_code == 401


def test_opening_the_sign_in_page_is_not_limited(client, field_world):
    for _ in range(5):
        assert client.get("/dang-nhap").status_code == 200
