"""axe-core (through axe-playwright-python) on every kind of page, citizen and staff: no
serious or critical violation. A failure lists each rule with the elements it found."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_dashboard import busy_world  # noqa: F401 (a fixture)
from tests.browser.test_dashboard import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.live]

AXE = Axe()
SEVERE = {"serious", "critical"}


def severe_violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    found = AXE.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in found if v["impact"] in SEVERE]


def check(page, url: str, problems: dict) -> None:
    page.goto(url)
    found = severe_violations(page)
    if found:
        problems[url] = found


def test_citizen_pages(live_server, dummy_commune, open_campaign, create_point, phone):
    point = create_point(dummy_commune, "PKS07", label="Quầy 1")
    create_point(dummy_commune, "PKS05", label="Quầy 1")
    problems: dict = {}
    base = live_server.url
    for path in ("/", f"/f/{point.token}", f"/f/{point.token}/cam-on", "/f/khong-co-ma-nay",
                 "/dang-nhap"):
        check(phone, base + path, problems)
    phone.goto(f"{base}/f/{point.token}")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Gửi phiếu").tap()
    found = severe_violations(phone)
    if found:
        problems["form after a failed send"] = found
    assert problems == {}


def test_dashboard_pages(busy_world, live_server, desktop):  # noqa: F811
    problems: dict = {}
    base = live_server.url
    sign_in(desktop, base, "steering")
    commune = busy_world.meets.id
    for path in ("/bang-dieu-khien/", "/bang-dieu-khien/?q=xa&sort=name",
                 f"/bang-dieu-khien/xa/{commune}", f"/bang-dieu-khien/xa/{commune}?form=PKS05",
                 "/bang-dieu-khien/xu-huong", "/bang-dieu-khien/gop-y",
                 "/bang-dieu-khien/bao-cao?kind=year", "/bang-dieu-khien/bao-cao?kind=six_month"):
        check(desktop, base + path, problems)
    assert problems == {}


def test_field_and_admin_pages(field_world, live_server, browser):
    problems: dict = {}
    base = live_server.url
    world = field_world
    pks05 = next(cf for cf in world.campaign.forms if cf.form.code == "PKS05")
    pages = {
        "surveyor": ["/thuc-dia/", "/thuc-dia/nhap-tep",
                     f"/thuc-dia/chien-dich/{world.campaign.id}/xa/{world.own.id}/phieu/"
                     f"{pks05.form_id}"],
        "coordinator": ["/thuc-dia/tien-do", "/thuc-dia/phan-cong", "/thuc-dia/dieu-phoi"],
        "admin": ["/quan-tri/", "/quan-tri/bo-quy-tac", "/quan-tri/tai-khoan",
                  "/quan-tri/ma-qr/", "/quan-tri/phan-cong", "/quan-tri/tai-khoan/moi"],
    }
    for user, paths in pages.items():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page = context.new_page()
        sign_in(page, base, user)
        for path in paths:
            check(page, base + path, problems)
        context.close()
    assert problems == {}
