"""The schema comes from migrations only: one head, no drift from the models, a clean round trip.

Runs on the backend the suite runs on (TEST_DATABASE_URL): on PostgreSQL in a database of its
own, so the session's migrated database is never downgraded under other tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect

from survey_app import MIGRATIONS
from survey_app import create_app
from survey_app.extensions import db
from tests.conftest import DATABASE_URL
from tests.conftest import USES_POSTGRES
from tests.conftest import base_config
from tests.conftest import drop_postgres_database
from tests.conftest import postgres_database


@pytest.fixture
def empty_app(tmp_path) -> Iterator:
    """An app on a database with no tables at all."""
    url = postgres_database(DATABASE_URL) if USES_POSTGRES else f"sqlite:///{tmp_path}/m.db"
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if USES_POSTGRES:
        drop_postgres_database(DATABASE_URL, url)


def drift() -> list:
    """What autogenerate would write: the differences between the database and the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_single_head():
    heads = ScriptDirectory(MIGRATIONS).get_heads()
    assert len(heads) == 1, f"several heads, merge them or fix down_revision: {heads}"


def test_upgrade_from_empty_matches_the_models(empty_app):
    upgrade()
    assert tables() == set(db.metadata.tables)
    assert drift() == []


def test_flask_db_check_finds_nothing_to_migrate(empty_app):
    upgrade()
    result = empty_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_downgrade_to_base_and_back_round_trips(empty_app):
    upgrade()
    downgrade(revision="base")
    assert tables() == set()
    upgrade()
    assert tables() == set(db.metadata.tables)
    assert drift() == []


def test_every_revision_steps_down_and_up(empty_app):
    """Each migration's downgrade undoes exactly its upgrade, one step at a time."""
    script = ScriptDirectory(MIGRATIONS)
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    upgrade()
    for _ in revisions:
        downgrade(revision="-1")
    assert tables() == set()
    for _ in revisions:
        upgrade(revision="+1")
    assert drift() == []
