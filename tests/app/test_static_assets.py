"""Static files are named by their content and kept for good; the dashboard's pages and
JSON go out compressed to a browser that accepts it."""

from __future__ import annotations

import gzip
import re

import pytest

from survey_app.static_assets import IMMUTABLE
from tests.fixtures.field import PASSWORD


@pytest.fixture
def steering(results_world, login):
    return login("steering", PASSWORD)


def assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/[^"]*\.(?:css|js)[^"]*)"', html)


def test_every_stylesheet_and_script_url_names_its_version(steering):
    html = steering.get("/bang-dieu-khien/").get_data(as_text=True)
    urls = assets(html) + assets(steering.get("/nhan-vien/").get_data(as_text=True))
    assert any("staff.css" in url for url in urls)
    assert any("dashboard.js" in url for url in urls)
    for url in urls:
        response = steering.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        assert re.search(r"[?&]v=[0-9a-f]{12}$", url) or "plotly-" in url, url
        response.close()


def test_the_dashboard_carries_its_styles_in_the_page(steering):
    """No stylesheet to wait for before the headline: one round trip less on a slow link."""
    html = steering.get("/bang-dieu-khien/").get_data(as_text=True)
    assert 'rel="stylesheet"' not in html
    head = html.split("</head>", 1)[0]
    assert ".topbar" in head  # staff.css
    assert ".tabs" in head  # dashboard.css
    assert "<style>" in head


def test_a_file_asked_without_its_version_or_with_an_old_one_is_revalidated(steering):
    html = steering.get("/bang-dieu-khien/").get_data(as_text=True)
    url = next(u for u in assets(html) if "dashboard.js" in u)
    bare = url.split("?")[0]
    for asked in (bare, bare + "?v=000000000000"):
        response = steering.get(asked)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
        assert response.headers.get("ETag")
        response.close()


def test_the_dashboard_goes_out_compressed_when_the_browser_accepts_it(steering, results_world):
    plain = steering.get("/bang-dieu-khien/")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    zipped = steering.get("/bang-dieu-khien/", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(zipped.data).decode()
    # The same page but for the per-request nonce and CSRF token.
    assert len(body) == pytest.approx(len(plain.get_data(as_text=True)), abs=200)
    assert "Xã Hợp Thịnh" in body
    assert len(zipped.data) * 4 < len(body)
    trend = steering.get("/bang-dieu-khien/xu-huong?partial=1",
                         headers={"Accept-Encoding": "gzip"})
    assert trend.status_code == 200
