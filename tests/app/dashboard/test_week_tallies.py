"""The weekly roll-up on the real database: after any mix of inserts (one row or many in one
statement), flags, moves in time, answer changes and deletes, it equals a recount of the
responses made in Python, with weeks turning at Monday 00:00 in Vietnam; so do the totals,
and the trend read from it equals the one grouped straight from the responses."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from survey_app.access import visible_commune_ids
from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import ResponseTally
from survey_app.models import ResponseWeekTally
from survey_app.services.results import campaign as service
from survey_app.services.results import tallies

VIETNAM = timedelta(hours=7)
#: Sunday 22 November 2026, 16:00 UTC: 23:00 in Vietnam, an hour before a new week.
ORIGIN = datetime(2026, 11, 22, 16, tzinfo=UTC)
OPTIONS = [None, "rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long"]


def monday(received: datetime) -> date:
    local = (received.astimezone(UTC) + VIETNAM).date()
    return local - timedelta(days=local.weekday())


def recount() -> tuple[Counter, Counter]:
    """Both roll-ups as the responses say they should be, counted in Python."""
    totals, weeks = Counter(), Counter()
    for c, m, f, v, a, fl, at in db.session.execute(select(
            Response.campaign_id, Response.commune_id, Response.form_id,
            Response.form_version_id, Response.satisfaction_answer, Response.is_flagged,
            Response.received_at)):
        key = (c, m, f, v, a or "", bool(fl))
        totals[key] += 1
        weeks[(*key, monday(at))] += 1
    return totals, weeks


def kept() -> tuple[Counter, Counter]:
    totals = Counter({(t.campaign_id, t.commune_id, t.form_id, t.form_version_id,
                       t.satisfaction_answer, t.is_flagged): t.responses
                      for t in db.session.scalars(select(ResponseTally)
                                                  .where(ResponseTally.responses != 0))})
    weeks = Counter({(t.campaign_id, t.commune_id, t.form_id, t.form_version_id,
                      t.satisfaction_answer, t.is_flagged, t.week): t.responses
                     for t in db.session.scalars(select(ResponseWeekTally)
                                                 .where(ResponseWeekTally.responses != 0))})
    return totals, weeks


def row(world, commune: int, form: str, option: str | None, flagged: bool, hours: int) -> dict:
    target = [world.meets, world.fails, world.nodata][commune]
    chosen = world.forms[form]
    return {"submission_id": str(uuid.uuid4()), "campaign_id": world.campaign.id,
            "commune_id": target.id, "form_id": chosen.id,
            "form_version_id": chosen.current_version().id, "channel": Channel.qr,
            "content_hash": "w" * 64, "satisfaction_answer": option, "is_flagged": flagged,
            "received_at": ORIGIN + timedelta(hours=hours)}


rows = st.tuples(st.integers(0, 2), st.sampled_from(["PKS01", "PKS05"]),
                 st.sampled_from(OPTIONS), st.booleans(), st.integers(-200, 400))
steps = st.one_of(
    st.tuples(st.just("insert"), st.lists(rows, min_size=1, max_size=5)),
    st.tuples(st.just("flag"), st.integers(2, 5), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("move"), st.integers(2, 5), st.integers(0, 4), st.integers(-300, 300)),
    st.tuples(st.just("answer"), st.integers(2, 5), st.integers(0, 4), st.sampled_from(OPTIONS)),
    st.tuples(st.just("delete"), st.integers(3, 7), st.integers(0, 6)),
)


def apply(world, step) -> None:
    """One statement on ``responses``: a statement trigger sees every row it touches."""
    kind, *args = step
    if kind == "insert":
        # One multi-row INSERT: PostgreSQL's statement trigger groups them in one upsert.
        db.session.execute(insert(Response), [row(world, *r) for r in args[0]])
        return
    modulo, remainder = args[0], args[1] % args[0]
    some = Response.id % modulo == remainder
    if kind == "flag":
        db.session.execute(update(Response).where(some).values(is_flagged=args[2]))
    elif kind == "move":
        db.session.execute(update(Response).where(some).values(
            received_at=ORIGIN + timedelta(hours=args[2])))
    elif kind == "answer":
        db.session.execute(update(Response).where(some).values(satisfaction_answer=args[2]))
    else:
        db.session.execute(delete(Response).where(some))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, min_size=1, max_size=8))
def test_both_roll_ups_equal_a_recount_after_any_writes(results_world, script):
    for step in script:
        apply(results_world, step)
    db.session.commit()
    assert kept() == recount()
    assert tallies.tally_drift(db.session) == 0


def test_the_trend_from_the_roll_up_equals_the_trend_from_the_responses(results_world):
    """Responses spread over weeks, some flagged: the weekly roll-up and a GROUP BY over the
    responses give the same counts per week, commune and form, and the same trend."""
    world = results_world
    ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    for n, response_id in enumerate(ids):
        db.session.execute(update(Response).where(Response.id == response_id).values(
            received_at=ORIGIN + timedelta(hours=29 * n), is_flagged=n % 9 == 0))
    db.session.commit()
    results = service.campaign_results(db.session, world.campaign,
                                       visible_commune_ids(world.users["admin"]))
    args = (db.session, world.campaign.id, results.commune_ids, results.form_ids,
            results.pairs)
    far = date(2100, 1, 1)
    for per_commune in (True, False):
        rolled = service.fetch_weekly_counts(*args, per_commune=per_commune)
        direct = service.fetch_weekly_counts(*args, until=far, per_commune=per_commune)
        assert sorted(rolled, key=repr) == sorted(direct, key=repr)
        assert len({item.week for item in rolled}) > 3
    trend = service.campaign_trend(db.session, results)
    assert trend == service.campaign_trend(db.session, service.campaign_results(
        db.session, world.campaign, visible_commune_ids(world.users["admin"]), until=far))
    assert trend[-1].meets == results.evaluation.overall.meets


def test_drift_in_the_weekly_roll_up_is_found_and_a_rebuild_repairs_it(results_world):
    assert tallies.tally_drift(db.session) == 0
    db.session.execute(update(ResponseWeekTally).values(
        responses=ResponseWeekTally.responses + 1))
    assert tallies.tally_drift(db.session) > 0
    tallies.rebuild_tallies(db.session)
    db.session.commit()
    assert tallies.tally_drift(db.session) == 0
    assert kept() == recount()
