"""Pooled PostgreSQL connections: checked after sitting idle, not before every use."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from survey_app import database
from survey_app.extensions import db
from tests.conftest import USES_POSTGRES

pytestmark = pytest.mark.skipif(not USES_POSTGRES, reason="PostgreSQL's connection pool")


@pytest.fixture
def pings(app, monkeypatch) -> list[object]:
    seen: list[object] = []
    ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping",
                        lambda connection: seen.append(connection) or ping(connection))
    return seen


def backend_pid() -> int:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_used_a_moment_ago_is_not_pinged(pings):
    db.session.remove()
    first = backend_pid()
    assert backend_pid() == first
    assert pings == []


def test_a_connection_broken_while_idle_is_replaced_unnoticed(app, pings, monkeypatch):
    db.session.remove()
    broken = backend_pid()
    # The server ends it (a restart, a firewall's idle timeout) while it waits in the pool.
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": broken})
    admin.dispose()
    later = database.time.monotonic() + database.IDLE_PING_SECONDS + 1
    monkeypatch.setattr(database.time, "monotonic", lambda: later)
    replacement = backend_pid()
    assert replacement != broken
    assert len(pings) == 1
