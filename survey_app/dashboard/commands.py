"""``flask results check`` and ``flask results rebuild``: look after the response roll-up."""

import click

from survey_app.dashboard import bp
from survey_app.database import begin_write
from survey_app.extensions import db
from survey_app.services.tallies import rebuild_tallies
from survey_app.services.tallies import tally_drift


@bp.cli.command("check")
def check() -> None:
    """Compare the roll-up with a fresh count of the responses."""
    drift = tally_drift(db.session)
    if drift:
        click.echo(f"{drift} roll-up keys disagree with the responses: run `flask results "
                   "rebuild`", err=True)
        raise click.exceptions.Exit(1)
    click.echo("the roll-up matches the responses")


@bp.cli.command("rebuild")
def rebuild() -> None:
    """Recompute the roll-up from the responses (writers wait while it runs)."""
    begin_write(db.session())
    rows = rebuild_tallies(db.session)
    db.session.commit()
    click.echo(f"roll-up rebuilt: {rows} rows")
