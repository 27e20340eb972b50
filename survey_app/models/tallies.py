"""The response roll-up: responses counted by what the analytics need, kept by the database.

Triggers on ``responses`` (see the migration ``response_tallies``) add, move and remove counts
in the same transaction as the insert, update or delete that changes them, whichever code
path writes: the public form, field entry, imports, offline sync, a later flagging job or a
bulk load. Reading a campaign's results is then a read of a few rows per commune and form,
not a scan of every response. ``services.tallies.rebuild_tallies`` recomputes it from scratch.
"""

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
