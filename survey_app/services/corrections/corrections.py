"""Void or replace a field sheet; list the sheets a field worker may correct."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from forms import FormDefinition
from survey_app.clock import VIETNAM
from survey_app.domain_error import DomainError
from survey_app.inputs import is_clean
from survey_app.models import Campaign
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Response
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Stored
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import take
from survey_app.services.results.rulebooks import rulebook_for

MAX_REASON = 300
#: Who corrects field sheets (the committee reviews citizens' responses elsewhere).
CORRECTOR_ROLES = (Role.surveyor, Role.coordinator)
#: Sheets on one page of the list, newest first.
PER_PAGE = 100


class CorrectionRefused(DomainError):
    """The sheet may not be corrected by this person now; the code says why."""


def correctors_scope(actor: User) -> Select:
    """A SELECT of the ids of the people whose sheets ``actor`` may correct: a surveyor its
    own, a coordinator its organisation's field staff in its province; nobody else's."""
    if actor.role is Role.surveyor:
        return select(User.id).where(User.id == actor.id)
    if actor.role is Role.coordinator and actor.organisation_id is not None:
        return select(User.id).where(
            User.role.in_((Role.surveyor, Role.coordinator)),
            User.organisation_id == actor.organisation_id,
            User.province_id == actor.province_id)
    return select(User.id).where(User.id.is_(None))


def correction_days(session: Session, campaign: Campaign) -> int:
    """The correction window in days: the campaign's province's rulebook in force."""
    return rulebook_for(session, campaign.province_id).rules.correction_days


def window_closes(session: Session, response: Response, campaign: Campaign) -> datetime:
    """The instant the correction window of ``response`` closes: its receipt plus the
    rulebook's days (a replacement keeps its original's receipt)."""
    return response.received_at + timedelta(days=correction_days(session, campaign))


def check_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise CorrectionRefused("correction_reason_missing")
    if len(reason) > MAX_REASON or not is_clean(reason):
        raise CorrectionRefused("correction_reason_too_long", max=MAX_REASON)
    return reason


def correctable(session: Session, actor: User, response_id: int, now: datetime) -> Response:
    """The sheet, if ``actor`` may correct it ``now``.

    :raises CorrectionRefused: not found or not theirs (``correction_not_yours``), a
        citizen's QR response, already superseded, or the window has closed.
    """
    response = session.scalar(select(Response).where(
        Response.id == response_id, Response.entered_by_id.in_(correctors_scope(actor))))
    if response is None:
        # A citizen's QR response has no one who entered it, so it lands here too unless
        # it is told apart: the words differ (only the committee reviews those).
        other = session.get(Response, response_id)
        if other is not None and other.channel is Channel.qr:
            raise CorrectionRefused("correction_qr")
        raise CorrectionRefused("correction_not_yours")
    if response.channel is Channel.qr:
        raise CorrectionRefused("correction_qr")
    if response.superseded_at is not None:
        raise CorrectionRefused("correction_already")
    campaign = session.get(Campaign, response.campaign_id)
    closes = window_closes(session, response, campaign)
    if now >= closes:
        raise CorrectionRefused("correction_window_closed",
                                closed=closes.astimezone(VIETNAM).date(),
                                days=correction_days(session, campaign))
    return response


def mark_superseded(session: Session, actor: User, response: Response, reason: str,
                    now: datetime, replacement_id: int | None) -> None:
    """Mark the sheet superseded, once: a conditional UPDATE, so that two people correcting
    the same sheet at the same moment cannot both succeed (the second is refused and its
    replacement, stored in the same unit of work, rolls back with it)."""
    marked = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.standing())
        .values(superseded_at=now, superseded_by_user_id=actor.id, supersede_reason=reason,
                replacement_id=replacement_id)
        .execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        raise CorrectionRefused("correction_already")
    session.expire(response)


def void_response(session: Session, actor: User, response_id: int, reason: str,
                  now: datetime) -> Response:
    """Void a sheet entered in error: kept, marked superseded, out of every count.

    :raises CorrectionRefused: see ``correctable``; or the reason is missing or too long.
    """
    # Whose sheet it is comes first: someone else's is not found, whatever the reason says.
    response = correctable(session, actor, response_id, now)
    reason = check_reason(reason)
    mark_superseded(session, actor, response, reason, now, None)
    record(session, actor, Action.RESPONSE_VOIDED, response, reason=reason)
    return response


@dataclass(frozen=True)
class Replaced:
    original_id: int
    replacement_id: int


def replace_response(session: Session, actor: User, response_id: int,
                     answers: Mapping[str, Any], reason: str,
                     now: datetime) -> Replaced | AnswerErrors:
    """Store a corrected sheet in place of one entered wrong, and mark the original
    superseded by it, in the caller's unit of work.

    The new sheet goes through the one intake (``take``), checked against the version the
    original was given on, and keeps the original's commune, channel, collection point,
    surveyor and time of receipt (so it stays in the same week, and the window does not
    start again). Answers that do not fit come back as ``AnswerErrors``, nothing stored.

    :raises CorrectionRefused: see ``correctable``; the reason is missing or too long; or
        the answers are the original's unchanged (``correction_unchanged``).
    """
    original = correctable(session, actor, response_id, now)
    reason = check_reason(reason)
    version = PublishedVersion.of(session.get(FormVersion, original.form_version_id))
    outcome = take(Submission(
        submission_id=str(uuid.uuid4()), campaign_id=original.campaign_id,
        commune_id=original.commune_id, channel=original.channel, answers=answers,
        collection_point_id=original.collection_point_id,
        entered_by_id=original.entered_by_id, duration_seconds=original.duration_seconds,
        received_at=original.received_at,
    ), version, lambda: nullcontext(session))
    if isinstance(outcome, AnswerErrors):
        return outcome
    if not isinstance(outcome, Stored):  # a fresh id cannot meet a stored one
        raise CorrectionRefused("correction_already")
    replacement = session.get(Response, outcome.response_id)
    if replacement.content_hash == original.content_hash:
        raise CorrectionRefused("correction_unchanged")
    mark_superseded(session, actor, original, reason, now, replacement.id)
    record(session, actor, Action.RESPONSE_REPLACED, original, reason=reason,
           replacement_id=replacement.id)
    return Replaced(original.id, replacement.id)


def record(session: Session, actor: User, action: Action, response: Response,
           **details: Any) -> None:
    """The audit row: which sheet, of which commune and form, why (no answer is written)."""
    campaign = session.get(Campaign, response.campaign_id)
    form = session.get(Form, response.form_id)
    trail.record(session, actor, action, target=("response", response.id),
                 province_id=campaign.province_id, campaign_id=campaign.id,
                 commune_id=response.commune_id, form=form.code,
                 entered_by_id=response.entered_by_id, **details)


def answers_of(response: Response) -> dict[str, list[str]]:
    """The stored answers as the entry page's fields carry them (question id → values)."""
    given: dict[str, list[str]] = {}
    for answer in sorted(response.answers, key=lambda a: a.id):
        given.setdefault(answer.question_id, []).append(answer.value)
    return given


