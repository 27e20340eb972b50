"""A campaign's figures kept a short while per process (services/results/kept.py)."""

from __future__ import annotations

import pytest

from survey_app.access import visible_commune_ids
from survey_app.extensions import db
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results import kept


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "RESULTS_KEPT_SECONDS": 60}


@pytest.fixture
def clock(monkeypatch):
    """The monotonic clock the kept figures expire by, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: now[0])
    return now


def results_for(world, user: str = "admin", **options):
    return kept.kept_results(db.session, world.campaign,
                             visible_commune_ids(world.users[user]), **options)


def valid(results) -> int:
    return results.evaluation.valid


def add_five(world, add_responses, published_forms) -> None:
    add_responses(world.campaign, world.nodata, published_forms["PKS05"], {"hai_long": 5})
    db.session.commit()  # the background thread reads on a connection of its own


def test_new_answers_show_once_new_figures_are_worked_out_in_the_background(
        results_world, add_responses, published_forms, clock):
    first = results_for(results_world)
    add_five(results_world, add_responses, published_forms)
    again = results_for(results_world)
    assert valid(again) == valid(first)
    assert again.computed_at == first.computed_at
    clock[0] += 61
    # Past their time, the kept figures are still given while new ones are worked out.
    assert valid(results_for(results_world)) == valid(first)
    kept.kept().wait()
    later = results_for(results_world)
    assert valid(later) == valid(first) + 5
    assert later.computed_at > first.computed_at


def test_figures_twice_their_time_old_are_worked_out_in_the_request(
        results_world, add_responses, published_forms, clock):
    first = results_for(results_world)
    add_five(results_world, add_responses, published_forms)
    clock[0] += 121
    assert valid(results_for(results_world)) == valid(first) + 5


def test_a_staff_action_shows_at_once(results_world, add_responses, published_forms, clock):
    first = results_for(results_world)
    add_five(results_world, add_responses, published_forms)
    trail.record(db.session, results_world.users["admin"], Action.FLAGS_RECOMPUTED,
                 target=("campaign", results_world.campaign.id))
    assert valid(results_for(results_world)) == valid(first) + 5


def test_each_scope_grouping_rulebook_and_date_is_kept_apart(results_world, clock):
    everyone = results_for(results_world)
    mine = results_for(results_world, "official")
    assert {s.commune.id for s in mine.evaluation.statuses} < {
        s.commune.id for s in everyone.evaluation.statuses}
    grouping = results_world.meets.grouping_id
    one_grouping = results_for(results_world, grouping_id=grouping)
    assert {s.commune.grouping_id for s in one_grouping.evaluation.statuses} == {grouping}
    assert results_for(results_world).evaluation == everyone.evaluation


def test_kept_figures_carry_this_requests_campaign_row(results_world, clock):
    results_for(results_world)
    db.session.expunge_all()
    campaign = db.session.get(type(results_world.campaign), results_world.campaign.id)
    again = kept.kept_results(db.session, campaign,
                              visible_commune_ids(results_world.users["admin"]))
    assert again.campaign is campaign
    assert again.campaign.province.name


def test_the_trend_is_kept_with_its_figures(results_world, add_responses, published_forms,
                                            clock):
    results = results_for(results_world)
    weeks = kept.kept_trend(db.session, results)
    add_five(results_world, add_responses, published_forms)
    assert kept.kept_trend(db.session, results_for(results_world)) == weeks
    clock[0] += 61
    assert kept.kept_trend(db.session, results_for(results_world)) == weeks
    kept.kept().wait()
    later = kept.kept_trend(db.session, results_for(results_world))
    assert sum(p.count.valid for p in later) == sum(p.count.valid for p in weeks) + 5


def test_a_failed_refresh_keeps_nothing_wrong(app, clock, caplog):
    figures = kept.KeptFigures(60)
    assert figures.get(("k",), lambda: "old") == "old"
    clock[0] += 61

    def broken():
        raise RuntimeError("database gone")

    assert figures.get(("k",), lambda: "never", broken) == "old"
    figures.wait()
    assert "kept figures not refreshed" in caplog.text
    clock[0] += 60
    assert figures.get(("k",), lambda: "new", broken) == "new"


def test_no_more_than_a_few_scopes_are_kept(app):
    figures = kept.KeptFigures(60, entries=2)
    made = []
    for key in ("a", "b", "c", "a"):
        figures.get((key,), lambda key=key: made.append(key) or key)
    assert made == ["a", "b", "c", "a"]


def test_the_overview_says_when_its_figures_were_worked_out(results_world, login, clock):
    client = login("admin")
    html = client.get(f"/bang-dieu-khien/?campaign={results_world.campaign.id}").get_data(
        as_text=True)
    assert "Số liệu tính lúc" in html
    assert "câu trả lời mới hiện ra trong vòng 2 phút" in html
