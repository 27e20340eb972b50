"""The coordinator's page: progress per surveyor and per commune against the targets, the
communes without a surveyor, who is behind with the days left; sortable and downloadable."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from datetime import timedelta

from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import CampaignForm
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.services.intake.store import store_response
from survey_app.services.results.coordination import coordination
from tests.app.public.test_submit import PKS05_ANSWERS


def enter(world, forms, commune, count: int, by=None) -> None:
    version = forms["PKS05"].current_version()
    ids = [store_response(db.session, submission_id=str(uuid.uuid4()),
                          campaign_id=world.campaign.id, commune_id=commune.id,
                          version=version, answers=dict(PKS05_ANSWERS),
                          channel=Channel.paper if by else Channel.qr).response_id
           for _ in range(count)]
    if by is not None:
        db.session.execute(update(Response).where(Response.id.in_(ids))
                           .values(entered_by_id=by.id))
    db.session.commit()


def window(world, opens: date, closes: date) -> None:
    db.session.execute(update(CampaignForm).where(CampaignForm.campaign_id == world.campaign.id)
                       .values(opens_on=opens, closes_on=closes))
    db.session.commit()


def test_surveyors_communes_and_the_uncovered(field_world, published_forms):
    world = field_world
    today = date(2026, 6, 1)
    window(world, today - timedelta(days=10), today + timedelta(days=10))
    enter(world, published_forms, world.own, 6, by=world.users["surveyor"])
    enter(world, published_forms, world.other, 25)
    view = coordination(db.session, world.users["coordinator"], world.campaign, today)
    assert view.days_left == 10
    assert view.expected == 0.5
    assert [c.name for c in view.uncovered] == [world.other.name]
    surveyor = next(r for r in view.surveyors if world.own.name in r.covers)
    assert surveyor.collected == 6
    assert surveyor.behind  # 6 of its targets with half the time gone
    by_name = {r.name: r for r in view.communes}
    assert by_name[world.other.name].covers == ()
    assert by_name[world.own.name].behind
    ordered = coordination(db.session, world.users["coordinator"], world.campaign, today,
                           sort="collected", descending=True).communes
    assert ordered[0].name == world.other.name


def test_the_page_sorts_and_downloads(field_world, published_forms, login):
    client = login("coordinator")
    html = client.get("/thuc-dia/dieu-phoi?sort=share&dir=desc").get_data(as_text=True)
    assert "Xã chưa có điều tra viên" in html
    assert 'aria-sort="descending"' in html
    reply = client.get("/thuc-dia/dieu-phoi?format=csv")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Loại", "Tên", "Phụ trách"]
    assert {row[0] for row in rows[1:]} == {"Điều tra viên", "Xã"}
    assert login("surveyor").get("/thuc-dia/dieu-phoi").status_code == 403
