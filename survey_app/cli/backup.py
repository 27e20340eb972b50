"""``flask backup create|restore``: a copy of the configured database, and putting one back.

docs/DEPLOY.md ("Backups") gives the schedule and how to check a backup by restoring it.
"""

from __future__ import annotations

from pathlib import Path

import click

from survey_app.backup import BackupRefused
from survey_app.backup import Contents
from survey_app.backup import create_backup
from survey_app.backup import restore_backup
from survey_app.extensions import db
from survey_app.messages import describe

group = click.Group("backup", help="Backups of the database.")


def described(found: Contents) -> str:
    counts = ", ".join(f"{n} {name}" for name, n in found.rows.items())
    return f"schema revision {found.revision or 'none'}; {counts}"


def where() -> str:
    return db.engine.url.render_as_string(hide_password=True)


@group.command("create")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_create(file: Path) -> None:
    """Write a backup of the database to FILE, consistent while the app runs."""
    if not file.parent.is_dir():
        raise click.BadParameter(f"folder {file.parent} does not exist", param_hint="FILE")
    try:
        found = create_backup(db.engine, file)
    except BackupRefused as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"backup of {where()} written to {file} ({file.stat().st_size:,} bytes): "
               f"{described(found)}")


@group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def backup_restore(file: Path, force: bool) -> None:
    """Replace the database with the backup in FILE (stop the app first)."""
    try:
        before, after = restore_backup(db.engine, file, force)
    except BackupRefused as error:
        raise click.ClickException(describe(error)) from error
    if not before.is_empty:
        click.echo(f"replaced what {where()} held: {described(before)}")
    click.echo(f"restored {file} into {where()}: {described(after)}")
    if not after.is_current:
        click.echo("the backup's schema is older than this version of the app: run "
                   "`flask db upgrade` before starting it")
