"""Field work per campaign: which organisation runs which form where, and who covers what."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.form_versions import Form
from survey_app.models.units import Commune
from survey_app.models.users import Organisation
from survey_app.models.users import User
from survey_app.orm import UTCDateTime


class OrganisationAssignment(db.Model):
    """The organisation that runs one form in one commune for one campaign.

    Only departures from the programme table are stored: with no row, the form's own
    ``organisation`` (DOMAIN.md) runs it, so new communes and forms get the default.
    """

    __tablename__ = "organisation_assignments"
    __table_args__ = (UniqueConstraint("campaign_id", "form_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))

    form: Mapped[Form] = relationship()
    commune: Mapped[Commune] = relationship()
    organisation: Mapped[Organisation] = relationship()


class SurveyorAssignment(db.Model):
    """A surveyor covers a commune in a campaign, for the forms its organisation runs there."""

    __tablename__ = "surveyor_assignments"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    commune: Mapped[Commune] = relationship()
