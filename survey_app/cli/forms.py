"""``flask forms publish|list|retire``: definition files as new versions; versions in use."""

from __future__ import annotations

import click
from sqlalchemy import select

from forms import DefinitionError
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.messages import describe_problem
from survey_app.models import Form
from survey_app.services.catalogue.form_admin import FormAdminError
from survey_app.services.catalogue.form_admin import forms_in_use
from survey_app.services.catalogue.form_admin import set_retired
from survey_app.services.catalogue.form_versions import publish_bundled
from survey_app.services.catalogue.form_versions import publish_form

group = click.Group("forms", help="Survey form definitions.")


@group.command("publish")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--bundled", is_flag=True, help="Publish every file in forms/definitions.")
def forms_publish(paths: tuple[str, ...], bundled: bool) -> None:
    """Validate definition files and publish each as a new form version."""
    if not paths and not bundled:
        raise click.UsageError("give a definition file, or --bundled")
    try:
        with unit_of_work(db.session):
            results = publish_bundled(db.session) if bundled else [
                publish_form(db.session, path) for path in paths
            ]
    except DefinitionError as error:
        for problem in error.problems:
            click.echo(describe_problem(problem), err=True)
        raise click.exceptions.Exit(1) from error
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    for result in results:
        state = "published" if result.created else "already published"
        click.echo(f"{result.version.form.code} v{result.version.version}: {state}")


@group.command("retire")
@click.argument("code")
@click.option("--undo", is_flag=True, help="Bring a retired form back into use.")
def forms_retire(code: str, undo: bool) -> None:
    """Retire a form: its links say it is no longer in use and it takes no new campaign;
    its answers stay."""
    try:
        with unit_of_work(db.session):
            form = db.session.scalar(select(Form).where(Form.code == code.upper()))
            if form is None:
                raise FormAdminError("unknown_form", code=code)
            set_retired(db.session, form, not undo)
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"{form.code}: {'in use' if undo else 'retired'}")


@group.command("list")
def forms_list() -> None:
    """Each form's versions, which one takes new answers, and how many answers each holds."""
    for use in forms_in_use(db.session):
        state = "retired" if use.form.is_retired else "in use"
        click.echo(f"{use.form.code} ({state}): {use.form.title}")
        for version in use.versions:
            mark = " (current)" if version.is_current else ""
            click.echo(f"  v{version.version.version}{mark}: {version.answers} answers")
