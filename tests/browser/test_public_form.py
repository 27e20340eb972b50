"""A citizen on a phone answers PKS05 by tapping, with JavaScript on and off.

Screenshots land in tests/artifacts/ (public-form-*.png) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Response
from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: (question id, label of the option to tap) for the required PKS05 questions.
REQUIRED_TAPS = [
    ("attitude", "Lịch sự, thân thiện"),
    ("guidance", "Nhiệt tình, hướng dẫn dễ hiểu"),
    ("skill", "Thành thạo, chuyên nghiệp"),
    ("processing_time", "Đúng hẹn"),
    ("extra_payment_suggested", "Không"),
]


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


@pytest.fixture
def phone_without_script(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="vi-VN",
                                  java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def tap(page, qid: str, label: str) -> None:
    """Tap the row of one option, matched on its whole label ("Hài lòng" ≠ "Rất hài lòng")."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    page.locator(f"#q-{qid} label.opt").filter(has_text=exact).tap()


def send(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phiếu").tap()


def viewport_shot(page, name: str) -> None:
    """What the phone shows without scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def stored_answers() -> dict[str, list[str]]:
    db.session.rollback()  # see what the server committed, not this test's old snapshot
    answers: dict[str, list[str]] = {}
    for answer in db.session.scalars(select(Answer).order_by(Answer.id)):
        answers.setdefault(answer.question_id, []).append(answer.value)
    return answers


def test_phone_answers_by_tapping_and_is_thanked(live_server, point, phone):
    page = phone
    page.goto(f"{live_server.url}/f/{point.token}")
    assert page.locator("header.unit").inner_text().startswith("UBND Xã Hợp Thịnh")
    viewport_shot(page, "public-form-top")

    # The follow-up to a long wait stays out of the way until the citizen says the wait was long.
    reason = page.locator("#q-wait_reason")
    assert reason.is_hidden()
    tap(page, "wait_time", "Chờ đợi rất lâu")
    assert reason.is_visible()
    # The condition is shown by the page itself, so its written-out form is not needed.
    assert reason.locator(".cond").is_hidden()
    tap(page, "wait_reason", "Công chức xử lý chậm")
    tap(page, "wait_reason", "Số lượng người dân làm thủ tục quá đông")
    # Changing the answer hides the follow-up again; changing back shows it with its ticks.
    tap(page, "wait_time", "Nhanh gọn")
    assert reason.is_hidden()
    tap(page, "wait_time", "Chờ đợi rất lâu")
    assert reason.is_visible()

    for qid, label in REQUIRED_TAPS:
        tap(page, qid, label)
    # The overall satisfaction question is forgotten: the page comes back marked.
    send(page)
    # The message is at the top of the reloaded page and leads to the question to fix.
    assert page.locator(".alert").is_visible()
    viewport_shot(page, "public-form-error-top")
    # Numbered as the page shows it: hidden follow-ups leave no gap (14 on paper).
    shown = page.locator("#q-q_overall .qn").text_content()
    assert int(shown) < 14
    page.locator(".alert a", has_text=f"Câu {shown}").tap()
    assert page.url.endswith("#q-q_overall")
    error = page.locator("#q-q_overall .err")
    assert error.inner_text() == "Vui lòng trả lời câu hỏi này."
    assert page.locator("#q-attitude input[value=lich_su_than_thien]").is_checked()
    assert page.locator("#q-wait_reason").is_visible()
    viewport_shot(page, "public-form-error")
    screenshot(page, "public-form-error-full")

    tap(page, "q_overall", "Rất hài lòng")
    send(page)
    assert page.url.endswith("/cam-on")
    assert page.locator("h1").inner_text() == "Trân trọng cảm ơn!"
    assert "UBND Xã Hợp Thịnh" in page.locator("main").inner_text()
    screenshot(page, "public-form-thanks")

    answers = stored_answers()
    assert answers["wait_time"] == ["cho_rat_lau"]
    assert sorted(answers["wait_reason"]) == ["qua_dong", "xu_ly_cham"]
    assert answers["q_overall"] == ["rat_hai_long"]
    assert db.session.scalar(select(Response.satisfaction_answer)) == "rat_hai_long"


def test_without_javascript_conditions_are_written_out_and_sending_works(
    live_server, point, phone_without_script
):
    page = phone_without_script
    page.goto(f"{live_server.url}/f/{point.token}")
    reason = page.locator("#q-wait_reason")
    assert reason.is_visible()
    condition = reason.locator(".cond")
    assert condition.is_visible()
    assert condition.inner_text() == "Chỉ trả lời nếu ở câu 5 ông/bà chọn “Chờ đợi rất lâu”."
    condition.scroll_into_view_if_needed()
    viewport_shot(page, "public-form-no-script")

    # The citizen answers the follow-up although the wait was short: the server drops it.
    tap(page, "wait_time", "Nhanh gọn")
    tap(page, "wait_reason", "Công chức xử lý chậm")
    for qid, label in [*REQUIRED_TAPS, ("q_overall", "Hài lòng")]:
        tap(page, qid, label)
    send(page)
    assert page.url.endswith("/cam-on")
    assert "UBND Xã Hợp Thịnh" in page.locator("main").inner_text()

    answers = stored_answers()
    assert answers["wait_time"] == ["nhanh_gon"]
    assert "wait_reason" not in answers
    assert answers["q_overall"] == ["hai_long"]
