"""What the integrity rules keep beside the responses: used form tickets and the committee's
decisions on flagged groups (docs/INTEGRITY.md)."""

import enum
from datetime import datetime

from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.users import User
from survey_app.orm import UTCDateTime


class UsedTicket(db.Model):
    """A form ticket that a stored response used: its primary key makes it single-use."""

    __tablename__ = "used_tickets"

    ticket_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"),
                                             index=True)


class ReviewDecision(enum.Enum):
    excluded = "excluded"  #: confirmed: left out of the official figures
    restored = "restored"  #: counted again, whatever the rules say


class FlagReview(db.Model):
    """The steering committee's decision on a group of flagged responses."""

    __tablename__ = "flag_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    #: The group as it was shown ("47 responses from one device in 12 minutes").
    summary: Mapped[str] = mapped_column(String(300))
    decision: Mapped[ReviewDecision] = mapped_column(
        Enum(ReviewDecision, native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e]))
    reason: Mapped[str] = mapped_column(String(500))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    decided_by: Mapped[User] = relationship()


class FlagReviewItem(db.Model):
    """A response a decision covers; the latest decision on a response is the one in force."""

    __tablename__ = "flag_review_items"

    review_id: Mapped[int] = mapped_column(ForeignKey("flag_reviews.id", ondelete="CASCADE"),
                                           primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
