"""Paradata through the client: the batch and typist of paper sheets, the timings of a
field interview typed on the page, imports' upload as their batch, and the ranking reading
the timings (for coordinators and the committee only)."""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import timedelta

from sqlalchemy import select

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import ImportBatch
from survey_app.models import InterviewParadata
from survey_app.models import ParadataSource
from survey_app.models import Response
from survey_app.models import Role
from survey_app.services.intake.store import store_response
from tests.app.field.test_entry import entry_url
from tests.app.field.test_entry import hidden_fields
from tests.app.field.test_imports import confirm
from tests.app.field.test_imports import csv_bytes
from tests.app.field.test_imports import row
from tests.app.field.test_imports import template_header
from tests.app.field.test_imports import upload
from tests.app.field.test_quality import sheet
from tests.fixtures.data import PKS05_ANSWERS
from tests.fixtures.field import add_user


def rows() -> list[InterviewParadata]:
    db.session.rollback()
    return list(db.session.scalars(select(InterviewParadata).order_by(
        InterviewParadata.response_id)))


def type_sheet(client, url: str, fields: dict, **answers) -> str:
    reply = client.post(url, data={**fields, **PKS05_ANSWERS, **answers})
    assert reply.status_code == 303
    return reply.headers["Location"]


def test_paper_sheets_of_one_sitting_share_a_batch_and_name_their_typist(
        field_world, surveyor, login, published_forms):
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url).get_data(as_text=True))
    batch = fields["batch"]
    assert uuid.UUID(batch)
    following = type_sheet(surveyor, url, fields)
    assert f"batch={batch}" in following
    second = hidden_fields(surveyor.get(following).get_data(as_text=True))
    assert second["batch"] == batch
    type_sheet(surveyor, url, second, q_overall="binh_thuong")
    # A new sitting (the page opened afresh), by the coordinator typing for the team.
    coordinator = login("coordinator")
    other = hidden_fields(coordinator.get(url).get_data(as_text=True))
    assert other["batch"] != batch
    type_sheet(coordinator, url, other, q_overall="hai_long")
    first, then, typed = rows()
    assert {first.source, then.source, typed.source} == {ParadataSource.paper}
    assert first.entry_batch == then.entry_batch == batch
    assert typed.entry_batch == other["batch"]
    assert first.typist_id == field_world.users["surveyor"].id
    assert typed.typist_id == field_world.users["coordinator"].id
    # Paper entry names no other surveyor: who typed is who entered.
    assert db.session.get(Response, typed.response_id).entered_by_id == typed.typist_id
    assert first.seconds_per_question is None
    assert first.device_started_at is None


def test_a_forged_batch_becomes_a_new_one_and_a_resent_sheet_keeps_its_row(
        field_world, surveyor, published_forms):
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url + "?batch=nope").get_data(as_text=True))
    assert uuid.UUID(fields["batch"])
    type_sheet(surveyor, url, {**fields, "batch": "<script>"})
    type_sheet(surveyor, url, fields)  # the same sheet again: a double Enter
    [kept] = rows()
    assert uuid.UUID(kept.entry_batch)


def interview_paradata(behind: float = 0) -> str:
    now_ms = time.time() * 1000 - behind * 1000
    return json.dumps({"started_ms": now_ms - 240_000, "ended_ms": now_ms - 1000,
                       "sent_ms": now_ms, "seconds": {"attitude": 20.5, "skill": 11},
                       "changes": {"skill": 2}})


def test_a_field_interview_on_the_page_keeps_its_timings(field_world, surveyor,
                                                         published_forms):
    url = entry_url(field_world, forms=published_forms)
    html = surveyor.get(url + "?channel=phong-van").get_data(as_text=True)
    assert 'name="paradata"' in html
    assert "tep/paradata.js" in html
    fields = hidden_fields(html)
    type_sheet(surveyor, url, {**fields, "paradata": interview_paradata(behind=90)})
    [kept] = rows()
    assert kept.source is ParadataSource.web
    assert kept.seconds_per_question == {"attitude": 20.5, "skill": 11}
    assert kept.answer_changes_total == 2
    assert abs(kept.clock_offset_seconds - 90) <= 2
    assert kept.typist_id is None


def test_the_paper_page_sends_no_timings(field_world, surveyor, published_forms):
    html = surveyor.get(entry_url(field_world, forms=published_forms)).get_data(as_text=True)
    assert 'name="paradata"' not in html
    assert "tep/paradata.js" not in html


def test_malformed_paradata_on_the_page_still_stores_the_sheet(field_world, surveyor,
                                                                published_forms):
    url = entry_url(field_world, forms=published_forms)
    for bad in ("{", "[1]", "x" * 30_000, json.dumps({"seconds": {"attitude": -1}}),
                json.dumps({"started_ms": 1e308, "ended_ms": -1e308})):
        fields = hidden_fields(surveyor.get(url + "?channel=phong-van").get_data(as_text=True))
        type_sheet(surveyor, url, {**fields, "paradata": bad},
                   q_overall=["rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long",
                              "rat_khong_hai_long"][len(rows()) % 5])
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Response.id))) == 5
    assert rows() == []


def test_imported_rows_take_their_upload_as_batch_and_the_uploader_as_typist(
        surveyor, field_world, pks05):
    body = csv_bytes(template_header(surveyor, pks05), [row(field_world.own, 1),
                                                         row(field_world.own, 2)])
    confirm(surveyor, upload(surveyor, pks05, body))
    batch = db.session.scalar(select(ImportBatch))
    kept = rows()
    assert len(kept) == 2
    assert {(k.source, k.import_batch_id, k.typist_id) for k in kept} == {
        (ParadataSource.import_, batch.id, field_world.users["surveyor"].id)}


def test_the_ranking_reads_device_timings_and_shows_them_to_coordinators_only(
        field_world, pks05, login):
    """Five honest surveyors whose phones report human timings and a few corrections, and
    one whose interviews look the same by their answers but took seconds and were never
    corrected: the device's timings put that one first."""
    rng = random.Random(3)
    version = pks05.form.current_version()
    province = {"province_id": field_world.own.province_id}
    people = [add_user(f"youth{n}", Role.surveyor, organisation_id=field_world.youth.id,
                       **province) for n in range(6)]
    start = now_utc().replace(hour=3, minute=0, second=0, microsecond=0)  # 10:00 in Vietnam
    for number, person in enumerate(people):
        fast = number == 0
        for n in range(8):
            stored = store_response(
                db.session, submission_id=str(uuid.uuid4()),
                campaign_id=field_world.campaign.id, commune_id=field_world.own.id,
                version=version, answers=sheet(rng, False), channel=Channel.field,
                entered_by_id=person.id, duration_seconds=300)
            began = start + timedelta(minutes=40 * n)
            seconds = 3 if fast else rng.uniform(15, 30)
            db.session.add(InterviewParadata(
                response_id=stored.response_id, source=ParadataSource.offline,
                device_started_at=began, device_ended_at=began + timedelta(seconds=300),
                clock_offset_seconds=rng.randint(-2, 2),
                seconds_per_question={"attitude": seconds, "skill": seconds},
                answer_changes={}, answer_changes_total=0 if fast else rng.randint(0, 2)))
    db.session.commit()
    html = login("coordinator").get("/thuc-dia/chat-luong").get_data(as_text=True)
    table = html.split('<table class="quality">', 1)[1].split("</table>", 1)[0]
    assert "Có dữ liệu quá trình" in table
    first_row = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Youth0" in first_row
    assert ">8<" in first_row  # all eight interviews came with paradata
    assert login("surveyor").get("/thuc-dia/chat-luong").status_code == 403
