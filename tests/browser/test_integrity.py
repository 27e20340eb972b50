"""The committee's integrity pages in headless Chromium: the ranked list, a commune's panel,
and a decision on a flagged group. Screenshots: tests/artifacts/integrity-*.png."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.results.integrity import recompute_campaign
from tests.browser.test_dashboard import Watch
from tests.browser.test_dashboard import failures  # noqa: F401  (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def stuffed_world(results_world, add_responses):
    """Phường Đông Ngàn (failing) stuffed with 40 best answers from one phone in 12 minutes
    on a weekday morning, over citizens who answered across two weeks."""
    world = results_world
    monday = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # 08:30 in Vietnam
    honest = add_responses(world.campaign, world.fails, world.forms["PKS05"],
                           {"hai_long": 14, "khong_hai_long": 12})
    for n, response_id in enumerate(honest):
        db.session.execute(update(Response).where(Response.id == response_id).values(
            received_at=monday + timedelta(days=n % 10, hours=n % 7),
            device_key=f"citizen{n}", network_key=f"net{n % 4}"))
    stuffed = add_responses(world.campaign, world.fails, world.forms["PKS05"],
                            {"rat_hai_long": 40})
    for n, response_id in enumerate(stuffed):
        db.session.execute(update(Response).where(Response.id == response_id).values(
            received_at=monday + timedelta(days=3, seconds=18 * n), device_key="clerk",
            network_key="office", duration_seconds=4))
    db.session.commit()
    with unit_of_work(db.session):
        recompute_campaign(db.session, world.campaign)
    return world


def test_the_committee_sees_the_burst_and_decides(stuffed_world, live_server, desktop, phone,
                                                  failures):  # noqa: F811
    watch = Watch(desktop, failures)
    sign_in(desktop, live_server.url, "steering")
    desktop.goto(f"{live_server.url}/bang-dieu-khien/toan-ven")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Tính trung thực của phiếu QR")
    expect(desktop.get_by_role("link", name="Phường Đông Ngàn")).to_be_visible()
    screenshot(desktop, "integrity-province")

    desktop.get_by_role("link", name="Phường Đông Ngàn").click()
    expect(desktop.locator("#chart-timeline.drawn .main-svg").first).to_be_visible()
    expect(desktop.get_by_text("39 phiếu từ một thiết bị")).to_be_visible()
    screenshot(desktop, "integrity-commune")

    group = desktop.locator("article.group").first
    group.get_by_label("Xác nhận loại bỏ").check()
    group.get_by_label("Lý do (bắt buộc)").fill("Công chức một cửa tự bấm phiếu, đã xác minh")
    group.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(desktop.get_by_text("Đã xác nhận loại bỏ")).to_be_visible()
    expect(desktop.get_by_text("Công chức một cửa tự bấm phiếu")).to_be_visible()
    screenshot(desktop, "integrity-decided")
    watch.assert_clean()

    sign_in(phone, live_server.url, "steering")
    phone.goto(f"{live_server.url}/bang-dieu-khien/toan-ven/xa/{stuffed_world.fails.id}")
    expect(phone.locator("#chart-timeline.drawn .main-svg").first).to_be_visible()
    screenshot(phone, "integrity-commune-phone")
