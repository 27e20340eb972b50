"""The results service on the real database: the trigger-kept roll-up, the direct count, weeks
in Vietnam time, scoping, and rulebook versions."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from datetime import UTC
from datetime import date
from datetime import datetime
from fractions import Fraction

import pytest
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from analytics import FormRule
from analytics import FormState
from analytics import Rulebook
from analytics import Status
from analytics import satisfied_pairs
from survey_app.access import visible_commune_ids
from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import FormVersion
from survey_app.models import Response
from survey_app.models import ResponseTally
from survey_app.services.results import campaign as service
from survey_app.services.results import rulebooks
from survey_app.services.results import tallies
from tests.oracle import Tally
from tests.oracle import count_samples


def evaluate_for(world, user: str = "admin", **options) -> service.CampaignResults:
    visible = visible_commune_ids(world.users[user])
    return service.campaign_results(db.session, world.campaign, visible, **options)


def by_commune(results) -> dict[int, object]:
    return {s.commune.id: s for s in results.evaluation.statuses}


def direct_counts() -> Counter:
    """Responses counted straight from the table, the way the roll-up should hold them."""
    rows = db.session.execute(select(
        Response.campaign_id, Response.commune_id, Response.form_id, Response.form_version_id,
        Response.satisfaction_answer, Response.is_flagged))
    return Counter((c, m, f, v, a or "", bool(fl)) for c, m, f, v, a, fl in rows)


def rolled_up() -> Counter:
    rows = db.session.execute(select(ResponseTally).where(ResponseTally.responses != 0))
    return Counter({(t.campaign_id, t.commune_id, t.form_id, t.form_version_id,
                     t.satisfaction_answer, t.is_flagged): t.responses for t in rows.scalars()})


def test_the_world_has_one_commune_of_each_status(results_world):
    results = evaluate_for(results_world)
    statuses = by_commune(results)
    assert statuses[results_world.meets.id].status is Status.meets
    assert statuses[results_world.fails.id].status is Status.does_not_meet
    assert statuses[results_world.fails.id].failing_forms == ("PKS01",)
    assert statuses[results_world.nodata.id].status is Status.not_enough_data
    exact = {r.form_code: r for r in statuses[results_world.meets.id].forms}["PKS05"]
    assert (exact.satisfied, exact.valid, exact.rate, exact.state) == (
        24, 30, Fraction(4, 5), FormState.passes)
    assert results.evaluation.flagged == 2
    assert results.rulebook.version == 0
    assert results.rulebook.is_builtin


def test_the_roll_up_follows_inserts_flags_moves_and_deletes(results_world, add_responses):
    assert rolled_up() == direct_counts()
    add_responses(results_world.campaign, results_world.fails, results_world.forms["PKS05"],
                  {"rat_hai_long": 3, None: 2})
    assert rolled_up() == direct_counts()
    some = select(Response.id).where(Response.commune_id == results_world.meets.id).limit(7)
    db.session.execute(update(Response).where(Response.id.in_(some)).values(is_flagged=True))
    db.session.execute(update(Response).where(Response.satisfaction_answer == "binh_thuong")
                       .values(satisfaction_answer="hai_long"))
    db.session.execute(update(Response).values(received_at=datetime(2026, 3, 1, tzinfo=UTC)))
    assert rolled_up() == direct_counts()
    db.session.execute(delete(Response).where(Response.commune_id == results_world.nodata.id))
    db.session.commit()
    assert rolled_up() == direct_counts()
    assert tallies.tally_drift(db.session) == 0


def test_drift_is_detected_and_a_rebuild_repairs_it(results_world):
    db.session.execute(update(ResponseTally).values(responses=ResponseTally.responses + 1))
    assert tallies.tally_drift(db.session) > 0
    tallies.rebuild_tallies(db.session)
    db.session.commit()
    assert tallies.tally_drift(db.session) == 0
    assert rolled_up() == direct_counts()


@pytest.mark.parametrize("rules", [
    Rulebook(), Rulebook(forms={"PKS05": FormRule(satisfied_values=("rat_hai_long",)),
                                "PKS01": FormRule(satisfied_values=("binh_thuong", "hai_long"))}),
])
def test_the_database_counts_as_analytics_would(results_world, add_responses, rules):
    """The roll-up, the direct GROUP BY and analytics' own count over the raw rows agree,
    with the rulebook's satisfied answers and two versions of a form."""
    world = results_world
    newer = publish_second_version(world.forms["PKS05"])
    add_responses(world.campaign, world.nodata, world.forms["PKS05"],
                  {"rat_hai_long": 4, "hai_long": 3, "binh_thuong": 2})
    assert world.forms["PKS05"].current_version().id == newer
    results = evaluate_for(world)
    pairs = satisfied_pairs(results.specs, rules)
    args = (db.session, world.campaign.id, results.commune_ids, results.form_ids, pairs)
    kept = service.fetch_counts(*args)
    direct = service.fetch_counts(*args, until=date(2100, 1, 1))
    rows = db.session.execute(select(Response.commune_id, Response.form_id,
                                     Response.form_version_id, Response.satisfaction_answer,
                                     Response.is_flagged))
    codes = results.form_ids
    tallies = [Tally(c, codes[f], v, a, bool(fl), 1) for c, f, v, a, fl in rows]
    assert kept == direct == count_samples(tallies, results.specs, rules)
    weekly = service.fetch_weekly_counts(*args)
    summed = Counter()
    for item in weekly:
        summed[item.commune_id, item.form_code] += item.count.valid
    assert summed == Counter({key: count.valid for key, count in kept.items()})


