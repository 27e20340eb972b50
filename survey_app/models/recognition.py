"""Recognition: registrations, dossiers with their scores, evidence and events, decisions and
reporting deadlines of a campaign."""

import enum
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.campaigns import Campaign
from survey_app.models.units import Commune
from survey_app.models.users import User
from survey_app.orm import UTCDateTime

POINTS = Numeric(7, 2)


def enum_column(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=16,
                values_callable=lambda e: [m.value for m in e])


class DossierState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    reviewed = "reviewed"
    approved = "approved"
    rejected = "rejected"
    returned = "returned"


class Registration(db.Model):
    """A commune registered for the standard in a campaign, recorded by the committee."""

    __tablename__ = "recognition_registrations"
    __table_args__ = (UniqueConstraint("campaign_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Decision(db.Model):
    """The chairman's decision recognising the communes listed in its annex."""

    __tablename__ = "recognition_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date]
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_title: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    campaign: Mapped[Campaign] = relationship()


class Dossier(db.Model):
    """A commune's self-assessment and its review, one per registered commune and campaign."""

    __tablename__ = "recognition_dossiers"
    __table_args__ = (UniqueConstraint("campaign_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    state: Mapped[DossierState] = mapped_column(enum_column(DossierState),
                                                default=DossierState.draft)
    #: The rulebook whose criteria and survey points the dossier was submitted under
    #: (None with version 0: the built-in defaults).
    rulebook_version_id: Mapped[int | None] = mapped_column(ForeignKey("rulebook_versions.id"))
    rulebook_version: Mapped[int | None]
    #: The satisfaction criterion's points, computed from the surveys at submission.
    survey_points: Mapped[Decimal | None] = mapped_column(POINTS)
    #: The form rates behind them ({code: "82.5" or null}), as the reviewers saw them.
    survey_rates: Mapped[dict | None] = mapped_column(JSON)
    survey_met: Mapped[bool | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("recognition_decisions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    commune: Mapped[Commune] = relationship()
    campaign: Mapped[Campaign] = relationship()
    decision: Mapped[Decision | None] = relationship()
    scores: Mapped[list["DossierScore"]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan")
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="dossier", order_by="Evidence.id")
    events: Mapped[list["DossierEvent"]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id")


class DossierScore(db.Model):
    """The points for one criterion or sub-item: the commune's own, and the current ones."""

    __tablename__ = "recognition_scores"
    __table_args__ = (UniqueConstraint("dossier_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("recognition_dossiers.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    self_points: Mapped[Decimal | None] = mapped_column(POINTS)
    #: The self-assessed points until a reviewer changes them (with a reason, in the events).
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    note: Mapped[str] = mapped_column(String(2000), default="")

    dossier: Mapped[Dossier] = relationship(back_populates="scores")


class Evidence(db.Model):
    """An evidence file: kept outside the static folder under ``stored_name``."""

    __tablename__ = "recognition_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("recognition_dossiers.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="evidence")


class DossierEvent(db.Model):
    """One step of a dossier: who did what, when, and why."""

    __tablename__ = "recognition_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("recognition_dossiers.id"), index=True)
    #: registered, saved, evidence, submitted, accepted, returned, adjusted, approved,
    #: rejected, recognised.
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(16))
    old_points: Mapped[Decimal | None] = mapped_column(POINTS)
    new_points: Mapped[Decimal | None] = mapped_column(POINTS)
    reason: Mapped[str] = mapped_column(String(2000), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class ReportingDeadline(db.Model):
    """A report the communes owe in a campaign (six-month, yearly, the dossier itself)."""

    __tablename__ = "recognition_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    #: six_month, year or dossier (the dossier is due when it is submitted).
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]


class ReportFiling(db.Model):
    """A commune's report sent for a deadline (the date it says it sent it)."""

    __tablename__ = "recognition_report_filings"
    __table_args__ = (UniqueConstraint("deadline_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("recognition_deadlines.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
