"""Which organisation runs which form in which communes, per campaign (default: DOMAIN.md)."""

from __future__ import annotations

from collections import defaultdict

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.inputs import parse_id
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.models import Form
from survey_app.models import Organisation
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.people.accounts import ensure_organisations
from survey_app.services.people.assignments import campaign_communes
from survey_app.services.people.assignments import default_organisations
from survey_app.services.people.assignments import organisation_map
from survey_app.services.people.assignments import reset_organisations
from survey_app.services.people.assignments import set_organisation

AREAS.append(("admin.assignments", _l("Organisations per form and commune")))


@bp.get("/phan-cong")
@role_required()
def assignments():
    """Show, per campaign form, which organisation runs it in how many communes."""
    campaigns = list(db.session.scalars(
        select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())))
    wanted = request.args.get("campaign", type=int)
    campaign = next((c for c in campaigns if c.id == wanted), campaigns[0] if campaigns else None)
    if campaign is None:
        return render_template("admin/assignments.html", campaigns=[], campaign=None)
    communes = campaign_communes(db.session, campaign)
    runs = organisation_map(db.session, campaign)
    organisations = {o.id: o for o in db.session.scalars(
        select(Organisation).order_by(Organisation.name))}
    defaults = default_organisations(db.session)
    forms = sorted((cf.form for cf in campaign.forms), key=lambda f: f.code)
    spread = {}
    for form in forms:
        by_org = defaultdict(list)
        for commune in communes:
            org = runs.get((form.id, commune.id))
            by_org[org].append(commune)
        spread[form.id] = sorted(by_org.items(), key=lambda item: -len(item[1]))
    return render_template(
        "admin/assignments.html", campaigns=campaigns, campaign=campaign, forms=forms,
        communes=communes, organisations=organisations, defaults=defaults, spread=spread,
        form_id=request.args.get("form", type=int),
    )


@bp.post("/phan-cong/<int:campaign_id>")
@role_required()
def assignments_save(campaign_id: int):
    """Let one organisation run one form in the chosen communes."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = db.session.get(Form, request.form.get("form_id", type=parse_id) or 0)
    organisation = db.session.get(Organisation,
                                  request.form.get("organisation_id", type=parse_id) or 0)
    commune_ids = request.form.getlist("commune_id", type=parse_id)
    if request.form.get("all_communes"):
        commune_ids = [c.id for c in campaign_communes(db.session, campaign)]
    if form is None or organisation is None or not commune_ids:
        flash(_("Choose a form, an organisation and at least one commune."), "error")
        return redirect(url_for("admin.assignments", campaign=campaign_id), code=303)
    try:
        with unit_of_work(db.session):
            changed = set_organisation(db.session, campaign, form, commune_ids, organisation)
            trail.record(db.session, current_user, Action.ORGANISATION_ASSIGNED,
                         target=("campaign", campaign.id), province_id=campaign.province_id,
                         form=form.code, organisation=organisation.code,
                         communes=sorted(commune_ids), changed=changed)
    except DomainError as error:
        flash(describe(error), "error")
        return redirect(url_for("admin.assignments", campaign=campaign_id), code=303)
    flash(_("%(organisation)s now runs %(form)s in %(count)s more communes.",
            organisation=organisation.name, form=form.code, count=changed))
    return redirect(url_for("admin.assignments", campaign=campaign_id, form=form.id), code=303)


@bp.post("/phan-cong/<int:campaign_id>/mac-dinh")
@role_required()
def assignments_reset(campaign_id: int):
    """Go back to the programme table for every form of the campaign."""
    with unit_of_work(db.session):
        campaign = db.get_or_404(Campaign, campaign_id)
        ensure_organisations(db.session)
        reset_organisations(db.session, campaign)
        trail.record(db.session, current_user, Action.ORGANISATIONS_RESET,
                     target=("campaign", campaign.id), province_id=campaign.province_id)
    flash(_("Every form is run again by the organisation of the programme table."))
    return redirect(url_for("admin.assignments", campaign=campaign_id), code=303)
