"""An administrator runs the year's campaign in headless Chromium, at desktop and phone size.

Screenshots land in tests/artifacts/ (campaigns-*.png) for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Role
from tests.browser.test_dashboard import Watch
from tests.browser.test_dashboard import failures  # noqa: F401  (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot
from tests.fixtures.field import add_user

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def province(dummy_province, published_forms, create_commune):
    for number, name in enumerate(("Xã Hợp Thịnh", "Phường Kinh Bắc", "Xã Tiên Du",
                                   "Phường Võ Cường", "Xã Lạc Vệ"), start=1):
        create_commune(name, staff_headcount=15 + 3 * number if number % 2 else None)
    add_user("admin", Role.admin)
    db.session.commit()
    return dummy_province




def fits(page) -> bool:
    """Nothing wider than the screen: only tables scroll, inside their own box."""
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def run_the_year(page, base: str, size: str) -> None:
    year = today_in_vietnam().year + 1
    sign_in(page, base, "admin")
    expect(page).to_have_url(f"{base}/quan-tri/")
    page.get_by_role("link", name="Đợt khảo sát").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đợt khảo sát")
    page.fill("#name", f"Năm {year}")
    page.fill("#year", str(year))
    screenshot(page, f"campaigns-new-{size}")
    assert fits(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo đợt khảo sát").click()
    expect(page.locator(".flash")).to_contain_text(f"Đã tạo đợt khảo sát Năm {year}")

    page.select_option("#form_code", "*")
    with page.expect_navigation():
        page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Đã thêm 7 phiếu")
    pks05 = page.locator(".form", has=page.get_by_role("heading", name="PKS05", exact=False))
    pks05.get_by_text("Mở sớm…").click()
    pks05.locator("textarea").fill("Tỉnh khảo sát thử trước quý III")
    with page.expect_navigation():
        pks05.get_by_role("button", name="Mở PKS05 từ hôm nay").click()
    expect(page.locator(".flash")).to_contain_text("PKS05 mở từ hôm nay")
    expect(page.get_by_text("1 trên 7 phiếu đang mở")).to_be_visible()
    expect(page.locator(".changes")).to_contain_text("Tỉnh khảo sát thử trước quý III")

    with page.expect_navigation():
        page.get_by_role("button", name="Tạo điểm thu phiếu").click()
    expect(page.locator(".flash")).to_contain_text("Đã tạo 35 điểm thu phiếu")
    # A refusal, shown in words: PKS05 cannot move past the day it opened with an answer
    # ... has none yet, so a back-to-front window is the refusal shown here.
    pks05 = page.locator(".form", has=page.get_by_role("heading", name="PKS05", exact=False))
    pks05.get_by_text("Sửa ngày hoặc chỉ tiêu…").click()
    pks05.locator("input[name=closes_on]").fill(f"{year - 3}-01-01")
    with page.expect_navigation():
        pks05.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash.error")).to_contain_text("Ngày đóng không được trước ngày mở")
    page.locator(".form").first.get_by_text("Sửa ngày hoặc chỉ tiêu…").click()
    screenshot(page, f"campaigns-campaign-{size}")
    assert fits(page)

    page.get_by_role("link", name="Gợi ý cỡ mẫu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gợi ý cỡ mẫu")
    expect(page.get_by_text("chưa có số liệu").first).to_be_visible()
    screenshot(page, f"campaigns-targets-{size}")
    assert fits(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu các chỉ tiêu này").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu chỉ tiêu cho 7 phiếu")

    page.goto(f"{base}/nhan-vien/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    screenshot(page, f"staff-home-{size}")
    assert fits(page)


def test_the_year_at_desktop_size(province, live_server, desktop, failures):  # noqa: F811
    watch = Watch(desktop, failures)
    run_the_year(desktop, live_server.url, "desktop")
    watch.assert_clean()


def test_the_year_on_a_phone(province, live_server, phone, failures):  # noqa: F811
    watch = Watch(phone, failures)
    run_the_year(phone, live_server.url, "phone")
    watch.assert_clean()
