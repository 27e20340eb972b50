"""Behind a proxy, limits count each citizen and each official by the address the proxy saw,
not by the proxy's own; without PROXY_HOPS a forged X-Forwarded-For changes nothing."""

from __future__ import annotations

import pytest

from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields

PROXY = "10.0.0.2"


@pytest.fixture
def hops() -> int:
    return 1


@pytest.fixture
def app_config(app_config, hops) -> dict:
    return {**app_config, "RATELIMIT_ENABLED": True, "PUBLIC_SUBMIT_LIMIT": "3 per minute",
            "LOGIN_LIMIT": "3 per minute", "PROXY_HOPS": hops}


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def submit(client, point, client_address: str, proxy: str = PROXY) -> int:
    fields = form_fields(client, point)
    return client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS},
                       headers={"X-Forwarded-For": client_address},
                       environ_base={"REMOTE_ADDR": proxy}).status_code


def sign_in(client, username: str, client_address: str) -> int:
    return client.post("/dang-nhap", data={"username": username, "password": "sai mật khẩu"},
                       headers={"X-Forwarded-For": client_address},
                       environ_base={"REMOTE_ADDR": PROXY}).status_code


def test_each_citizen_behind_the_proxy_has_a_limit_of_its_own(client, point):
    for citizen in ("203.0.113.1", "203.0.113.2"):
        assert [submit(client, point, citizen) for _ in range(3)] == [303] * 3
    assert submit(client, point, "203.0.113.1") == 429
    assert submit(client, point, "203.0.113.3") == 303


def test_only_the_address_the_proxy_added_counts(client, point):
    # The citizen's phone sent a made-up X-Forwarded-For; the proxy appended what it saw.
    for made_up in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        assert submit(client, point, f"{made_up}, 203.0.113.1") == 303
    assert submit(client, point, "198.51.100.4, 203.0.113.1") == 429


def test_each_official_behind_the_proxy_has_a_sign_in_limit_of_its_own(client, field_world):
    names = ("admin", "steering", "grouping")
    assert [sign_in(client, name, "203.0.113.1") for name in names] == [401] * 3
    assert sign_in(client, "official", "203.0.113.1") == 429
    assert sign_in(client, "official", "203.0.113.2") == 401


@pytest.mark.parametrize("hops", [0])
def test_without_proxy_hops_a_forged_header_does_not_reset_the_limit(client, point):
    for number in range(3):
        assert submit(client, point, f"203.0.113.{number}") == 303
    assert submit(client, point, "203.0.113.9") == 429
