"""Back-checks: interviews picked each week to call the respondent back, and what the call
found."""

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.orm import UTCDateTime

#: What a call-back can find; "not_interviewed" is a fabrication.
BACK_CHECK_RESULTS = ("confirmed", "answers_differ", "not_interviewed", "not_reached")
FABRICATED = "not_interviewed"


class BackCheck(db.Model):
    __tablename__ = "back_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    #: One call-back per interview, whichever week's list picked it first.
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), unique=True)
    #: The Monday of the week whose list picked it.
    week_of: Mapped[date] = mapped_column(index=True)
    #: "score" (among the week's most suspicious interviews) or "random".
    reason: Mapped[str] = mapped_column(String(16))
    picked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    result: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
