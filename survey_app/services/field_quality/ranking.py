"""Surveyors ranked, the week's back-check list picked once and kept, call-backs recorded."""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.interview_quality import Interview
from analytics.interview_quality import SurveyorQuality
from analytics.interview_quality import back_check_list
from analytics.interview_quality import rank_surveyors
from survey_app.clock import VIETNAM
from survey_app.clock import now_utc
from survey_app.domain_error import DomainError
from survey_app.models import Answer
from survey_app.models import BackCheck
from survey_app.models import Campaign
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import InterviewParadata
from survey_app.models import Response
from survey_app.models import Role
from survey_app.models import User
from survey_app.models.back_checks import BACK_CHECK_RESULTS
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results.integrity import apply_fabrication
from survey_app.services.results.rulebooks import rulebook_for

#: The channels of field staff: what a surveyor did or typed in.
FIELD_CHANNELS = (Channel.field, Channel.paper, Channel.import_)
MAX_NOTE = 500


class BackCheckError(DomainError):
    """A call-back's result refused."""


def field_staff(actor: User) -> Select:
    """A SELECT of the ids of the field staff whose work ``actor`` may judge: a coordinator its
    own organisation's in its province, the committee its province's, the admin everyone's."""
    query = select(User.id).where(User.role.in_((Role.surveyor, Role.coordinator)))
    if actor.role is Role.admin:
        return query
    if actor.role is Role.coordinator:
        return query.where(User.organisation_id == actor.organisation_id,
                           User.province_id == actor.province_id)
    if actor.role is Role.steering:
        return query.where(User.province_id == actor.province_id)
    return query.where(User.id.is_(None))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def load_interviews(session: Session, campaign: Campaign, staff: Select,
                    week_of: date | None = None) -> list[Interview]:
    """The campaign's responses entered by ``staff`` (in one week if asked), as the
    indicators read them, with their paradata where the phone or page sent it."""
    query = (select(Response.id, Response.entered_by_id, Form.code, Response.received_at,
                    Response.duration_seconds, Response.form_version_id, Response.channel,
                    InterviewParadata.device_started_at, InterviewParadata.device_ended_at,
                    InterviewParadata.clock_offset_seconds,
                    InterviewParadata.seconds_per_question,
                    InterviewParadata.answer_changes_total)
             .join(Form, Form.id == Response.form_id)
             .outerjoin(InterviewParadata, InterviewParadata.response_id == Response.id)
             .where(Response.campaign_id == campaign.id, Response.is_flagged.is_(False),
                    Response.standing(), Response.channel.in_(FIELD_CHANNELS),
                    Response.entered_by_id.in_(staff))
             .order_by(Response.id))
    if week_of is not None:
        start = datetime.combine(week_of, time(), VIETNAM)
        query = query.where(Response.received_at >= start,
                            Response.received_at < start + timedelta(days=7))
    rows = session.execute(query).all()
    answers: dict[int, dict[str, str]] = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 1000):
        for response_id, question_id, value in session.execute(
                select(Answer.response_id, Answer.question_id, Answer.value)
                .where(Answer.response_id.in_(ids[start:start + 1000]))):
            answers.setdefault(response_id, {})[question_id] = value
    versions = {v.id: v.parsed for v in session.scalars(select(FormVersion).where(
        FormVersion.id.in_({row.form_version_id for row in rows})))}
    return [interview(row, versions[row.form_version_id], answers.get(row.id, {}))
            for row in rows]


def interview(row, definition, given: dict[str, str]) -> Interview:
    closed, positions = [], []
    for question in definition.questions:
        value = given.get(question.id)
        if value is None:
            continue
        if question.kind.has_options and value in question.option_values:
            closed.append((question.id, value))
            positions.append((question.option_values.index(value), len(question.options)))
        elif question.kind.scale and value.lstrip("-").isdigit() and int(value) in question.scale:
            closed.append((question.id, value))
            positions.append((int(value) - question.scale.start, len(question.scale)))
    # A sheet typed or imported later tells when it was typed, not when or how fast the
    # interview went: only an interview on the phone has a time and a duration.
    if row.channel is not Channel.field:
        return Interview(row.id, row.entered_by_id, row.code, None, None, tuple(closed),
                         tuple(positions))
    at, duration = row.received_at, row.duration_seconds
    if row.device_started_at is not None and row.clock_offset_seconds is not None:
        # The device's start on the server's clock: the interview's own hour, even when
        # it was synced days later or the phone's clock was set to another time.
        at = row.device_started_at + timedelta(seconds=row.clock_offset_seconds)
    if row.device_started_at is not None and row.device_ended_at is not None:
        duration = round((row.device_ended_at - row.device_started_at).total_seconds())
    timed = [float(v) for v in (row.seconds_per_question or {}).values()
             if isinstance(v, int | float)]
    return Interview(row.id, row.entered_by_id, row.code,
                     at.astimezone(VIETNAM).replace(tzinfo=None), duration, tuple(closed),
                     tuple(positions), statistics.fmean(timed) if timed else None,
                     row.answer_changes_total, row.clock_offset_seconds)


