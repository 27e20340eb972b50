"""The committee's view of suspicious QR responses: the communes ranked by suspicion, a
commune's integrity panel, decisions on flagged groups, and recomputation.

Commune officials never come here: they see only how many of their responses were left out
(dashboard/commune.html), not which device or rule, so that nobody can probe the rules.
"""

from __future__ import annotations

from dataclasses import replace

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from analytics.integrity_charts import timeline_bars
from survey_app.access import role_required
from survey_app.clock import VIETNAM
from survey_app.dashboard import bp
from survey_app.dashboard import presenters
from survey_app.dashboard.filters import parse_filters
from survey_app.dashboard.views import load_results
from survey_app.dashboard.views import page_context
from survey_app.dashboard.views import visible_commune
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import FLAG_REASONS
from survey_app.messages import describe
from survey_app.models import Commune
from survey_app.models import ReviewDecision
from survey_app.models import Role
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results import integrity

#: Who sees the integrity pages (admins always); only the steering committee decides.
VIEW_ROLES = (Role.steering, Role.grouping)
DECIDE_ROLES = (Role.steering,)

KINDS = {"device": _l("from one device"), "network": _l("from one network"),
         "surveyor": _l("entered by one surveyor, one of whose interviews a call-back found "
                        "never took place")}


def reason_label(code: str) -> str:
    return str(FLAG_REASONS.get(code, code))


def group_title(group: integrity.FlaggedGroup, commune_name: str) -> str:
    """"47 responses from one device in 12 minutes, Phường X, PKS07"."""
    kind = KINDS.get(group.kind)
    if kind is None:
        kind = _("for: %(reason)s", reason=reason_label(group.kind))
    if group.minutes <= 180:
        return _("%(n)s responses %(kind)s in %(minutes)s minutes, %(commune)s, %(form)s",
                 n=len(group.response_ids), kind=kind, minutes=group.minutes,
                 commune=commune_name, form=group.form_code)
    return _("%(n)s responses %(kind)s over %(days)s days, %(commune)s, %(form)s",
             n=len(group.response_ids), kind=kind, days=max(1, round(group.minutes / 1440)),
             commune=commune_name, form=group.form_code)


def may_decide() -> bool:
    return current_user.role in (Role.admin, *DECIDE_ROLES)


def filtered_results():
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    return filters, load_results(filters)


@bp.get("/toan-ven")
@role_required(*VIEW_ROLES)
def integrity_index():
    """The province's communes ranked by suspicion, and the headline with and without the
    flagged responses."""
    filters, results = filtered_results()
    headline = integrity.headline(results)
    panels = integrity.commune_integrity(db.session, results)
    names = {c.id: c.name for c in results.communes}
    return render_template(
        "dashboard/integrity/index.html", **page_context(filters, results),
        headline=headline, ranked=integrity.ranked(panels, headline.changed), names=names,
        reason_label=reason_label, may_decide=may_decide(),
        qr_total=sum(p.qr for p in panels.values()))


def commune_results(commune_id: int):
    """The filters, the commune (404 outside the user's scope) and its results alone."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    commune = visible_commune(filters, commune_id)
    only = select(Commune.id).where(Commune.id == commune.id)
    return filters, commune, load_results(replace(filters, grouping_id=None), only)


@bp.get("/toan-ven/xa/<int:commune_id>")
@role_required(*VIEW_ROLES)
def integrity_commune(commune_id: int):
    """A commune's integrity panel: flagged counts by reason, the share of its QR responses
    left out, a timeline that shows bursts, and its flagged groups to decide on."""
    filters, commune, results = commune_results(commune_id)
    panel = integrity.commune_integrity(db.session, results, commune.id).get(
        commune.id) or integrity.CommuneIntegrity(commune.id)
    headline = integrity.headline(results)
    points = integrity.timeline(db.session, results.campaign.id, commune.id)
    chart = presenters.chart("timeline", _("Responses by quarter hour"), timeline_bars(
        [(p.start, p.counted, p.excluded) for p in points], _("Counted"), _("Left out"),
        _("Responses")))
    return render_template(
        "dashboard/integrity/commune.html", **page_context(filters, results), commune=commune,
        panel=panel, changed=headline.changed.get(commune.id), chart=chart,
        titles={g.key: group_title(g, commune.name) for g in panel.groups},
        reason_label=reason_label, may_decide=may_decide(), ReviewDecision=ReviewDecision,
        vn_tz=VIETNAM)


@bp.post("/toan-ven/xa/<int:commune_id>/quyet-dinh")
@role_required(*DECIDE_ROLES)
def integrity_decide(commune_id: int):
    """Confirm a flagged group as excluded, or restore it, with a required reason."""
    filters, commune, results = commune_results(commune_id)
    group = integrity.find_group(db.session, results, request.form.get("group", ""))
    decision = {d.value: d for d in ReviewDecision}.get(request.form.get("decision", ""))
    if group is None or decision is None or group.commune_id != commune.id:
        flash(_("That group has changed since the page was shown: look again."), "error")
    else:
        try:
            with unit_of_work(db.session):
                review = integrity.decide(db.session, results, group, decision,
                                          request.form.get("reason", ""), current_user.id)
                trail.record(db.session, current_user, Action.FLAGS_REVIEWED,
                             target=("campaign", results.campaign.id),
                             province_id=results.campaign.province_id,
                             commune_id=commune.id, decision=decision.value,
                             responses=len(group.response_ids), summary=review.summary,
                             reason=review.reason)
        except DomainError as error:
            flash(describe(error), "error")
        else:
            flash(_("Decision recorded: %(title)s.", title=group_title(group, commune.name)))
    return redirect(url_for(".integrity_commune", commune_id=commune.id, **filters.args()),
                    code=303)


@bp.post("/toan-ven/tinh-lai")
@role_required(*DECIDE_ROLES)
def integrity_recompute():
    """Apply the rulebook in force to the whole campaign again; decisions are kept."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    with unit_of_work(db.session):
        done = integrity.recompute_campaign(db.session, filters.campaign)
        trail.record(db.session, current_user, Action.FLAGS_RECOMPUTED,
                     target=("campaign", filters.campaign.id),
                     province_id=filters.campaign.province_id, responses=done.responses,
                     flagged=done.flagged, excluded=done.excluded, changed=done.changed)
    flash(_("Recomputed %(n)s QR responses: %(flagged)s flagged, %(out)s left out, "
            "%(changed)s changed.", n=done.responses, flagged=done.flagged,
            out=done.excluded, changed=done.changed))
    return redirect(url_for(".integrity_index", **filters.args()), code=303)
