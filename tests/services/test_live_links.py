"""What a QR link opens is kept in memory, and never outlives a change for long."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import text

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import CampaignForm
from survey_app.models import CollectionPoint
from survey_app.public import views
from survey_app.services.collection_points.points import retire_point
from survey_app.services.collection_points.points import rotate_token
from survey_app.services.intake import live_links
from tests.app.public.test_form_page import republish_pks05
from tests.app.public.test_submit import form_fields


@pytest.fixture
def point(dummy_commune, open_campaign, create_point) -> CollectionPoint:
    return create_point(dummy_commune, "PKS05")


@pytest.fixture
def statements(app) -> list[str]:
    """Every SQL statement the app sends from now on."""
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: seen.append(statement))
    return seen


def opens(client, point_or_token) -> int:
    token = getattr(point_or_token, "token", point_or_token)
    return client.get(f"/f/{token}").status_code


def test_a_link_is_looked_up_once_then_served_from_memory(client, point, statements):
    token = point.token
    assert opens(client, token) == 200
    assert any("collection_points" in s for s in statements)
    statements.clear()
    for _ in range(3):
        assert opens(client, token) == 200
    # Only the scan counts are written (at once, as the tests are configured): nothing read.
    counter_writes = ("UPDATE COLLECTION_POINTS", "BEGIN", "PRAGMA", "SET LOCAL SYNCHRONOUS_COMMIT")
    assert all(s.lstrip().upper().startswith(counter_writes)
               for s in statements), statements


def test_each_opening_gets_its_own_token_and_submission_id(client, point):
    first, second = (client.get(f"/f/{point.token}").get_data(as_text=True) for _ in range(2))
    ids = [re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
           for page in (first, second)]
    assert ids[0] != ids[1]
    assert not re.search(r"blank[0-9a-f]{24}", first), "every stand-in is filled in"
    # Apart from what must differ (the script's nonce too), the cached page is the page.
    strip = re.compile(
        r'name="(csrf_token|submission_id|ticket|device)" value="[^"]*"|nonce="[^"]*"')
    assert strip.sub("", first) == strip.sub("", second)


def test_closing_the_campaign_applies_at_once(client, point, open_campaign):
    assert opens(client, point) == 200
    for form in open_campaign.forms:
        form.closes_on = today_in_vietnam() - timedelta(days=1)
    db.session.commit()
    assert opens(client, point) == 403


def test_retiring_the_form_applies_at_once(client, point, published_forms):
    assert opens(client, point) == 200
    published_forms["PKS05"].is_retired = True
    db.session.commit()
    assert opens(client, point) == 410


def test_rotating_and_retiring_a_point_apply_at_once(client, point):
    old = point.token
    assert opens(client, old) == 200
    rotate_token(db.session, point)
    db.session.commit()
    assert opens(client, old) == 410
    assert opens(client, point) == 200
    retire_point(db.session, point)
    db.session.commit()
    assert opens(client, point) == 410


def test_a_new_version_is_shown_at_once(client, point, tmp_path):
    before = form_fields(client, point)["version_id"]
    republish_pks05(tmp_path, lambda data: data["sections"][1]["questions"].append(
        {"id": "queue_ticket", "type": "yes_no", "text": "Ông/bà có được phát số thứ tự không?"}))
    page = client.get(f"/f/{point.token}").get_data(as_text=True)
    assert form_fields(client, point)["version_id"] != before
    assert "phát số thứ tự" in page


def test_a_change_made_elsewhere_applies_when_the_entry_expires(client, point, app,
                                                                monkeypatch):
    assert "Xã Hợp Thịnh" in client.get(f"/f/{point.token}").get_data(as_text=True)
    # Another app server, or a command in another process: nothing here hears of it.
    elsewhere = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with elsewhere.begin() as connection:
        connection.execute(text("UPDATE communes SET name = 'Xã Hợp Thịnh Mới'"))
    elsewhere.dispose()
    assert "Xã Hợp Thịnh Mới" not in client.get(f"/f/{point.token}").get_data(as_text=True)
    later = live_links.time.monotonic() + app.config["LIVE_LINK_CACHE_SECONDS"] + 1
    monkeypatch.setattr(live_links.time, "monotonic", lambda: later)
    assert "Xã Hợp Thịnh Mới" in client.get(f"/f/{point.token}").get_data(as_text=True)


def test_a_new_day_looks_again(client, point, monkeypatch):
    today = today_in_vietnam()
    for form in db.session.scalars(select(CampaignForm)):
        form.closes_on = today
    db.session.commit()
    assert opens(client, point) == 200
    monkeypatch.setattr(views, "today_in_vietnam", lambda: today + timedelta(days=1))
    assert opens(client, point) == 403


def test_only_live_links_are_kept(client, point, app):
    assert opens(client, "khong-ton-tai") == 404
    assert len(live_links.cache()) == 0
    assert opens(client, point) == 200
    assert len(live_links.cache()) == 1
