"""``flask demo load``: a real province with sample data, for trying the platform."""

from __future__ import annotations

import click
from flask import current_app

from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.demo import DemoRefused
from survey_app.demo import load_demo
from survey_app.extensions import db
from survey_app.messages import describe

group = click.Group("demo", help="Demo data.")

OPEN_ACCOUNTS_WARNING = (
    "WARNING: every demo account above has the same password, and it is public (README.md "
    "prints it). Anyone who reaches this server can sign in as its administrator. Use this "
    "database only to try the platform: never on a server that real people reach, and never "
    "with real data.")


@group.command("load")
@click.option("--province", type=int, help="Official province code (default: config).")
def demo_load(province: int | None) -> None:
    """Load a real province, an open campaign, collection points and sample responses."""
    code = province or current_app.config["DEMO_PROVINCE_CODE"]
    try:
        with unit_of_work(db.session):
            report = load_demo(db.session, code, today_in_vietnam().year)
    except DemoRefused as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"{report.province}: {report.communes} communes, {report.points} collection "
               f"points, {report.responses} responses")
    click.echo("demo accounts (username / password / role):")
    for username, password, role in report.accounts:
        click.echo(f"  {username} / {password} / {role}")
    click.secho(OPEN_ACCOUNTS_WARNING, fg="red", bold=True, err=True)
