"""Over the public submit limit: a Vietnamese 429 page that keeps the answers, never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "RATELIMIT_ENABLED": True, "PUBLIC_SUBMIT_LIMIT": "2 per minute"}


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def test_third_submission_in_a_minute_gets_a_vietnamese_429(client, point):
    for _ in range(2):
        fields = form_fields(client, point)
        assert client.post(f"/f/{point.token}",
                           data={**fields, **PKS05_ANSWERS}).status_code == 303
    fields = form_fields(client, point)
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 429
    assert int(reply.headers["Retry-After"]) > 0
    html = reply.get_data(as_text=True)
    assert "vui lòng đợi một phút" in html.lower()
    # The citizen's answers are still on the page, with the same submission id to send later.
    for qid, value in PKS05_ANSWERS.items():
        assert re.search(rf'name="{qid}" value="{value}" checked', html), qid
    assert fields["submission_id"] in html
    assert db.session.scalar(select(func.count(Response.id))) == 2


def test_opening_forms_is_not_limited(client, point):
    for _ in range(5):
        assert client.get(f"/f/{point.token}").status_code == 200


def test_limit_on_an_unknown_token_is_a_plain_429_page(client, point):
    for _ in range(2):
        client.post("/f/khong-ton-tai", data=PKS05_ANSWERS)
    reply = client.post("/f/khong-ton-tai", data=PKS05_ANSWERS)
    assert reply.status_code == 429
    assert "vui lòng đợi một phút" in reply.get_data(as_text=True).lower()


def test_an_application_wide_limit_leaves_the_citizens_pages_to_their_own(app_config, point):
    """A province may set a default limit for every page (SURVEY_RATELIMIT_DEFAULT): the
    citizen's form still counts only its own submit limit, and staff pages the default."""
    from survey_app import create_app
    from survey_app.extensions import limiter

    limited = create_app({**app_config, "RATELIMIT_DEFAULT": "2 per minute"})
    try:
        client = limited.test_client()
        for _ in range(2):
            fields = form_fields(client, point)
            assert client.post(f"/f/{point.token}",
                               data={**fields, **PKS05_ANSWERS}).status_code == 303
        assert [client.get(f"/f/{point.token}").status_code for _ in range(3)] == [200] * 3
        assert [client.get("/dang-nhap").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        # The limiter is one object for every app a test session makes; the second app's
        # connections close with it.
        limiter.limit_manager.set_default_limits([])
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
