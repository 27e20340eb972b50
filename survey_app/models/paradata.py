"""How each field response was done (paradata): the device's timings for an interview on a
phone, the batch and typist for a sheet typed from paper or imported from a file.

One row per response at most, written when the response is first stored; a resend of the
same submission changes nothing. No field identifies a person or a device (docs/PRIVACY.md).
"""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from survey_app.extensions import db
from survey_app.orm import UTCDateTime


class ParadataSource(enum.Enum):
    #: The offline app on a phone (channel field, through the sync).
    offline = "offline"
    #: The field-interview page, online (channel field).
    web = "web"
    #: A paper sheet typed on the entry page (channel paper).
    paper = "paper"
    #: A row of an imported file (channel import).
    import_ = "import"


class InterviewParadata(db.Model):
    __tablename__ = "interview_paradata"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[ParadataSource] = mapped_column(Enum(
        ParadataSource, native_enum=False, length=16,
        values_callable=lambda e: [m.value for m in e]))
    #: The device's clock when the form was opened and saved (as the device said; the
    #: server's own time of receipt is ``responses.received_at``).
    device_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Server receipt minus the device clock at send, in seconds: near 0 for a phone whose
    #: clock is right, whatever the delay of an offline sync.
    clock_offset_seconds: Mapped[int | None]
    #: Question id → seconds spent on it; question id → times its answer was changed.
    seconds_per_question: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    answer_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    answer_changes_total: Mapped[int | None]
    #: A paper sheet's typing session (a UUID the entry page makes when a batch begins).
    entry_batch: Mapped[str | None] = mapped_column(String(36), index=True)
    #: An imported row's upload.
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id"), index=True)
    #: Who typed a paper sheet or uploaded the file (also ``entered_by`` today: paper entry
    #: names no other surveyor; kept here so that it stays true if it ever does).
    typist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
