"""A surveyor voids one sheet and corrects another in Chromium; the list shows both marked; on a
phone, a paper sheet is found by its number in a list of pages.

Screenshots land in tests/artifacts/ (corrections-*.png) for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.corrections import corrections
from tests.browser.test_paper_entry import sign_in
from tests.fixtures.browser import screenshot
from tests.services.test_corrections import enter

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_void_and_correct_a_sheet_in_the_browser(field_world, pks05, live_server, desktop):
    page = desktop
    wrong, typo, kept = (enter(field_world, pks05) for _ in range(3))
    db.session.commit()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/thuc-dia/phieu-da-nhap?campaign={field_world.campaign.id}")
    screenshot(page, "corrections-list")

    row = page.locator(f"#phieu-{wrong}")
    row.get_by_text("Hủy phiếu", exact=True).click()
    screenshot(page, "corrections-void-reason")
    # The browser itself asks for the reason before anything is sent.
    row.get_by_role("button", name="Hủy phiếu này").click()
    expect(page).to_have_url(f"{live_server.url}/thuc-dia/phieu-da-nhap?campaign="
                             f"{field_world.campaign.id}")
    row.get_by_label(f"Lý do hủy phiếu {wrong}").fill("Nhập trùng với phiếu số 12")
    with page.expect_navigation():
        row.get_by_role("button", name="Hủy phiếu này").click()
    expect(page.locator(".flash")).to_contain_text(f"Đã hủy phiếu {wrong}")

    with page.expect_navigation():
        page.locator(f"#phieu-{typo}").get_by_role("link", name="Sửa phiếu").click()
    expect(page.locator("input[name=q_overall][value=hai_long]")).to_be_checked()
    page.locator("#q-q_overall label.opt").filter(
        has=page.locator("input[value=khong_hai_long]")).click()
    page.get_by_label("Lý do sửa phiếu").fill("Gõ nhầm câu mức độ hài lòng")
    screenshot(page, "corrections-replace-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu phiếu đã sửa").click()
    expect(page.locator(".flash")).to_contain_text(f"Đã thay phiếu {typo} bằng phiếu")
    expect(page.locator(f"#phieu-{wrong}")).to_have_class("superseded")
    expect(page.locator(f"#phieu-{typo}")).to_contain_text("Gõ nhầm câu mức độ hài lòng")
    screenshot(page, "corrections-after")

    db.session.rollback()
    rows = {r.id: r for r in db.session.scalars(select(Response))}
    assert rows[wrong].supersede_reason == "Nhập trùng với phiếu số 12"
    assert rows[wrong].replacement_id is None
    new = rows[rows[typo].replacement_id]
    assert new.satisfaction_answer == "khong_hai_long"
    assert rows[kept].superseded_at is None


def test_a_paper_sheet_is_found_by_its_number_on_a_phone(field_world, pks05, live_server, phone,
                                                         monkeypatch):
    monkeypatch.setattr(corrections, "PER_PAGE", 3)
    sheets = [enter(field_world, pks05) for _ in range(8)]
    db.session.commit()
    sign_in(phone, live_server.url)
    phone.goto(f"{live_server.url}/thuc-dia/phieu-da-nhap")
    expect(phone.get_by_role("status")).to_have_text("Phiếu 1–3 trên tổng số 8, mới nhất trước.")
    screenshot(phone, "corrections-list-phone")
    # Each sheet is a block: its buttons are on the screen, not cut off past its edge.
    void = phone.locator(f"#phieu-{sheets[-1]}").get_by_text("Hủy phiếu", exact=True)
    box = void.bounding_box()
    assert box["x"] + box["width"] <= phone.viewport_size["width"]

    phone.get_by_label("Tìm phiếu số").fill(str(sheets[1]))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tìm", exact=True).tap()
    expect(phone).to_have_url(f"{live_server.url}/thuc-dia/phieu-da-nhap?campaign="
                              f"{field_world.campaign.id}&page=3#phieu-{sheets[1]}")
    expect(phone.locator(f"#phieu-{sheets[1]}")).to_be_in_viewport()
    expect(phone.get_by_text("Trang 3 / 3")).to_be_visible()
    screenshot(phone, "corrections-found-phone")

    phone.get_by_label("Tìm phiếu số").fill("12345")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tìm", exact=True).tap()
    expect(phone.get_by_role("alert")).to_have_text(
        "Không có phiếu số 12345 trong các phiếu bạn được sửa.")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Cũ hơn →").tap()
    expect(phone.get_by_role("status")).to_have_text("Phiếu 4–6 trên tổng số 8, mới nhất trước.")
