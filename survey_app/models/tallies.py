"""The response roll-ups: responses counted by what the analytics need, kept by the database.

Triggers on ``responses`` (the migration ``week_tallies`` builds them, both roll-ups from one
statement of which responses count) add, move and remove counts
in the same transaction as the insert, update or delete that changes them, whichever code
path writes: the public form, field entry, imports, offline sync, a later flagging job or a
bulk load. Reading a campaign's results is then a read of a few rows per commune and form,
not a scan of every response; the weekly trend reads the same counts split by week.
``services.results.tallies.rebuild_tallies`` recomputes both from scratch.
"""

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from survey_app.extensions import db


class ResponseTally(db.Model):
    __tablename__ = "response_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"),
                                                 primary_key=True)
    #: The option picked on the satisfaction question; "" when the response has none (a
    #: primary key cannot hold NULL, and options are never empty).
    satisfaction_answer: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_flagged: Mapped[bool] = mapped_column(primary_key=True)
    responses: Mapped[int]


class ResponseWeekTally(db.Model):
    """The same counts split by the week a response was received (Monday, Vietnam time), for
    the trend. Its key is the roll-up's plus the week, last, so that a trigger that upserts
    both in key order takes their row locks in one order."""

    __tablename__ = "response_week_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"),
                                                 primary_key=True)
    satisfaction_answer: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_flagged: Mapped[bool] = mapped_column(primary_key=True)
    #: The Monday of the week of ``received_at`` in Vietnam (UTC+7, no daylight saving).
    week: Mapped[date] = mapped_column(primary_key=True)
    responses: Mapped[int]
