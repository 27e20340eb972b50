"""Backups of the configured database, taken while the app runs, and their restore.

PostgreSQL: ``pg_dump``'s custom format (compressed; ``pg_restore`` can also list it or take
one table out of it), restored by ``pg_restore`` in one transaction, so a failed restore
leaves the database as it was. SQLite: the online backup API, a consistent copy of every
page while the app goes on writing, restored through the same API into the database file
itself, so that a connection left open sees the restored data rather than a file replaced
under it.

A restore refuses a database that holds any row (the schema alone, as ``flask db upgrade``
leaves it, is empty) unless forced: it replaces everything in it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import URL
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import table
from sqlalchemy import text

from survey_app.domain_error import DomainError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
#: The tables a summary counts, in the order it names them.
COUNTED = ("provinces", "communes", "campaigns", "responses", "users")


class BackupRefused(DomainError):
    pass


@dataclass(frozen=True)
class Contents:
    """What a database holds, in a few numbers: enough to tell two apart at a glance."""

    revision: str | None
    rows: dict[str, int]
    #: Rows in every table but Alembic's: 0 for a database that holds nothing yet.
    total: int

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def is_current(self) -> bool:
        return self.revision == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def contents(engine: Engine) -> Contents:
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    with engine.connect() as connection:
        rows = {name: connection.scalar(select(func.count()).select_from(table(name)))
                for name in names}
        revision = None
        if "alembic_version" in inspect(connection).get_table_names():
            revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return Contents(revision, {name: rows.get(name, 0) for name in COUNTED}, sum(rows.values()))


def create_backup(engine: Engine, path: Path) -> Contents:
    """Write a backup of ``engine``'s database to ``path`` (replaced only once complete)."""
    found = contents(engine)
    path = path.resolve()
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                     delete=False) as partial:
        partial_path = Path(partial.name)
    try:
        if engine.dialect.name == "postgresql":
            run_pg("pg_dump", engine.url, "--format=custom", f"--file={partial_path}")
        else:
            sqlite_copy(sqlite_file(engine.url), partial_path, self_contained=True)
        os.chmod(partial_path, 0o600)  # a backup holds every answer and password hash
        os.replace(partial_path, path)
    finally:
        partial_path.unlink(missing_ok=True)
    return found


def restore_backup(engine: Engine, path: Path, force: bool = False) -> tuple[Contents, Contents]:
    """Replace ``engine``'s database with the backup at ``path``: (before, after).

    :raises BackupRefused: the file is not a backup for this kind of database, or the
        database holds data and ``force`` is not set.
    """
    kind = backup_kind(path)
    if kind is None:
        raise BackupRefused("backup_unknown_file", file=str(path))
    if kind != engine.dialect.name:
        raise BackupRefused("backup_wrong_kind", file=str(path), kind=kind,
                            database=engine.dialect.name)
    before = contents(engine)
    if not before.is_empty and not force:
        raise BackupRefused("restore_not_empty", rows=before.total)
    engine.dispose()
    if kind == "postgresql":
        run_pg("pg_restore", engine.url, "--clean", "--if-exists", "--no-owner",
               "--no-privileges", "--single-transaction", "--exit-on-error", str(path))
    else:
        sqlite_copy(path, sqlite_file(engine.url))
    engine.dispose()
    return before, contents(engine)


def backup_kind(path: Path) -> str | None:
    """"postgresql" or "sqlite" by the file's first bytes; None for anything else."""
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if start.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    if start == SQLITE_MAGIC:
        return "sqlite"
    return None


def sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupRefused("backup_no_file")
    return Path(url.database)


def sqlite_copy(source: Path, target: Path, self_contained: bool = False) -> None:
    """Copy every page of ``source`` into ``target`` with SQLite's backup API, one
    consistent snapshot however the source is being written meanwhile."""
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(target, timeout=30)
    try:
        if reader.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupRefused("backup_damaged", file=str(source))
        reader.backup(writer)
        if self_contained:
            # One file, no -wal beside it: the copy can be moved and opened anywhere.
            writer.execute("PRAGMA journal_mode=DELETE")
    finally:
        writer.close()
        reader.close()


def run_pg(program: str, url: URL, *arguments: str) -> None:
    """Run a PostgreSQL client program on ``url``'s database; its password goes in the
    environment, never on a command line that ``ps`` shows."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupRefused("backup_tool_missing", program=program)
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    # The program is PostgreSQL's own, found on PATH; the arguments come from the settings.
    result = subprocess.run([executable, f"--dbname={dsn}", *arguments], env=env,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupRefused("backup_tool_failed", program=program,
                            error=result.stderr.strip()[-2000:])
