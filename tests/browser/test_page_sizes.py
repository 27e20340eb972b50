"""Every page this work changed, in Chromium at a desktop's, a tablet's and a phone's size:
screenshots in tests/artifacts/ (pages-*.png) for a person to look at, and no page wider
than its viewport. The charts speak Vietnamese and keep only the download button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard import busy_world  # noqa: F401 (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZES = {"desktop": (1366, 768), "tablet": (768, 1024), "phone": (360, 740)}


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="vi-VN", is_mobile=request.param == "phone",
                                  has_touch=request.param != "desktop")
    page = context.new_page()
    yield request.param, page
    context.close()


#: The elements that stick out of the screen, outside any box that scrolls sideways.
OFFENDERS = """(w) => Array.from(document.querySelectorAll('body *')).filter(e => {
  if (e.getBoundingClientRect().right <= w + 1) return false;
  for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
  }
  return true;
}).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' +
                   Math.round(e.getBoundingClientRect().right) + 'px')"""


def assert_fits(page) -> None:
    # The screen's width, not window.innerWidth: a phone's browser widens its layout
    # viewport to fit a page that overflows, and zooms out.
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, (f"{page.url} is {width}px wide in a {viewport}px viewport: "
                               f"{page.evaluate(OFFENDERS, viewport)}")


def visit(page, url: str, name: str, size: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert_fits(page)
    screenshot(page, f"pages-{name}-{size}")


def test_dashboard_pages_fit_every_size(busy_world, live_server, sized):  # noqa: F811
    size, page = sized
    base = live_server.url
    sign_in(page, base, "steering")
    expect(page.locator("#chart-heatmap.drawn .main-svg").first).to_be_visible()
    assert_fits(page)
    screenshot(page, f"pages-dashboard-{size}")
    visit(page, f"{base}/bang-dieu-khien/?q=phuong&sort=PKS05&dir=desc", "dashboard-search",
          size)
    page.goto(base + page.get_by_role("link", name="Phường Kinh Bắc").first.get_attribute("href"))
    expect(page.locator("#chart-forms.drawn .main-svg").first).to_be_visible()
    assert_fits(page)
    screenshot(page, f"pages-commune-{size}")
    visit(page, f"{base}/bang-dieu-khien/gop-y", "suggestions", size)


def test_charts_speak_vietnamese_with_one_button(busy_world, live_server, desktop):  # noqa: F811
    sign_in(desktop, live_server.url, "steering")
    chart = desktop.locator("#chart-status.drawn")
    expect(chart.locator(".main-svg").first).to_be_visible()
    chart.hover()
    buttons = chart.locator(".modebar-btn")
    expect(buttons).to_have_count(1)
    assert buttons.first.get_attribute("data-title") == "Tải biểu đồ về (ảnh PNG)"
    src = desktop.locator("script[src*=plotly]").get_attribute("src")
    reply = desktop.request.get(f"{live_server.url}{src}")
    assert "immutable" in reply.headers["cache-control"]
    assert "max-age=31536000" in reply.headers["cache-control"]


def test_citizen_pages_fit_every_size(live_server, dummy_commune, open_campaign, create_point,
                                      sized):
    size, page = sized
    point = create_point(dummy_commune, "PKS07", label="Quầy 1")
    create_point(dummy_commune, "PKS05", label="Quầy 1")
    visit(page, f"{live_server.url}/f/{point.token}", "citizen-form", size)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phiếu").click()
    assert_fits(page)
    screenshot(page, f"pages-citizen-error-{size}")
    visit(page, f"{live_server.url}/f/{point.token}/cam-on", "citizen-thanks", size)
