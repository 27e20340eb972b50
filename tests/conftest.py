"""Fixtures: an app on a migrated database, SQLite by default or PostgreSQL by TEST_DATABASE_URL.

SQLite: the schema is migrated once per session into a template file, and each test gets its
own copy. PostgreSQL: each session migrates a database of its own (so parallel runs do not
meet), and each test ends by truncating every table.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import text

from survey_app import create_app
from survey_app.extensions import db

pytest_plugins = ["tests.fixtures.data", "tests.fixtures.live", "tests.fixtures.browser",
                  "tests.fixtures.field", "tests.fixtures.results", "tests.fixtures.gunicorn"]

IN_CI = os.environ.get("CI", "").lower() == "true"
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
USES_POSTGRES = DATABASE_URL.startswith("postgresql")


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Each scan written in the request, so a test sees it; batching has its own tests.
        "SCAN_COUNT_FLUSH_SECONDS": 0,
        # Figures worked out on every request, so a test sees its own writes; keeping them
        # has its own tests.
        "RESULTS_KEPT_SECONDS": 0,
        "SERVER_NAME": "localhost",
        "PREFERRED_URL_SCHEME": "http",
    }


def postgres_database(admin_url: str) -> str:
    """Create a fresh database for this test session and return its URL."""
    url = make_url(admin_url)
    name = f"survey_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at {url.render_as_string()} is not reachable: {exc}")
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    engine = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def migrate(database_url: str, instance: Path) -> None:
    app = create_app(base_config(database_url, instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A URL (PostgreSQL) or template file (SQLite) with the schema at head."""
    instance = tmp_path_factory.mktemp("instance")
    if USES_POSTGRES:
        url = postgres_database(DATABASE_URL)
        migrate(url, instance)
        yield url
        drop_postgres_database(DATABASE_URL, url)
    else:
        template = instance / "template.db"
        migrate(f"sqlite:///{template}", instance)
        yield template


@pytest.fixture
def database_url(migrated_database, tmp_path) -> str:
    if USES_POSTGRES:
        return migrated_database
    path = tmp_path / "survey.db"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Override in a test module to change settings before the app is built."""
    return base_config(database_url, tmp_path)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)

    @app.teardown_request
    def end_transaction(_error) -> None:
        # In production a request's session ends with the request. Here the test's app
        # context, and so the session, outlives its requests: end the transaction as the
        # request would, or the test goes on reading a snapshot older than writes made on
        # other connections (scan counts) and SQLite refuses its own writes on it.
        db.session.rollback()

    with app.app_context():
        yield app
        db.session.remove()
        if USES_POSTGRES:
            truncate_all()
        db.engine.dispose()


def truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        # The audit trail refuses TRUNCATE to the application (a trigger); between tests the
        # suite, as the database's owner, sets its triggers aside for this one transaction.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if USES_POSTGRES else 'SQLite'}"
