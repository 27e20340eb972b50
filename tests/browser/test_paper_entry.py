"""A surveyor types ten paper forms with the keyboard alone; exactly ten are stored as paper.

Only ``keyboard.press`` and ``keyboard.type`` touch the pages (navigation aside). Screenshots
land in tests/artifacts/ (paper-entry-*.png) for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forms import FormDefinition
from forms import validate_answers
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import InterviewParadata
from survey_app.models import ParadataSource
from survey_app.models import Response
from tests.fixtures.browser import screenshot
from tests.fixtures.field import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live]
SHEETS = 10


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id || ''")


def tab_to(page, element_id: str) -> None:
    for _ in range(20):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/dang-nhap")
    tab_to(page, "username")
    page.keyboard.type("surveyor")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sheet_keys(definition: FormDefinition, sheet: int) -> tuple[list[tuple[str, str]], dict]:
    """The keys a surveyor presses for one sheet, and the raw answers they mean.

    Answers vary with the sheet, so some sheets open the conditional questions and some
    optional questions are skipped with Enter. Each key is ("press", key) or ("type", text).
    """
    keys: list[tuple[str, str]] = []
    raw: dict[str, object] = {}
    questions = definition.questions
    for number, question in enumerate(questions):
        if question.show_if and not question.show_if.holds(raw.get(question.show_if.question)):
            continue
        last = all(q.show_if and not q.show_if.holds(raw.get(q.show_if.question))
                   for q in questions[number + 1:])
        if not question.required and (sheet + number) % 4 == 0:
            keys.append(("press", "Enter"))  # skipped; on the last question this saves
            continue
        if question.type == "short_text":
            text = f"Ghi chú phiếu {sheet + 1}"
            keys += [("type", text), ("press", "Enter")]
            raw[question.id] = text
            continue
        values = (question.option_values if question.type != "rating"
                  else tuple(str(n) for n in question.scale))
        pick = (sheet + number) % len(values)
        if question.type == "multiple_choice":
            picks = sorted({pick, (pick + 1) % len(values)})
            keys += [("press", str(p + 1)) for p in picks] + [("press", "Enter")]
            raw[question.id] = [values[p] for p in picks]
            continue
        keys.append(("press", str(pick + 1)))
        raw[question.id] = values[pick]
        if last:
            keys.append(("press", "Enter"))  # focus is on Save after the last pick
    return keys, raw


def first_question(page, definition: FormDefinition):
    """The input that takes the first key of a new sheet."""
    return page.locator(f"#q-{definition.questions[0].id} input").first


def stored_answers(response: Response) -> dict[str, object]:
    answers: dict[str, object] = {}
    for answer in db.session.scalars(select(Answer).where(Answer.response_id == response.id)
                                     .order_by(Answer.id)):
        if answer.question_id in answers:
            previous = answers[answer.question_id]
            answers[answer.question_id] = [*previous, answer.value] if isinstance(
                previous, list) else [previous, answer.value]
        else:
            answers[answer.question_id] = answer.value
    return answers


def test_ten_paper_forms_typed_by_keyboard_alone_are_stored_once_each(
        field_world, published_forms, live_server, desktop):
    page = desktop
    form = published_forms["PKS05"]
    definition = form.current_version().parsed
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/thuc-dia/chien-dich/{field_world.campaign.id}/xa/"
              f"{field_world.own.id}/phieu/{form.id}")
    expected = []
    for sheet in range(SHEETS):
        expect(page.locator("#saved-count")).to_have_text(str(sheet))
        expect(first_question(page, definition)).to_be_focused()
        keys, raw = sheet_keys(definition, sheet)
        expected.append(validate_answers(definition, raw))
        assert expected[-1].ok, expected[-1].errors
        for number, (kind, key) in enumerate(keys):
            if number == len(keys) - 1:
                with page.expect_navigation():
                    page.keyboard.press(key)
            elif kind == "type":
                page.keyboard.type(key)
            else:
                page.keyboard.press(key)
            if sheet == 2 and number == 6:
                screenshot(page, "paper-entry-typing")
    expect(page.locator("#saved-count")).to_have_text(str(SHEETS))
    screenshot(page, "paper-entry-after-ten")

    db.session.rollback()
    responses = list(db.session.scalars(select(Response).order_by(Response.id)))
    assert len(responses) == SHEETS
    surveyor = field_world.users["surveyor"]
    assert {(r.channel, r.entered_by_id, r.commune_id) for r in responses} == {
        (Channel.paper, surveyor.id, field_world.own.id)}
    for response, result in zip(responses, expected, strict=True):
        assert stored_answers(response) == {
            qid: value if isinstance(value, list) else str(value)
            for qid, value in result.answers.items()}
    # One sitting, one batch; the surveyor typed them all.
    kept = list(db.session.scalars(select(InterviewParadata)))
    assert len(kept) == SHEETS
    assert len({k.entry_batch for k in kept}) == 1
    assert {(k.source, k.typist_id) for k in kept} == {(ParadataSource.paper, surveyor.id)}


def test_a_field_interview_typed_on_the_page_sends_its_timings(
        field_world, published_forms, live_server, desktop):
    page = desktop
    form = published_forms["PKS05"]
    definition = form.current_version().parsed
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/thuc-dia/chien-dich/{field_world.campaign.id}/xa/"
              f"{field_world.own.id}/phieu/{form.id}?channel=phong-van")
    keys, _raw = sheet_keys(definition, 0)
    expect(first_question(page, definition)).to_be_focused()
    # The first answer given, then another one instead: one change (the sheet's own keys
    # then leave this optional question as it is).
    for key in ("2", "Shift+Tab", "3", "Shift+Tab"):
        page.keyboard.press(key)
    for number, (kind, key) in enumerate(keys):
        if number == len(keys) - 1:
            with page.expect_navigation():
                page.keyboard.press(key)
        elif kind == "type":
            page.keyboard.type(key)
        else:
            page.keyboard.press(key)
    expect(page.locator("#saved-count")).to_have_text("1")
    db.session.rollback()
    [response] = db.session.scalars(select(Response))
    kept = db.session.get(InterviewParadata, response.id)
    assert response.channel is Channel.field
    assert kept.source is ParadataSource.web
    first = definition.questions[0].id
    assert kept.answer_changes == {first: 1}
    assert first in kept.seconds_per_question
    assert abs(kept.clock_offset_seconds) <= 3
    assert kept.device_started_at <= kept.device_ended_at
