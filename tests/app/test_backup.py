"""``flask backup create`` and ``restore``: back up, change the data, restore, find the original
(pg_dump and pg_restore on PostgreSQL, SQLite's online backup API on SQLite)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import text

from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.models import Response
from survey_app.models import ResponseTally
from tests.conftest import IN_CI
from tests.conftest import USES_POSTGRES


@pytest.fixture(autouse=True)
def client_programs():
    if USES_POSTGRES and shutil.which("pg_dump") is None:
        if IN_CI:
            raise RuntimeError("pg_dump is not installed")
        pytest.skip("pg_dump is not installed")


@pytest.fixture
def stored(dummy_commune, create_campaign, published_forms, add_responses) -> dict:
    campaign = create_campaign(codes=["PKS05"])
    add_responses(campaign, dummy_commune, published_forms["PKS05"],
                  {"hai_long": 3, "khong_hai_long": 2})
    db.session.commit()
    return snapshot()


def snapshot() -> dict:
    db.session.rollback()  # read what is committed now, not an older snapshot
    found = {
        "campaigns": sorted(db.session.scalars(select(Campaign.name))),
        "responses": sorted(db.session.scalars(select(Response.submission_id))),
        "tallies": sorted(tuple(row) for row in db.session.execute(
            select(ResponseTally.satisfaction_answer, ResponseTally.responses)).all()),
    }
    db.session.rollback()
    return found


def change_everything(dummy_province) -> None:
    db.session.execute(delete(Response).where(Response.id == db.session.scalar(
        select(Response.id).limit(1))))
    db.session.add(Campaign(name="Đợt mới", province_id=dummy_province.id))
    db.session.commit()


def test_backup_change_restore_finds_the_original(runner, stored, dummy_province, tmp_path):
    file = tmp_path / "sao-luu.dump"
    made = runner.invoke(args=["backup", "create", str(file)])
    assert made.exit_code == 0, made.output
    assert "1 campaigns, 5 responses" in made.output
    assert file.stat().st_mode & 0o777 == 0o600

    change_everything(dummy_province)
    assert snapshot() != stored

    refused = runner.invoke(args=["backup", "restore", str(file)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert snapshot() != stored  # refused: nothing was touched

    db.session.remove()  # the restore replaces tables: no transaction may hold them
    restored = runner.invoke(args=["backup", "restore", "--force", str(file)])
    assert restored.exit_code == 0, restored.output
    assert "replaced what" in restored.output
    assert "2 campaigns, 4 responses" in restored.output
    assert "1 campaigns, 5 responses" in restored.output
    assert snapshot() == stored


def test_an_empty_database_is_restored_without_force(runner, stored, tmp_path):
    file = tmp_path / "sao-luu.dump"
    assert runner.invoke(args=["backup", "create", str(file)]).exit_code == 0
    empty_every_table()
    restored = runner.invoke(args=["backup", "restore", str(file)])
    assert restored.exit_code == 0, restored.output
    assert "replaced what" not in restored.output
    assert snapshot() == stored


@pytest.mark.skipif(USES_POSTGRES, reason="the SQLite copy's own properties")
def test_a_sqlite_backup_is_one_checked_file(runner, stored, tmp_path):
    file = tmp_path / "sao-luu.db"
    assert runner.invoke(args=["backup", "create", str(file)]).exit_code == 0
    assert not (tmp_path / "sao-luu.db-wal").exists()
    copy = sqlite3.connect(file)
    assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM responses").fetchone() == (5,)
    copy.close()


def test_a_file_that_is_not_a_backup_is_refused(runner, stored, tmp_path):
    file = tmp_path / "khong-phai.dump"
    file.write_text("xin chào")
    result = runner.invoke(args=["backup", "restore", "--force", str(file)])
    assert result.exit_code == 1
    assert str(file) in result.output
    assert snapshot() == stored


def test_a_backup_of_the_other_kind_of_database_is_refused(runner, stored, tmp_path):
    file = tmp_path / "khac-loai.dump"
    if USES_POSTGRES:
        sqlite3.connect(file).execute("CREATE TABLE t (x)").connection.close()
    else:
        file.write_bytes(b"PGDMP\x01\x0e\x00")
    result = runner.invoke(args=["backup", "restore", "--force", str(file)])
    assert result.exit_code == 1
    assert snapshot() == stored


def empty_every_table() -> None:
    """Delete every row, as the database's owner may: the audit trail refuses the app's own
    DELETE, so its triggers are set aside for this one transaction (PostgreSQL) or dropped
    (SQLite; the restored file brings them back)."""
    db.session.remove()
    with db.engine.begin() as connection:
        if USES_POSTGRES:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_delete"))
        for model in reversed(db.metadata.sorted_tables):
            connection.execute(model.delete())
