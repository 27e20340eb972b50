"""``flask users create|import|password|totp-off|organisations``: accounts from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from survey_app.admin.accounts import ROLE_LABELS
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.messages import describe_import_problem
from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Province
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.people import two_factor
from survey_app.services.people.accounts import ORGANISATIONS
from survey_app.services.people.accounts import AccountError
from survey_app.services.people.accounts import Scope
from survey_app.services.people.accounts import create_account
from survey_app.services.people.accounts import ensure_organisations
from survey_app.services.people.accounts import set_password
from survey_app.services.people.bulk_accounts import import_people
from survey_app.services.people.bulk_accounts import passwords_workbook

group = click.Group("users", help="User accounts.")


@group.command("create")
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
    try:
        with unit_of_work(db.session):
            ensure_organisations(db.session)
            province = unit_by_code(Province, province_code)
            scope = Scope(
                province_id=province.id if province else None,
                grouping_id=grouping_id(province, grouping_code),
                commune_id=unit_id(Commune, commune_code),
                organisation_id=unit_id(Organisation, organisation_code),
            )
            user = create_account(db.session, None, username=username,
                                  full_name=full_name or "", role=Role(role),
                                  password=password, scope=scope)
    except DomainError as error:
        option = SCOPE_OPTIONS.get(error.params.get("field"), "")
        hint = f" (--{option})" if error.code == "scope_missing" and option else ""
        raise click.UsageError(describe(error) + hint) from error
    click.echo(f"created {role} {user.username}")


@group.command("password")
@click.argument("username")
@click.password_option()
def users_password(username: str, password: str) -> None:
    """Set a new password (a locked-out admin, typically); ends the account's sessions."""
    try:
        with unit_of_work(db.session):
            user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise AccountError("no_such_user", username=username)
            set_password(db.session, None, user, password)
    except DomainError as error:
        raise click.UsageError(describe(error)) from error
    click.echo(f"new password set for {user.username}; its sessions have ended")


@group.command("totp-off")
@click.argument("username")
def users_totp_off(username: str) -> None:
    """Turn an account's two-step sign-in off (its phone is lost); it signs in with its
    password alone until it turns it on again."""
    try:
        with unit_of_work(db.session):
            user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise AccountError("no_such_user", username=username)
            two_factor.turn_off(db.session, None, user)
    except DomainError as error:
        raise click.UsageError(describe(error)) from error
    click.echo(f"two-step sign-in is off for {user.username}")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("passwords", type=click.Path(dir_okay=False, writable=True))
def users_import(file: str, passwords: str) -> None:
    """Create the accounts of an XLSX (or CSV) of people, checked row by row; write their
    one-time passwords to PASSWORDS, the only copy. A file with a problem creates nobody."""
    path, out = Path(file), Path(passwords)
    if out.exists():
        raise click.UsageError(f"{out} exists: give a new file for the passwords")
    labels = {role: str(label) for role, label in ROLE_LABELS.items()}
    try:
        with unit_of_work(db.session):
            ensure_organisations(db.session)
            report = import_people(db.session, None, path.name, path.read_bytes(),
                                   current_app.config["IMPORT_MAX_ROWS"], labels)
            if report.clean:
                # Written inside the unit of work: if the file cannot be written, nobody is
                # created, and no account is left with a password nobody has.
                out.write_bytes(passwords_workbook(report, labels))
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    if not report.clean:
        for problem in report.problems:
            where = " ".join(str(part) for part in (
                f"row {problem.row}" if problem.row else "", problem.column or "") if part)
            click.echo(f"{where or path.name}: {describe_import_problem(problem)}", err=True)
        click.echo(f"nobody created: {len(report.problems)} problems", err=True)
        raise click.exceptions.Exit(1)
    out.chmod(0o600)
    click.echo(f"accounts created: {len(report.created)}; one-time passwords in {out}")


@group.command("organisations")
def users_organisations() -> None:
    """Add the six mass organisations of the programme table (safe to rerun)."""
    with unit_of_work(db.session):
        added = ensure_organisations(db.session)
    click.echo(f"organisations added: {added}")


#: The option that gives each scope field.
SCOPE_OPTIONS = {"province_id": "province", "grouping_id": "grouping",
                 "commune_id": "commune", "organisation_id": "organisation"}
UNIT_NAMES = {Province: "province", Commune: "commune", Organisation: "organisation"}


def unit_by_code(model, code: str | None):
    if not code:
        return None
    unit = db.session.scalar(select(model).where(model.code == code))
    if unit is None:
        raise DomainError(f"unknown_{UNIT_NAMES[model]}", code=code)
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
        raise DomainError("ambiguous_grouping", code=code)
    return found[0].id
