"""Rulebook versions: which rules apply to a province, and saving the next version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import analytics
from survey_app.models import RulebookVersion


class UnknownRulebook(Exception):
    """The rulebook version asked for does not exist or is another province's."""


@dataclass(frozen=True)
class RulebookInUse:
    """The rules behind a set of figures, and where they come from."""

    rules: analytics.Rulebook
    #: None for the built-in defaults (DOMAIN.md), which count as version 0.
    id: int | None
    version: int
    #: None for the global rulebook (or the built-in defaults).
    province_id: int | None
    created_at: datetime | None = None
    note: str = ""

    @property
    def is_builtin(self) -> bool:
        return self.id is None


BUILTIN = RulebookInUse(analytics.Rulebook(), None, 0, None)


def in_use(row: RulebookVersion) -> RulebookInUse:
    return RulebookInUse(row.parsed, row.id, row.version, row.province_id, row.created_at,
                         row.note)


def latest_version(session: Session, province_id: int | None) -> RulebookVersion | None:
    scope = (RulebookVersion.province_id.is_(None) if province_id is None
             else RulebookVersion.province_id == province_id)
    return session.scalar(
        select(RulebookVersion).where(scope).order_by(RulebookVersion.version.desc()).limit(1)
    )


def rulebook_for(
    session: Session, province_id: int, version_id: int | None = None
) -> RulebookInUse:
    """The rules for a province: a chosen version, else its latest own version, else the
    latest global version, else the built-in defaults.

    :raises UnknownRulebook: ``version_id`` is not the province's nor a global version.
    """
    if version_id is not None:
        row = session.get(RulebookVersion, version_id)
        if row is None or row.province_id not in (None, province_id):
            raise UnknownRulebook(version_id)
        return in_use(row)
    row = latest_version(session, province_id) or latest_version(session, None)
    return in_use(row) if row else BUILTIN


def rules_in_force(session: Session, province_id: int | None) -> RulebookInUse:
    """The rules in force for a scope: a province's (as ``rulebook_for``), or for ``None``
    the latest global version, else the built-in defaults. What an edit starts from."""
    if province_id is not None:
        return rulebook_for(session, province_id)
    row = latest_version(session, None)
    return in_use(row) if row else BUILTIN


def rulebook_history(session: Session, province_id: int | None) -> list[RulebookVersion]:
    """Versions that can apply to a province (its own and the global ones), newest first."""
    scope = RulebookVersion.province_id.is_(None)
    if province_id is not None:
        scope = scope | (RulebookVersion.province_id == province_id)
    return list(session.scalars(
        select(RulebookVersion).where(scope)
        .order_by(RulebookVersion.created_at.desc(), RulebookVersion.id.desc())
    ))


def save_rulebook(
    session: Session, province_id: int | None, rules: analytics.Rulebook, note: str,
    user_id: int | None,
) -> RulebookVersion:
    """Save ``rules`` as the next version of the province's (or the global) rulebook.

    Earlier versions are never touched. Call ``database.begin_write`` first on SQLite; on
    PostgreSQL a concurrent save of the same number fails on the unique constraint.
    """
    latest = latest_version(session, province_id)
    row = RulebookVersion(province_id=province_id, version=(latest.version if latest else 0) + 1,
                          rules=rules.to_dict(), note=note.strip(), created_by_id=user_id)
    session.add(row)
    session.flush()
    return row


