"""Make a campaign, copy last year's, and change its forms without stranding any answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.clock import VIETNAM
from survey_app.domain_error import DomainError
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Form
from survey_app.models import Province
from survey_app.models import Response
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action

#: The programme's quarter for each form (docs/DOMAIN.md): the preset window.
QUARTERS = {"PKS01": 1, "PKS02": 1, "PKS03": 2, "PKS04": 2, "PKS05": 3, "PKS06": 3, "PKS07": 3}
#: Years a campaign may be for: what the input guard accepts as a date.
FIRST_YEAR, LAST_YEAR = 2000, 2199
MAX_TARGET = 100_000


class CampaignError(DomainError):
    """A change to a campaign that cannot be made."""


def quarter_window(form_code: str, year: int) -> tuple[date, date] | None:
    """The preset window of ``form_code`` in ``year``: its quarter, first to last day."""
    quarter = QUARTERS.get(form_code)
    if quarter is None:
        return None
    first_month = 3 * quarter - 2
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return date(year, first_month, 1), date.fromordinal(end.toordinal() - 1)


def create_campaign(session: Session, *, name: str, province: Province, year: int) -> Campaign:
    """A new campaign without forms.

    :raises CampaignError: no name, a year out of range, or the province already has a
        campaign of that name.
    """
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise CampaignError("campaign_name_missing")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CampaignError("campaign_year_invalid", first=FIRST_YEAR, last=LAST_YEAR)
    same = select(Campaign.id).where(Campaign.province_id == province.id,
                                     func.lower(Campaign.name) == name.lower())
    if session.scalar(same) is not None:
        raise CampaignError("campaign_name_taken", name=name, province=province.name)
    campaign = Campaign(name=name, province_id=province.id, year=year)
    session.add(campaign)
    session.flush()
    return campaign


def previous_campaign(session: Session, province: Province, year: int) -> Campaign | None:
    """The province's latest campaign of a year before ``year``: what a copy starts from."""
    return session.scalar(
        select(Campaign).where(Campaign.province_id == province.id, Campaign.year < year)
        .order_by(Campaign.year.desc(), Campaign.id.desc()).limit(1))


def copy_campaign(session: Session, source: Campaign, *, name: str, year: int) -> Campaign:
    """A new campaign for ``year`` with ``source``'s forms, windows moved by whole years,
    and sample targets; retired forms are left out. Responses are never copied.

    :raises CampaignError: as ``create_campaign``, or ``source`` has no year to move from.
    """
    if source.year is None:
        raise CampaignError("campaign_year_unknown", name=source.name)
    campaign = create_campaign(session, name=name, province=source.province, year=year)
    shift = year - source.year
    for old in source.forms:
        if old.form.is_retired:
            continue
        campaign.forms.append(CampaignForm(
            form_id=old.form_id, opens_on=moved(old.opens_on, shift),
            closes_on=moved(old.closes_on, shift), sample_target=old.sample_target))
    session.flush()
    for campaign_form in campaign.forms:
        refuse_overlap(session, campaign_form)
    return campaign


def copy_previous(session: Session, province: Province, *, name: str, year: int) -> Campaign:
    """A copy of the province's latest campaign before ``year`` (last year's, usually).

    :raises CampaignError: there is none, or as ``copy_campaign``.
    """
    source = previous_campaign(session, province, year)
    if source is None:
        raise CampaignError("no_campaign_to_copy", province=province.name, year=year)
    return copy_campaign(session, source, name=name, year=year)


def add_forms_by_quarter(session: Session, campaign: Campaign, forms: list[Form], *,
                         sample_target: int) -> list[CampaignForm]:
    """Add each of ``forms`` not yet in the campaign with its quarter's window.

    :raises CampaignError: the campaign has no year, or as ``add_form``.
    """
    if campaign.year is None:
        raise CampaignError("campaign_year_unknown", name=campaign.name)
    present = {cf.form_id for cf in campaign.forms}
    added = []
    for form in forms:
        window = quarter_window(form.code, campaign.year)
        if form.id in present or form.is_retired or window is None:
            continue
        added.append(add_form(session, campaign, form, opens_on=window[0],
                              closes_on=window[1], sample_target=sample_target))
    return added


