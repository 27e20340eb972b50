"""The quality of field work: surveyors ranked, the coordinator's own people only, a week's
back-check list made once and kept, a call-back's result recorded in the audit trail."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import BackCheck
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import Role
from survey_app.services.field_quality.ranking import week_start
from survey_app.services.intake.store import store_response
from tests.fixtures.field import add_user

LEVELS = {
    "wait_time": ["nhanh_gon", "binh_thuong", "cho_rat_lau"],
    "attitude": ["lich_su_than_thien", "binh_thuong", "tho_o_hach_dich"],
    "guidance": ["nhiet_tinh_de_hieu", "binh_thuong", "qua_loa"],
    "skill": ["thanh_thao", "binh_thuong", "chua_thanh_thao"],
    "processing_time": ["som_hon_hen", "dung_hen"],
    "q_overall": ["rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long"],
}


def sheet(rng: random.Random, straight: bool) -> dict[str, str]:
    answers = {q: (options[0] if straight else rng.choice(options))
               for q, options in LEVELS.items()}
    answers["extra_payment_suggested"] = "khong"
    return answers


@pytest.fixture
def quality_world(field_world, pks05):
    """Six Youth Union surveyors with eight paper sheets each, one of them straight-lining
    every sheet; a Farmers' Union surveyor the Youth Union's coordinator may not judge."""
    rng = random.Random(5)
    province = {"province_id": field_world.own.province_id}
    youth = [add_user(f"youth{n}", Role.surveyor, organisation_id=field_world.youth.id,
                      **province) for n in range(6)]
    people = [*youth, field_world.users["farmer"]]
    version = pks05.form.current_version()
    for person in people:
        for _ in range(8):
            store_response(db.session, submission_id=str(uuid.uuid4()),
                           campaign_id=field_world.campaign.id, commune_id=field_world.own.id,
                           version=version, answers=sheet(rng, person is youth[0]),
                           channel=Channel.paper, entered_by_id=person.id,
                           duration_seconds=rng.randint(200, 400))
    db.session.commit()
    return youth


def test_the_straight_liner_ranks_first_and_the_coordinator_sees_its_own_people(
        quality_world, field_world, login):
    page = login("coordinator").get("/thuc-dia/chat-luong")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    ranking = html.split('<table class="quality">', 1)[1].split("</table>", 1)[0]
    first_row = ranking.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Youth0" in first_row
    assert 'class="listed"' in ranking
    assert "Farmer" not in ranking
    steering = login("steering").get("/thuc-dia/chat-luong").get_data(as_text=True)
    assert "Farmer" in steering


def test_a_week_list_is_made_once_and_a_call_back_is_recorded(quality_world, field_world,
                                                              login):
    coordinator = login("coordinator")
    week = week_start(today_in_vietnam()).isoformat()
    url = f"/thuc-dia/chat-luong/{field_world.campaign.id}/tuan"
    assert coordinator.post(url, data={"week": week}).status_code == 303
    picked = db.session.scalar(select(func.count()).select_from(BackCheck))
    # 48 Youth Union sheets: the top tenth (5) and a random twentieth (2).
    assert picked == 7
    coordinator.post(url, data={"week": week})
    assert db.session.scalar(select(func.count()).select_from(BackCheck)) == picked
    check = db.session.scalar(select(BackCheck).where(BackCheck.reason == "score")
                              .order_by(BackCheck.id))
    reply = coordinator.post(f"/thuc-dia/chat-luong/kiem-tra/{check.id}", data={
        "result": "not_interviewed", "note": "Hộ dân nói không ai đến",
        "campaign": field_world.campaign.id, "week": week})
    assert reply.status_code == 303
    db.session.expire_all()
    check = db.session.get(BackCheck, check.id)
    assert (check.result, check.note) == ("not_interviewed", "Hộ dân nói không ai đến")
    assert check.recorded_by_id == field_world.users["coordinator"].id
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action ==
                                                       "back_check_recorded"))
    assert audit.target_id == check.id
    page = coordinator.get(f"/thuc-dia/chat-luong?week={week}").get_data(as_text=True)
    assert "Không ai được phỏng vấn (phiếu giả)" in page


def test_a_result_that_is_no_result_is_refused(quality_world, field_world, login):
    coordinator = login("coordinator")
    week = week_start(today_in_vietnam()).isoformat()
    coordinator.post(f"/thuc-dia/chat-luong/{field_world.campaign.id}/tuan", data={"week": week})
    check = db.session.scalar(select(BackCheck))
    reply = coordinator.post(f"/thuc-dia/chat-luong/kiem-tra/{check.id}",
                             data={"result": "bịa", "note": ""}, follow_redirects=True)
    assert "Hãy chọn kết quả gọi lại." in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(BackCheck, check.id).result is None


def test_surveyors_never_see_the_ranking(quality_world, login):
    assert login("surveyor").get("/thuc-dia/chat-luong").status_code == 403


def test_a_fabrication_puts_the_surveyors_sheets_before_the_committee(quality_world,
                                                                      field_world, login):
    coordinator = login("coordinator")
    week = week_start(today_in_vietnam()).isoformat()
    coordinator.post(f"/thuc-dia/chat-luong/{field_world.campaign.id}/tuan", data={"week": week})
    check = db.session.scalar(select(BackCheck).order_by(BackCheck.id))
    surveyor = db.session.get(Response, check.response_id).entered_by_id
    record = f"/thuc-dia/chat-luong/kiem-tra/{check.id}"
    coordinator.post(record, data={"result": "not_interviewed", "note": ""})
    db.session.expire_all()
    sheets = db.session.scalars(select(Response).where(Response.entered_by_id == surveyor)).all()
    assert len(sheets) == 8
    assert all(s.is_flagged and "fabrication" in s.flag_reason for s in sheets)
    others = db.session.scalars(select(Response).where(Response.entered_by_id != surveyor))
    assert not any(s.is_flagged for s in others)
    # The committee sees one group on the commune's integrity panel, and restores it.
    steering = login("steering")
    url = f"/bang-dieu-khien/toan-ven/xa/{field_world.own.id}?campaign={field_world.campaign.id}"
    html = steering.get(url).get_data(as_text=True)
    assert "8 phiếu do một điều tra viên nhập" in html
    key = re.search(r'name="group" value="([^"]+)"', html).group(1)
    reply = steering.post(
        f"/bang-dieu-khien/toan-ven/xa/{field_world.own.id}/quyet-dinh"
        f"?campaign={field_world.campaign.id}",
        data={"group": key, "decision": "restored", "reason": "Gọi lại nhầm số"})
    assert reply.status_code == 303
    db.session.expire_all()
    assert not any(s.is_flagged for s in db.session.scalars(
        select(Response).where(Response.entered_by_id == surveyor)))
    # A result corrected at a second call takes the reason off.
    coordinator.post(record, data={"result": "confirmed", "note": "Gọi lại lần hai"})
    db.session.expire_all()
    assert not any(s.flag_reason for s in db.session.scalars(
        select(Response).where(Response.entered_by_id == surveyor)))
