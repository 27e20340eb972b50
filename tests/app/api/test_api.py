"""The JSON API: the dashboard's numbers, for the same users, with the rulebook beside them."""

from __future__ import annotations

import pytest

from analytics import Rulebook
from survey_app.extensions import db
from survey_app.services.results.rulebooks import save_rulebook
from tests.fixtures.field import PASSWORD
from tests.fixtures.results import FREE_TEXT


@pytest.fixture
def as_user(results_world, login):
    return lambda name: login(name, PASSWORD)


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    return response.get_json()


def test_anonymous_callers_get_401_not_a_login_page(client, results_world):
    body = get(client, "/api/v1/campaigns", 401)
    assert body["error"]["code"] == 401


def test_surveyors_get_403(as_user):
    get(as_user("surveyor"), "/api/v1/campaigns", 403)


def test_campaigns_are_those_of_the_users_province(as_user, results_world):
    listed = get(as_user("steering"), "/api/v1/campaigns")["campaigns"]
    assert [c["id"] for c in listed] == [results_world.campaign.id]
    assert [f["code"] for f in listed[0]["forms"]] == ["PKS01", "PKS05"]
    foreign = get(as_user("foreign"), "/api/v1/campaigns")["campaigns"]
    assert [c["id"] for c in foreign] == [results_world.foreign_campaign.id]


def test_the_summary_says_who_meets_and_by_which_rules(as_user, results_world):
    body = get(as_user("steering"), f"/api/v1/campaigns/{results_world.campaign.id}/summary")
    assert body["overall"] == {
        "communes": 3, "meets": 1, "does_not_meet": 1, "not_enough_data": 1,
        "share_meeting": pytest.approx(1 / 3), "target_share": 0.6, "required": 2,
        "still_needed": 1, "target_reached": False,
    }
    assert body["rulebook"]["version"] == 0
    assert body["rulebook"]["scope"] == "builtin"
    assert body["rulebook"]["rules"]["defaults"]["threshold_percent"] == "80"
    assert body["flagged"] == 2
    assert {g["grouping"]: g["meets"] for g in body["groupings"]} == {
        "Cụm thi đua số 1": 1, "Cụm thi đua số 2": 0}
    assert [f["code"] for f in body["forms"]] == ["PKS01", "PKS05"]


def test_per_commune_results_carry_exact_counts(as_user, results_world):
    body = get(as_user("steering"), f"/api/v1/campaigns/{results_world.campaign.id}/communes")
    communes = {c["name"]: c for c in body["communes"]}
    exact = {f["form"]: f for f in communes["Xã Hợp Thịnh"]["forms"]}["PKS05"]
    assert (exact["valid"], exact["satisfied"], exact["rate"], exact["state"]) == (
        30, 24, 0.8, "passes")
    assert 0.62 < exact["interval_95"]["low"] < exact["interval_95"]["high"] < 0.91
    assert communes["Phường Đông Ngàn"]["failing_forms"] == ["PKS01"]
    assert communes["Xã Tam Sơn"]["missing"] == {"PKS01": 30, "PKS05": 20}


def test_scoping_matches_the_dashboard(as_user, results_world):
    url = f"/api/v1/campaigns/{results_world.campaign.id}/communes"
    names = {c["name"] for c in get(as_user("grouping"), url)["communes"]}
    assert names == {"Xã Hợp Thịnh", "Phường Đông Ngàn"}
    names = {c["name"] for c in get(as_user("official"), url)["communes"]}
    assert names == {"Xã Hợp Thịnh"}
    get(as_user("foreign"), url, 404)
    get(as_user("steering"), f"/api/v1/campaigns/{results_world.foreign_campaign.id}/summary",
        404)


@pytest.mark.parametrize(("user", "commune", "status"), [
    ("official", "meets", 200), ("official", "fails", 404), ("grouping", "nodata", 404),
    ("steering", "nodata", 200),
])
def test_one_commune_is_scoped(as_user, results_world, user, commune, status):
    target = getattr(results_world, commune)
    get(as_user(user), f"/api/v1/campaigns/{results_world.campaign.id}/communes/{target.id}",
        status)


def test_one_commune_has_distributions_and_never_free_text(as_user, results_world):
    client = as_user("admin")
    response = client.get(f"/api/v1/campaigns/{results_world.campaign.id}/communes/"
                          f"{results_world.meets.id}")
    assert FREE_TEXT not in response.get_data(as_text=True)
    assert "HYPERLINK" not in response.get_data(as_text=True)
    body = response.get_json()
    overall = {q["question"]: q for q in body["questions"]["PKS05"]}["q_overall"]
    assert {o["value"]: o["count"] for o in overall["options"]}["hai_long"] == 23
    assert all(q["type"] != "short_text" for qs in body["questions"].values() for q in qs)
    last = {w["form"]: w for w in body["weeks"]}
    assert (last["PKS01"]["cumulative_valid"], last["PKS05"]["cumulative_valid"]) == (8, 30)


def test_parameters_are_checked(as_user, results_world):
    client = as_user("steering")
    base = f"/api/v1/campaigns/{results_world.campaign.id}/summary"
    assert "YYYY-MM-DD" in get(client, f"{base}?until=31-12-2026", 400)["error"]["message"]
    get(client, f"{base}?grouping=abc", 400)
    get(client, f"{base}?grouping=9999", 404)
    get(client, f"{base}?rulebook=9999", 404)
    body = get(client, f"{base}?until=2000-01-01")
    assert body["as_of"] == "2000-01-01"
    assert body["overall"]["not_enough_data"] == 3


def test_an_older_rulebook_can_be_asked_for(as_user, results_world):
    first = save_rulebook(db.session, None, Rulebook(min_responses=5), "v1", None)
    save_rulebook(db.session, None, Rulebook(), "v2", None)
    db.session.commit()
    client = as_user("steering")
    base = f"/api/v1/campaigns/{results_world.campaign.id}/summary"
    assert get(client, base)["rulebook"]["version"] == 2
    older = get(client, f"{base}?rulebook={first.id}")
    assert older["rulebook"]["version"] == 1
    assert older["rulebook"]["scope"] == "global"
    assert older["rulebook"]["note"] == "v1"
