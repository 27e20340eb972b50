"""Open or close a form before its planned date: with a reason, which is kept."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from sqlalchemy.orm import Session

from survey_app.models import CampaignForm
from survey_app.models import WindowChange
from survey_app.services.campaigns.campaigns import CampaignError
from survey_app.services.campaigns.campaigns import answered_days
from survey_app.services.campaigns.campaigns import refuse_overlap

MAX_REASON = 1000


def open_now(session: Session, campaign_form: CampaignForm, *, today: date, reason: str,
             user_id: int | None) -> None:
    """Open the form from today, before its planned opening day.

    :raises CampaignError: no reason, it is open already, or its window is over (change the
        dates instead: that is a new window, not an early opening).
    """
    reason = clean_reason(reason)
    if campaign_form.is_open_on(today):
        raise CampaignError("form_already_open", form=campaign_form.form.code)
    if campaign_form.closes_on < today:
        raise CampaignError("form_window_over", form=campaign_form.form.code,
                            closes=campaign_form.closes_on)
    record(session, campaign_form, "open", reason, user_id)
    campaign_form.opens_on = today
    session.flush()
    refuse_overlap(session, campaign_form)


def close_now(session: Session, campaign_form: CampaignForm, *, today: date, reason: str,
              user_id: int | None) -> date:
    """Close the form before its planned closing day; returns its last day.

    The last day is yesterday, or today when answers came in today already: they stay
    inside the window, and the form stops taking answers tomorrow.

    :raises CampaignError: no reason, or the form is not open today.
    """
    reason = clean_reason(reason)
    if not campaign_form.is_open_on(today):
        raise CampaignError("form_not_open", form=campaign_form.form.code)
    days = answered_days(session, campaign_form)
    last = today - timedelta(days=1)
    if days is not None and days[1] > last:
        last = days[1]
    record(session, campaign_form, "close", reason, user_id)
    campaign_form.closes_on = max(last, campaign_form.opens_on)
    session.flush()
    return campaign_form.closes_on


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise CampaignError("reason_missing")
    if len(reason) > MAX_REASON:
        raise CampaignError("reason_too_long", max=MAX_REASON)
    return reason


def record(session: Session, campaign_form: CampaignForm, action: str, reason: str,
           user_id: int | None) -> None:
    session.add(WindowChange(campaign_form=campaign_form, action=action, reason=reason,
                             opens_on_before=campaign_form.opens_on,
                             closes_on_before=campaign_form.closes_on, changed_by_id=user_id))
