"""The campaign's reporting dates: what is due, from whom, and who is late.

The communes registered in the campaign owe each report; the dossier deadline is met by
submitting the dossier, a report deadline by the commune recording the report as sent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.clock import VIETNAM
from survey_app.clock import now_utc
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Dossier
from survey_app.models import Registration
from survey_app.models import ReportFiling
from survey_app.models import ReportingDeadline
from survey_app.models import User
from survey_app.services.recognition.dossiers import RecognitionError
from survey_app.services.recognition.dossiers import may_edit
from survey_app.services.recognition.dossiers import may_manage

KINDS = ("six_month", "year", "dossier")
MAX_TITLE = 200


class Standing(enum.Enum):
    on_time = "on_time"
    sent_late = "sent_late"
    due = "due"
    late = "late"


def deadlines(session: Session, campaign: Campaign) -> list[ReportingDeadline]:
    return list(session.scalars(select(ReportingDeadline).where(
        ReportingDeadline.campaign_id == campaign.id).order_by(ReportingDeadline.due_on,
                                                               ReportingDeadline.id)))


def add_deadline(session: Session, campaign: Campaign, user: User, kind: str, title: str,
                 due_on: date | None) -> ReportingDeadline:
    """:raises RecognitionError: not the committee's, or an unknown kind, title or date."""
    if not may_manage(user, campaign):
        raise RecognitionError("rec_not_allowed")
    title = title.strip()
    if kind not in KINDS or not title or len(title) > MAX_TITLE or due_on is None:
        raise RecognitionError("rec_deadline_invalid", max=MAX_TITLE)
    deadline = ReportingDeadline(campaign_id=campaign.id, kind=kind, title=title,
                                 due_on=due_on)
    session.add(deadline)
    session.flush()
    return deadline


def file_report(session: Session, campaign: Campaign, commune: Commune, user: User,
                deadline_id: int | None) -> ReportFiling:
    """The commune records its report as sent for a deadline (once).

    :raises RecognitionError: not the commune's, not a report of this campaign, or sent.
    """
    if not may_edit(user, commune):
        raise RecognitionError("rec_not_allowed")
    deadline = session.get(ReportingDeadline, deadline_id) if deadline_id else None
    if deadline is None or deadline.campaign_id != campaign.id or deadline.kind == "dossier":
        raise RecognitionError("rec_deadline_unknown")
    if session.scalar(select(ReportFiling).where(ReportFiling.deadline_id == deadline.id,
                                                 ReportFiling.commune_id == commune.id)):
        raise RecognitionError("rec_report_filed")
    filing = ReportFiling(deadline_id=deadline.id, commune_id=commune.id, filed_by_id=user.id,
                          filed_at=now_utc())
    session.add(filing)
    session.flush()
    return filing


@dataclass(frozen=True)
class CommuneDue:
    commune: Commune
    done_at: datetime | None
    standing: Standing


@dataclass(frozen=True)
class DeadlineStatus:
    deadline: ReportingDeadline
    communes: tuple[CommuneDue, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many communes stand where, by ``Standing`` value."""
        return {s.value: sum(c.standing is s for c in self.communes) for s in Standing}

    @property
    def late(self) -> tuple[CommuneDue, ...]:
        return tuple(c for c in self.communes if c.standing is Standing.late)


def standing(due_on: date, done_at: datetime | None, today: date) -> Standing:
    if done_at is not None:
        return (Standing.on_time if done_at.astimezone(VIETNAM).date() <= due_on
                else Standing.sent_late)
    return Standing.late if today > due_on else Standing.due


def deadline_statuses(session: Session, campaign: Campaign, commune_ids, today: date
                      ) -> list[DeadlineStatus]:
    """Each deadline with every registered commune in ``commune_ids`` and where it stands."""
    communes = list(session.scalars(
        select(Commune).join(Registration, Registration.commune_id == Commune.id)
        .where(Registration.campaign_id == campaign.id, Commune.id.in_(commune_ids))
        .order_by(Commune.name, Commune.code)))
    submitted = dict(session.execute(select(Dossier.commune_id, Dossier.submitted_at).where(
        Dossier.campaign_id == campaign.id)).all())
    result = []
    for deadline in deadlines(session, campaign):
        if deadline.kind == "dossier":
            done = submitted
        else:
            done = dict(session.execute(select(ReportFiling.commune_id, ReportFiling.filed_at)
                                        .where(ReportFiling.deadline_id == deadline.id))
                        .all())
        result.append(DeadlineStatus(deadline, tuple(
            CommuneDue(c, done.get(c.id), standing(deadline.due_on, done.get(c.id), today))
            for c in communes)))
    return result
