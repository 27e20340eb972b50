"""The quality of field work, for coordinators and the committee: surveyors ranked by how
their interviews were done, and the week's back-check list with the call-backs' results."""

from __future__ import annotations

from datetime import timedelta

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from analytics.interview_quality import ORIENTATION
from survey_app.access import role_required
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.inputs import valid_date
from survey_app.inputs import valid_id
from survey_app.models import Campaign
from survey_app.models import Role
from survey_app.models.back_checks import BACK_CHECK_RESULTS
from survey_app.services.field_quality.ranking import field_staff
from survey_app.services.field_quality.ranking import list_for
from survey_app.services.field_quality.ranking import pick_week
from survey_app.services.field_quality.ranking import record_result
from survey_app.services.field_quality.ranking import surveyor_ranking
from survey_app.services.field_quality.ranking import week_seed
from survey_app.services.field_quality.ranking import week_start
from survey_app.services.people.assignments import user_campaigns
from survey_app.writes import attempt

QUALITY_ROLES = (Role.coordinator, Role.steering)


def chosen_campaign() -> tuple[list[Campaign], Campaign | None]:
    campaigns = user_campaigns(db.session, current_user)
    wanted = valid_id(request.values.get("campaign", ""))
    campaign = next((c for c in campaigns if c.id == wanted), None)
    if wanted is not None and campaign is None:
        abort(404)
    return campaigns, campaign or (campaigns[0] if campaigns else None)


@bp.get("/chat-luong")
@role_required(*QUALITY_ROLES)
def quality():
    """Surveyors ranked, most unusual first, and one week's back-check list."""
    campaigns, campaign = chosen_campaign()
    week = week_start(valid_date(request.args.get("week", "")) or today_in_vietnam())
    ranking = checks = []
    if campaign is not None:
        ranking = surveyor_ranking(db.session, campaign, current_user, week_seed(
            current_app.config["SECRET_KEY"], campaign.id, week.replace(month=1, day=1)))
        checks = list_for(db.session, campaign, field_staff(current_user), week)
    scored = [r for r in ranking if r.quality.score is not None]
    return render_template(
        "field/quality.html", campaigns=campaigns, campaign=campaign, week=week,
        previous_week=week - timedelta(days=7), next_week=week + timedelta(days=7),
        ranking=ranking, top=max(1, round(len(scored) * 0.10)) if scored else 0,
        indicators=list(ORIENTATION), checks=checks, results=BACK_CHECK_RESULTS)


@bp.post("/chat-luong/<int:campaign_id>/tuan")
@role_required(*QUALITY_ROLES)
def quality_pick(campaign_id: int):
    """Make the week's back-check list (once: a week keeps its list)."""
    campaign = next((c for c in user_campaigns(db.session, current_user)
                     if c.id == campaign_id), None) or abort(404)
    week = week_start(valid_date(request.form.get("week", "")) or today_in_vietnam())
    with unit_of_work(db.session):
        picked = pick_week(db.session, campaign, current_user, week,
                           current_app.config["SECRET_KEY"])
    if not picked:
        flash(_("No interview was received that week: there is nothing to call back."),
              "error")
    return redirect(url_for("field.quality", campaign=campaign.id, week=week.isoformat()),
                    code=303)


@bp.post("/chat-luong/kiem-tra/<int:back_check_id>")
@role_required(*QUALITY_ROLES)
def quality_record(back_check_id: int):
    """Record what a call-back found."""
    check = attempt(lambda: record_result(
        db.session, current_user, back_check_id, request.form.get("result", ""),
        request.form.get("note", "")))
    if check is not None:
        flash(_("Call-back recorded."))
    campaign = request.form.get("campaign", "")
    return redirect(url_for("field.quality", campaign=campaign or None,
                            week=request.form.get("week") or None), code=303)
