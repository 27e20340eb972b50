"""Accounts, their roles and the units they are scoped to."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models.units import Commune
from survey_app.models.units import Grouping
from survey_app.models.units import Province
from survey_app.orm import UTCDateTime


class Role(enum.Enum):
    admin = "admin"
    steering = "steering"  #: provincial steering committee: reads everything in its province
    grouping = "grouping"  #: district/grouping: reads its communes
    commune_official = "commune_official"  #: reads its own commune, never edits a response
    coordinator = "coordinator"  #: a mass organisation's coordinator
    surveyor = "surveyor"  #: enters responses for what it is assigned


class Organisation(db.Model):
    """A mass organisation that runs surveys (Youth Union, Women's Union, ...)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Matches ``organisation`` in form definitions, e.g. "youth_union".
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"))
    grouping_id: Mapped[int | None] = mapped_column(ForeignKey("groupings.id"))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: Stands in for the user id in the session cookie; rotating it ends every session
    #: on the server (logout, disabling, password change).
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP secret (base32, as pyotp makes it) when two-step sign-in is on, else None.
    #: It is as good as the second factor itself: never shown again, never logged.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    #: The time step of the last code accepted: a code works once, even within its 30 s.
    totp_last_step: Mapped[int | None] = mapped_column()
    #: Set when an admin handed out a one-time password: the next sign-in must replace it.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    province: Mapped[Province | None] = relationship()
    grouping: Mapped[Grouping | None] = relationship()
    commune: Mapped[Commune | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_token = new_session_token()
