"""The audit trail's page in headless Chromium, on a desktop and a phone: the committee reads
its province's rows and checks the chain. Screenshots: tests/artifacts/audit-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_committee_reads_the_trail_and_checks_the_chain(field_world, live_server, request,
                                                            size):
    page = request.getfixturevalue(size)
    for username in ("admin", "steering"):
        sign_in(page, live_server.url, username)
        page.context.clear_cookies()
    sign_in(page, live_server.url, "steering")
    page.goto(f"{live_server.url}/quan-tri/nhat-ky")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký thao tác")
    expect(page.locator("table.audit tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Kiểm tra chuỗi").click()
    # Seven form versions published by the fixtures, then three sign-ins.
    expect(page.get_by_role("status")).to_contain_text("Chuỗi nguyên vẹn: đã kiểm tra 10 dòng")
    screenshot(page, f"audit-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
