"""Campaigns: a province's survey round, with the forms it runs and when."""

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.form_versions import Form
from survey_app.models.units import Province
from survey_app.orm import UTCDateTime


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The programme's year; None for campaigns made before it was kept (see the migration).
    year: Mapped[int | None]
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: Made by ``flask demo load``, which refuses a database holding any other campaign.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: When its device and network keys were dropped after it closed (docs/PRIVACY.md):
    #: from then on its flags are final.
    keys_dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    province: Mapped[Province] = relationship()
    forms: Mapped[list["CampaignForm"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


class CampaignForm(db.Model):
    """One form in a campaign: its window and its sample target per commune."""

    __tablename__ = "campaign_forms"
    __table_args__ = (UniqueConstraint("campaign_id", "form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    opens_on: Mapped[date]
    #: Inclusive: the form takes answers through this whole day (province time).
    closes_on: Mapped[date]
    #: Responses wanted per commune.
    sample_target: Mapped[int] = mapped_column(default=30)

    campaign: Mapped[Campaign] = relationship(back_populates="forms")
    form: Mapped[Form] = relationship()
    window_changes: Mapped[list["WindowChange"]] = relationship(
        back_populates="campaign_form", cascade="all, delete-orphan",
        order_by="WindowChange.changed_at",
    )

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


class WindowChange(db.Model):
    """A form opened or closed before its planned date, and why: kept and shown."""

    __tablename__ = "campaign_window_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_form_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_forms.id", ondelete="CASCADE"), index=True)
    #: "open" or "close".
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    #: The window before the change, so the plan that was changed stays readable.
    opens_on_before: Mapped[date]
    closes_on_before: Mapped[date]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    campaign_form: Mapped[CampaignForm] = relationship(back_populates="window_changes")
