"""Engine setup and write transactions that hold up under concurrent writers.

SQLite: WAL lets readers run beside the one writer, busy_timeout makes a writer wait rather
than fail, and a write transaction takes the write lock up front (BEGIN IMMEDIATE). A deferred
BEGIN that first reads and then writes cannot wait for the lock and fails at once with
"database is locked" (shared/reference/reliability-research.md §0). PostgreSQL needs none of it.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

IMMEDIATE = "sqlite_immediate"
#: Execution option of a transaction that writes counters only (see ``begin_counter_write``).
UNSYNCED = "unsynced_commit"


def configure_engine(engine: Engine) -> None:
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


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    Call it before the request's first query: on SQLite it takes the write lock now, so a
    read-then-insert cannot lose the race to another writer.
    """
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={IMMEDIATE: True})


def begin_counter_write(session: Session) -> None:
    """Start a transaction that writes counters only (a link's scan count), committed without
    waiting for the disk.

    A power cut may lose its last increments, nothing else: SQLite runs it with
    synchronous=NORMAL (in WAL mode still crash-safe), PostgreSQL with synchronous_commit off.
    It runs on every opening of a public form, and waiting for the disk there would hold the
    write lock (SQLite) or the point's row (PostgreSQL) for each citizen in turn. Responses
    never go through here.
    """
    if session.in_transaction():
        session.rollback()
    connection = session.connection(execution_options={UNSYNCED: True, IMMEDIATE: True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def start_writing(session: Session) -> None:
    """Turn a request that has done its reads and checks into a writer, keeping what it loaded.

    SQLite: end the read transaction (nothing loaded is expired) and take the write lock, so
    that it is held for the writes only, not for the checks before them: writers queue on that
    one lock, and SQLite's busy handler polls it with growing sleeps. PostgreSQL: nothing to
    do, its transaction can write as it is. Only for writes that hold without the reads, such
    as an insert guarded by a unique constraint.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire
    begin_write(session)
