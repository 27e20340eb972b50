"""The audit trail's chain: appended in order, refused any change, and any change made behind
the application's back found by ``verify`` and ``flask audit verify``, on both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from survey_app.database import ConcurrentChange
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from tests.conftest import USES_POSTGRES


def append(count: int, **details) -> list[AuditEntry]:
    rows = []
    for number in range(count):
        with unit_of_work(db.session):
            rows.append(trail.record(db.session, None, Action.FORM_PUBLISHED,
                                     target=("form_version", number + 1), **details))
    return rows


@pytest.fixture
def tamper(app):
    """Run SQL as the database's owner would, past the triggers that stop the application."""

    def run(sql: str) -> None:
        db.session.rollback()
        with db.engine.begin() as connection:
            if USES_POSTGRES:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_update"))
                connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_delete"))
            connection.execute(text(sql))

    return run


def test_rows_follow_each_other_from_the_genesis_hash(app):
    first, second, third = append(3, note="Phường Đa Mai")
    assert [r.seq for r in (first, second, third)] == [1, 2, 3]
    assert first.previous_hash == trail.GENESIS
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert trail.chain_hash(first.previous_hash, trail.entry_fields(first)) == first.entry_hash
    assert trail.details_of(first) == {"note": "Phường Đa Mai"}
    verdict = trail.verify(db.session)
    assert verdict.holds
    assert verdict.checked == 3
    assert trail.head(db.session) == trail.Head(3, third.entry_hash)


def test_an_empty_trail_holds_and_its_head_is_the_genesis(app):
    assert trail.verify(db.session).holds
    assert trail.head(db.session) == trail.Head(0, trail.GENESIS)


@pytest.mark.parametrize("sql", ["UPDATE audit_entries SET actor_name = 'someone'",
                                 "DELETE FROM audit_entries"])
def test_the_database_refuses_to_change_or_remove_a_row(app, sql):
    append(2)
    with pytest.raises(Exception, match=r"append-only|concurrent_change") as refused, \
            unit_of_work(db.session):
        db.session.execute(text(sql))
    assert refused.type.__name__ in {"ConcurrentChange", "ProgrammingError", "InternalError"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2
    assert trail.verify(db.session).holds


@pytest.mark.skipif(not USES_POSTGRES, reason="TRUNCATE's own trigger is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_trail(app):
    append(1)
    with pytest.raises(Exception, match="append-only"), unit_of_work(db.session):
        db.session.execute(text("TRUNCATE audit_entries"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


@pytest.mark.parametrize(("sql", "broken_at", "reason"), [
    ("UPDATE audit_entries SET details = '{\"note\":\"changed\"}' WHERE seq = 2", 2,
     "entry_hash"),
    ("UPDATE audit_entries SET actor_name = 'admin' WHERE seq = 3", 3, "entry_hash"),
    ("DELETE FROM audit_entries WHERE seq = 2", 2, "missing"),
    ("UPDATE audit_entries SET previous_hash = entry_hash WHERE seq = 4", 4, "previous_hash"),
])
def test_a_row_changed_behind_the_application_breaks_the_chain(app, runner, tamper, sql,
                                                               broken_at, reason):
    append(5, note="x")
    tamper(sql)
    verdict = trail.verify(db.session)
    assert (verdict.broken_at, verdict.reason) == (broken_at, reason)
    assert verdict.checked == broken_at - 1
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"dòng {broken_at}" in result.output


def test_a_rewritten_chain_still_shows_against_a_head_noted_outside(app, tamper):
    """Whoever rewrites every hash after a change makes a chain that holds, but its head is
    no longer the one printed on earlier reports."""
    rows = append(3, note="x")
    noted = rows[-1].entry_hash
    tamper("UPDATE audit_entries SET details = '{\"note\":\"y\"}' WHERE seq = 3")
    entry = db.session.get(AuditEntry, 3)
    forged = trail.chain_hash(entry.previous_hash, trail.entry_fields(entry))
    tamper(f"UPDATE audit_entries SET entry_hash = '{forged}' WHERE seq = 3")
    assert trail.verify(db.session).holds
    assert trail.head(db.session).entry_hash != noted


def test_the_shell_says_the_chain_holds(app, runner):
    append(2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    assert trail.head(db.session).entry_hash in result.output
    head = runner.invoke(args=["audit", "head"])
    assert head.output.strip() == f"2 {trail.head(db.session).entry_hash}"


def test_appends_at_the_same_moment_line_up(app):
    """Eight threads, each appending in its own session: every row follows the one before."""
    errors = []

    def worker() -> None:
        with app.app_context():
            for _ in range(5):
                try:
                    with unit_of_work(db.session):
                        trail.record(db.session, None, Action.SIGN_OUT)
                except ConcurrentChange as error:  # pragma: no cover - what must not happen
                    errors.append(error)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = trail.verify(db.session)
    assert verdict.holds
    assert verdict.checked == 40
