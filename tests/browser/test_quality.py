"""The quality of field work in headless Chromium: the ranking and a week's back-check list
at desktop and phone size. Screenshots: tests/artifacts/quality-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.field.test_quality import quality_world  # noqa: F401  (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_coordinator_ranks_and_makes_the_week_list(quality_world, live_server,  # noqa: F811
                                                       request, size):
    page = request.getfixturevalue(size)
    sign_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/thuc-dia/chat-luong")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chất lượng khảo sát thực địa")
    expect(page.locator("table.quality tbody tr").first).to_contain_text("Youth0")
    page.get_by_role("button", name="Lập danh sách tuần này").click()
    expect(page.locator("select[name=result]")).to_have_count(7)
    page.locator("select[name=result]").first.select_option("confirmed")
    page.get_by_role("button", name="Lưu").first.click()
    expect(page.get_by_text("Đã ghi kết quả gọi lại.")).to_be_visible()
    screenshot(page, f"quality-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
