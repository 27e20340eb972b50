"""The headers and cookies of each kind of page: a script runs only with its response's nonce,
no page is framed, nothing showing people's data is kept by a cache, and over HTTPS the session
cookie is Secure, host-only and named __Host-session."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
import pytest

from survey_app import create_app
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields
from tests.conftest import base_config
from tests.fixtures.field import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "survey_app"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


@pytest.fixture
def steering(results_world, login):
    return login("steering", PASSWORD)


def citizen_form(client, point):
    return client.get(f"/f/{point.token}")


def thanks_page(client, point):
    sent = client.post(f"/f/{point.token}", data={**form_fields(client, point), **PKS05_ANSWERS})
    assert sent.status_code == 303
    return client.get(sent.headers["Location"])


CITIZEN_PAGES = {"citizen form": citizen_form, "thanks page": thanks_page}
STAFF_PAGES = {
    "staff page": "/quan-tri/mat-khau",
    "dashboard": "/bang-dieu-khien/",
    "API": "/api/v1/campaigns",
    "export download": "/bang-dieu-khien/xuat/ket-qua.xlsx",
}


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:])
            for part in (p.strip() for p in policy.split(";")) if part}


def assert_hardened(response) -> None:
    assert response.status_code == 200
    policy = csp(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("kind", CITIZEN_PAGES)
def test_citizen_pages_are_hardened_and_never_cached(client, point, kind):
    response = CITIZEN_PAGES[kind](client, point)
    assert_hardened(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kind", STAFF_PAGES)
def test_staff_pages_are_hardened_and_never_cached(steering, kind):
    response = steering.get(STAFF_PAGES[kind])
    assert_hardened(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/static/staff.css", "/bang-dieu-khien/static/dashboard.js"])
def test_public_static_files_stay_cacheable(client, url):
    with client.get(url) as response:
        assert_hardened(response)
        assert "no-store" not in response.headers["Cache-Control"]


def test_plotly_is_cached_for_a_year(client):
    response = client.get(f"/bang-dieu-khien/thu-vien/plotly-{plotly.__version__}.min.js")
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_error_pages_are_hardened_too(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert csp(response)["frame-ancestors"] == "'none'"
    assert response.headers["Cache-Control"] == "no-store"


def script_nonces(html: str) -> list[str | None]:
    """The nonce of each script the page runs inline (not loaded from a file)."""
    found = []
    for attributes in SCRIPT.findall(html):
        if "src=" in attributes:
            continue
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        found.append(nonce.group(1) if nonce else None)
    return found


def header_nonce(response) -> str:
    return re.fullmatch(r"'self' 'nonce-([^']+)'", csp(response)["script-src"]).group(1)


def test_each_opening_of_the_cached_form_has_its_own_nonce_on_its_script(client, point):
    nonces = set()
    for _ in range(3):
        response = citizen_form(client, point)
        html = response.get_data(as_text=True)
        assert script_nonces(html) == [header_nonce(response)]
        nonces.add(header_nonce(response))
    assert len(nonces) == 3


def test_a_form_sent_back_with_errors_carries_the_nonce(client, point):
    fields = form_fields(client, point)
    response = client.post(f"/f/{point.token}", data=fields)
    assert response.status_code == 422
    assert script_nonces(response.get_data(as_text=True)) == [header_nonce(response)]


def test_the_paper_entry_script_carries_the_nonce(field_world, login, published_forms):
    surveyor = login("surveyor")
    form = published_forms["PKS05"]
    response = surveyor.get(f"/thuc-dia/chien-dich/{field_world.campaign.id}/xa/"
                            f"{field_world.own.id}/phieu/{form.id}")
    assert response.status_code == 200
    assert script_nonces(response.get_data(as_text=True)) == [header_nonce(response)]


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("templates/**/*.html"))


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_run_no_script_without_a_nonce_and_have_no_event_handler(path):
    source = path.read_text(encoding="utf-8")
    for attributes in SCRIPT.findall(source):
        assert "src=" in attributes or "nonce=" in attributes, attributes
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", source, re.IGNORECASE)
    assert "javascript:" not in source.lower()


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "session=" in c]
    assert len(cookies) == 1, cookies
    return cookies[0]


class TestOverHttps:
    @pytest.fixture
    def app_config(self, app_config) -> dict:
        return {**app_config, "HTTPS": True, "WTF_CSRF_ENABLED": True}

    def test_the_session_cookie_is_secure_host_only_and_prefixed(self, client):
        # The sign-in page's CSRF token puts it there; a citizen's pages set none.
        cookie = session_cookie(client.get("/dang-nhap"))
        assert cookie.startswith("__Host-session=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path"} <= attributes
        assert "domain" not in attributes
        assert "; Path=/" in cookie
        assert "SameSite=Lax" in cookie

    def test_the_citizens_only_cookie_is_the_secure_device_id(self, client, point):
        [cookie] = citizen_form(client, point).headers.getlist("Set-Cookie")
        assert cookie.startswith("qr_device=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path"} <= attributes
        assert "; Path=/f/" in cookie

    def test_hsts_is_sent(self, client, point):
        response = citizen_form(client, point)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_plain_http_in_tests_keeps_the_plain_cookie_and_sends_no_hsts(client, point):
    response = citizen_form(client, point)
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in (response.headers.get("Set-Cookie") or "")


@pytest.mark.parametrize(("settings", "https"), [
    ({}, True),
    ({"DEBUG": True}, False),
    ({"HTTPS": False}, False),
])
def test_production_is_https_unless_debugging_or_told_otherwise(tmp_path, settings, https):
    config = {**base_config(f"sqlite:///{tmp_path}/x.db", tmp_path), "TESTING": False,
              **settings}
    app = create_app(config)
    assert app.config["HTTPS"] is https
    assert (app.config["SESSION_COOKIE_NAME"] == "__Host-session") is https