def publish_second_version(form) -> int:
    """Publish PKS05 again with another title: a second version with the same options."""
    current = form.current_version()
    definition = {**current.definition, "version": current.version + 1,
                  "title": current.definition["title"] + " (2)"}
    version = FormVersion(form_id=form.id, version=current.version + 1, definition=definition,
                          checksum="f" * 64)
    db.session.add(version)
    db.session.commit()
    return version.id


def test_figures_as_of_a_date_leave_out_later_responses(results_world, add_responses):
    db.session.execute(update(Response).values(
        received_at=datetime(2026, 6, 30, 16, 59, tzinfo=UTC)))
    add_responses(results_world.campaign, results_world.nodata, results_world.forms["PKS05"],
                  {"hai_long": 25}, received_at=datetime(2026, 7, 1, 3, tzinfo=UTC))
    db.session.commit()
    # 16:59 UTC on 30 June is 23:59 in Vietnam: still in the six-month report.
    june = by_commune(evaluate_for(results_world, until=date(2026, 6, 30)))
    assert june[results_world.nodata.id].valid == 10
    assert june[results_world.meets.id].status is Status.meets
    july = by_commune(evaluate_for(results_world, until=date(2026, 7, 1)))
    assert july[results_world.nodata.id].valid == 35


def test_weeks_turn_at_midnight_in_vietnam(results_world, add_responses):
    sunday_night = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Sunday 23:30 in Vietnam
    monday_morning = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # Monday 00:30 in Vietnam
    db.session.execute(update(Response).values(received_at=sunday_night))
    add_responses(results_world.campaign, results_world.meets, results_world.forms["PKS01"],
                  {"hai_long": 4}, received_at=monday_morning)
    db.session.commit()
    results = evaluate_for(results_world)
    weekly = service.fetch_weekly_counts(db.session, results_world.campaign.id,
                                         results.commune_ids, results.form_ids, results.pairs)
    counts = Counter()
    for item in weekly:
        counts[item.week] += item.count.valid + item.count.flagged + item.count.unanswered
    assert counts == {date(2026, 11, 16): 62, date(2026, 11, 23): 4}
    trend = service.campaign_trend(db.session, results)
    assert [p.week for p in trend] == [date(2026, 11, 16), date(2026, 11, 23)]
    assert trend[-1].meets == results.evaluation.overall.meets


def test_readers_see_only_their_communes(results_world):
    grouping = evaluate_for(results_world, "grouping")
    assert {c.id for c in grouping.communes} == {results_world.meets.id, results_world.fails.id}
    official = evaluate_for(results_world, "official")
    assert [c.id for c in official.communes] == [results_world.meets.id]
    assert official.evaluation.overall.communes == 1
    foreign = service.visible_campaigns(db.session,
                                        visible_commune_ids(results_world.users["foreign"]))
    assert [c.id for c in foreign] == [results_world.foreign_campaign.id]


def test_one_grouping_of_the_province(results_world):
    results = evaluate_for(results_world, grouping_id=results_world.cluster2.id)
    assert [c.id for c in results.communes] == [results_world.nodata.id]


