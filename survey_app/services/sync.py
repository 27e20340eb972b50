"""The offline app's side of the server: what the phone needs to work alone, and its sync.

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
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import FormDefinition
from forms import Question
from forms import validate_answers
from survey_app.models import Channel
from survey_app.models import FormVersion
from survey_app.models import User
from survey_app.public.messages import describe
from survey_app.services.entry import EntryForm
from survey_app.services.entry import entry_forms
from survey_app.services.submissions import SubmissionConflict
from survey_app.services.submissions import store_response
from survey_app.services.submissions import valid_submission_id

#: Submissions one sync request may carry; the phone sends its queue in slices this big.
MAX_BATCH = 50
#: A duration longer than a week is a phone clock problem, not an interview.
MAX_DURATION = 7 * 24 * 3600


def question_json(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"id": question.id, "type": question.type, "text": question.text,
                            "required": question.required}
    if question.help:
        data["help"] = question.help
    if question.options:
        data["options"] = [{"value": o.value, "label": o.label} for o in question.options]
    if question.show_if:
        data["show_if"] = {"question": question.show_if.question,
                           "values": list(question.show_if.values)}
    if question.type == "rating":
        data["scale"] = list(question.scale)
        data["min_label"], data["max_label"] = question.min_label, question.max_label
    if question.type == "number":
        data.update(min=question.min, max=question.max, integer=question.integer)
    if question.type == "short_text":
        data["max_length"] = question.max_length
    return data


def definition_json(definition: FormDefinition) -> dict[str, Any]:
    numbers = definition.numbers
    return {
        "code": definition.code,
        "version": definition.version,
        "title": definition.title,
        "respondents": definition.respondents,
        "sections": [
            {"title": section.title,
             "questions": [{**question_json(q), "number": numbers[q.id]}
                           for q in section.questions]}
            for section in definition.sections
        ],
    }


def offline_forms(entries: list[EntryForm]) -> list[dict[str, Any]]:
    """The forms and communes the offline page needs, as JSON-ready data."""
    return [{
        "campaign_form_id": entry.campaign_form.id,
        "campaign": entry.campaign_form.campaign.name,
        "version_id": entry.version.id,
        "definition": definition_json(entry.version.parsed),
        "communes": [{"id": c.id, "code": c.code, "name": c.name} for c in entry.communes],
    } for entry in entries]


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
    the questions asked even if a new version was published while it was offline.
    """
    allowed = {entry.campaign_form.id: entry for entry in entry_forms(session, user, today)}
    version_ids = {item.get("version_id") for item in items if isinstance(item, dict)}
    versions = {v.id: v for v in session.scalars(
        select(FormVersion).where(FormVersion.id.in_(
            [v for v in version_ids if isinstance(v, int)])))}
    return [sync_one(session, user, item, allowed, versions) for item in items]


def sync_one(
    session: Session, user: User, item: Any, allowed: dict[int, EntryForm],
    versions: dict[int, FormVersion],
) -> SyncResult:
    if not isinstance(item, dict):
        return SyncResult(None, "invalid", 422, {"_": _("This response is damaged.")})
    submission_id = valid_submission_id(item.get("submission_id"))
    version = versions.get(item.get("version_id"))
    answers = item.get("answers")
    if submission_id is None or version is None or not isinstance(answers, dict):
        return SyncResult(submission_id or None, "invalid", 422,
                          {"_": _("This response is damaged.")})
    entry = allowed.get(item.get("campaign_form_id"))
    if (entry is None or entry.campaign_form.form_id != version.form_id
            or item.get("commune_id") not in entry.commune_ids):
        return SyncResult(submission_id, "not_allowed", 403, {"_": _(
            "You may not enter this form for this commune today: the survey period or your "
            "assignments changed.")})
    result = validate_answers(version.parsed, answers)
    if not result.ok:
        return SyncResult(submission_id, "invalid", 422,
                          {qid: describe(error) for qid, error in result.errors.items()})
    try:
        stored = store_response(
            session, submission_id=submission_id, campaign_id=entry.campaign_form.campaign_id,
            commune_id=item["commune_id"], version=version, answers=result.answers,
            channel=Channel.field, entered_by_id=user.id,
            duration_seconds=duration(item.get("duration_seconds")))
    except SubmissionConflict:
        return SyncResult(submission_id, "conflict", 409, {"_": _(
            "A different response was already sent under this response's id, so it was not "
            "stored.")})
    if stored.created:
        return SyncResult(submission_id, "stored", 201)
    return SyncResult(submission_id, "already_stored", 200)


def duration(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DURATION:
        return value
    return None
