"""``flask campaigns list|create|copy|add-form|open|close|points``: a province's survey year
from the shell, through the same services as the admin pages."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.inputs import is_clean
from survey_app.inputs import whole_number
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Form
from survey_app.models import Province
from survey_app.services.audit.actions import Action
from survey_app.services.campaigns import campaigns as service
from survey_app.services.campaigns import windows
from survey_app.services.campaigns.points import make_points
from survey_app.services.campaigns.points import parse_counters

group = click.Group("campaigns", help="Campaigns: a province's survey year.")


def fail(error: DomainError) -> click.ClickException:
    return click.ClickException(describe(error))


def province_by_code(code: str) -> Province:
    number = whole_number(code) if is_clean(code) else None
    province = db.session.scalar(select(Province).where(Province.code == str(number))
                                 ) if number is not None else None
    if province is None:
        raise click.UsageError(f"no province with code {code} (run flask units import first)")
    return province


def campaign_by_id(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.UsageError(f"no campaign {campaign_id} (flask campaigns list shows them)")
    return campaign


def campaign_form(campaign: Campaign, code: str) -> CampaignForm:
    found = next((cf for cf in campaign.forms if cf.form.code == code.upper()), None)
    if found is None:
        raise click.UsageError(f"{code} is not a form of campaign {campaign.id}")
    return found


def forms_by_codes(codes: str) -> list[Form]:
    forms = list(db.session.scalars(select(Form).order_by(Form.code)))
    if codes.lower() == "all":
        return forms
    wanted = [c.strip().upper() for c in codes.split(",") if c.strip()]
    known = {f.code: f for f in forms}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise click.UsageError(f"unknown form(s): {', '.join(unknown)} (flask forms publish "
                               f"--bundled publishes PKS01-PKS07)")
    return [known[c] for c in wanted]


@group.command("list")
@click.option("--province", help="Only this province's campaigns (official code).")
def campaigns_list(province: str | None) -> None:
    """Every campaign with its forms, windows, targets and answers; open ones marked."""
    query = select(Campaign).order_by(Campaign.year, Campaign.id)
    if province:
        query = query.where(Campaign.province_id == province_by_code(province).id)
    today = today_in_vietnam()
    for campaign in db.session.scalars(query):
        demo = " (demo)" if campaign.is_demo else ""
        click.echo(f"{campaign.id}: {campaign.name} · {campaign.province.name} · "
                   f"{campaign.year or '?'}{demo}")
        for state in service.campaign_forms(db.session, campaign, today):
            cf = state.campaign_form
            mark = "OPEN " if state.open_today else "     "
            click.echo(f"  {mark}{cf.form.code} {cf.opens_on}..{cf.closes_on} "
                       f"target {cf.sample_target}/commune, {state.responses} responses")


@group.command("create")
@click.option("--province", required=True, help="Official province code, e.g. 24.")
@click.option("--year", type=int, required=True)
@click.option("--name", help='Default: "Năm YEAR".')
@click.option("--forms", "codes", default="", help='Forms to add, each in its programme '
              'quarter: "all" or e.g. "PKS01,PKS05". Default: none.')
@click.option("--target", type=int, default=30, show_default=True,
              help="Sample target per commune for the forms added.")
def campaigns_create(province: str, year: int, name: str | None, codes: str,
                     target: int) -> None:
    """Create a campaign, optionally with forms in their quarters."""
    found = province_by_code(province)
    forms = forms_by_codes(codes) if codes else []
    try:
        with unit_of_work(db.session):
            campaign = service.create_campaign(db.session, name=name or f"Năm {year}",
                                               province=found, year=year)
            service.add_forms_by_quarter(db.session, campaign, forms, sample_target=target)
            service.record_change(db.session, None, Action.CAMPAIGN_CREATED, campaign,
                                  name=campaign.name, year=year,
                                  forms=[cf.form.code for cf in campaign.forms])
    except DomainError as error:
        raise fail(error) from error
    click.echo(f"campaign {campaign.id} created: {campaign.name} · {found.name}, "
               f"{len(campaign.forms)} forms")


@group.command("copy")
@click.option("--province", required=True, help="Official province code, e.g. 24.")
@click.option("--year", type=int, required=True, help="The new campaign's year.")
@click.option("--name", help='Default: "Năm YEAR".')
def campaigns_copy(province: str, year: int, name: str | None) -> None:
    """Create a campaign as a copy of the province's previous one (windows moved by years)."""
    found = province_by_code(province)
    try:
        with unit_of_work(db.session):
            campaign = service.copy_previous(db.session, found, name=name or f"Năm {year}",
                                             year=year)
            service.record_change(db.session, None, Action.CAMPAIGN_CREATED, campaign,
                                  name=campaign.name, year=year, copied=True)
    except DomainError as error:
        raise fail(error) from error
    click.echo(f"campaign {campaign.id} created as a copy: {campaign.name} · {found.name}, "
               f"{len(campaign.forms)} forms")


