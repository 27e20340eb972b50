"""Collection points: where a commune collects one form, reached by an unguessable token."""

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.extensions import db
from survey_app.models.form_versions import Form
from survey_app.models.units import Commune
from survey_app.orm import UTCDateTime
from survey_app.orm import now_utc


def new_token() -> str:
    """128 random bits, URL-safe: short enough to type from a poster, too many to guess."""
    return secrets.token_urlsafe(16)


class CollectionPoint(db.Model):
    __tablename__ = "collection_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    #: Optional, e.g. "Quầy 2" when a commune has two counters.
    label: Mapped[str | None] = mapped_column(String(120))
    token: Mapped[str] = mapped_column(String(43), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Times the link was opened; no personal data is kept about who opened it.
    scan_count: Mapped[int] = mapped_column(default=0)

    commune: Mapped[Commune] = relationship()
    form: Mapped[Form] = relationship()


class RetiredToken(db.Model):
    """A token that used to open a point, kept so an old poster gets an explanation."""

    __tablename__ = "retired_tokens"

    token: Mapped[str] = mapped_column(String(43), primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("collection_points.id"), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    point: Mapped[CollectionPoint] = relationship()
