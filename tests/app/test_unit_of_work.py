"""``database.unit_of_work``: commit once, roll back on any error, a busy database is a 503.

Run on both backends. "Busy" is another connection holding what the write needs past the
(shortened) wait: SQLite's write lock, or a PostgreSQL table lock.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy import text

from survey_app.database import ConcurrentChange
from survey_app.database import DatabaseBusy
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import CollectionPoint
from survey_app.models import Organisation
from survey_app.models import Response
from tests.app.field.test_sync import send
from tests.app.field.test_sync import submission
from tests.conftest import USES_POSTGRES

BUSY = "Hệ thống đang rất bận và chưa lưu gì"


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "DATABASE_BUSY_TIMEOUT_MS": 200}


def organisation_codes(database_url: str) -> set[str]:
    """What another connection sees committed: the proof that a unit of work committed."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT code FROM organisations")))
    finally:
        engine.dispose()


def organisation(code: str) -> Organisation:
    return Organisation(code=code, name=f"Tổ chức {code}")


def test_commits_once_on_the_way_out(app, database_url):
    with unit_of_work(db.session) as session:
        session.add(organisation("a"))
        session.flush()
        assert organisation_codes(database_url) == set()
    assert organisation_codes(database_url) == {"a"}


def add_in_a_unit(code: str, then=None) -> None:
    """Add an organisation in a unit of work, flush it, then run ``then`` inside the unit."""
    with unit_of_work(db.session) as session:
        session.add(organisation(code))
        session.flush()
        if then:
            then()


def test_rolls_back_on_any_exception_and_lets_it_through(app, database_url):
    with pytest.raises(ZeroDivisionError):
        add_in_a_unit("a", then=lambda: 1 / 0)
    assert organisation_codes(database_url) == set()
    with unit_of_work(db.session) as session:
        session.add(organisation("b"))
    assert organisation_codes(database_url) == {"b"}


def test_a_nested_unit_joins_the_outer_one(app, database_url):
    with unit_of_work(db.session) as outer:
        with unit_of_work(db.session) as inner:
            assert inner is outer
            inner.add(organisation("a"))
        assert organisation_codes(database_url) == set()
    assert organisation_codes(database_url) == {"a"}


def test_a_unique_index_refusal_is_a_concurrent_change(app, database_url):
    with unit_of_work(db.session) as session:
        session.add(organisation("a"))
    with pytest.raises(ConcurrentChange) as refused:
        add_in_a_unit("a")
    assert refused.value.code == "concurrent_change"
    assert organisation_codes(database_url) == {"a"}


@contextmanager
def database_held(database_url: str, table: str) -> Iterator[None]:
    """Another connection holds what a write to ``table`` needs until the block ends."""
    if USES_POSTGRES:
        engine = create_engine(database_url)
        with engine.connect() as connection:
            connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                connection.rollback()
        engine.dispose()
    else:
        other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()


def test_a_busy_database_is_database_busy(app, database_url):
    with database_held(database_url, "organisations"), pytest.raises(DatabaseBusy):
        add_in_a_unit("a")
    assert organisation_codes(database_url) == set()


def test_a_write_page_answers_503_with_retry_after_and_changes_nothing(
        app, database_url, login, field_world, create_point):
    point = create_point(field_world.own, "PKS05")
    point_id, token = point.id, point.token
    admin = login("admin")
    with database_held(database_url, "collection_points"):
        reply = admin.post(f"/quan-tri/ma-qr/diem/{point_id}/doi-ma")
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert BUSY in reply.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(CollectionPoint.token)) == token
    assert admin.post(f"/quan-tri/ma-qr/diem/{point_id}/doi-ma").status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(CollectionPoint.token)) != token


def test_the_offline_sync_answers_503_in_json(app, database_url, field_world, pks05, surveyor):
    item = submission(field_world, pks05, submission_id=str(uuid.uuid4()))
    with database_held(database_url, "responses"):
        reply = send(surveyor, item)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.get_json()["error"] == "busy"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Response.id))) == 0
    assert send(surveyor, item).get_json()["results"][0]["status"] == "stored"
