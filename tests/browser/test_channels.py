"""QR against field in headless Chromium: the listed commune and the funnel, desktop and phone.
Screenshots: tests/artifacts/channels-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.dashboard.test_channels import channel_world  # noqa: F401  (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_listed_commune_and_the_funnel(channel_world, live_server, request, size):  # noqa: F811
    page = request.getfixturevalue(size)
    sign_in(page, live_server.url, "steering")
    page.goto(f"{live_server.url}/bang-dieu-khien/kenh?campaign={channel_world.campaign.id}"
              "&form=PKS05")
    expect(page.get_by_role("heading", level=1)).to_have_text("QR so với khảo sát thực địa")
    expect(page.locator("#listed-head")).to_contain_text("(1)")
    expect(page.locator("#chart-funnel .main-svg").first).to_be_visible()
    screenshot(page, f"channels-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
