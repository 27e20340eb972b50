"""QR against field on the dashboard: the listed commune, its figures, and who may look."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from survey_app.extensions import db
from survey_app.models import Channel
from tests.fixtures.field import PASSWORD


@dataclass
class ChannelWorld:
    campaign: object
    happy_counter: object  #: QR 57/60 against field 24/40: listed
    alike: object  #: QR 30/40 against field 28/40: not listed


@pytest.fixture
def channel_world(results_world, create_commune, add_responses) -> ChannelWorld:
    campaign, pks05 = results_world.campaign, results_world.forms["PKS05"]
    happy = create_commune("Phường Đa Mai", grouping=results_world.cluster1)
    alike = create_commune("Xã Tân An", grouping=results_world.cluster2)
    add_responses(campaign, happy, pks05, {"rat_hai_long": 57, "khong_hai_long": 3})
    add_responses(campaign, happy, pks05, {"hai_long": 24, "binh_thuong": 16},
                  channel=Channel.paper)
    add_responses(campaign, alike, pks05, {"hai_long": 30, "binh_thuong": 10})
    add_responses(campaign, alike, pks05, {"hai_long": 28, "binh_thuong": 12},
                  channel=Channel.field)
    # Flagged QR answers are left out on both sides, as in every figure.
    add_responses(campaign, alike, pks05, {"rat_hai_long": 40}, flagged=40)
    db.session.commit()
    return ChannelWorld(campaign, happy, alike)


def test_the_committee_sees_the_listed_commune_first(channel_world, login):
    page = login("steering", PASSWORD).get(
        f"/bang-dieu-khien/kenh?campaign={channel_world.campaign.id}&form=PKS05")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    listed = html.split('id="listed-head"', 1)[1].split("</section>", 1)[0]
    assert channel_world.happy_counter.name in listed
    assert channel_world.alike.name not in listed
    assert "95,0% <span class=\"muted\">(57/60)</span>" in listed
    assert "60,0% <span class=\"muted\">(24/40)</span>" in listed
    assert "+35,0%" in listed
    every = html.split('id="all-head"', 1)[1]
    assert "75,0% <span class=\"muted\">(30/40)</span>" in every
    assert 'id="chart-funnel"' in html


def test_commune_officials_and_field_staff_may_not_look(channel_world, login):
    for role in ("official", "coordinator", "surveyor"):
        reply = login(role, PASSWORD).get(
            f"/bang-dieu-khien/kenh?campaign={channel_world.campaign.id}")
        assert reply.status_code == 403, role


def test_the_margin_is_the_rulebooks(channel_world, login):
    """A difference of 35 points is listed under a 10-point margin, not under a 40-point
    one saved as a new rulebook version."""
    from tests.app.admin.test_rulebooks import fields

    url = f"/bang-dieu-khien/kenh?campaign={channel_world.campaign.id}&form=PKS05"
    steering = login("steering", PASSWORD)
    assert "quá 10 điểm phần trăm" in steering.get(url).get_data(as_text=True)
    reply = login("admin", PASSWORD).post("/quan-tri/bo-quy-tac",
                                          data=fields(channel_margin_percent="40"))
    assert reply.status_code == 303
    html = login("steering", PASSWORD).get(url).get_data(as_text=True)
    assert "quá 40 điểm phần trăm" in html
    assert 'id="listed-head"' not in html or channel_world.happy_counter.name not in html.split(
        'id="listed-head"', 1)[1].split("</section>", 1)[0]
