"""The committee's integrity pages, decisions, and the two headlines in exports and the API."""

from __future__ import annotations

import io
import re
from datetime import UTC
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import FlagReview
from survey_app.models import Response
from survey_app.services.audit import trail
from tests.fixtures.field import PASSWORD


@pytest.fixture
def stuffed(results_world, add_responses):
    """Eight unhappy PKS05 answers from one device at Xã Hợp Thịnh (which meets at exactly
    80%), the last seven flagged: without them it meets, with them it would not."""
    world = results_world
    ids = add_responses(world.campaign, world.meets, world.forms["PKS05"],
                        {"khong_hai_long": 8},
                        received_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    db.session.execute(update(Response).where(Response.id.in_(ids)).values(device_key="d1"))
    db.session.execute(update(Response).where(Response.id.in_(ids[1:])).values(
        is_flagged=True, flag_reason="burst_device repeat_device"))
    # The first one counts: 24 of 31 satisfied is below 80%, so lift it back with happy ones.
    add_responses(world.campaign, world.meets, world.forms["PKS05"], {"hai_long": 4})
    db.session.commit()
    return world


def page(client, url, status=200) -> str:
    reply = client.get(url)
    assert reply.status_code == status, reply.get_data(as_text=True)[:300]
    return reply.get_data(as_text=True)


def test_the_province_list_ranks_the_stuffed_commune_and_marks_its_status(stuffed, login):
    html = page(login("steering", PASSWORD), "/bang-dieu-khien/toan-ven")
    assert "Xã Hợp Thịnh" in html
    assert re.search(r"thay đổi do gắn cờ|changed by flags", html)


def test_the_panel_shows_reasons_the_timeline_and_the_group(stuffed, login):
    html = page(login("steering", PASSWORD), f"/bang-dieu-khien/toan-ven/xa/{stuffed.meets.id}")
    assert 'id="chart-timeline"' in html
    assert "repeat_device" in html
    assert re.search(r"7 (phiếu|responses)", html)


def group_key(html: str) -> str:
    return re.search(r'name="group" value="([^"]+)"', html).group(1)


def test_a_decision_needs_a_reason_and_is_kept_with_who_and_when(stuffed, login):
    client = login("steering", PASSWORD)
    url = f"/bang-dieu-khien/toan-ven/xa/{stuffed.meets.id}"
    key = group_key(page(client, url))
    client.post(f"{url}/quyet-dinh", data={"group": key, "decision": "restored",
                                           "reason": " "})
    assert db.session.scalar(select(FlagReview)) is None
    reply = client.post(f"{url}/quyet-dinh", data={
        "group": key, "decision": "restored", "reason": "Cả nhà dùng chung máy"})
    assert reply.status_code == 303
    review = db.session.scalar(select(FlagReview))
    assert review.decided_by.username == "steering"
    flagged = db.session.scalars(select(Response.is_flagged).where(
        Response.device_key == "d1")).all()
    assert not any(flagged)
    html = page(client, url)
    assert "Cả nhà dùng chung máy" in html
    assert "Steering" in html
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "flags_reviewed"))
    assert entry.actor_name == "steering"
    details = trail.details_of(entry)
    assert (details["decision"], details["reason"]) == ("restored", "Cả nhà dùng chung máy")
    assert details["commune_id"] == stuffed.meets.id
    assert details["responses"] == 7  # the device's first answer counts: not in the group


def test_commune_officials_see_how_many_were_left_out_but_not_which(stuffed, login):
    official = login("official", PASSWORD)
    page(official, "/bang-dieu-khien/toan-ven", 403)
    page(official, f"/bang-dieu-khien/toan-ven/xa/{stuffed.meets.id}", 403)
    html = page(official, f"/bang-dieu-khien/xa/{stuffed.meets.id}")
    assert "không tính: 7" in html
    assert "repeat_device" not in html
    assert "toan-ven" not in html


def test_only_the_committee_decides(stuffed, login):
    grouping = login("grouping", PASSWORD)
    url = f"/bang-dieu-khien/toan-ven/xa/{stuffed.meets.id}"
    html = page(grouping, url)
    assert 'name="group"' not in html
    reply = grouping.post(f"{url}/quyet-dinh", data={"group": "x", "decision": "restored",
                                                     "reason": "x"})
    assert reply.status_code == 403


def test_the_api_and_the_workbook_give_both_headlines(stuffed, login):
    client = login("steering", PASSWORD)
    summary = client.get(f"/api/v1/campaigns/{stuffed.campaign.id}/summary").get_json()
    assert summary["overall"]["meets"] == summary["with_flagged"]["meets"] + 1
    communes = client.get(f"/api/v1/campaigns/{stuffed.campaign.id}/communes").get_json()
    mine = next(c for c in communes["communes"] if c["id"] == stuffed.meets.id)
    assert (mine["status"], mine["status_with_flagged"]) == ("meets", "does_not_meet")
    reply = client.get(f"/bang-dieu-khien/xuat/ket-qua.xlsx?campaign={stuffed.campaign.id}")
    book = load_workbook(io.BytesIO(reply.data))
    values = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert any(isinstance(v, str) and "gắn cờ" in v.lower() for v in values)


def test_recompute_button(stuffed, login):
    client = login("steering", PASSWORD)
    reply = client.post(f"/bang-dieu-khien/toan-ven/tinh-lai?campaign={stuffed.campaign.id}")
    assert reply.status_code == 303
    (entry,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "flags_recomputed"))
    assert (entry.actor_name, entry.target_id) == ("steering", stuffed.campaign.id)
    assert trail.details_of(entry)["excluded"] > 0


def test_the_csv_names_the_rules_to_the_committee_only(stuffed, login):
    url = f"/bang-dieu-khien/xuat/phieu.csv?campaign={stuffed.campaign.id}&form=PKS05"
    committee = login("steering", PASSWORD).get(url)
    assert "repeat_device" in committee.get_data(as_text=True)
    official = login("official", PASSWORD).get(url)
    assert official.status_code == 200
    assert "repeat_device" not in official.get_data(as_text=True)


def test_the_printed_report_gives_the_figure_with_the_flagged_responses(stuffed, login):
    client = login("steering", PASSWORD)
    html = page(client, f"/bang-dieu-khien/bao-cao?campaign={stuffed.campaign.id}")
    official = client.get(f"/api/v1/campaigns/{stuffed.campaign.id}/summary").get_json()
    meets = official["with_flagged"]["meets"]
    assert f"Nếu tính cả các phiếu bị gắn cờ, {meets} trên" in html