@group.command("add-form")
@click.argument("campaign_id", type=int)
@click.argument("form_code")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), help="Default: its quarter.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), help="Default: its quarter.")
@click.option("--target", type=int, default=30, show_default=True)
def campaigns_add_form(campaign_id: int, form_code: str, opens, closes, target: int) -> None:
    """Add a form to a campaign, or change its window and target if it is there already."""
    campaign = campaign_by_id(campaign_id)
    (form,) = forms_by_codes(form_code)
    preset = service.quarter_window(form.code, campaign.year or today_in_vietnam().year)
    if (opens is None or closes is None) and preset is None:
        raise click.UsageError(f"{form.code} has no programme quarter: give --opens and --closes")
    opens_on = opens.date() if opens else preset[0]
    closes_on = closes.date() if closes else preset[1]
    present = next((cf for cf in campaign.forms if cf.form_id == form.id), None)
    try:
        with unit_of_work(db.session):
            if present is None:
                present = service.add_form(db.session, campaign, form, opens_on=opens_on,
                                           closes_on=closes_on, sample_target=target)
                action = Action.CAMPAIGN_FORMS_ADDED
            else:
                service.change_form(db.session, present, opens_on=opens_on,
                                    closes_on=closes_on, sample_target=target)
                action = Action.CAMPAIGN_FORM_CHANGED
            service.record_change(db.session, None, action, campaign, present)
    except DomainError as error:
        raise fail(error) from error
    click.echo(f"{form.code}: {opens_on}..{closes_on}, target {target} per commune")


@group.command("open")
@click.argument("campaign_id", type=int)
@click.argument("form_code")
@click.option("--reason", required=True, help="Why it opens before its day (kept, shown).")
def campaigns_open(campaign_id: int, form_code: str, reason: str) -> None:
    """Open a form from today, before its planned opening day."""
    cf = campaign_form(campaign_by_id(campaign_id), form_code)
    try:
        with unit_of_work(db.session):
            windows.open_now(db.session, cf, today=today_in_vietnam(), reason=reason,
                             user_id=None)
            service.record_change(db.session, None, Action.CAMPAIGN_FORM_OPENED, cf.campaign,
                                  cf, reason=reason)
    except DomainError as error:
        raise fail(error) from error
    click.echo(f"{cf.form.code} open from today ({cf.opens_on}) until {cf.closes_on}")


@group.command("close")
@click.argument("campaign_id", type=int)
@click.argument("form_code")
@click.option("--reason", required=True, help="Why it closes before its day (kept, shown).")
def campaigns_close(campaign_id: int, form_code: str, reason: str) -> None:
    """Close a form before its planned closing day."""
    cf = campaign_form(campaign_by_id(campaign_id), form_code)
    try:
        with unit_of_work(db.session):
            last = windows.close_now(db.session, cf, today=today_in_vietnam(), reason=reason,
                                     user_id=None)
            service.record_change(db.session, None, Action.CAMPAIGN_FORM_CLOSED, cf.campaign,
                                  cf, reason=reason)
    except DomainError as error:
        raise fail(error) from error
    click.echo(f"{cf.form.code} closed: its last day is {last}")


@group.command("points")
@click.argument("campaign_id", type=int)
@click.option("--counters", type=click.Path(exists=True, dir_okay=False),
              help='A text file of "commune code, number of counters" lines, for communes '
                   'with more than one counter.')
def campaigns_points(campaign_id: int, counters: str | None) -> None:
    """Make the campaign's missing collection points (running it again makes none twice)."""
    campaign = campaign_by_id(campaign_id)
    try:
        text = Path(counters).read_text(encoding="utf-8") if counters else ""
    except UnicodeDecodeError as error:
        raise click.UsageError(f"{counters} is not UTF-8 text") from error
    try:
        with unit_of_work(db.session):
            report = make_points(db.session, campaign, parse_counters(text))
            service.record_change(db.session, None, Action.POINTS_CREATED, campaign,
                                  created=report.created, kept=report.kept)
    except DomainError as error:
        raise fail(error) from error
    click.echo(f"{report.created} points made, {report.kept} already there "
               f"({report.communes} communes × {report.forms} forms). Posters: flask qr posters "
               f"--province {campaign.province.code} --out posters.pdf")