def test_rulebook_versions_apply_province_first_and_never_change(results_world):
    province_id = results_world.campaign.province_id
    first = rulebooks.save_rulebook(db.session, None, Rulebook(threshold=Fraction(9, 10)),
                                  "global v1", None)
    assert rulebooks.rulebook_for(db.session, province_id).id == first.id
    strict = evaluate_for(results_world)
    assert by_commune(strict)[results_world.meets.id].status is Status.does_not_meet
    own = rulebooks.save_rulebook(db.session, province_id, Rulebook(
        forms={"PKS05": FormRule(min_responses=10)}), "Bắc Ninh v1", None)
    second = rulebooks.save_rulebook(db.session, province_id, Rulebook(min_responses=5),
                                   "Bắc Ninh v2", None)
    db.session.commit()
    assert (own.version, second.version) == (1, 2)
    assert rulebooks.rulebook_for(db.session, province_id).id == second.id
    assert db.session.get(type(own), own.id).parsed.forms["PKS05"].min_responses == 10
    relaxed = evaluate_for(results_world, rulebook_id=own.id)
    assert relaxed.rulebook.version == 1
    assert by_commune(relaxed)[results_world.nodata.id].missing == (("PKS01", 30),)
    foreign = rulebooks.save_rulebook(db.session, results_world.foreign.province_id, Rulebook(),
                                    "Hà Nội", None)
    with pytest.raises(rulebooks.UnknownRulebook):
        evaluate_for(results_world, rulebook_id=foreign.id)


def test_random_responses_match_a_count_of_the_rows(results_world, add_responses):
    rng = random.Random(4)
    world = results_world
    communes = [world.meets, world.fails, world.nodata]
    for _ in range(3):
        for commune in communes:
            for _code, form in world.forms.items():
                options = ["rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long", None]
                add_responses(world.campaign, commune, form,
                              {o: rng.randint(0, 6) for o in options}, flagged=rng.randint(0, 2))
        db.session.commit()
        results = evaluate_for(world)
        rows = db.session.execute(select(Response.commune_id, Response.form_id,
                                         Response.satisfaction_answer, Response.is_flagged))
        expected = Counter()
        codes = {f.id: c for c, f in world.forms.items()}
        for commune_id, form_id, answer, flagged in rows:
            key = (commune_id, codes[form_id])
            if flagged:
                expected[(*key, "flagged")] += 1
            elif answer is not None:
                expected[(*key, "valid")] += 1
                expected[(*key, "satisfied")] += answer in ("rat_hai_long", "hai_long")
        for r in results.evaluation.results:
            key = (r.commune_id, r.form_code)
            assert (r.valid, r.satisfied, r.count.flagged) == (
                expected[(*key, "valid")], expected[(*key, "satisfied")],
                expected[(*key, "flagged")])


def test_concurrent_inserts_keep_the_roll_up_exact(results_world):
    world = results_world
    version = world.forms["PKS05"].current_version()
    threads, per_thread = 6, 25
    engine = db.engine
    values = {"campaign_id": world.campaign.id, "commune_id": world.fails.id,
              "form_id": version.form_id, "form_version_id": version.id}

    def writer():
        for _ in range(per_thread):
            with engine.begin() as connection:
                connection.execute(insert(Response).values(
                    submission_id=str(uuid.uuid4()), channel=Channel.qr, content_hash="x" * 64,
                    **values,
                    satisfaction_answer="hai_long", received_at=datetime.now(UTC),
                    is_flagged=False))

    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    db.session.rollback()
    kept = db.session.scalar(select(func.sum(ResponseTally.responses)).where(
        ResponseTally.commune_id == values["commune_id"],
        ResponseTally.form_id == values["form_id"],
        ResponseTally.satisfaction_answer == "hai_long"))
    assert kept == 5 + threads * per_thread
    assert tallies.tally_drift(db.session) == 0


def test_the_triggers_exist_after_migrating(app):
    if db.engine.dialect.name == "postgresql":
        names = db.session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'responses'::regclass "
            "AND NOT tgisinternal")).all()
    else:
        names = db.session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'responses'")).all()
    assert set(names) >= {"response_tallies_insert", "response_tallies_update",
                          "response_tallies_delete"}


def test_a_unit_merged_away_counts_where_it_took_answers_only(results_world, create_commune):
    """An inactive commune stays in a campaign it has responses in (asked of the roll-up),
    and leaves it once they are gone; an inactive one that never answered is not there."""
    world = results_world
    silent = create_commune("Xã Đã Nhập")
    db.session.execute(update(Commune).where(Commune.id.in_(
        [world.nodata.id, silent.id])).values(is_active=False))
    db.session.commit()
    assert world.nodata.id in by_commune(evaluate_for(world))
    assert silent.id not in by_commune(evaluate_for(world))
    db.session.execute(delete(Response).where(Response.commune_id == world.nodata.id))
    db.session.commit()
    assert world.nodata.id not in by_commune(evaluate_for(world))
