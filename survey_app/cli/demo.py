"""``flask demo load``: a real province with sample data, for trying the platform."""

from __future__ import annotations

import click
from flask import current_app

from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.demo import load_demo
from survey_app.extensions import db

group = click.Group("demo", help="Demo data.")


@group.command("load")
@click.option("--province", type=int, help="Official province code (default: config).")
def demo_load(province: int | None) -> None:
    """Load a real province, an open campaign, collection points and sample responses."""
    code = province or current_app.config["DEMO_PROVINCE_CODE"]
    with unit_of_work(db.session):
        report = load_demo(db.session, code, today_in_vietnam().year)
    click.echo(f"{report.province}: {report.communes} communes, {report.points} collection "
               f"points, {report.responses} responses")
    click.echo("demo accounts (username / password / role):")
    for username, password, role in report.accounts:
        click.echo(f"  {username} / {password} / {role}")
