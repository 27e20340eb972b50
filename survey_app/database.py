"""Engine setup and the one way to write: a unit of work that holds up under concurrent writers.

SQLite: WAL lets readers run beside the one writer, busy_timeout makes a writer wait rather
than fail, and a write transaction takes the write lock up front (BEGIN IMMEDIATE). A deferred
BEGIN that first reads and then writes cannot wait for the lock and fails at once with
"database is locked" (shared/reference/reliability-research.md §0). PostgreSQL needs none of
it; its pooled connections are checked after they sat idle.
"""

import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import scoped_session

from survey_app.domain_error import DomainError

IMMEDIATE = "sqlite_immediate"
#: Execution option of a connection that only reads: on SQLite each statement is then its own
#: read transaction (no BEGIN and ROLLBACK around them).
STATEMENTS_ONLY = "sqlite_statements_only"
#: Marks a session inside a unit of work, so that a nested one joins it.
IN_UNIT_OF_WORK = "unit_of_work"
#: Execution option of a transaction that writes counters only (see ``write_transaction``).
UNSYNCED = "unsynced_commit"
#: Where a unit of work keeps what to run once it has committed (``after_commit``).
AFTER_COMMIT = "after_commit"


def configure_engine(engine: Engine, busy_timeout_ms: int = 10_000) -> None:
    """Set the engine up for concurrent writers; a write waits up to ``busy_timeout_ms`` for
    a lock before it gives up with ``DatabaseBusy``."""
    if engine.dialect.name == "postgresql":
        ping_idle_connections(engine)
        wait_for_locks(engine, busy_timeout_ms)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when and how a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a response we have acknowledged survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        _record.info["synchronous"] = "FULL"

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        options = connection.get_execution_options()
        if options.get(STATEMENTS_ONLY):
            return
        # The level can only change between transactions; each transaction sets the one it
        # needs, so a counter's NORMAL never outlives its own transaction.
        level = "NORMAL" if options.get(UNSYNCED) else "FULL"
        if connection.info.get("synchronous") != level:
            connection.exec_driver_sql(f"PRAGMA synchronous={level}")
            connection.info["synchronous"] = level
        mode = "IMMEDIATE" if options.get(IMMEDIATE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def wait_for_locks(engine: Engine, timeout_ms: int) -> None:
    """PostgreSQL's counterpart of SQLite's busy timeout: a statement that waits longer than
    this for a lock fails (and its unit of work answers 503) instead of hanging the worker."""

    @event.listens_for(engine, "connect")
    def set_lock_timeout(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
        dbapi_connection.commit()


#: A pooled connection idle for longer than this is checked before it is used again.
IDLE_PING_SECONDS = 30


def ping_idle_connections(engine: Engine) -> None:
    """Check a pooled connection before use only when it has sat idle.

    What breaks a pooled connection (a restarted server, a firewall's idle timeout) breaks
    idle ones; a connection used a moment ago is fine. pool_pre_ping would ask the server
    before every use, a round trip on every request: under load, one in six of a citizen's
    submission's round trips.
    """

    @event.listens_for(engine, "checkin")
    def note_idle(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out a new one.
            raise DisconnectionError("idle connection no longer usable") from error


class DatabaseBusy(Exception):
    """The database stayed busy past its wait (locked, deadlocked, unreachable); nothing of
    the unit of work was written, so the same request may be sent again."""


class ConcurrentChange(DomainError):
    """A unique index refused a write that a check just before had allowed: somebody else
    made the same thing at the same moment."""

    def __init__(self) -> None:
        super().__init__("concurrent_change")


def begin_write(session: Session | scoped_session) -> None:
    """Start the session's transaction as a write transaction.

    On SQLite it takes the write lock now, so a read-then-write waits for the lock (up to the
    busy timeout) instead of failing at once when it first writes.
    """
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={IMMEDIATE: True})


@contextmanager
def unit_of_work(session: Session | scoped_session) -> Iterator[Session]:
    """One write transaction on ``session``: the only place the application commits.

    Takes SQLite's write lock up front, commits once on the way out, rolls back on any
    exception. A busy database comes out as ``DatabaseBusy`` (a 503 with Retry-After), a
    unique index's refusal as ``ConcurrentChange``. Inside another unit of work it joins it:
    the outer one commits.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.info.get(IN_UNIT_OF_WORK):
        yield session
        return
    session.info[IN_UNIT_OF_WORK] = True
    session.info[AFTER_COMMIT] = []
    try:
        begin_write(session)
        yield session
        session.commit()
    except BaseException as error:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        if isinstance(error, OperationalError):
            raise DatabaseBusy from error
        if isinstance(error, IntegrityError):
            raise ConcurrentChange from error
        raise
    finally:
        session.info.pop(IN_UNIT_OF_WORK, None)
    run_after_commit(session.info)


@contextmanager
def savepoint(session: Session) -> Iterator[Session]:
    """A part of the current unit of work that can fail alone: on an exception only what it
    wrote is rolled back, and the exception goes on to the caller."""
    pending = session.info.get(AFTER_COMMIT, [])
    kept = len(pending)
    try:
        with session.begin_nested():
            yield session
    except BaseException:
        del pending[kept:]
        raise


@contextmanager
def write_transaction(engine: Engine, *, wait_for_disk: bool = True) -> Iterator[Connection]:
    """A unit of work on a connection of its own, committed on the way out.

    For a write that holds without any read before it, such as an insert guarded by a unique
    constraint: on SQLite it takes the write lock for the writes alone, as writers queue on
    that one lock and SQLite's busy handler polls it with growing sleeps.

    ``wait_for_disk=False`` is for counters only (links' scan counts): a power cut may lose
    their last increments, nothing else. SQLite commits it with synchronous=NORMAL (in WAL
    mode still crash-safe), PostgreSQL with synchronous_commit off. Responses never do.
    """
    options = {IMMEDIATE: True, UNSYNCED: not wait_for_disk}
    # Connection.info lives as long as the pooled connection: start and end the list here.
    pending = []
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**options)
            connection.info[AFTER_COMMIT] = pending
            try:
                with connection.begin():
                    if not wait_for_disk and connection.dialect.name == "postgresql":
                        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                    yield connection
            finally:
                connection.info.pop(AFTER_COMMIT, None)
    except OperationalError as error:
        raise DatabaseBusy from error
    for callback in pending:
        callback()


def judging_reads(engine: Engine) -> Callable[[], AbstractContextManager[Connection]] | None:
    """Where the integrity rules read before a QR response is stored: on SQLite a connection
    of their own, outside the one write lock every writer queues on; on PostgreSQL, where
    reads take no lock, in the write's own transaction (no second connection, no second
    round of BEGIN and ROLLBACK)."""
    if engine.dialect.name == "sqlite":
        return lambda: read_connection(engine)
    return None


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection of its own for reads that need no lock, given back to the pool on the way
    out. On SQLite its statements open no transaction: each reads what was committed when
    it began, as one statement does in a transaction of its own."""
    try:
        with engine.connect() as connection:
            yield connection.execution_options(**{STATEMENTS_ONLY: True})
    except OperationalError as error:
        raise DatabaseBusy from error


def after_commit(target: Session | Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the unit of work ``target`` belongs to has committed (the outer
    one, when units are nested); never if it rolls back. Outside a unit of work, never."""
    pending = target.info.get(AFTER_COMMIT)
    if pending is not None:
        pending.append(callback)


def run_after_commit(info: dict) -> None:
    for callback in info.pop(AFTER_COMMIT, None) or ():
        callback()


def copy_rows(target: Session | Connection, table: str, columns: tuple[str, ...],
              rows: Iterable[tuple]) -> None:
    """PostgreSQL: write ``rows`` into ``table`` with COPY, on the connection (and so in the
    transaction) ``target`` is using: the fastest way in for thousands of rows."""
    connection = target if isinstance(target, Connection) else target.connection()
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
