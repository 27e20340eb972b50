"""A database too busy to write: the citizen keeps the answers and gets a 503, never a 500."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.intake import take as intake
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields
from tests.conftest import USES_POSTGRES

BUSY = "Hệ thống đang rất bận. Các câu trả lời của ông/bà vẫn được giữ nguyên"


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Response.id)))


def assert_kept(reply, fields) -> None:
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    html = reply.get_data(as_text=True)
    assert BUSY in html
    assert fields["submission_id"] in html
    for qid, value in PKS05_ANSWERS.items():
        assert re.search(rf'name="{qid}" value="{value}" checked', html), qid


def test_failed_write_keeps_the_answers_and_a_resend_stores_once(client, point, monkeypatch):
    fields = form_fields(client, point)

    def unavailable(*args, **kwargs):
        raise OperationalError("INSERT INTO responses", {}, Exception("database is locked"))

    monkeypatch.setattr(intake, "store_response", unavailable)
    assert_kept(client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS}), fields)
    assert stored() == 0
    monkeypatch.undo()
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    assert stored() == 1


@pytest.mark.skipif(USES_POSTGRES, reason="the SQLite write lock")
def test_sqlite_write_lock_held_elsewhere(app, client, point, database_url):
    """Another process holds the write lock past the busy timeout (shortened here)."""
    @event.listens_for(db.engine, "connect")
    def short_timeout(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    db.engine.dispose()
    fields = form_fields(client, point)
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # Opening the form still works: its scan count waits for the next write.
        assert client.get(f"/f/{point.token}").status_code == 200
        assert_kept(client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS}), fields)
    finally:
        other.execute("ROLLBACK")
        other.close()
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    assert stored() == 1
