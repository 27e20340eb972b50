"""What a dashboard request asks for, checked against what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from flask import request
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy import select

from survey_app.access import visible_commune_ids
from survey_app.extensions import db
from survey_app.inputs import valid_date
from survey_app.inputs import valid_id
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Role
from survey_app.services.results import campaign as results_service


@dataclass(frozen=True)
class Filters:
    campaigns: list[Campaign]
    campaign: Campaign | None
    groupings: list[Grouping]
    grouping_id: int | None
    form_code: str | None
    rulebook_id: int | None
    until: date | None
    visible: Select

    def args(self, **override) -> dict:
        """Query arguments that reproduce this choice (for links and exports)."""
        values = {
            "campaign": self.campaign.id if self.campaign else None,
            "grouping": self.grouping_id,
            "form": self.form_code,
            "rulebook": self.rulebook_id,
            "until": self.until.isoformat() if self.until else None,
        }
        values.update(override)
        return {key: value for key, value in values.items() if value not in (None, "")}


def int_arg(name: str) -> int | None:
    """The id in ``name``, None if absent; 404 if it cannot be an id, as none would match."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    return valid_id(raw) or abort(404)


def date_arg(name: str) -> date | None:
    """The date in ``name``, None if absent; 404 if it is no date from FIRST to LAST_DATE."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    return valid_date(raw) or abort(404)


def parse_filters() -> Filters:
    """Read campaign, grouping, form, rulebook and date; 404 for anything not in scope."""
    visible = visible_commune_ids(current_user)
    campaigns = results_service.visible_campaigns(db.session, visible)
    wanted = int_arg("campaign")
    campaign = next((c for c in campaigns if c.id == wanted), None) if wanted else (
        campaigns[0] if campaigns else None)
    if wanted and campaign is None:
        abort(404)
    groupings = visible_groupings(campaign, visible) if campaign else []
    grouping_id = int_arg("grouping")
    if grouping_id is not None and grouping_id not in {g.id for g in groupings}:
        abort(404)
    if current_user.role is Role.grouping and len(groupings) == 1:
        grouping_id = groupings[0].id
    form_code = request.args.get("form", "").strip().upper() or None
    if form_code and campaign and form_code not in {cf.form.code for cf in campaign.forms}:
        abort(404)
    return Filters(campaigns, campaign, groupings, grouping_id, form_code, int_arg("rulebook"),
                   date_arg("until"), visible)


def visible_groupings(campaign: Campaign, visible: Select) -> list[Grouping]:
    """Groupings of the campaign's province holding at least one commune the user sees."""
    holding = select(Commune.grouping_id).where(Commune.id.in_(visible))
    return list(db.session.scalars(
        select(Grouping).where(Grouping.province_id == campaign.province_id,
                               Grouping.id.in_(holding)).order_by(Grouping.name)
    ))
