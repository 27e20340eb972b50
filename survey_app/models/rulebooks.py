"""Rulebook versions: the scoring rules a province (or every province) applies, as data.

A version is never changed once saved; editing the rules saves the next version, so every
figure can say which rules produced it and an old report can be reproduced.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from analytics import Rulebook
from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.units import Province
from survey_app.orm import UTCDateTime


class RulebookVersion(db.Model):
    __tablename__ = "rulebook_versions"
    __table_args__ = (
        # NULLS NOT DISTINCT: two concurrent saves of the global rulebook cannot both be v2.
        UniqueConstraint("province_id", "version", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The province the rules are for; None for the rules of every province without its own.
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    #: 1, 2, 3 ... within its scope (the province, or global).
    version: Mapped[int]
    #: ``analytics.Rulebook.to_dict()``: thresholds, minimum samples, target and deadline.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Why the rules changed (a decision's number, a meeting), shown in the history.
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    province: Mapped[Province | None] = relationship()

    @property
    def parsed(self) -> Rulebook:
        return Rulebook.from_dict(self.rules)
