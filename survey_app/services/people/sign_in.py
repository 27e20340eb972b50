"""Checking a username and password without telling anyone which usernames exist."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from survey_app.models import User
from survey_app.services.people.accounts import normalise_username


@cache
def dummy_hash() -> str:
    """A hash made as every account's is (same method, same cost) of a password nobody
    knows: checking it takes as long as checking a real account's."""
    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The enabled account with this username and password, else None.

    The password is checked against a hash whether or not the account exists or is enabled,
    so the time a refusal takes does not tell which usernames are in use.
    """
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    matches = check_password_hash(user.password_hash if user else dummy_hash(), password)
    if user is None or not matches or not user.is_enabled:
        return None
    return user
