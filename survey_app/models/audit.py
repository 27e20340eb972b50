"""The audit trail: one row per staff action, append-only and hash-chained."""

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from survey_app.extensions import db
from survey_app.orm import UTCDateTime

#: BIGINT on PostgreSQL; SQLite's rowid alias must be a plain INTEGER.
SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(db.Model):
    """Who did what to which thing, when. The application only ever inserts a row: triggers
    refuse an UPDATE or DELETE on both databases (and TRUNCATE on PostgreSQL), and each row
    carries the SHA-256 of the previous row's hash and its own canonical JSON, so a row
    changed or removed behind the application's back breaks the chain (``flask audit
    verify``). No foreign keys: a row outlives the account or unit it names, and names are
    copied in as they were at the time."""

    __tablename__ = "audit_entries"

    #: 1, 2, 3, ... with no gap: the chain's order. Unique, so two writers cannot both
    #: append after the same row.
    seq: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: The account that acted; None for the shell (``flask ...``) or an unknown name.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column()
    #: The province the action concerns, when it concerns one: what a committee may read.
    province_id: Mapped[int | None] = mapped_column(index=True)
    #: Canonical JSON (sorted keys, no spaces) of what else the action needs to be read.
    details: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
