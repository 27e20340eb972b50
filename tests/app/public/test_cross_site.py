"""The public form with CSRF protection on, as in production: the citizen's pages need no
session and no CSRF token; a post another site's page makes stores nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields

EXPIRED = "Phiên làm việc đã hết hạn. Các câu trả lời của ông/bà vẫn được giữ nguyên"
HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def stored() -> int:
    return db.session.scalar(select(func.count(Response.id)))


def assert_answers_kept(html: str, answers: dict) -> None:
    for qid, value in answers.items():
        assert re.search(rf'name="{qid}" value="{value}" checked', html), qid


def cookies_set(reply) -> set[str]:
    return {header.split("=", 1)[0] for header in reply.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": "http://localhost"},
    {},
], ids=["fetch-metadata", "typed-by-the-user", "origin-only", "an-old-browser"])
def test_a_post_from_the_page_itself_is_stored_without_a_session(client, point, headers):
    page = client.get(f"/f/{point.token}")
    assert cookies_set(page) == {"qr_device"}
    fields = dict(HIDDEN.findall(page.get_data(as_text=True)))
    assert "csrf_token" not in fields
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS},
                        headers=headers)
    assert reply.status_code == 303
    assert "session" not in cookies_set(reply)
    assert stored() == 1


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://example.org"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://other.localhost"},
    {"Origin": "https://example.org"},
    {"Origin": "null"},
], ids=["cross-site", "same-site", "foreign-origin", "opaque-origin"])
def test_a_post_made_by_another_sites_page_stores_nothing_and_keeps_the_answers(
        client, point, headers):
    fields = form_fields(client, point)
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS},
                        headers=headers)
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert EXPIRED in html
    assert_answers_kept(html, PKS05_ANSWERS)
    assert stored() == 0
    # A person behind it taps Send once more on the page now in front of them: stored once.
    again = dict(HIDDEN.findall(html))
    assert again["submission_id"] == fields["submission_id"]
    assert again["ticket"] == fields["ticket"]
    reply = client.post(f"/f/{point.token}", data={**again, **PKS05_ANSWERS},
                        headers={"Sec-Fetch-Site": "same-origin"})
    assert reply.status_code == 303
    assert stored() == 1
    assert db.session.scalar(select(Response.submission_id)) == fields["submission_id"]

