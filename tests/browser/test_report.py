"""The report in the official layout in headless Chromium: the page at 1366×768, its print
rendering, and the PDF it downloads, each saved as a picture under tests/artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from survey_app.clock import today_in_vietnam
from survey_app.dashboard.report_builder import ROMAN
from tests.browser.test_dashboard import Watch
from tests.browser.test_dashboard import busy_world  # noqa: F401 (a fixture)
from tests.browser.test_dashboard import failures  # noqa: F401 (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_the_report_prints_and_downloads_in_the_official_layout(busy_world, live_server,  # noqa: F811
                                                                 laptop, failures):  # noqa: F811
    watch = Watch(laptop, failures)
    base = live_server.url
    sign_in(laptop, base, "steering")
    laptop.goto(f"{base}/bang-dieu-khien/bao-cao")
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("BÁO CÁO")
    expect(laptop.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")).to_be_visible()
    expect(laptop.get_by_role("img", name="Tỷ lệ xã đạt chuẩn so với chỉ tiêu")).to_be_visible()
    # Nothing sticks out sideways at a laptop's width.
    assert laptop.evaluate("document.documentElement.scrollWidth") <= 1366
    laptop.screenshot(path=str(ARTIFACTS / "report-1366x768.png"))
    screenshot(laptop, "report-page")

    # A quarter with the number and signer typed in.
    today = today_in_vietnam()
    quarter = f"q{(today.month - 1) // 3 + 1}-{today.year}"
    laptop.get_by_label("Kỳ báo cáo").select_option(value=quarter)
    laptop.locator("summary").click()
    laptop.get_by_label("Số báo cáo").fill("15/BC-BCĐ")
    laptop.get_by_label("Họ tên người ký").fill("Nguyễn Thị Hồng Nhung")
    with laptop.expect_navigation():
        laptop.get_by_role("button", name="Xem").click()
    expect(laptop.locator("article.official")).to_contain_text("Số: 15/BC-BCĐ")
    expect(laptop.locator("article.official h1")).to_contain_text(
        f"quý {ROMAN[(today.month - 1) // 3 + 1]} năm {today.year}")
    expect(laptop.locator("article.official")).to_contain_text("Nguyễn Thị Hồng Nhung")

    laptop.emulate_media(media="print")
    expect(laptop.locator("form.report-picker")).to_be_hidden()
    expect(laptop.locator(".topbar")).to_be_hidden()
    screenshot(laptop, "report-print")
    laptop.emulate_media(media="screen")

    with laptop.expect_download() as download:
        laptop.get_by_role("link", name="Tải PDF").click()
    path = ARTIFACTS / "report.pdf"
    download.value.save_as(path)
    document = pdfium.PdfDocument(str(path))
    text = " ".join(document[0].get_textpage().get_text_range().split())
    assert "Số: 15/BC-BCĐ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for n in range(len(document)):
        document[n].render(scale=1.5).to_pil().save(ARTIFACTS / f"report-pdf-{n + 1}.png")

    watch.assert_clean()


def test_an_empty_period_warns_at_the_top(results_world, live_server, laptop):
    # results_world's responses all arrive today: up to yesterday there is nothing.
    sign_in(laptop, live_server.url, "steering")
    yesterday = today_in_vietnam() - timedelta(days=1)
    laptop.goto(f"{live_server.url}/bang-dieu-khien/bao-cao?period=custom"
                f"&to={yesterday.isoformat()}")
    warning = laptop.locator(".report-warning")
    expect(warning).to_contain_text("CẢNH BÁO")
    assert warning.bounding_box()["y"] < 768
    laptop.screenshot(path=str(ARTIFACTS / "report-empty-period.png"))
