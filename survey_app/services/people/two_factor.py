"""Two-step sign-in: a six-digit code from an authenticator app (TOTP, RFC 6238) after the
password, for the accounts that can see or change the most (administrators and the steering
committee). An account turns it on itself; an administrator, or ``flask users totp-off``,
turns it off for someone who lost the phone.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime

import pyotp
from qrcode.image.svg import SvgPathFillImage
from sqlalchemy import or_
from sqlalchemy import update
from sqlalchemy.orm import Session

from survey_app.domain_error import DomainError
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.collection_points.qr import qr_code
from survey_app.services.people.accounts import AccountError

ROLES = frozenset({Role.admin, Role.steering})
#: Codes of one step (30 s) before and after now are taken too: a phone's clock drifts.
DRIFT_STEPS = 1


class TwoFactorError(DomainError):
    """A code refused, or two-step sign-in not available to this account."""


def may_use(user: User) -> bool:
    return user.role in ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def setup_qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data: URI, for an <img> on the set-up page."""
    code = qr_code(uri)
    code.box_size = 10
    image = code.make_image(image_factory=SvgPathFillImage)
    image.get_image().set("width", "240")
    image.get_image().set("height", "240")
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code ``code`` is, within the drift allowed, else None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def turn_on(session: Session, user: User, secret: str, code: str, at: datetime) -> User:
    """Turn two-step sign-in on with ``secret`` once ``code`` shows the app holds it; every
    other session of the account ends (one opened before may have been someone else's).

    :raises TwoFactorError: ``totp_not_allowed`` or ``totp_wrong_code``.
    """
    if not may_use(user):
        raise TwoFactorError("totp_not_allowed")
    step = matching_step(secret, code, at)
    if step is None:
        raise TwoFactorError("totp_wrong_code")
    user.totp_secret = secret
    user.totp_last_step = step
    user.end_sessions()
    session.flush()
    trail.record(session, user, Action.TWO_FACTOR_ON, target=("user", user.id))
    return user


def check_code(session: Session, user: User, code: str, at: datetime) -> bool:
    """Accept ``code`` for ``user`` once: a code already used (here or by a request at the same
    moment on another server) is refused, so one seen over a shoulder cannot sign in again.

    :raises TwoFactorError: ``totp_wrong_code``.
    """
    step = matching_step(user.totp_secret, code, at) if user.totp_secret else None
    if step is not None:
        taken = session.execute(
            update(User)
            .where(User.id == user.id,
                   or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step))
        if taken.rowcount == 1:
            return True
    raise TwoFactorError("totp_wrong_code")


def turn_off_own(session: Session, user: User, code: str, at: datetime) -> User:
    """Turn one's own two-step sign-in off, proving it with a current code.

    :raises TwoFactorError: ``totp_wrong_code``.
    """
    check_code(session, user, code, at)
    return _turn_off(session, user, user)


def turn_off(session: Session, actor: User | None, user: User) -> User:
    """An administrator (``actor``; None is the command line) turns ``user``'s off, for an
    account whose phone is lost.

    :raises AccountError: ``not_yours`` when ``actor`` is no administrator.
    """
    if actor is not None and actor.role is not Role.admin:
        raise AccountError("not_yours")
    return _turn_off(session, actor, user)


def _turn_off(session: Session, actor: User | None, user: User) -> User:
    user.totp_secret = None
    user.totp_last_step = None
    session.flush()
    trail.record(session, actor, Action.TWO_FACTOR_OFF, target=("user", user.id),
                 province_id=user.province_id, username=user.username)
    return user
