"""The offline app records how a form was filled in, and the server keeps it: a phone whose
clock is an hour behind fills a PKS05 offline, changes one answer, sends it later, and the
stored paradata has a time for each question, the change, and an offset of an hour (not the
delay). Screenshot: tests/artifacts/paradata-sent.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import InterviewParadata
from survey_app.models import ParadataSource
from tests.browser.test_offline import TAPS
from tests.browser.test_offline import open_offline_form
from tests.browser.test_offline import stored
from tests.browser.test_offline import tap
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: The phone's clock, an hour behind the server's (Date.now is what the app reads).
CLOCK_BEHIND = """(() => { const real = Date.now.bind(Date);
  Date.now = () => real() - 3600 * 1000; })();"""


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_the_offline_form_sends_its_paradata_with_the_clock_offset(phone, live_server,
                                                                     field_world):
    phone.context.add_init_script(CLOCK_BEHIND)
    base, context = live_server.url, phone.context
    open_offline_form(phone, base)
    context.set_offline(True)
    tap(phone, "attitude", "Bình thường")
    phone.wait_for_timeout(400)  # the respondent thinks again
    for qid, label in TAPS:
        tap(phone, qid, label)  # attitude: changed to "Lịch sự, thân thiện"
    tap(phone, "q_overall", "Hài lòng")
    phone.get_by_role("button", name="Lưu phiếu").tap()
    expect(phone.locator("#waiting-count")).to_have_text("1")
    phone.wait_for_timeout(2500)  # kept on the phone a while before the network returns
    context.set_offline(False)
    expect(phone.locator("#waiting-count")).to_have_text("0")
    screenshot(phone, "paradata-sent")

    [response] = stored()
    kept = db.session.scalar(select(InterviewParadata))
    assert kept.response_id == response.id
    assert kept.source is ParadataSource.offline
    questions = {qid for qid, _label in TAPS} | {"q_overall"}
    assert questions <= set(kept.seconds_per_question)
    assert all(0 <= s < 120 for s in kept.seconds_per_question.values())
    # The time before a tap is the tapped question's (read, then answered): the pause
    # after the first answer went to the question tapped next.
    assert kept.seconds_per_question["wait_time"] >= 0.3
    assert kept.answer_changes == {"attitude": 1}
    assert kept.answer_changes_total == 1
    assert kept.device_started_at < kept.device_ended_at
    # Sent after 2.5 s offline: still an hour, the clock's error, not the wait.
    assert abs(kept.clock_offset_seconds - 3600) <= 3, kept.clock_offset_seconds
    # By the phone's clock the interview ended an hour before the server got it.
    assert response.received_at - kept.device_ended_at > timedelta(minutes=59)
