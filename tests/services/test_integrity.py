"""Recomputing flags for a campaign, the committee's decisions, and the two headlines."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy import select

import analytics
from analytics.integrity import REPEAT_DEVICE
from analytics.integrity import IntegrityRules
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import ReviewDecision
from survey_app.services.audit import trail
from survey_app.services.intake.store import store_response
from survey_app.services.results import integrity
from survey_app.services.results.campaign import campaign_results
from survey_app.services.results.campaign import form_specs
from survey_app.services.results.campaign import load_forms
from survey_app.services.results.integrity import ReviewError
from survey_app.services.results.rulebooks import save_rulebook
from survey_app.services.results.tallies import tally_drift
from tests import oracle

#: A Tuesday, 09:00 in Vietnam.
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(dummy_commune, open_campaign, published_forms, create_user):
    from survey_app.models import Role
    user = create_user("steering", Role.steering, province_id=dummy_commune.province_id)
    return dummy_commune, open_campaign, published_forms["PKS05"], user


def add(commune, campaign, form, *, at, device=None, network=None, option="hai_long"):
    version = form.current_version()
    stored = store_response(
        db.session, submission_id=str(uuid.uuid4()), campaign_id=campaign.id,
        commune_id=commune.id, version=version,
        answers={version.parsed.satisfaction_question: option}, channel=Channel.qr,
        signals={"received_at": at, "device_key": device, "network_key": network})
    return stored.response_id


def everyone():
    return select(Response.id).scalar_subquery()


def results_of(campaign):
    from survey_app.models import Commune
    return campaign_results(db.session, campaign, select(Commune.id))


def recompute(campaign):
    db.session.commit()  # the responses added, as the intake commits them
    with unit_of_work(db.session):
        return integrity.recompute_campaign(db.session, campaign)


def test_recompute_flags_a_repeat_device_and_keeps_the_roll_up(world):
    commune, campaign, form, _user = world
    ids = [add(commune, campaign, form, at=MORNING + timedelta(minutes=20 * i), device="d")
           for i in range(5)]
    db.session.commit()
    done = recompute(campaign)
    assert (done.responses, done.flagged, done.excluded) == (5, 4, 4)
    flagged = dict(db.session.execute(select(Response.id, Response.is_flagged)).all())
    assert [flagged[i] for i in ids] == [False, True, True, True, True]
    assert REPEAT_DEVICE in db.session.get(Response, ids[1]).flag_reason
    assert tally_drift(db.session) == 0
    assert results_of(campaign).evaluation.flagged == 4
    # The same result every time: nothing changes on a second run.
    assert recompute(campaign).changed == 0


def burst_group(campaign, commune):
    panel = integrity.commune_integrity(db.session, results_of(campaign), commune.id)[commune.id]
    assert panel.groups
    return panel.groups[0]


def test_a_decision_needs_a_reason(world):
    commune, campaign, form, user = world
    for i in range(3):
        add(commune, campaign, form, at=MORNING + timedelta(minutes=i), device="d")
    recompute(campaign)
    with pytest.raises(ReviewError):
        integrity.decide(db.session, results_of(campaign), burst_group(campaign, commune),
                         ReviewDecision.restored, "   ", user.id)


def test_a_restored_group_counts_again_and_stays_restored_after_recomputation(world):
    commune, campaign, form, user = world
    for i in range(4):
        add(commune, campaign, form, at=MORNING + timedelta(minutes=i), device="d")
    recompute(campaign)
    group = burst_group(campaign, commune)
    with unit_of_work(db.session):
        review = integrity.decide(db.session, results_of(campaign), group, ReviewDecision.restored,
                                  "Một gia đình bốn người dùng chung điện thoại", user.id)
    assert review.decided_by_id == user.id
    assert results_of(campaign).evaluation.flagged == 0
    recompute(campaign)
    assert results_of(campaign).evaluation.flagged == 0
    assert tally_drift(db.session) == 0
    # The reasons are kept; the panel shows the decision.
    again = burst_group(campaign, commune)
    assert again.decision.reason.startswith("Một gia đình")
    assert again.excluded == 0


def test_an_excluded_group_stays_out_when_the_rules_change(world):
    commune, campaign, form, user = world
    for i in range(4):
        add(commune, campaign, form, at=MORNING + timedelta(minutes=i), device="d")
    recompute(campaign)
    with unit_of_work(db.session):
        integrity.decide(db.session, results_of(campaign), burst_group(campaign, commune),
                         ReviewDecision.excluded, "Nhân viên bấm hộ", user.id)
        modes = {**IntegrityRules().modes, "repeat_device": "off", "burst_device": "off",
                 "commune_rate": "off"}
        save_rulebook(db.session, campaign.province_id,
                      analytics.Rulebook(integrity=IntegrityRules(modes=modes)), "thử", user.id)
    recompute(campaign)
    assert results_of(campaign).evaluation.flagged == 3


OPTIONS = ("rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long")


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from(OPTIONS),
                          st.sampled_from([None, "a", "b", "c"]), st.integers(0, 600)),
                min_size=1, max_size=40))
def test_the_official_headline_is_a_count_without_the_flagged_responses(
        world, create_commune, rows):
    commune, campaign, form, _user = world
    communes = [commune, second_commune(create_commune)]
    for which, option, device, offset in rows:
        add(communes[which], campaign, form, option=option, device=device,
            at=MORNING + timedelta(minutes=offset))
    recompute(campaign)
    results = results_of(campaign)
    stored = db.session.execute(select(Response.commune_id, Response.form_version_id,
                                       Response.satisfaction_answer, Response.is_flagged))
    kept, every = [], []
    for commune_id, version_id, answer, flagged in stored:
        every.append(oracle.Tally(commune_id, "PKS05", version_id, answer, False, 1))
        if not flagged:
            kept.append(oracle.Tally(commune_id, "PKS05", version_id, answer, False, 1))
    specs = form_specs(db.session, load_forms(db.session, campaign))
    rules = results.rulebook.rules
    official = oracle.evaluate(results.communes, specs, kept, rules)
    assert results.evaluation.overall == official.overall
    assert [s.status for s in results.evaluation.statuses] == [
        s.status for s in official.statuses]
    with_them = oracle.evaluate(results.communes, specs, every, rules)
    assert integrity.headline(results).with_flagged == with_them.overall
    db.session.execute(delete(Response))
    db.session.commit()


def second_commune(create_commune):
    from survey_app.models import Commune
    found = db.session.scalar(select(Commune).where(Commune.name == "Xã Thứ Hai"))
    return found or create_commune("Xã Thứ Hai")


def test_keys_are_dropped_only_once_the_campaign_closed_and_flags_stay(world):
    commune, campaign, form, _user = world
    for i in range(3):
        add(commune, campaign, form, at=MORNING + timedelta(minutes=i), device="d",
            network="n")
    recompute(campaign)
    today = campaign.forms[0].closes_on
    with pytest.raises(ReviewError):
        integrity.forget_keys(db.session, campaign, today)
    with unit_of_work(db.session):
        assert integrity.forget_keys(db.session, campaign, today + timedelta(days=1)) == 3
    assert set(db.session.scalars(select(Response.device_key))) == {None}
    assert set(db.session.scalars(select(Response.network_key))) == {None}
    assert results_of(campaign).evaluation.flagged == 2
    with pytest.raises(ReviewError):
        recompute(campaign)


def test_the_nightly_retention_drops_keys_past_the_setting_and_says_so(world, app, runner):
    commune, campaign, form, _user = world
    add(commune, campaign, form, at=MORNING, device="d", network="n")
    for campaign_form in campaign.forms:
        campaign_form.opens_on = today_in_vietnam() - timedelta(days=60)
        campaign_form.closes_on = today_in_vietnam() - timedelta(days=20)
    db.session.commit()
    app.config["TRUST_SIGNALS_KEPT_DAYS"] = 30
    reply = runner.invoke(args=["integrity", "forget-expired"])
    assert "no campaign closed more than 30 days ago" in reply.output
    assert db.session.scalar(select(Response.device_key)) == "d"
    app.config["TRUST_SIGNALS_KEPT_DAYS"] = 19
    reply = runner.invoke(args=["integrity", "forget-expired"])
    assert reply.exit_code == 0, reply.output
    assert f"campaign {campaign.id}" in reply.output
    db.session.expire_all()
    assert db.session.scalar(select(Response.device_key)) is None
    (entry,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "trust_keys_dropped"))
    assert trail.details_of(entry) == {"responses": 1, "kept_days": 19}
    # Done once: the next night finds nothing more to drop.
    reply = runner.invoke(args=["integrity", "forget-expired"])
    assert "no campaign closed more than 19 days ago" in reply.output
