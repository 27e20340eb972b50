"""``DriverStatement``: the rows, stored values and errors of ``Connection.execute``."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

from survey_app.clock import now_utc
from survey_app.database import write_transaction
from survey_app.driver_statements import DriverStatement
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import Response
from tests.conftest import USES_POSTGRES

RESPONSES = Response.__table__
INSERT = DriverStatement(insert(RESPONSES).returning(RESPONSES.c.id))
#: Every parameter twice, one of them a datetime, beside a constant the statement carries.
SINCE = DriverStatement(
    select(func.count()).where(RESPONSES.c.channel == Channel.qr,
                               RESPONSES.c.received_at >= bindparam("since"),
                               RESPONSES.c.commune_id == bindparam("commune"))
    .where(RESPONSES.c.received_at >= bindparam("since"),
           RESPONSES.c.commune_id == bindparam("commune")))


@pytest.fixture
def response_values(open_campaign, dummy_commune):
    campaign_form = open_campaign.forms[0]
    db.session.commit()

    def values(**changes) -> dict:
        return {"submission_id": str(uuid.uuid4()), "campaign_id": open_campaign.id,
                "commune_id": dummy_commune.id, "form_id": campaign_form.form_id,
                "form_version_id": campaign_form.form.current_version().id,
                "channel": Channel.qr, "content_hash": "x" * 64, **changes}

    return values


def test_an_insert_stores_what_execute_stores_and_computes_the_defaults_left_out(
        app, response_values):
    given = response_values()
    with write_transaction(db.engine) as connection:
        (driver_id,), = INSERT.rows(connection, given, columns=tuple(given))
        through_execute = connection.execute(insert(RESPONSES).returning(RESPONSES.c.id),
                                             response_values()).scalar()
    db.session.rollback()  # a read begun before the write would not see it (SQLite's WAL)
    driver, other = (db.session.get(Response, id_) for id_ in (driver_id, through_execute))
    assert driver.channel is Channel.qr
    assert driver.is_flagged is False
    assert driver.staff_session is False
    assert abs(driver.received_at - other.received_at) < timedelta(seconds=5)
    assert driver.received_at.tzinfo is not None


def test_a_read_binds_each_parameter_as_execute_does(app, response_values):
    at = now_utc()
    with write_transaction(db.engine) as connection:
        for minutes in (1, 10, 100):
            connection.execute(insert(RESPONSES), response_values(
                received_at=at - timedelta(minutes=minutes)))
    commune = response_values()["commune_id"]
    with db.engine.connect() as connection:
        for since in (at - timedelta(minutes=5), at - timedelta(minutes=50), at):
            values = {"since": since, "commune": commune}
            assert SINCE.rows(connection, values)[0][0] == connection.execute(
                SINCE.statement, values).scalar()
        assert SINCE.rows(connection, {"since": at - timedelta(hours=2),
                                       "commune": commune}) == [(3,)]


def test_a_refused_write_comes_out_as_sqlalchemys_error(app):
    answers = DriverStatement(insert(Answer.__table__))
    with pytest.raises(IntegrityError), write_transaction(db.engine) as connection:
        answers.execute_many(connection, [{"response_id": 999_999, "question_id": "q",
                                           "value": "v"}],
                             columns=("response_id", "question_id", "value"))


@pytest.mark.skipif(USES_POSTGRES, reason="SQLite's write lock")
def test_a_locked_database_comes_out_as_operational_error(app, response_values):
    holder = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database,
                             isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout=50")
            given = response_values()
            with pytest.raises(OperationalError, match="locked"):
                INSERT.rows(connection, given, columns=tuple(given))
            connection.exec_driver_sql("PRAGMA busy_timeout=10000")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_what_listens_to_the_engines_statements_sees_them(app, response_values):
    seen = []

    def listen(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        with db.engine.connect() as connection:
            SINCE.rows(connection, {"since": now_utc(), "commune": 1})
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert SINCE._for(db.engine.dialect, None).sql in seen


def test_a_statement_compiled_per_execution_is_refused(app):
    in_list = DriverStatement(select(RESPONSES.c.id).where(
        RESPONSES.c.id.in_(bindparam("ids", expanding=True))))
    with db.engine.connect() as connection, pytest.raises(ValueError, match="expanding"):
        in_list.rows(connection, {"ids": [1, 2]})
