"""``flask units import``: provinces and communes from the official list."""

from __future__ import annotations

import click

from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.services.catalogue.units import import_units

group = click.Group("units", help="Administrative units.")


@group.command("import")
@click.option("--province", type=int, help="Official province code, e.g. 24. Default: all 34.")
def units_import(province: int | None) -> None:
    """Load provinces and communes from the official list (vietnam-provinces)."""
    try:
        with unit_of_work(db.session):
            report = import_units(db.session, province)
    except DomainError as error:
        raise click.UsageError(describe(error)) from error
    click.echo(f"provinces added: {report.provinces_added}, communes added: "
               f"{report.communes_added}, updated: {report.communes_updated}")
