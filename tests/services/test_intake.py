"""``intake.take``: every outcome a channel may meet, and ``choose_version``'s choice."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.database import unit_of_work
from survey_app.database import write_transaction
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Conflict
from survey_app.services.intake.take import IdenticalResend
from survey_app.services.intake.take import Stored
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import Unidentified
from survey_app.services.intake.take import choose_version
from survey_app.services.intake.take import take
from survey_app.services.intake.take import valid_id
from survey_app.services.intake.take import valid_submission_id
from tests.app.public.test_form_page import republish_pks05
from tests.app.public.test_submit import PKS05_ANSWERS


@pytest.fixture
def pks05(open_campaign):
    return next(cf for cf in open_campaign.forms if cf.form.code == "PKS05")


@pytest.fixture
def version(pks05) -> PublishedVersion:
    return PublishedVersion.of(pks05.form.current_version())


def submission(pks05, dummy_commune, **changes) -> Submission:
    return Submission(**{"submission_id": str(uuid.uuid4()), "campaign_id": pks05.campaign_id,
                         "commune_id": dummy_commune.id, "channel": Channel.paper,
                         "answers": dict(PKS05_ANSWERS), **changes})


def in_session():
    return unit_of_work(db.session)


def stored() -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count(Response.id))),
            db.session.scalar(select(func.count(Answer.id))))


def test_new_answers_are_stored_with_every_answer(pks05, dummy_commune, version):
    outcome = take(submission(pks05, dummy_commune), version, in_session)
    assert isinstance(outcome, Stored)
    assert stored() == (1, len(PKS05_ANSWERS))


@pytest.mark.parametrize("transaction", ["session", "connection"])
def test_the_same_submission_again_is_an_identical_resend(pks05, dummy_commune, version,
                                                          transaction):
    into = in_session if transaction == "session" else (lambda: write_transaction(db.engine))
    sent = submission(pks05, dummy_commune)
    first = take(sent, version, into)
    again = take(sent, version, into)
    assert again == IdenticalResend(first.response_id)
    assert stored() == (1, len(PKS05_ANSWERS))


def test_the_same_id_with_other_answers_is_a_conflict(pks05, dummy_commune, version):
    sent = submission(pks05, dummy_commune)
    take(sent, version, in_session)
    other = submission(pks05, dummy_commune, submission_id=sent.submission_id,
                       answers={**PKS05_ANSWERS, "q_overall": "khong_hai_long"})
    assert take(other, version, in_session) == Conflict()
    assert stored() == (1, len(PKS05_ANSWERS))


def test_wrong_answers_are_errors_and_take_no_transaction(pks05, dummy_commune, version):
    def never():
        raise AssertionError("no transaction for answers that failed")

    outcome = take(submission(pks05, dummy_commune, answers={"q_overall": "?"},
                              channel=Channel.qr), version, never)
    assert isinstance(outcome, AnswerErrors)
    assert outcome.errors["q_overall"].code == "invalid_option"
    assert outcome.errors["attitude"].code == "required"
    # Typed by staff, a blank where the form allows it is "không trả lời", not an error.
    outcome = take(submission(pks05, dummy_commune, answers={"q_overall": "?"}), version, never)
    assert set(outcome.errors) == {"q_overall"}
    assert stored() == (0, 0)


def test_no_id_or_no_version_is_unidentified(pks05, dummy_commune, version):
    assert take(submission(pks05, dummy_commune, submission_id=None), version,
                in_session) == Unidentified()
    assert take(submission(pks05, dummy_commune), None, in_session) == Unidentified()
    assert stored() == (0, 0)


@pytest.mark.parametrize(("value", "expected"), [
    (5, 5), ("5", 5), (2**31 - 1, 2**31 - 1), (2**31, None), (0, None), (-1, None),
    (True, None), ([5], None), ({"id": 5}, None), ("²", None), ("5.0", None), (None, None),
])
def test_valid_id_takes_only_what_can_be_a_database_id(value, expected):
    assert valid_id(value) == expected


def test_valid_submission_id_is_a_canonical_uuid():
    made = uuid.uuid4()
    assert valid_submission_id(str(made).upper()) == str(made)
    assert valid_submission_id("not-a-uuid") is None
    assert valid_submission_id(None) is None


def test_choose_version_keeps_the_version_shown_if_it_is_the_forms(pks05, version, tmp_path):
    older = version
    republish_pks05(tmp_path, lambda data: None)
    newer = PublishedVersion.of(pks05.form.current_version())
    assert newer.id != older.id
    assert choose_version(db.session, pks05.form_id, older.id, newer) == older
    assert choose_version(db.session, pks05.form_id, str(newer.id), newer) is newer
    assert choose_version(db.session, pks05.form_id, None, newer) is newer
    other_form = next(cf for cf in pks05.campaign.forms if cf.form_id != pks05.form_id)
    foreign = other_form.form.current_version().id
    assert choose_version(db.session, pks05.form_id, foreign, newer) is newer
    assert choose_version(db.session, pks05.form_id, foreign, None) is None
    assert choose_version(db.session, pks05.form_id, 2**31, None) is None
