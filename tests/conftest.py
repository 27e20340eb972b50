"""Fixtures: an app on a migrated database, SQLite by default or PostgreSQL by TEST_DATABASE_URL.

SQLite: the schema is migrated once per session into a template file, and each test gets its
own copy. PostgreSQL: each session migrates a database of its own (so parallel runs do not
meet), and each test ends by emptying the tables that have rows (``empty_tables``).
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
from werkzeug.routing import Rule

from survey_app import create_app
from survey_app.extensions import db

# Before the modules that import from it (assertions in a plugin are rewritten only if it is
# registered before anything imports it).
pytest_plugins = ["tests.fixtures.field", "tests.fixtures.data", "tests.fixtures.live",
                  "tests.fixtures.browser", "tests.fixtures.results", "tests.fixtures.gunicorn"]

IN_CI = os.environ.get("CI", "").lower() == "true"
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
USES_POSTGRES = DATABASE_URL.startswith("postgresql")


def compile_url_builders_once() -> None:
    """Werkzeug writes and compiles two URL builders for every route as an app is made: 45 ms
    of create_app's 48, and the suite makes an app for every test. A builder is made from the
    route's text, its parsed parts and the names of its defaults, and reads the route's
    converters only when called (through its ``self``): the suite makes each one once. A
    default for a part of the path is turned into text by the route's own converter as the
    builder is made: such a route is left to Werkzeug."""
    make = Rule._compile_builder
    made: dict[tuple, object] = {}

    def compile_builder(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in rule._trace):
            return make(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
        if key not in made:
            made[key] = make(rule, append_unknown)
        return made[key]

    Rule._compile_builder = compile_builder


compile_url_builders_once()


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
        # A connection still out belongs to a thread the test left running. It would outlive
        # dispose(), and PostgreSQL's driver would complain when it is collected, in whichever
        # later test that happens: name this test instead.
        left_out = db.engine.pool.checkedout()
        if USES_POSTGRES:
            empty_tables()
        db.engine.dispose()
        assert left_out == 0, f"{left_out} database connections still in use by other threads"


def empty_tables() -> None:
    """Delete every row of the tables that have any, and start every used id sequence again.

    TRUNCATE of all tables took 75–300 ms a test (new files for each table, and CASCADE), the
    largest part of the PostgreSQL pass; a test writes to a few tables, and deleting their
    rows takes a few milliseconds. The suite, as the database's owner, sets the triggers
    aside for this one transaction: the audit trail's refusal, the roll-ups' upkeep and the
    foreign keys' checks (so the order of the deletes does not matter).
    """
    tables = [f'"{table.name}"' for table in db.metadata.sorted_tables]
    probe = " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})"
                               for name in tables)
    with db.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for name in connection.execute(text(probe)).scalars().all():
            connection.execute(text(f"DELETE FROM {name}"))
        connection.execute(text(
            "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), 1, false)"
            " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if USES_POSTGRES else 'SQLite'}"