@dataclass(frozen=True)
class SheetRow:
    """One entered sheet as the list shows it."""

    id: int
    received_at: datetime
    commune: str
    form_code: str
    channel: Channel
    entered_by: str
    superseded_at: datetime | None
    supersede_reason: str | None
    superseded_by: str | None
    replacement_id: int | None
    #: The sheet this one replaced, if it is a replacement.
    replaces_id: int | None
    #: When its correction window closes.
    closes: datetime

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    def may_correct(self, now: datetime) -> bool:
        return not self.is_superseded and now < self.closes


def sheets_listed(actor: User, campaign: Campaign) -> list:
    """The conditions of the list: ``campaign``'s field sheets that ``actor`` may correct (own
    or the organisation's), superseded ones included."""
    return [Response.campaign_id == campaign.id, Response.channel != Channel.qr,
            Response.entered_by_id.in_(correctors_scope(actor))]


def entered_sheets(session: Session, actor: User, campaign: Campaign, page: int = 1,
                   per_page: int = PER_PAGE) -> tuple[list[SheetRow], int]:
    """One page of the list, newest first, and how many sheets it holds in all."""
    days = correction_days(session, campaign)
    listed = sheets_listed(actor, campaign)
    total = session.scalar(select(func.count()).select_from(Response).where(*listed)) or 0
    enterer = aliased(User)
    corrector = aliased(User)
    replaced = aliased(Response)
    rows = session.execute(
        select(Response.id, Response.received_at, Commune.name, Form.code, Response.channel,
               enterer.full_name, Response.superseded_at, Response.supersede_reason,
               corrector.full_name, Response.replacement_id, replaced.id)
        .join(Commune, Commune.id == Response.commune_id)
        .join(Form, Form.id == Response.form_id)
        .join(enterer, enterer.id == Response.entered_by_id)
        .outerjoin(corrector, corrector.id == Response.superseded_by_user_id)
        .outerjoin(replaced, replaced.replacement_id == Response.id)
        .where(*listed)
        .order_by(Response.received_at.desc(), Response.id.desc())
        .offset((page - 1) * per_page).limit(per_page))
    return [SheetRow(*row, closes=row[1] + timedelta(days=days)) for row in rows], total


def page_of_sheet(session: Session, actor: User, campaign: Campaign, response_id: int,
                  per_page: int = PER_PAGE) -> int | None:
    """The page of the list that shows sheet ``response_id``, or None when the list does not
    hold it (another campaign's, someone else's, a citizen's, or no such sheet)."""
    listed = sheets_listed(actor, campaign)
    sheet = session.execute(select(Response.received_at, Response.id)
                            .where(Response.id == response_id, *listed)).first()
    if sheet is None:
        return None
    newer = session.scalar(select(func.count()).select_from(Response).where(
        *listed, or_(Response.received_at > sheet.received_at,
                     and_(Response.received_at == sheet.received_at,
                          Response.id > sheet.id)))) or 0
    return newer // per_page + 1


def definition_of(session: Session, response: Response) -> FormDefinition:
    return session.get(FormVersion, response.form_version_id).parsed