def moved(day: date, years: int) -> date:
    """``day`` in another year; 29 February becomes the 28th where there is none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_form(session: Session, campaign: Campaign, form: Form, *, opens_on: date,
             closes_on: date, sample_target: int) -> CampaignForm:
    """Add ``form`` to the campaign with its window and its target per commune.

    :raises CampaignError: the form is retired or already in the campaign, the window is
        back to front, or it overlaps the same form in another campaign of the province.
    """
    if form.is_retired:
        raise CampaignError("form_retired", form=form.code)
    if any(cf.form_id == form.id for cf in campaign.forms):
        raise CampaignError("campaign_form_exists", form=form.code)
    check_window(opens_on, closes_on)
    check_target(sample_target)
    campaign_form = CampaignForm(form_id=form.id, opens_on=opens_on, closes_on=closes_on,
                                 sample_target=sample_target)
    campaign.forms.append(campaign_form)
    session.flush()
    refuse_overlap(session, campaign_form)
    return campaign_form


def change_form(session: Session, campaign_form: CampaignForm, *, opens_on: date,
                closes_on: date, sample_target: int) -> None:
    """Change a form's window or target.

    :raises CampaignError: the window is back to front, overlaps another campaign's, or
        would leave answers already stored outside it.
    """
    check_window(opens_on, closes_on)
    check_target(sample_target)
    refuse_stranding(session, campaign_form, opens_on, closes_on)
    campaign_form.opens_on, campaign_form.closes_on = opens_on, closes_on
    campaign_form.sample_target = sample_target
    session.flush()
    refuse_overlap(session, campaign_form)


def remove_form(session: Session, campaign_form: CampaignForm) -> None:
    """Take a form out of the campaign.

    :raises CampaignError: the form has answers in this campaign: they would belong nowhere.
    """
    count = answers_count(session, campaign_form)
    if count:
        raise CampaignError("campaign_form_has_answers", form=campaign_form.form.code,
                            count=count)
    session.delete(campaign_form)
    session.flush()


def answers_count(session: Session, campaign_form: CampaignForm) -> int:
    return session.scalar(select(func.count(Response.id)).where(
        Response.campaign_id == campaign_form.campaign_id,
        Response.form_id == campaign_form.form_id)) or 0


def answered_days(session: Session, campaign_form: CampaignForm) -> tuple[date, date] | None:
    """The first and last day (Vietnam time) an answer to the form reached the campaign."""
    first, last = session.execute(select(func.min(Response.received_at),
                                         func.max(Response.received_at)).where(
        Response.campaign_id == campaign_form.campaign_id,
        Response.form_id == campaign_form.form_id)).one()
    if first is None:
        return None
    return first.astimezone(VIETNAM).date(), last.astimezone(VIETNAM).date()


def refuse_stranding(session: Session, campaign_form: CampaignForm, opens_on: date,
                     closes_on: date) -> None:
    days = answered_days(session, campaign_form)
    if days is not None and (days[0] < opens_on or days[1] > closes_on):
        raise CampaignError("window_strands_answers", form=campaign_form.form.code,
                            first=days[0], last=days[1])


def check_window(opens_on: date, closes_on: date) -> None:
    if closes_on < opens_on:
        raise CampaignError("window_backwards")


def check_target(sample_target: int) -> None:
    if not 1 <= sample_target <= MAX_TARGET:
        raise CampaignError("target_invalid", max=MAX_TARGET)


def refuse_overlap(session: Session, campaign_form: CampaignForm) -> None:
    """One window per form and day in a province: a citizen's link must know its campaign."""
    campaign = campaign_form.campaign
    other = session.scalar(
        select(Campaign.name).join(CampaignForm).where(
            Campaign.province_id == campaign.province_id, Campaign.id != campaign.id,
            CampaignForm.form_id == campaign_form.form_id,
            CampaignForm.opens_on <= campaign_form.closes_on,
            CampaignForm.closes_on >= campaign_form.opens_on).limit(1))
    if other is not None:
        raise CampaignError("window_overlaps", form=campaign_form.form.code, campaign=other)


@dataclass(frozen=True)
class FormState:
    """A campaign's form as its page shows it."""

    campaign_form: CampaignForm
    open_today: bool
    responses: int


def campaign_forms(session: Session, campaign: Campaign, today: date) -> list[FormState]:
    """The campaign's forms by code, each with whether it is open today and its answers."""
    counts = dict(session.execute(
        select(Response.form_id, func.count(Response.id))
        .where(Response.campaign_id == campaign.id).group_by(Response.form_id)).all())
    ordered = sorted(campaign.forms, key=lambda cf: cf.form.code)
    return [FormState(cf, cf.is_open_on(today), counts.get(cf.form_id, 0)) for cf in ordered]


def record_change(session: Session, actor: User | None, action: Action, campaign: Campaign,
                  campaign_form: CampaignForm | None = None, **details: object) -> None:
    """The audit trail's row for a change to ``campaign`` (``actor`` None: the shell), with
    the form's window and target as they are after the change."""
    if campaign_form is not None:
        details = {"form": campaign_form.form.code,
                   "opens_on": campaign_form.opens_on.isoformat(),
                   "closes_on": campaign_form.closes_on.isoformat(),
                   "sample_target": campaign_form.sample_target, **details}
    trail.record(session, actor, action, target=("campaign", campaign.id),
                 province_id=campaign.province_id, **details)
