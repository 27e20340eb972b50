"""Responses and their answers. Anonymous: no name, phone or IP address is stored here."""

import enum
from datetime import datetime

from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.sql.elements import ColumnElement

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.orm import UTCDateTime


class Channel(enum.Enum):
    qr = "qr"
    field = "field"
    paper = "paper"
    import_ = "import"


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        # The integrity rules count a commune form's earlier QR responses as one arrives
        # (services/intake/flags.py), from the index alone; its first three columns serve
        # every read of a commune form's responses. The key indexes hold QR responses only:
        # other channels' inserts do not maintain them.
        # The id last: the latest answer patterns are read newest first by (time, id), from
        # the index in order instead of sorting the commune form's every response.
        Index("ix_responses_commune_form_received", "campaign_id", "commune_id", "form_id",
              "channel", "received_at", "id"),
        Index("ix_responses_device_key", "device_key", "campaign_id", "commune_id", "form_id",
              "received_at", postgresql_where=text("device_key IS NOT NULL"),
              sqlite_where=text("device_key IS NOT NULL")),
        Index("ix_responses_network_key", "network_key", "campaign_id", "commune_id", "form_id",
              "received_at", postgresql_where=text("network_key IS NOT NULL"),
              sqlite_where=text("network_key IS NOT NULL")),
        # The list of sheets a field worker may correct, a page at a time (services/corrections).
        Index("ix_responses_entered_by", "entered_by_id", "campaign_id", "received_at", "id",
              postgresql_where=text("entered_by_id IS NOT NULL"),
              sqlite_where=text("entered_by_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made when the form is opened (or by the offline app); a resend carries the same id.
    submission_id: Mapped[str] = mapped_column(String(36), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"))
    collection_point_id: Mapped[int | None] = mapped_column(ForeignKey("collection_points.id"))
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: SHA-256 of the answers, to tell an identical resend from a conflicting one.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The option picked on the form's global satisfaction question, kept here so that
    #: analytics never has to scan the answers table.
    satisfaction_answer: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    #: Seconds between opening the form and sending it, when known (speeder detection).
    duration_seconds: Mapped[int | None]
    #: Suspicious responses are flagged, never deleted, and left out of the headline.
    is_flagged: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(200))
    #: QR signals (docs/PRIVACY.md): a random anonymous device id from a first-party cookie,
    #: a keyed hash of the network prefix (never the address), a staff session in the same
    #: browser, a filled honeypot, the positions picked on the choice questions.
    device_key: Mapped[str | None] = mapped_column(String(32))
    network_key: Mapped[str | None] = mapped_column(String(32))
    staff_session: Mapped[bool] = mapped_column(default=False)
    honeypot: Mapped[bool] = mapped_column(default=False)
    answer_pattern: Mapped[str | None] = mapped_column(String(200))
    #: A correction (services/corrections): set when the sheet was voided or replaced. A
    #: superseded sheet is kept, never deleted, and left out of every count.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supersede_reason: Mapped[str | None] = mapped_column(String(300))
    #: The sheet entered in its place (a replacement), or None for a void.
    replacement_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id"), unique=True, index=True)

    @classmethod
    def standing(cls) -> ColumnElement[bool]:
        """The condition of a sheet that stands (neither voided nor replaced): every count,
        rate, trend, progress and ranking reads only these. The roll-up's triggers spell
        the same condition in SQL as ``STANDING_SQL``."""
        return cls.superseded_at.is_(None)

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


#: ``Response.standing()`` as the triggers of migration b7e4c2a9d513 write it.
STANDING_SQL = "superseded_at IS NULL"


class Answer(db.Model):
    """One value given to one question; a multiple-choice answer has one row per option."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
