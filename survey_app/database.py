"""Engine setup and write transactions that hold up under concurrent writers.

SQLite: WAL lets readers run beside the one writer, busy_timeout makes a writer wait rather
than fail, and a write transaction takes the write lock up front (BEGIN IMMEDIATE). A deferred
BEGIN that first reads and then writes cannot wait for the lock and fails at once with
"database is locked" (shared/reference/reliability-research.md §0). PostgreSQL needs none of
it; its pooled connections are checked after they sat idle.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

IMMEDIATE = "sqlite_immediate"
#: Execution option of a transaction that writes counters only (see ``write_transaction``).
UNSYNCED = "unsynced_commit"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        ping_idle_connections(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when and how a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a response we have acknowledged survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        _record.info["synchronous"] = "FULL"

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        options = connection.get_execution_options()
        # The level can only change between transactions; each transaction sets the one it
        # needs, so a counter's NORMAL never outlives its own transaction.
        level = "NORMAL" if options.get(UNSYNCED) else "FULL"
        if connection.info.get("synchronous") != level:
            connection.exec_driver_sql(f"PRAGMA synchronous={level}")
            connection.info["synchronous"] = level
        mode = "IMMEDIATE" if options.get(IMMEDIATE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


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


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    Call it before the request's first query: on SQLite it takes the write lock now, so a
    read-then-insert cannot lose the race to another writer.
    """
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={IMMEDIATE: True})


@contextmanager
def write_transaction(engine: Engine, *, wait_for_disk: bool = True) -> Iterator[Connection]:
    """A write transaction on a connection of its own, committed on the way out.

    For a write that holds without any read before it, such as an insert guarded by a unique
    constraint: on SQLite it takes the write lock for the writes alone, as writers queue on
    that one lock and SQLite's busy handler polls it with growing sleeps.

    ``wait_for_disk=False`` is for counters only (links' scan counts): a power cut may lose
    their last increments, nothing else. SQLite commits it with synchronous=NORMAL (in WAL
    mode still crash-safe), PostgreSQL with synchronous_commit off. Responses never do.
    """
    options = {IMMEDIATE: True, UNSYNCED: not wait_for_disk}
    with engine.connect() as connection:
        connection = connection.execution_options(**options)
        with connection.begin():
            if not wait_for_disk and connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield connection
