"""The offline app's server side: the page and its files, and the idempotent JSON sync."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import InterviewParadata
from survey_app.models import ParadataSource
from survey_app.models import Response

PKS05_ANSWERS = {
    "wait_time": "nhanh_gon",
    "attitude": "lich_su_than_thien",
    "guidance": "nhiet_tinh_de_hieu",
    "skill": "thanh_thao",
    "processing_time": "dung_hen",
    "extra_payment_suggested": "khong",
    "q_overall": "rat_hai_long",
}




def submission(field_world, pks05, **changes) -> dict:
    return {"submission_id": str(uuid.uuid4()), "campaign_form_id": pks05.id,
            "version_id": pks05.form.current_version().id, "commune_id": field_world.own.id,
            "answers": dict(PKS05_ANSWERS), "duration_seconds": 95, **changes}


def send(client, *items, headers=None):
    return client.post("/thuc-dia/dong-bo", json={"submissions": list(items)},
                       headers=headers or {})


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def page_data(client) -> dict:
    html = client.get("/thuc-dia/ngoai-tuyen/").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="offline-data"[^>]*>(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1))


# --- The page and its files ----------------------------------------------------------------


def test_page_carries_the_users_forms_and_communes_only(surveyor, field_world):
    reply = surveyor.get("/thuc-dia/ngoai-tuyen/")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    html = reply.get_data(as_text=True)
    assert 'rel="manifest"' in html
    assert "Đừng xoá lịch sử" in html
    data = page_data(surveyor)
    assert [f["definition"]["code"] for f in data["forms"]] == ["PKS04", "PKS05"]
    assert {c["name"] for f in data["forms"] for c in f["communes"]} == {"Xã Hợp Thịnh"}
    attitude = next(q for s in data["forms"][1]["definition"]["sections"]
                    for q in s["questions"] if q["id"] == "attitude")
    assert attitude["required"] is True
    assert {"value": "lich_su_than_thien", "label": "Lịch sự, thân thiện"} in attitude["options"]
    assert data["user_id"] == field_world.users["surveyor"].id
    assert data["messages"]["saved"].startswith("Đã lưu trên điện thoại")


def test_service_worker_manifest_and_files_are_served_from_the_app(client, field_world):
    worker = client.get("/thuc-dia/ngoai-tuyen/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    body = worker.get_data(as_text=True)
    assert 'const PAGE = "/thuc-dia/ngoai-tuyen/";' in body
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", body).group(1))
    for url in assets:
        with client.get(url) as asset:
            assert asset.status_code == 200, url
    manifest = client.get("/thuc-dia/ngoai-tuyen/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["start_url"] == "/thuc-dia/ngoai-tuyen/"
    assert manifest.json["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest.json["icons"]} == {"192x192", "512x512"}
    assert client.get("/thuc-dia/ngoai-tuyen/tep/secret.py").status_code == 404


def test_page_needs_a_field_role(field_world, login, client):
    assert client.get("/thuc-dia/ngoai-tuyen/").status_code == 302
    assert login("official").get("/thuc-dia/ngoai-tuyen/").status_code == 403


# --- Sync ----------------------------------------------------------------------------------


def test_a_response_is_stored_once_however_often_it_is_sent(surveyor, field_world, pks05):
    item = submission(field_world, pks05)
    first = send(surveyor, item)
    assert first.status_code == 200
    assert first.json["results"] == [{"submission_id": item["submission_id"], "status": "stored",
                                      "code": 201, "errors": {}}]
    again = send(surveyor, item, item)
    assert [r["status"] for r in again.json["results"]] == ["already_stored", "already_stored"]
    assert [r["code"] for r in again.json["results"]] == [200, 200]
    response = db.session.scalar(select(Response))
    assert count(Response) == 1
    assert response.channel is Channel.field
    assert response.entered_by_id == field_world.users["surveyor"].id
    assert response.duration_seconds == 95
    assert count(Answer) == len(PKS05_ANSWERS)


def test_same_id_with_other_answers_is_a_409_conflict(surveyor, field_world, pks05):
    item = submission(field_world, pks05)
    send(surveyor, item)
    changed = {**item, "answers": {**PKS05_ANSWERS, "q_overall": "khong_hai_long"}}
    [result] = send(surveyor, changed).json["results"]
    assert (result["status"], result["code"]) == ("conflict", 409)
    assert "không được lưu" in result["errors"]["_"]
    assert db.session.scalar(select(Response.satisfaction_answer)) == "rat_hai_long"


def test_validation_errors_come_back_per_submission(surveyor, field_world, strict_pks05):
    pks05 = strict_pks05
    good = submission(field_world, pks05)
    missing = dict(PKS05_ANSWERS)
    del missing["attitude"]
    bad = submission(field_world, pks05, answers={**missing, "skill": "tuyet_voi"})
    results = send(surveyor, bad, good).json["results"]
    assert [r["code"] for r in results] == [422, 201]
    assert results[0]["errors"] == {"attitude": "Vui lòng trả lời câu hỏi này.",
                                    "skill": "Vui lòng chọn một trong các phương án đã cho."}
    assert db.session.scalar(select(Response.submission_id)) == good["submission_id"]


def test_a_sheet_with_nothing_answered_is_refused_not_stored(surveyor, field_world, pks05):
    """Every question may be refused one by one ("không trả lời"), but a sheet with no answer
    at all is a blank sheet: answered with its reason, nothing stored."""
    blank = submission(field_world, pks05, answers={})
    (result,) = send(surveyor, blank).json["results"]
    assert result["code"] == 422
    assert list(result["errors"].values()) == [
        "Phiếu chưa có câu trả lời nào. Phiếu mà người được hỏi không trả lời câu nào thì "
        "không nhập."]
    assert count(Response) == 0


def test_commune_or_form_not_assigned_is_refused(surveyor, field_world, pks05):
    pks03 = next(cf for cf in field_world.campaign.forms if cf.form.code == "PKS03")
    elsewhere = submission(field_world, pks05, commune_id=field_world.other.id)
    other_form = submission(field_world, pks05, campaign_form_id=pks03.id)
    results = send(surveyor, elsewhere, other_form).json["results"]
    assert [(r["status"], r["code"]) for r in results] == [("not_allowed", 403)] * 2
    assert count(Response) == 0


def test_damaged_submissions_are_invalid_not_errors(surveyor, field_world, pks05):
    results = send(surveyor, "nope", submission(field_world, pks05, submission_id="x"),
                   submission(field_world, pks05, version_id=999_999),
                   submission(field_world, pks05, answers=["a"])).json["results"]
    assert [r["code"] for r in results] == [422, 422, 422, 422]
    assert count(Response) == 0


def test_malformed_requests(surveyor):
    assert surveyor.post("/thuc-dia/dong-bo", data="{").status_code == 400
    assert surveyor.post("/thuc-dia/dong-bo", json={"submissions": []}).status_code == 400
    too_many = [{"submission_id": str(uuid.uuid4())}] * 51
    assert surveyor.post("/thuc-dia/dong-bo", json={"submissions": too_many}).status_code == 400


def test_signed_out_gets_401_json_not_a_login_page(client, field_world, pks05):
    reply = send(client, submission(field_world, pks05))
    assert reply.status_code == 401
    assert reply.json["error"] == "login_required"
    session = client.get("/thuc-dia/dong-bo/phien")
    assert session.status_code == 401
    assert session.json["error"] == "login_required"
    assert count(Response) == 0


def test_signed_out_after_logout_gets_401(surveyor, field_world, pks05):
    surveyor.post("/dang-xuat")
    assert send(surveyor, submission(field_world, pks05)).status_code == 401


def test_other_roles_get_403_json(field_world, login, pks05):
    official = login("official")
    assert send(official, submission(field_world, pks05)).status_code == 403
    assert official.get("/thuc-dia/dong-bo/phien").status_code == 403


def test_csrf_token_is_required_in_the_header(app, surveyor, field_world, pks05):
    app.config["WTF_CSRF_ENABLED"] = True
    item = submission(field_world, pks05)
    refused = send(surveyor, item)
    assert refused.status_code == 400
    assert refused.json["error"] == "csrf"
    assert send(surveyor, item, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert count(Response) == 0
    session = surveyor.get("/thuc-dia/dong-bo/phien").json
    assert session["user_id"] == field_world.users["surveyor"].id
    accepted = send(surveyor, item, headers={"X-CSRFToken": session["csrf_token"]})
    assert accepted.status_code == 200
    assert accepted.json["results"][0]["status"] == "stored"


def test_old_version_kept_on_the_phone_is_still_accepted(surveyor, field_world, pks05):
    from survey_app.models import FormVersion

    old = pks05.form.current_version()
    newer = FormVersion(form_id=old.form_id, version=old.version + 1, definition=old.definition,
                        checksum="0" * 64)
    db.session.add(newer)
    db.session.commit()
    [result] = send(surveyor, submission(field_world, pks05, version_id=old.id)).json["results"]
    assert result["status"] == "stored"
    assert db.session.scalar(select(Response.form_version_id)) == old.id


# --- Paradata ------------------------------------------------------------------------------


def paradata(behind_seconds: float = 0, **changes) -> dict:
    """What the offline app sends: opened five minutes before saving, sent now by a phone
    whose clock is ``behind_seconds`` behind."""
    now_ms = time.time() * 1000 - behind_seconds * 1000
    return {"started_ms": now_ms - 3_600_000, "ended_ms": now_ms - 3_300_000,
            "sent_ms": now_ms, "seconds": {"attitude": 14.2, "q_overall": 21,
                                           "wait_time": 9.5},
            "changes": {"attitude": 1}, **changes}


def stored_paradata() -> list[InterviewParadata]:
    db.session.rollback()
    return list(db.session.scalars(select(InterviewParadata)))


def test_a_sheets_paradata_is_stored_with_the_clock_offset(surveyor, field_world, pks05):
    item = submission(field_world, pks05, paradata=paradata(behind_seconds=3600))
    assert send(surveyor, item).json["results"][0]["status"] == "stored"
    [row] = stored_paradata()
    response = db.session.scalar(select(Response))
    assert row.response_id == response.id
    assert row.source is ParadataSource.offline
    assert row.seconds_per_question == {"attitude": 14.2, "q_overall": 21, "wait_time": 9.5}
    assert row.answer_changes == {"attitude": 1}
    assert row.answer_changes_total == 1
    assert (row.device_ended_at - row.device_started_at).total_seconds() == pytest.approx(300)
    # Saved an hour before it was sent: the offset is the clock's error, not the delay.
    assert abs(row.clock_offset_seconds - 3600) <= 2
    assert row.typist_id is None
    assert row.entry_batch is None


@pytest.mark.parametrize("bad", [
    "not an object", [1, 2], {"started_ms": "soon", "seconds": "many"},
    {"started_ms": 1e300, "ended_ms": -1, "sent_ms": float("1e30"),
     "seconds": {"attitude": -5}, "changes": {"attitude": "x"}},
    {"seconds": {"\u0000bad key": 3, "attitude": 4}},
    {"seconds": {f"q{n}": n for n in range(5000)}},
])
def test_malformed_paradata_never_costs_the_sheet(surveyor, field_world, pks05, bad):
    item = submission(field_world, pks05, paradata=bad)
    reply = send(surveyor, item)
    assert reply.status_code == 200
    assert reply.json["results"][0]["status"] == "stored"
    assert count(Response) == 1
    for row in stored_paradata():
        # Whatever was kept is what can be true: known questions, non-negative times.
        assert set(row.seconds_per_question or {}) <= set(PKS05_ANSWERS)
        assert all(v >= 0 for v in (row.seconds_per_question or {}).values())
        assert row.device_started_at is None


def test_a_resend_keeps_the_first_paradata_and_stores_nothing_more(surveyor, field_world,
                                                                  pks05):
    item = submission(field_world, pks05, paradata=paradata())
    send(surveyor, item)
    [first] = stored_paradata()
    offset = first.clock_offset_seconds
    # The reply was lost; the phone sends again later, with a new send time and a clock
    # changed meanwhile.
    again = {**item, "paradata": paradata(behind_seconds=-7200)}
    assert send(surveyor, again).json["results"][0]["status"] == "already_stored"
    [kept] = stored_paradata()
    assert kept.clock_offset_seconds == offset
    assert count(Response) == 1


def test_a_sheet_without_paradata_from_an_older_app_stores_no_row(surveyor, field_world,
                                                                   pks05):
    assert send(surveyor, submission(field_world, pks05)).json["results"][0]["code"] == 201
    assert stored_paradata() == []
