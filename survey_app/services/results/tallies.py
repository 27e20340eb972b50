"""Looking after the response roll-up the database triggers keep (see models/tallies.py)."""

from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from survey_app.models import Response
from survey_app.models import ResponseTally

TALLY_KEY = (
    Response.campaign_id, Response.commune_id, Response.form_id, Response.form_version_id,
    func.coalesce(Response.satisfaction_answer, ""), Response.is_flagged,
)


def rebuild_tallies(session: Session) -> int:
    """Recompute the whole roll-up from the responses that stand; returns the rows written.

    For recovery only (the triggers keep it right). Writers wait while it runs.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE responses IN SHARE MODE"))
    session.execute(delete(ResponseTally))
    grouped = select(*TALLY_KEY, func.count()).where(Response.standing()).group_by(*TALLY_KEY)
    columns = ["campaign_id", "commune_id", "form_id", "form_version_id", "satisfaction_answer",
               "is_flagged", "responses"]
    result = session.execute(insert(ResponseTally).from_select(columns, grouped))
    return result.rowcount


def tally_drift(session: Session) -> int:
    """Keys whose roll-up count differs from a fresh count of the responses (0 when right)."""
    fresh = (select(*TALLY_KEY, func.count().label("n")).where(Response.standing())
             .group_by(*TALLY_KEY).subquery())
    kept = select(ResponseTally).where(ResponseTally.responses != 0).subquery()
    keys = list(zip(list(fresh.c)[:6], [kept.c.campaign_id, kept.c.commune_id, kept.c.form_id,
                                         kept.c.form_version_id, kept.c.satisfaction_answer,
                                         kept.c.is_flagged], strict=True))
    on = [a == b for a, b in keys]
    left = select(func.count()).select_from(fresh.outerjoin(kept, and_(*on))).where(
        or_(kept.c.responses.is_(None), kept.c.responses != fresh.c.n))
    right = select(func.count()).select_from(kept.outerjoin(fresh, and_(*on))).where(
        fresh.c.n.is_(None))
    return session.scalar(left) + session.scalar(right)
