"""The offline app's sync: the phone's waiting responses, each through ``intake.take``.

The phone makes each response's submission id when the surveyor saves it, keeps it until the
server has answered, and may send it any number of times: ``store_response`` stores an id
once, so a resend after a lost reply is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey_app.database import savepoint
from survey_app.inputs import json_is_clean
from survey_app.inputs import valid_id
from survey_app.messages import N_
from survey_app.messages import describe
from survey_app.models import Channel
from survey_app.models import ParadataSource
from survey_app.models import User
from survey_app.services.intake.paradata import received_at
from survey_app.services.intake.paradata import record_device_paradata
from survey_app.services.intake.store import StoredVersion
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Conflict
from survey_app.services.intake.take import IdenticalResend
from survey_app.services.intake.take import Stored
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import choose_version
from survey_app.services.intake.take import take
from survey_app.services.intake.take import valid_submission_id
from survey_app.services.people.entry import EntryForm
from survey_app.services.people.entry import entry_forms

#: Submissions one sync request may carry; the phone sends its queue in slices this big.
MAX_BATCH = 50
#: A duration longer than a week is a phone clock problem, not an interview.
MAX_DURATION = 7 * 24 * 3600


@dataclass(frozen=True)
class SyncResult:
    submission_id: str | None
    #: stored | already_stored | conflict | invalid | not_allowed
    status: str
    #: The HTTP status this submission alone would get: 201, 200, 409, 422 or 403.
    code: int
    #: Question id (or "_" for the whole submission) → what is wrong, worded.
    errors: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"submission_id": self.submission_id, "status": self.status, "code": self.code,
                "errors": self.errors}


def sync_submissions(
    session: Session, user: User, items: list[Any], today: date
) -> list[SyncResult]:
    """Validate and store each submission on its own; one bad item never blocks the others.

    Items whose campaign form and commune ``user`` may not enter today are refused
    (``not_allowed``); the form version is the one the phone showed, so answers stay tied to
    the questions asked even if a new version was published while it was offline. Each item
    is stored in a savepoint of the caller's unit of work, so an item the database refuses
    is answered alone and the others are kept.
    """
    allowed = {entry.campaign_form.id: entry for entry in entry_forms(session, user, today)}
    results: list[SyncResult | None] = [None] * len(items)
    ready: list[tuple[tuple, int, Submission, StoredVersion | None]] = []
    for index, item in enumerate(items):
        prepared = prepare(session, user, item, allowed)
        if isinstance(prepared, SyncResult):
            results[index] = prepared
        else:
            ready.append((lock_order(*prepared), index, *prepared))
    # Stored in one order whatever order the phone sent them in: the order of the roll-up
    # rows they count in (then their ids). Two phones syncing at once then lock those rows
    # in the same order, and PostgreSQL never finds them deadlocked.
    for _key, index, submission, version in sorted(ready, key=lambda entry: entry[:2]):
        results[index] = store(session, submission, version, items[index].get("paradata"))
    return [result for result in results if result is not None]


DAMAGED = N_("This response is damaged.")


def prepare(session: Session, user: User, item: Any,
            allowed: dict[int, EntryForm]) -> tuple[Submission, StoredVersion | None] | SyncResult:
    """The item as a submission and the version it was answered on, or why it is refused."""
    if not isinstance(item, dict):
        return SyncResult(None, "invalid", 422, {"_": _(DAMAGED)})
    submission_id = valid_submission_id(item.get("submission_id"))
    answers = item.get("answers")
    if submission_id is None or not isinstance(answers, dict):
        return SyncResult(submission_id, "invalid", 422, {"_": _(DAMAGED)})
    # The paradata is looked at on its own (forms.paradata): whatever it holds never
    # refuses the sheet.
    if not json_is_clean({key: value for key, value in item.items() if key != "paradata"}):
        # Refused whole, as the QR form refuses it: PostgreSQL would refuse a NUL, SQLite
        # would keep it, and a lone surrogate cannot be written at all.
        return SyncResult(submission_id, "invalid", 422, {"_": _(
            "This response holds characters that cannot be stored (invisible control "
            "characters), so it was not stored.")})
    entry = allowed.get(valid_id(item.get("campaign_form_id")))
    commune_id = valid_id(item.get("commune_id"))
    if entry is None or commune_id not in entry.commune_ids:
        return SyncResult(submission_id, "not_allowed", 403, {"_": _(
            "You may not enter this form for this commune today: the survey period or your "
            "assignments changed.")})
    version = choose_version(session, entry.campaign_form.form_id, item.get("version_id"), None)
    return Submission(
        submission_id=submission_id, campaign_id=entry.campaign_form.campaign_id,
        commune_id=commune_id, channel=Channel.field, answers=answers, entered_by_id=user.id,
        duration_seconds=duration(item.get("duration_seconds"))), version


def lock_order(submission: Submission, version: StoredVersion | None) -> tuple:
    """Where the submission's roll-up row sorts: the roll-up's own key, then the id."""
    if version is None:
        return (0,)
    answer = submission.answers.get(version.parsed.satisfaction_question)
    return (1, submission.campaign_id, submission.commune_id, version.form_id, version.id,
            answer if isinstance(answer, str) else "", submission.submission_id)


def store(session: Session, submission: Submission, version: StoredVersion | None,
          paradata: Any = None) -> SyncResult:
    submission_id = submission.submission_id
    try:
        outcome = take(submission, version, lambda: savepoint(session))
    except DBAPIError as error:
        if isinstance(error, OperationalError):
            raise  # the database is busy: the whole sync is answered 503, and retried
        return SyncResult(submission_id, "invalid", 422, {"_": _(
            "This response could not be stored as it is. Check its answers and save it "
            "again.")})
    if isinstance(outcome, Stored):
        # Only a first arrival: a resend keeps the paradata of the request that stored it.
        record_device_paradata(session, outcome.response_id, paradata, version.parsed,
                               ParadataSource.offline,
                               received_at(session, outcome.response_id))
        return SyncResult(submission_id, "stored", 201)
    if isinstance(outcome, IdenticalResend):
        return SyncResult(submission_id, "already_stored", 200)
    if isinstance(outcome, Conflict):
        return SyncResult(submission_id, "conflict", 409, {"_": _(
            "A different response was already sent under this response's id, so it was not "
            "stored.")})
    if isinstance(outcome, AnswerErrors):
        return SyncResult(submission_id, "invalid", 422,
                          {qid: describe(error) for qid, error in outcome.errors.items()})
    return SyncResult(submission_id, "invalid", 422, {"_": _(DAMAGED)})


def duration(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DURATION:
        return value
    return None
