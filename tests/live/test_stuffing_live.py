"""Stuffing through a production-like server (gunicorn, the limiter on Redis): the flags
reach the API and the export, and the headline's two figures differ as they should."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import Role
from survey_app.services.intake.store import store_response
from tests.fixtures.data import PKS05_ANSWERS

pytestmark = pytest.mark.live

HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')
PASSWORD = "correct horse battery"
BEST = {**PKS05_ANSWERS, "wait_time": "nhanh_gon", "attitude": "lich_su_than_thien",
        "guidance": "nhiet_tinh_de_hieu", "skill": "thanh_thao",
        "processing_time": "som_hon_hen", "q_overall": "rat_hai_long"}


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def campaign(create_campaign):
    return create_campaign(codes=["PKS05"])


@pytest.fixture
def world(dummy_commune, campaign, create_point, create_user):
    point = create_point(dummy_commune, "PKS05")
    create_user("steering", Role.steering, password=PASSWORD,
                province_id=dummy_commune.province_id)
    version = point.form.current_version()
    # Thirty citizens over the last days: 20 satisfied (67%), the commune fails.
    for n in range(30):
        store_response(db.session, submission_id=str(uuid.uuid4()),
                       campaign_id=campaign.id, commune_id=dummy_commune.id,
                       version=version, channel=Channel.qr,
                       answers={**PKS05_ANSWERS,
                                "q_overall": "hai_long" if n < 20 else "khong_hai_long"},
                       signals={"received_at": now_utc() - timedelta(days=3, hours=n),
                                "device_key": f"citizen{n}"})
    db.session.commit()
    return point


def test_a_clerks_phone_is_flagged_and_the_headline_shows_both(world, campaign, gunicorn):
    # The production limit (60 a minute per address) on Redis.
    server = gunicorn(SURVEY_RATELIMIT_ENABLED="true",
                      SURVEY_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    server.start()
    url = f"{server.url}/f/{world.token}"
    clerk = requests.Session()
    for _ in range(30):
        fields = dict(HIDDEN.findall(clerk.get(url, timeout=30).text))
        reply = clerk.post(url, data={**fields, **BEST}, allow_redirects=False, timeout=30)
        for _wait in range(5):
            if reply.status_code != 429:
                break
            # The limit: the clerk waits, as the page asks, and taps again.
            time.sleep(int(reply.headers["Retry-After"]) + 1)
            reply = clerk.post(url, data={**fields, **BEST}, allow_redirects=False, timeout=30)
        assert reply.status_code == 303
    # A script re-posting one page with new submission ids: the page comes back, unstored.
    script = requests.Session()
    page = dict(HIDDEN.findall(script.get(url, timeout=30).text))
    script.post(url, data={**page, **BEST}, allow_redirects=False, timeout=30)
    for _ in range(5):
        again = script.post(url, data={**page, **BEST, "submission_id": str(uuid.uuid4())},
                            allow_redirects=False, timeout=30)
        assert again.status_code in (400, 429)
    db.session.rollback()  # end the test's own read snapshot before counting
    stored = db.session.execute(select(Response.device_key, Response.is_flagged,
                                       Response.flag_reason)
                                .where(Response.device_key.not_like("citizen%"))).all()
    assert len(stored) == 31
    assert sum(1 for row in stored if row.is_flagged) >= 29

    staff = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      staff.get(f"{server.url}/dang-nhap", timeout=30).text).group(1)
    staff.post(f"{server.url}/dang-nhap", timeout=30, data={
        "csrf_token": token, "username": "steering", "password": PASSWORD})
    summary = staff.get(f"{server.url}/api/v1/campaigns/{campaign.id}/summary",
                        timeout=30).json()
    assert "flagged" in summary, summary
    assert summary["flagged"] >= 29
    assert summary["overall"]["meets"] == 0, summary
    assert summary["with_flagged"]["meets"] == 1, summary
    csv = staff.get(f"{server.url}/bang-dieu-khien/xuat/phieu.csv?campaign={campaign.id}"
                    "&form=PKS05", timeout=30).content.decode("utf-8-sig")
    assert "repeat_device" in csv
