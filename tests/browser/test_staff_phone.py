"""Staff pages on a phone at 360 px: the field home, the import page, the rulebook page, the
progress and assignment pages: none wider than the screen. Screenshots: staff-*.png."""

from __future__ import annotations

import pytest

from tests.browser.test_dashboard import sign_in
from tests.browser.test_page_sizes import SIZES
from tests.browser.test_page_sizes import assert_fits
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

PAGES = {
    "surveyor": {"field-home": "/thuc-dia/", "import": "/thuc-dia/nhap-tep"},
    "coordinator": {"progress": "/thuc-dia/tien-do", "assignments": "/thuc-dia/phan-cong",
                    "coordination": "/thuc-dia/dieu-phoi"},
    "admin": {"rulebook": "/quan-tri/bo-quy-tac", "admin-home": "/quan-tri/",
              "qr-points": "/quan-tri/ma-qr/", "accounts-new": "/quan-tri/tai-khoan/moi"},
}


@pytest.mark.parametrize("size", list(SIZES))
def test_staff_pages_fit_the_screen(field_world, live_server, browser, size):
    width, height = SIZES[size]
    for user, pages in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="vi-VN", is_mobile=size == "phone")
        page = context.new_page()
        sign_in(page, live_server.url, user)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert page.locator("h1").count() >= 1
            screenshot(page, f"staff-{name}-{size}")
            assert_fits(page)
        context.close()
