"""A surveyor's phone loses the network, keeps three responses, and sends each exactly once.

Screenshots land in tests/artifacts/ (offline-*.png) for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from flask import request
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import SurveyorAssignment
from tests.fixtures.browser import screenshot
from tests.fixtures.field import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: (question id, label to tap) for every required PKS05 question.
TAPS = [
    ("wait_time", "Nhanh gọn"),
    ("attitude", "Lịch sự, thân thiện"),
    ("guidance", "Nhiệt tình, hướng dẫn dễ hiểu"),
    ("skill", "Thành thạo, chuyên nghiệp"),
    ("processing_time", "Đúng hẹn"),
    ("extra_payment_suggested", "Không"),
]
OVERALL = ["Rất hài lòng", "Hài lòng", "Bình thường"]


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def tap(page, qid: str, label: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    page.locator(f"#q-{qid} label.opt").filter(has_text=exact).tap()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/dang-nhap?next=/thuc-dia/ngoai-tuyen/")
    page.fill("#username", "surveyor")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").tap()


def stored() -> list[Response]:
    db.session.rollback()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


@pytest.fixture
def server_log(app) -> list[str]:
    """The paths the live server was asked for, in order."""
    paths: list[str] = []
    app.before_request(lambda: paths.append(request.path))
    return paths


def fill_pks05(page, overall: str) -> None:
    for qid, label in TAPS:
        tap(page, qid, label)
    tap(page, "q_overall", overall)
    page.get_by_role("button", name="Lưu phiếu").tap()
    expect(page.locator("#saved-note")).to_be_visible()


def open_offline_form(page, base: str) -> None:
    sign_in(page, base)
    expect(page).to_have_url(f"{base}/thuc-dia/ngoai-tuyen/")
    expect(page.locator("#offline-ready")).to_have_attribute("data-ready", "1")
    pks05 = page.locator("#form-choice option", has_text="PKS05").get_attribute("value")
    page.select_option("#form-choice", value=pks05)


def test_three_responses_entered_offline_survive_a_closed_page_and_are_sent_once(
        phone, live_server, field_world, server_log):
    base, context = live_server.url, phone.context
    open_offline_form(phone, base)

    context.set_offline(True)
    offline_from = len(server_log)
    expect(phone.locator("#net-state")).to_have_text("Không có mạng")
    for overall in OVERALL:
        fill_pks05(phone, overall)
    expect(phone.locator("#waiting-count")).to_have_text("3")
    screenshot(phone, "offline-three-waiting")
    phone.close()

    reopened = context.new_page()
    page = reopened.goto(f"{base}/thuc-dia/ngoai-tuyen/")
    assert page.from_service_worker
    expect(reopened.locator("#waiting-count")).to_have_text("3")
    expect(reopened.locator("#net-state")).to_have_text("Không có mạng")
    screenshot(reopened, "offline-reopened")
    # The page came from the phone, not the server. (A new page's very first script fetch may
    # slip past Playwright's offline emulation; the queue check below shows nothing was sent.)
    assert "/thuc-dia/ngoai-tuyen/" not in server_log[offline_from:]
    assert stored() == []

    context.set_offline(False)
    expect(reopened.locator("#waiting-count")).to_have_text("0")
    expect(reopened.locator("#sync-message")).to_have_text("Đã gửi 3 phiếu.")
    screenshot(reopened, "offline-sent")
    responses = stored()
    assert sorted(r.satisfaction_answer for r in responses) == ["binh_thuong", "hai_long",
                                                                "rat_hai_long"]
    assert {r.channel for r in responses} == {Channel.field}
    assert {r.entered_by_id for r in responses} == {field_world.users["surveyor"].id}
    reopened.reload()
    expect(reopened.locator("#waiting-count")).to_have_text("0")
    assert len(stored()) == 3


def test_a_reply_lost_on_the_way_back_does_not_store_twice(phone, live_server, field_world):
    open_offline_form(phone, live_server.url)
    lost = []

    def lose_reply(route):
        # The server stores the response, but its answer never reaches the phone.
        route.fetch()
        lost.append(route.request.url)
        route.abort("connectionreset")

    phone.route("**/thuc-dia/dong-bo", lose_reply)
    fill_pks05(phone, "Hài lòng")
    expect(phone.locator("#sync-message")).to_contain_text("Chưa gửi được")
    expect(phone.locator("#waiting-count")).to_have_text("1")
    assert len(lost) == 1
    assert len(stored()) == 1

    phone.unroute("**/thuc-dia/dong-bo")
    phone.get_by_role("button", name="Gửi ngay").tap()
    expect(phone.locator("#waiting-count")).to_have_text("0")
    assert len(stored()) == 1


def test_sign_in_expired_while_offline_keeps_the_queue_until_signed_in_again(
        phone, live_server, field_world):
    base, context = live_server.url, phone.context
    open_offline_form(phone, base)
    context.set_offline(True)
    fill_pks05(phone, "Rất hài lòng")
    surveyor = field_world.users["surveyor"]
    surveyor.end_sessions()
    db.session.commit()

    context.set_offline(False)
    expect(phone.locator("#login-again")).to_be_visible()
    expect(phone.locator("#waiting-count")).to_have_text("1")
    screenshot(phone, "offline-sign-in-again")
    assert stored() == []

    phone.get_by_role("link", name="Đăng nhập lại").tap()
    phone.fill("#username", "surveyor")
    phone.fill("#password", PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Đăng nhập").tap()
    expect(phone.locator("#waiting-count")).to_have_text("0")
    [response] = stored()
    assert response.entered_by_id == surveyor.id


def test_a_refused_response_is_shown_and_not_resent(phone, live_server, field_world,
                                                     server_log):
    base, context = live_server.url, phone.context
    open_offline_form(phone, base)
    context.set_offline(True)
    fill_pks05(phone, "Bình thường")
    # While the phone is offline, the coordinator takes the commune away from the surveyor.
    db.session.execute(delete(SurveyorAssignment))
    db.session.commit()

    context.set_offline(False)
    expect(phone.locator("#failed-note")).to_have_text(
        "Có 1 phiếu bị máy chủ từ chối: xem lý do ở cuối trang.")
    expect(phone.locator("#failed-list")).to_contain_text("phân công của bạn đã thay đổi")
    expect(phone.locator("#waiting-count")).to_have_text("0")
    screenshot(phone, "offline-refused")
    syncs = server_log.count("/thuc-dia/dong-bo")
    phone.reload()
    expect(phone.locator("#failed-list li.card")).to_have_count(1)
    assert server_log.count("/thuc-dia/dong-bo") == syncs
    assert stored() == []

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Xoá").tap()
    expect(phone.locator("#failed")).to_be_hidden()
