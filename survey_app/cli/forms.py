"""``flask forms publish``: a definition file (or the bundled ones) as a new form version."""

from __future__ import annotations

import click

from forms import DefinitionError
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.messages import describe_problem
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
