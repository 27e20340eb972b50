"""Command-line verbs: ``flask units``, ``flask forms``, ``flask demo``, ``flask users``."""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app
from sqlalchemy import select

from forms import DefinitionError
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.demo import load_demo
from survey_app.services.form_versions import VersionClash
from survey_app.services.form_versions import publish_bundled
from survey_app.services.form_versions import publish_form
from survey_app.services.points import today_in_vietnam
from survey_app.services.units import import_units

units = click.Group("units", help="Administrative units.")
forms_cli = click.Group("forms", help="Survey form definitions.")
demo = click.Group("demo", help="Demo data.")
users = click.Group("users", help="User accounts.")


@units.command("import")
@click.option("--province", type=int, help="Official province code, e.g. 24. Default: all 34.")
def units_import(province: int | None) -> None:
    """Load provinces and communes from the official list (vietnam-provinces)."""
    try:
        report = import_units(db.session, province)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    click.echo(f"provinces added: {report.provinces_added}, communes added: "
               f"{report.communes_added}, updated: {report.communes_updated}")


@forms_cli.command("publish")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--bundled", is_flag=True, help="Publish every file in forms/definitions.")
def forms_publish(paths: tuple[str, ...], bundled: bool) -> None:
    """Validate definition files and publish each as a new form version."""
    if not paths and not bundled:
        raise click.UsageError("give a definition file, or --bundled")
    try:
        results = publish_bundled(db.session) if bundled else [
            publish_form(db.session, path) for path in paths
        ]
    except DefinitionError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1) from exc
    except VersionClash as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for result in results:
        state = "published" if result.created else "already published"
        version = result.version
        click.echo(f"{version.form.code} v{version.version}: {state}")


@demo.command("load")
@click.option("--province", type=int, help="Official province code (default: config).")
def demo_load(province: int | None) -> None:
    """Load a real province, an open campaign, collection points and sample responses."""
    code = province or current_app.config["DEMO_PROVINCE_CODE"]
    report = load_demo(db.session, code, today_in_vietnam().year)
    db.session.commit()
    click.echo(f"{report.province}: {report.communes} communes, {report.points} collection "
               f"points, {report.responses} responses")


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="admin")
@click.option("--name", "full_name", default=None, help="Full name shown in the app.")
@click.password_option()
def users_create(username: str, role: str, full_name: str | None, password: str) -> None:
    """Create an account (the first admin, typically)."""
    username = username.strip().lower()
    if len(password) < 10:
        raise click.UsageError("the password must have at least 10 characters")
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.UsageError(f"user {username} exists already")
    user = User(username=username, full_name=full_name or username, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {username}")


def register(app: Flask) -> None:
    for group in (units, forms_cli, demo, users):
        app.cli.add_command(group)
