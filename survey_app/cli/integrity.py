"""``flask integrity recompute``: apply the rulebook's integrity rules to a whole campaign."""

import click

from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.services.results.integrity import recompute_campaign

group = click.Group("integrity", help="Flags on suspicious QR responses (docs/INTEGRITY.md).")


@group.command("recompute")
@click.argument("campaign_id", type=int)
def recompute(campaign_id: int) -> None:
    """Flag the campaign's QR responses anew under the rulebook in force; the committee's
    decisions on flagged groups are kept."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.UsageError(f"no campaign {campaign_id}")
    with unit_of_work(db.session):
        done = recompute_campaign(db.session, campaign)
    click.echo(f"{done.responses} QR responses: {done.flagged} flagged, {done.excluded} left "
               f"out of the official figures, {done.changed} changed")
