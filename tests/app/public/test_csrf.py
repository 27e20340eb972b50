"""The public form with CSRF protection on, as in production."""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields

EXPIRED = "Phiên làm việc đã hết hạn. Các câu trả lời của ông/bà vẫn được giữ nguyên"


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


def test_page_carries_a_token_and_a_post_with_it_is_stored(client, point):
    fields = form_fields(client, point)
    assert len(fields["csrf_token"]) > 20
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    assert stored() == 1


@pytest.mark.parametrize("token", [None, "", "forged.token.value"], ids=["absent", "empty",
                                                                         "forged"])
def test_post_without_a_valid_token_keeps_every_answer_and_stores_nothing(client, point, token):
    fields = form_fields(client, point)
    if token is None:
        del fields["csrf_token"]
    else:
        fields["csrf_token"] = token
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert EXPIRED in html
    assert_answers_kept(html, PKS05_ANSWERS)
    assert fields["submission_id"] in html
    assert stored() == 0


def test_expired_session_then_send_again_stores_once(client, point):
    """A phone left open for hours: the cookie is gone, one more tap sends the answers."""
    fields = form_fields(client, point)
    client.delete_cookie("session", domain="localhost")
    # The test's app context spans its requests, and Flask-WTF caches the token in g.
    g.pop("csrf_token", None)
    first = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert first.status_code == 400
    again = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"',
                            first.get_data(as_text=True)))
    assert again["submission_id"] == fields["submission_id"]
    assert again["csrf_token"] != fields["csrf_token"]
    reply = client.post(f"/f/{point.token}", data={**again, **PKS05_ANSWERS})
    assert reply.status_code == 303
    assert stored() == 1
    response = db.session.scalar(select(Response))
    assert response.submission_id == fields["submission_id"]
