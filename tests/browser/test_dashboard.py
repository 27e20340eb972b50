"""The steering committee opens the dashboard and a commune in headless Chromium.

Screenshots land in tests/artifacts/ (dashboard-*.png) for a person to look at.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from flask import request
from playwright.sync_api import expect

from survey_app.extensions import db
from tests.fixtures.browser import screenshot
from tests.fixtures.field import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: Extra communes: (name, cluster, PKS01 satisfied/other, PKS05 satisfied/other).
MORE = [
    ("Phường Kinh Bắc", 1, (9, 1), (33, 4)), ("Xã Tiên Du", 1, (6, 5), (20, 12)),
    ("Phường Võ Cường", 2, (10, 0), (36, 2)), ("Xã Lạc Vệ", 2, (4, 1), (9, 2)),
    ("Xã Phật Tích", 2, (8, 2), (26, 8)), ("Phường Từ Sơn", 2, (10, 0), (31, 3)),
]


@pytest.fixture
def busy_world(results_world, create_commune, add_responses):
    """Nine communes with responses spread over six weeks."""
    world = results_world
    clusters = {1: world.cluster1, 2: world.cluster2}
    start = datetime.now(UTC) - timedelta(weeks=6)
    for index, (name, cluster, pks01, pks05) in enumerate(MORE):
        commune = create_commune(name, grouping=clusters[cluster], staff_headcount=10)
        for week in range(6):
            when = start + timedelta(weeks=week, hours=index)
            for form, (good, bad) in (("PKS01", pks01), ("PKS05", pks05)):
                share = (week + 1) / 6
                done = (round(good * share) - round(good * week / 6),
                        round(bad * share) - round(bad * week / 6))
                add_responses(world.campaign, commune, world.forms[form],
                              {"hai_long": done[0], "binh_thuong": done[1]}, received_at=when)
    db.session.commit()
    return world


@pytest.fixture
def failures(app) -> list[str]:
    """Paths the live server answered with an error status."""
    failed: list[str] = []

    @app.after_request
    def record(response):
        if response.status_code >= 400:
            failed.append(request.path)
        return response

    return failed


class Watch:
    """Console and page errors, and every host the page contacted.

    The sign-in page (not the dashboard's) lets the browser ask for /favicon.ico, which the
    app does not serve: that 404 and its console line are expected, nothing else.
    """

    def __init__(self, page, failures: list[str]) -> None:
        self.console: list[str] = []
        self.hosts: set[str] = set()
        self.failures = failures
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(str(e)))
        page.on("request", lambda r: self.hosts.add(urlparse(r.url).hostname or r.url))

    def assert_clean(self) -> None:
        assert set(self.failures) <= {"/favicon.ico"}
        unexpected = [m for m in self.console if not m.startswith("Failed to load resource")]
        assert unexpected == []
        assert len(self.console) <= len(self.failures)
        assert self.hosts == {"127.0.0.1"}


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def test_the_dashboard_and_a_commune_open_without_errors(busy_world, live_server, desktop,
                                                         failures):
    watch = Watch(desktop, failures)
    sign_in(desktop, live_server.url, "steering")
    expect(desktop).to_have_url(f"{live_server.url}/bang-dieu-khien/")
    expect(desktop.locator("#headline")).to_contain_text("/ 9")
    expect(desktop.locator("#chart-target.drawn .main-svg").first).to_be_visible()
    expect(desktop.locator("#chart-trend.drawn .main-svg").first).to_be_visible()
    for chart in ("status", "groupings", "samples", "heatmap"):
        expect(desktop.locator(f"#chart-{chart}.drawn .main-svg").first).to_be_visible()
    screenshot(desktop, "dashboard-province")

    desktop.get_by_role("link", name="Phường Kinh Bắc").click()
    expect(desktop.locator("h1")).to_have_text("Phường Kinh Bắc")
    expect(desktop.locator("#chart-forms.drawn .main-svg").first).to_be_visible()
    expect(desktop.locator("#chart-trend.drawn .main-svg").first).to_be_visible()
    expect(desktop.get_by_text("Kết quả trả lời")).to_be_visible()
    screenshot(desktop, "dashboard-commune")

    desktop.goto(f"{live_server.url}/bang-dieu-khien/bao-cao?kind=year")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("BÁO CÁO")
    desktop.emulate_media(media="print")
    screenshot(desktop, "dashboard-report-print")

    watch.assert_clean()


def test_a_grouping_sees_its_cluster_on_a_projector(busy_world, live_server, browser,
                                                    failures):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN")
    page = context.new_page()
    watch = Watch(page, failures)
    sign_in(page, live_server.url, "grouping")
    expect(page.locator("#headline")).to_contain_text("/ 4")
    expect(page.locator("#chart-heatmap.drawn .main-svg").first).to_be_visible()
    expect(page.locator("#chart-trend.drawn .main-svg").first).to_be_visible()
    assert page.get_by_text("Xã Tam Sơn").count() == 0
    screenshot(page, "dashboard-grouping-1024")
    context.close()
    watch.assert_clean()
