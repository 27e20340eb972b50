"""Forms and their published versions; a version's definition is frozen once published."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forms import FormDefinition
from forms import load_definition
from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.orm import UTCDateTime


class Form(db.Model):
    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: The mass organisation that runs it by default (see DOMAIN.md).
    organisation: Mapped[str] = mapped_column(String(32))
    is_retired: Mapped[bool] = mapped_column(default=False)

    versions: Mapped[list["FormVersion"]] = relationship(
        back_populates="form", order_by="FormVersion.version"
    )

    def current_version(self) -> "FormVersion | None":
        return db.session.scalar(
            select(FormVersion)
            .where(FormVersion.form_id == self.id)
            .order_by(FormVersion.version.desc())
            .limit(1)
        )


class FormVersion(db.Model):
    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    version: Mapped[int]
    #: The definition as published (parsed YAML); answers stay tied to it.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the definition, so re-publishing the same file is a no-op.
    checksum: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    form: Mapped[Form] = relationship(back_populates="versions")

    @property
    def parsed(self) -> FormDefinition:
        return parsed_definition(self.id, self.checksum, self.definition)


_PARSED: dict[tuple[int, str], FormDefinition] = {}


def parsed_definition(version_id: int, checksum: str, data: dict[str, Any]) -> FormDefinition:
    """Parse a stored definition once per process: versions never change after publishing."""
    key = (version_id, checksum)
    if key not in _PARSED:
        _PARSED[key] = load_definition(data, source=f"form_version {version_id}")
    return _PARSED[key]
