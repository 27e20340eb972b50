"""Collection points: where a commune collects one form, reached by an unguessable token."""

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm import validates

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.form_versions import Form
from survey_app.models.units import Commune
from survey_app.orm import UTCDateTime

#: Crockford's base 32 in lower case: no i, l, o or u, so nothing on a poster reads as two
#: different characters, and a link can be read aloud over the phone.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
#: 10 symbols of 5 bits: 50 random bits. Enough that guessing finds no point (docs/QR.md),
#: short enough to type from a poster, and a link that fits a QR code of version 4.
TOKEN_LENGTH = 10
#: What people type instead of the printed symbol, read the way Crockford intended.
_TYPED = str.maketrans({"i": "1", "l": "1", "o": "0", "-": None, " ": None})


def new_token() -> str:
    """A fresh random token for a point's public link."""
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def typed_token(text: str) -> str | None:
    """The token someone meant when typing ``text`` from a poster, or None if it cannot be one.

    Capitals, dashes, spaces and the look-alikes i, l, o are forgiven. Tokens made before
    this alphabet (22 URL-safe characters) are matched exactly elsewhere, never through here.
    """
    token = text.lower().translate(_TYPED)
    if len(token) != TOKEN_LENGTH or not set(token) <= set(ALPHABET):
        return None
    return token


def label_key(label: str | None) -> str:
    """How two counter labels are told apart: case and surrounding spaces do not count."""
    return (label or "").strip().casefold()


class CollectionPoint(db.Model):
    __tablename__ = "collection_points"
    __table_args__ = (
        # One live point per commune, form and counter: the database, not only the check in
        # create_point, refuses a second one made at the same moment.
        Index("uq_collection_points_live_counter", "commune_id", "form_id", "label_key",
              unique=True, sqlite_where=text("retired_at IS NULL"),
              postgresql_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    #: Optional, e.g. "Quầy 2" when a commune has two counters.
    label: Mapped[str | None] = mapped_column(String(120))
    #: ``label_key(label)``, kept by ``_keep_label_key`` for the unique index above.
    label_key: Mapped[str] = mapped_column(String(120), default="", server_default="")
    token: Mapped[str] = mapped_column(String(43), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Times the link was opened; no personal data is kept about who opened it.
    scan_count: Mapped[int] = mapped_column(default=0)

    commune: Mapped[Commune] = relationship()
    form: Mapped[Form] = relationship()

    @validates("label")
    def _keep_label_key(self, _key: str, label: str | None) -> str | None:
        self.label_key = label_key(label)
        return label


class RetiredToken(db.Model):
    """A token that used to open a point, kept so an old poster gets an explanation."""

    __tablename__ = "retired_tokens"

    token: Mapped[str] = mapped_column(String(43), primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("collection_points.id"), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    point: Mapped[CollectionPoint] = relationship()
