"""``flask results check`` and ``flask results rebuild``: look after the response roll-up."""

import click

from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.services.results.tallies import rebuild_tallies
from survey_app.services.results.tallies import tally_drift

group = click.Group("results", help="The response roll-up behind the results.")


@group.command("check")
def check() -> None:
    """Compare the roll-up with a fresh count of the responses."""
    drift = tally_drift(db.session)
    if drift:
        click.echo(f"{drift} roll-up keys disagree with the responses: run `flask results "
                   "rebuild`", err=True)
        raise click.exceptions.Exit(1)
    click.echo("the roll-up matches the responses")


@group.command("rebuild")
def rebuild() -> None:
    """Recompute the roll-up from the responses (writers wait while it runs)."""
    with unit_of_work(db.session):
        rows = rebuild_tallies(db.session)
    click.echo(f"roll-up rebuilt: {rows} rows")
