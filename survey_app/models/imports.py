"""Bulk imports of filled-in spreadsheets: a batch per uploaded file, a row per response made."""

import enum
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.campaigns import Campaign
from survey_app.models.form_versions import FormVersion
from survey_app.models.users import User
from survey_app.orm import UTCDateTime


class ImportStatus(enum.Enum):
    rejected = "rejected"  #: the check found errors; nothing was stored
    checked = "checked"  #: no errors; waiting for the uploader to confirm
    stored = "stored"  #: confirmed: every new row stored in one transaction
    discarded = "discarded"  #: the uploader cancelled it, or it expired unconfirmed


class ImportBatch(db.Model):
    """One uploaded file: who sent it, what the check found and what was stored."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the file's bytes, to recognise the same file uploaded again.
    file_sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e])
    )
    #: Data rows in the file (the header and notes rows not counted).
    row_count: Mapped[int] = mapped_column(default=0)
    #: Rows with at least one error.
    rejected_count: Mapped[int] = mapped_column(default=0)
    #: Rows already stored by an earlier upload: skipped, never stored twice.
    duplicate_count: Mapped[int] = mapped_column(default=0)
    #: Rows that became new responses (0 until confirmed).
    stored_count: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The checked rows waiting for confirmation; emptied once stored or discarded, so
    #: answers live in one place only.
    pending: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()
    campaign: Mapped[Campaign] = relationship()
    form_version: Mapped[FormVersion] = relationship()


class ImportRow(db.Model):
    """Where an imported response came from: its batch, spreadsheet row and paper form."""

    __tablename__ = "import_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    #: The row number as the spreadsheet shows it.
    row_number: Mapped[int]
    #: The paper form's number from the ``ma_phieu`` column, when given.
    reference: Mapped[str | None] = mapped_column(String(64))
    #: The interview date from the ``ngay_phong_van`` column, when given.
    interviewed_on: Mapped[date | None]

    batch: Mapped[ImportBatch] = relationship()
