"""Find what a public token opens: a live collection point, a retired one, or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from survey_app.models import CollectionPoint
from survey_app.models import RetiredToken

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today_in_vietnam():
    """Campaign windows are calendar days in Vietnam, whatever the server's clock zone."""
    return datetime.now(VIETNAM).date()


@dataclass(frozen=True)
class Lookup:
    point: CollectionPoint | None
    retired: CollectionPoint | None = None


def count_scan(session: Session, token: str) -> None:
    """Count one opening of a live point's link; a write first, so SQLite can wait its turn."""
    session.execute(
        update(CollectionPoint)
        .where(CollectionPoint.token == token, CollectionPoint.retired_at.is_(None))
        .values(scan_count=CollectionPoint.scan_count + 1)
    )


def find_point(session: Session, token: str) -> Lookup:
    """The live point behind ``token``, or the retired point it used to open."""
    if len(token) > 64:
        return Lookup(None)
    point = session.scalar(
        select(CollectionPoint)
        .options(joinedload(CollectionPoint.commune), joinedload(CollectionPoint.form))
        .where(CollectionPoint.token == token)
    )
    if point is not None and point.retired_at is None:
        return Lookup(point)
    if point is not None:
        return Lookup(None, retired=point)
    old = session.get(RetiredToken, token)
    return Lookup(None, retired=old.point if old else None)
