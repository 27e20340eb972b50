"""Command-line verbs: ``flask units``, ``flask forms``, ``flask demo``, ``flask users``."""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app
from sqlalchemy import select

from forms import DefinitionError
from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Province
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.accounts import MIN_PASSWORD_LENGTH
from survey_app.services.accounts import ORGANISATIONS
from survey_app.services.accounts import AccountError
from survey_app.services.accounts import Scope
from survey_app.services.accounts import create_account
from survey_app.services.accounts import ensure_organisations
from survey_app.services.accounts import set_password
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
    click.echo("demo accounts (username / password / role):")
    for username, password, role in report.accounts:
        click.echo(f"  {username} / {password} / {role}")


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="admin")
@click.option("--name", "full_name", default=None, help="Full name shown in the app.")
@click.option("--province", "province_code", help="Province code (steering, coordinator, "
              "surveyor).")
@click.option("--grouping", "grouping_code", help="District or cluster code (grouping role).")
@click.option("--commune", "commune_code", help="Commune code (commune official).")
@click.option("--organisation", "organisation_code",
              type=click.Choice([code for code, _name in ORGANISATIONS]),
              help="Mass organisation (coordinator, surveyor).")
@click.password_option()
def users_create(username: str, role: str, full_name: str | None, province_code: str | None,
                 grouping_code: str | None, commune_code: str | None,
                 organisation_code: str | None, password: str) -> None:
    """Create an account (the first admin, typically) with the scope its role needs."""
    ensure_organisations(db.session)
    province = unit_by_code(Province, province_code)
    scope = Scope(
        province_id=province.id if province else None,
        grouping_id=grouping_id(province, grouping_code),
        commune_id=unit_id(Commune, commune_code),
        organisation_id=unit_id(Organisation, organisation_code),
    )
    try:
        user = create_account(db.session, None, username=username, full_name=full_name or "",
                              role=Role(role), password=password, scope=scope)
    except AccountError as exc:
        db.session.rollback()
        raise click.UsageError(account_problem(exc)) from exc
    db.session.commit()
    click.echo(f"created {role} {user.username}")


@users.command("password")
@click.argument("username")
@click.password_option()
def users_password(username: str, password: str) -> None:
    """Set a new password (a locked-out admin, typically); ends the account's sessions."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.UsageError(f"no user {username}")
    try:
        set_password(db.session, None, user, password)
    except AccountError as exc:
        db.session.rollback()
        raise click.UsageError(account_problem(exc)) from exc
    db.session.commit()
    click.echo(f"new password set for {user.username}; its sessions have ended")


@users.command("organisations")
def users_organisations() -> None:
    """Add the six mass organisations of the programme table (safe to rerun)."""
    added = ensure_organisations(db.session)
    db.session.commit()
    click.echo(f"organisations added: {added}")


def unit_by_code(model, code: str | None):
    if not code:
        return None
    unit = db.session.scalar(select(model).where(model.code == code))
    if unit is None:
        raise click.UsageError(f"no {model.__tablename__[:-1]} with code {code}")
    return unit


def unit_id(model, code: str | None) -> int | None:
    unit = unit_by_code(model, code)
    return unit.id if unit else None


def grouping_id(province: Province | None, code: str | None) -> int | None:
    """Grouping codes are unique per province only: ``--province`` narrows the lookup."""
    if not code:
        return None
    query = select(Grouping).where(Grouping.code == code)
    if province is not None:
        query = query.where(Grouping.province_id == province.id)
    found = db.session.scalars(query).all()
    if len(found) != 1:
        raise click.UsageError(f"grouping code {code} is unknown or ambiguous: add --province")
    return found[0].id


def account_problem(error: AccountError) -> str:
    messages = {
        "password_short": f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
        "password_common": "this password is too common or too easy to guess",
        "password_username": "the password must not contain the username",
        "username_invalid": "a username uses only ASCII letters, digits, '.', '-' and '_'",
        "username_taken": "this username exists already",
        "scope_missing": f"this role needs --{SCOPE_OPTIONS.get(error.params.get('field'), '')}",
    }
    return messages.get(error.code, error.code)


SCOPE_OPTIONS = {"province_id": "province", "grouping_id": "grouping",
                 "commune_id": "commune", "organisation_id": "organisation"}


def register(app: Flask) -> None:
    for group in (units, forms_cli, demo, users):
        app.cli.add_command(group)
