"""API views: the same results as the dashboard, for the same users, as JSON.

Session authentication (the staff login); each answer covers only the communes the user
may see. Free-text answers are never served here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import abort
from flask import jsonify
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from survey_app.access import visible_commune_ids
from survey_app.api import bp
from survey_app.api import serialize
from survey_app.extensions import db
from survey_app.inputs import FIRST_DATE
from survey_app.inputs import LAST_DATE
from survey_app.inputs import valid_date
from survey_app.inputs import valid_id
from survey_app.inputs import whole_number
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Role
from survey_app.services.results import campaign as results_service
from survey_app.services.results import exports
from survey_app.services.results import kept
from survey_app.services.results.rulebooks import UnknownRulebook

API_ROLES = (Role.admin, Role.steering, Role.grouping, Role.commune_official, Role.coordinator)


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    messages = {
        400: _("The request has an invalid parameter."),
        401: _("Sign in first."),
        403: _("You do not have access to this page."),
        404: _("The page you asked for does not exist."),
    }
    message = error.description if error.code == 400 and error.description else messages.get(
        error.code or 500, _("The request could not be handled."))
    return jsonify({"error": {"code": error.code, "message": str(message)}}), error.code


def api_view(view: Callable) -> Callable:
    """Signed-in users with a dashboard role; JSON 401/403 rather than a login redirect."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            abort(401)
        if current_user.role not in API_ROLES:
            abort(403)
        response = jsonify(view(*args, **kwargs))
        response.headers["Cache-Control"] = "private, no-store"
        return response

    return wrapped


def int_param(name: str) -> int | None:
    """The id in ``name``, None if absent; 400 if it is no whole number, 404 if it is one no
    id can be (past 32 bits), as for an id that does not exist."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if whole_number(raw) is None:
        abort(400, _("%(name)s must be a whole number.", name=name))
    return valid_id(raw) or abort(404)


def date_param(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    return valid_date(raw) or abort(400, _(
        "%(name)s must be a date (YYYY-MM-DD) from %(first)s to %(last)s.", name=name,
        first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat()))


def visible_campaign(campaign_id: int) -> Campaign:
    visible = visible_commune_ids(current_user)
    for campaign in results_service.visible_campaigns(db.session, visible):
        if campaign.id == campaign_id:
            return campaign
    abort(404)


def results_for(campaign: Campaign, visible=None) -> results_service.CampaignResults:
    grouping_id = int_param("grouping")
    visible = visible if visible is not None else visible_commune_ids(current_user)
    if grouping_id is not None and not db.session.scalar(
        select(Commune.id).where(Commune.grouping_id == grouping_id,
                                 Commune.province_id == campaign.province_id,
                                 Commune.id.in_(visible)).limit(1)
    ):
        abort(404)
    try:
        return kept.kept_results(
            db.session, campaign, visible, grouping_id=grouping_id,
            rulebook_id=int_param("rulebook"), until=date_param("until"))
    except UnknownRulebook:
        abort(404)


@bp.get("/campaigns")
@api_view
def campaigns():
    """List the campaigns the user can see, newest first."""
    visible = visible_commune_ids(current_user)
    items = results_service.visible_campaigns(db.session, visible)
    return {"campaigns": [serialize.campaign(c) for c in items]}


@bp.get("/campaigns/<int:campaign_id>/summary")
@api_view
def summary(campaign_id: int):
    """The headline: communes meeting against the target, by grouping and by form."""
    results = results_for(visible_campaign(campaign_id))
    evaluation = results.evaluation
    return {
        **serialize.envelope(results),
        "overall": serialize.progress(evaluation.overall),
        "valid": evaluation.valid,
        "flagged": evaluation.flagged,
        # The headline as it would be with the flagged responses counted (docs/INTEGRITY.md).
        "with_flagged": serialize.progress((results.with_flagged or evaluation).overall),
        "target_deadline": results.rulebook.rules.target_deadline.isoformat()
        if results.rulebook.rules.target_deadline else None,
        "groupings": [serialize.progress(g, results.groupings.get(g.grouping_id) or "")
                      for g in evaluation.groupings],
        "forms": [serialize.form_overview(f) for f in exports.form_overview(results)],
        "samples": [serialize.sample(s) for s in evaluation.samples],
    }


@bp.get("/campaigns/<int:campaign_id>/communes")
@api_view
def communes(campaign_id: int):
    """Every commune in view: its status, and per form its counts, rate and interval."""
    results = results_for(visible_campaign(campaign_id))
    with_them = {s.commune.id: s.status.value
                 for s in (results.with_flagged or results.evaluation).statuses}
    return {
        **serialize.envelope(results),
        "communes": [{**serialize.commune(s, results.groupings),
                      "status_with_flagged": with_them[s.commune.id]}
                     for s in results.evaluation.statuses],
    }


@bp.get("/campaigns/<int:campaign_id>/communes/<int:commune_id>")
@api_view
def commune(campaign_id: int, commune_id: int):
    """One commune: its results, its weekly trend per form, and answer distributions."""
    campaign = visible_campaign(campaign_id)
    only = select(Commune.id).where(Commune.id == commune_id,
                                    Commune.id.in_(visible_commune_ids(current_user)))
    results = results_for(campaign, only)
    if not results.evaluation.statuses:
        abort(404)
    weeks = results_service.commune_trend(db.session, results, commune_id)
    return {
        **serialize.envelope(results),
        "commune": serialize.commune(results.evaluation.statuses[0], results.groupings),
        "weeks": [serialize.form_week(w) for w in weeks],
        "questions": {
            form.code: [serialize.distribution(d) for d in
                        results_service.question_distributions(db.session, results, form)]
            for form in results.forms
        },
    }