@dataclass(frozen=True)
class RankedSurveyor:
    user: User
    quality: SurveyorQuality


def surveyor_ranking(session: Session, campaign: Campaign, actor: User,
                     seed: int) -> list[RankedSurveyor]:
    interviews = load_interviews(session, campaign, field_staff(actor))
    users = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({i.surveyor_id for i in interviews})))}
    return [RankedSurveyor(users[q.surveyor_id], q)
            for q in rank_surveyors(interviews, seed=seed)]


def week_seed(secret: str, campaign_id: int, week_of: date) -> int:
    """The same random picks on every look at a week, and none a surveyor could work out."""
    digest = hashlib.sha256(f"{secret}:{campaign_id}:{week_of.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pick_week(session: Session, campaign: Campaign, actor: User, week_of: date,
              secret: str) -> list[BackCheckRow]:
    """Pick the week's back-checks among the interviews in ``actor``'s scope, once: a week
    that has its list keeps it, so it does not move as answers come or rules change."""
    staff = field_staff(actor)
    picked = list_for(session, campaign, staff, week_of)
    if picked:
        return picked
    interviews = load_interviews(session, campaign, staff, week_of)
    if not interviews:
        return []
    ranking = rank_surveyors(interviews, seed=week_seed(secret, campaign.id, week_of))
    taken = set(session.scalars(select(BackCheck.response_id).where(
        BackCheck.response_id.in_([i.response_id for i in interviews]))))
    for pick in back_check_list(interviews, ranking, week_seed(secret, campaign.id, week_of)):
        if pick.response_id not in taken:
            session.add(BackCheck(campaign_id=campaign.id, response_id=pick.response_id,
                                  week_of=week_of, reason=pick.reason))
    session.flush()
    return list_for(session, campaign, staff, week_of)


@dataclass(frozen=True)
class BackCheckRow:
    check: BackCheck
    commune: str
    form_code: str
    surveyor: str
    received_at: datetime


def list_for(session: Session, campaign: Campaign, staff: Select, week_of: date
             ) -> list[BackCheckRow]:
    rows = session.execute(
        select(BackCheck, Commune.name, Form.code, User.full_name, Response.received_at)
        .join(Response, Response.id == BackCheck.response_id)
        .join(Commune, Commune.id == Response.commune_id)
        .join(Form, Form.id == Response.form_id)
        .join(User, User.id == Response.entered_by_id)
        .where(BackCheck.campaign_id == campaign.id, BackCheck.week_of == week_of,
               Response.entered_by_id.in_(staff))
        .order_by(BackCheck.reason.desc(), BackCheck.id))
    return [BackCheckRow(*row) for row in rows]


def record_result(session: Session, actor: User, back_check_id: int, result: str,
                  note: str) -> BackCheck:
    """What the call-back found, by whom and when, in the audit trail too.

    :raises BackCheckError: ``back_check_missing`` outside the actor's scope,
        ``back_check_result`` for a result that is not one of ``BACK_CHECK_RESULTS``,
        ``back_check_note`` for a note over ``MAX_NOTE`` characters.
    """
    check = session.scalar(
        select(BackCheck).join(Response, Response.id == BackCheck.response_id)
        .where(BackCheck.id == back_check_id, Response.entered_by_id.in_(field_staff(actor))))
    if check is None:
        raise BackCheckError("back_check_missing")
    if result not in BACK_CHECK_RESULTS:
        raise BackCheckError("back_check_result")
    if len(note) > MAX_NOTE:
        raise BackCheckError("back_check_note", max=MAX_NOTE)
    check.result, check.note = result, note.strip() or None
    check.recorded_by_id, check.recorded_at = actor.id, now_utc()
    session.flush()
    # A fabrication puts every sheet of that surveyor before the committee, as one group
    # (a result changed back takes the flag off again).
    campaign = session.get(Campaign, check.campaign_id)
    surveyor_id = session.scalar(
        select(Response.entered_by_id).where(Response.id == check.response_id))
    flagged = apply_fabrication(session, campaign.id, surveyor_id,
                                rulebook_for(session, campaign.province_id).rules.integrity)
    trail.record(session, actor, Action.BACK_CHECK_RECORDED, target=("back_check", check.id),
                 response_id=check.response_id, result=result, sheets_changed=flagged)
    return check
