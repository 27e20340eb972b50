"""Looking after the response roll-ups the database triggers keep (see models/tallies.py)."""

from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from survey_app.models import Response
from survey_app.models import ResponseTally
from survey_app.models import ResponseWeekTally

#: Which responses the roll-ups count: the sheets that stand (a voided or replaced sheet
#: leaves every count; a flagged response is counted under its flag and left out of rates by
#: the analytics). The triggers say the same in SQL (``STANDING_SQL``, installed by the
#: migration ``week_tallies``); the direct counts (reports "as of" a date, the channel
#: comparison) follow this.
COUNTED = Response.standing()

TALLY_KEY = (
    Response.campaign_id, Response.commune_id, Response.form_id, Response.form_version_id,
    func.coalesce(Response.satisfaction_answer, ""), Response.is_flagged,
)
COLUMNS = ["campaign_id", "commune_id", "form_id", "form_version_id", "satisfaction_answer",
           "is_flagged"]


def response_week(dialect: str):
    """SQL for the Monday (Vietnam time) of a response's week, as the triggers compute it."""
    if dialect == "postgresql":
        local = func.timezone("Asia/Ho_Chi_Minh", Response.received_at)
        return cast(func.date_trunc("week", local), Date)
    # SQLite keeps UTC text; Vietnam has no daylight saving time, so +7 hours is exact.
    return func.date(Response.received_at, "+7 hours", "-6 days", "weekday 1")


def roll_ups(dialect: str) -> list[tuple[type, tuple, list[str]]]:
    """Each roll-up with the response expressions of its key and its key's column names."""
    return [(ResponseTally, TALLY_KEY, COLUMNS),
            (ResponseWeekTally, (*TALLY_KEY, response_week(dialect)), [*COLUMNS, "week"])]


def rebuild_tallies(session: Session) -> int:
    """Recompute both roll-ups from the responses; returns the rows written.

    For recovery only (the triggers keep them right). Writers wait while it runs.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("LOCK TABLE responses IN SHARE MODE"))
    written = 0
    for model, key, columns in roll_ups(dialect):
        session.execute(delete(model))
        grouped = select(*key, func.count()).where(COUNTED).group_by(*key)
        session.execute(insert(model).from_select([*columns, "responses"], grouped))
        # Counted, not taken from the result's rowcount, which came back -1 for this
        # INSERT ... SELECT on PostgreSQL.
        written += session.scalar(select(func.count()).select_from(model))
    return written


def tally_drift(session: Session) -> int:
    """Keys whose roll-up count differs from a fresh count of the responses (0 when right),
    in both roll-ups."""
    return sum(drift_of(session, model, key, columns)
               for model, key, columns in roll_ups(session.get_bind().dialect.name))


def drift_of(session: Session, model: type, key: tuple, columns: list[str]) -> int:
    fresh = select(*key, func.count().label("n")).where(COUNTED).group_by(*key).subquery()
    kept = select(model).where(model.responses != 0).subquery()
    pairs = list(zip(list(fresh.c)[:len(key)], [kept.c[name] for name in columns],
                     strict=True))
    on = [a == b for a, b in pairs]
    left = select(func.count()).select_from(fresh.outerjoin(kept, and_(*on))).where(
        or_(kept.c.responses.is_(None), kept.c.responses != fresh.c.n))
    right = select(func.count()).select_from(kept.outerjoin(fresh, and_(*on))).where(
        fresh.c.n.is_(None))
    return session.scalar(left) + session.scalar(right)
