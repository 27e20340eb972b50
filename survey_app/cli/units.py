"""``flask units import|rename|merge`` and ``flask units figures import|template``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.messages import describe_import_problem
from survey_app.messages import text
from survey_app.models import Commune
from survey_app.models import Province
from survey_app.services.catalogue.unit_figures import figures_template
from survey_app.services.catalogue.unit_figures import import_figures
from survey_app.services.catalogue.unit_names import merge_commune
from survey_app.services.catalogue.unit_names import rename_commune
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


figures = click.Group("figures", help="Staff headcount, population, yearly transactions, "
                      "grouping of each commune.")
group.add_command(figures)


@figures.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def figures_import(file: str) -> None:
    """Check an XLSX (or CSV) of figures row by row; store it only if every row is right."""
    path = Path(file)
    with unit_of_work(db.session):
        report = import_figures(db.session, path.name, path.read_bytes(),
                                current_app.config["IMPORT_MAX_ROWS"])
    if not report.clean:
        for problem in report.problems:
            where = " ".join(str(part) for part in (
                f"row {problem.row}" if problem.row else "", problem.column or "") if part)
            click.echo(f"{where or path.name}: {describe_import_problem(problem)}", err=True)
        click.echo(f"nothing stored: {len(report.problems)} problems", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"rows: {report.row_count}, communes changed: {report.changed}")


@figures.command("template")
@click.argument("province_code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def figures_template_command(province_code: str, out: str) -> None:
    """Write the figures workbook of a province, filled in with its communes as they are."""
    province = db.session.scalar(select(Province).where(Province.code == province_code.lstrip("0")))
    if province is None:
        raise click.UsageError(text("unknown_province", {"code": province_code}))
    Path(out).write_bytes(figures_template(db.session, province,
                                           current_app.config["IMPORT_MAX_ROWS"]))
    click.echo(f"written: {out}")


@group.command("rename")
@click.argument("commune_code")
@click.argument("new_name")
@click.option("--from", "from_day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The first day of the new name (YYYY-MM-DD).")
def units_rename(commune_code: str, new_name: str, from_day) -> None:
    """Rename a commune after a reform; earlier campaigns keep showing the old name."""
    try:
        with unit_of_work(db.session):
            commune = commune_by_code(commune_code)
            old = commune.name
            rename_commune(db.session, commune, new_name, from_day.date())
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"{commune_code}: {old} → {new_name} from {from_day.date().isoformat()}")


@group.command("merge")
@click.argument("commune_code")
def units_merge(commune_code: str) -> None:
    """Take a commune merged into another out of new campaigns; its results stay."""
    try:
        with unit_of_work(db.session):
            merge_commune(db.session, commune_by_code(commune_code))
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"{commune_code}: inactive")


def commune_by_code(code: str) -> Commune:
    commune = db.session.scalar(select(Commune).where(Commune.code == code))
    if commune is None:
        raise DomainError("unknown_commune", code=code)
    return commune
