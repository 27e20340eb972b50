"""``flask integrity recompute``: apply the rulebook's integrity rules to a whole campaign."""

import click
from flask import current_app

from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results.integrity import expired_campaigns
from survey_app.services.results.integrity import forget_keys
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
    try:
        with unit_of_work(db.session):
            done = recompute_campaign(db.session, campaign)
            trail.record(db.session, None, Action.FLAGS_RECOMPUTED,
                         target=("campaign", campaign.id), province_id=campaign.province_id,
                         responses=done.responses, flagged=done.flagged,
                         excluded=done.excluded, changed=done.changed)
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"{done.responses} QR responses: {done.flagged} flagged, {done.excluded} left "
               f"out of the official figures, {done.changed} changed")


@group.command("forget-keys")
@click.argument("campaign_id", type=int)
def forget_keys_command(campaign_id: int) -> None:
    """After the campaign closed: drop its device and network keys and used tickets; the
    flags and decisions stay, and can no longer be recomputed."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.UsageError(f"no campaign {campaign_id}")
    try:
        with unit_of_work(db.session):
            count = forget_keys(db.session, campaign, today_in_vietnam())
            trail.record(db.session, None, Action.TRUST_KEYS_DROPPED,
                         target=("campaign", campaign.id), province_id=campaign.province_id,
                         responses=count)
    except DomainError as error:
        raise click.ClickException(describe(error)) from error
    click.echo(f"keys dropped from {count} responses")


@group.command("forget-expired")
def forget_expired_command() -> None:
    """Drop the keys of every campaign closed for longer than TRUST_SIGNALS_KEPT_DAYS (run
    nightly by deploy/survey-retention.timer); each one is written to the audit trail."""
    kept_days = current_app.config["TRUST_SIGNALS_KEPT_DAYS"]
    today = today_in_vietnam()
    campaigns = expired_campaigns(db.session, today, kept_days)
    for campaign in campaigns:
        with unit_of_work(db.session):
            count = forget_keys(db.session, campaign, today)
            trail.record(db.session, None, Action.TRUST_KEYS_DROPPED,
                         target=("campaign", campaign.id), province_id=campaign.province_id,
                         responses=count, kept_days=kept_days)
        click.echo(f"campaign {campaign.id} ({campaign.name}): keys dropped from {count} "
                   "responses")
    if not campaigns:
        click.echo(f"no campaign closed more than {kept_days} days ago still keeps its keys")
