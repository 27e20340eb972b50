"""Recognition pages: the campaign's dossiers, one dossier, the decision, the deadlines."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey_app.access import role_required
from survey_app.access import visible_commune_ids
from survey_app.clock import today_in_vietnam
from survey_app.database import ConcurrentChange
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.inputs import valid_id
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Dossier
from survey_app.models import Evidence
from survey_app.models import Role
from survey_app.recognition import bp
from survey_app.recognition import presenters
from survey_app.services.recognition import deadlines as deadlines_service
from survey_app.services.recognition import decisions
from survey_app.services.recognition import dossiers
from survey_app.services.recognition import evidence as evidence_service
from survey_app.services.results.campaign import visible_campaigns

READERS = dossiers.READERS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def helpers() -> dict:
    return {"points": presenters.points, "rate": presenters.rate,
            "state_label": presenters.state_label, "event_label": presenters.event_label,
            "reason_text": presenters.reason_text, "vn_time": presenters.vn_time,
            "standing_label": presenters.standing_label, "Role": Role}


def evidence_folder() -> Path:
    configured = current_app.config.get("RECOGNITION_EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "evidence"


def campaign_in_scope(campaign_id: int) -> Campaign:
    """The campaign if the user sees a commune of its province; 404 otherwise."""
    found = next((c for c in visible_campaigns(db.session, visible_commune_ids(current_user))
                  if c.id == campaign_id), None)
    if found is None:
        abort(404)
    return found


def managed_campaign(campaign_id: int) -> Campaign:
    campaign = campaign_in_scope(campaign_id)
    if not dossiers.may_manage(current_user, campaign):
        abort(403)
    return campaign


def dossier_in_scope(campaign_id: int, commune_id: int) -> Dossier:
    """The registered commune's dossier if the user may read it; 404 otherwise."""
    commune = db.session.get(Commune, commune_id)
    campaign = db.session.get(Campaign, campaign_id)
    if (commune is None or campaign is None or commune.province_id != campaign.province_id
            or not dossiers.may_read(current_user, commune)):
        abort(404)
    dossier = dossiers.dossier_for(db.session, campaign_id, commune_id)
    if dossier is None:
        abort(404)
    return dossier


def back_to(dossier: Dossier):
    return redirect(url_for(".dossier", campaign_id=dossier.campaign_id,
                            commune_id=dossier.commune_id), code=303)


def run(step, *args, done: str | None = None):
    """Run a service step in one unit of work; a refusal is flashed, never half-written."""
    try:
        with unit_of_work(db.session):
            result = step(db.session, *args)
    except DomainError as error:
        flash(describe(error), "error")
        return False
    except ConcurrentChange:
        flash(_("Someone did the same at the same moment. Check the page and try again."),
              "error")
        return False
    if done:
        flash(done)
    return result if result is not None else True


@bp.get("/")
@role_required(*READERS)
def index():
    """The campaign's registered communes and their dossiers; registration for the committee."""
    campaigns = visible_campaigns(db.session, visible_commune_ids(current_user))
    wanted = valid_id(request.args.get("campaign", "")) if request.args.get("campaign") else None
    campaign = next((c for c in campaigns if c.id == wanted), None) if wanted else (
        campaigns[0] if campaigns else None)
    if wanted and campaign is None:
        abort(404)
    if campaign is None:
        return render_template("recognition/index.html", campaign=None, campaigns=campaigns)
    if current_user.role is Role.commune_official and current_user.commune_id and \
            dossiers.dossier_for(db.session, campaign.id, current_user.commune_id):
        return redirect(url_for(".dossier", campaign_id=campaign.id,
                                commune_id=current_user.commune_id))
    communes = dossiers.visible_campaign_communes(db.session, campaign, current_user)
    return render_template(
        "recognition/index.html", campaign=campaign, campaigns=campaigns, communes=communes,
        registered=dossiers.registered_ids(db.session, campaign),
        rows=presenters.dossier_rows(db.session, campaign, [c.id for c in communes]),
        manages=dossiers.may_manage(current_user, campaign))


@bp.post("/<int:campaign_id>/dang-ky")
@role_required(Role.steering)
def register(campaign_id: int):
    """Keep the registrations: the ticked communes are registered, the others are not."""
    campaign = managed_campaign(campaign_id)
    ids = {valid_id(v) for v in request.form.getlist("commune")}
    if None in ids:
        abort(400)
    result = run(dossiers.set_registrations, campaign, current_user, ids)
    if result:
        flash(_("Registrations saved: %(added)s added, %(removed)s withdrawn.",
                added=result[0], removed=result[1]))
    return redirect(url_for(".index", campaign=campaign.id), code=303)


@bp.get("/<int:campaign_id>/xa/<int:commune_id>")
@role_required(*READERS)
def dossier(campaign_id: int, commune_id: int):
    """One commune's dossier: scores, notes, evidence, the survey part, the steps so far."""
    found = dossier_in_scope(campaign_id, commune_id)
    seen = dossiers.view(db.session, found)
    user = current_user
    commune = found.commune
    today = today_in_vietnam()
    return render_template(
        "recognition/dossier.html", d=found, seen=seen,
        editable=dossiers.may_edit(user, commune) and found.state in dossiers.EDITABLE,
        reviews=found.state.value == "submitted" and dossiers.may_review(user, commune),
        decides=found.state.value == "reviewed" and dossiers.may_decide(user, commune),
        reports=[s for s in deadlines_service.deadline_statuses(
            db.session, found.campaign, select(Commune.id).where(Commune.id == commune.id),
            today) if s.deadline.kind != "dossier"],
        max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024))


@bp.post("/<int:campaign_id>/xa/<int:commune_id>/diem")
@role_required(Role.commune_official)
def save_scores(campaign_id: int, commune_id: int):
    """Save the commune's points and notes (every entry checked before any is written)."""
    found = dossier_in_scope(campaign_id, commune_id)
    if not dossiers.may_edit(current_user, found.commune):
        abort(403)
    codes = dossiers.view(db.session, found).rules.typed_codes()
    entries = {code: (request.form.get(f"points_{code}", ""), request.form.get(f"note_{code}",
                                                                               ""))
               for code in codes if f"points_{code}" in request.form}
    run(dossiers.save_scores, found, current_user, entries, done=_("Scores saved."))
    return back_to(found)


@bp.post("/<int:campaign_id>/xa/<int:commune_id>/minh-chung")
@role_required(Role.commune_official)
def upload_evidence(campaign_id: int, commune_id: int):
    """Attach an evidence file (PDF, PNG or JPEG, checked by its content) to an item."""
    found = dossier_in_scope(campaign_id, commune_id)
    if not dossiers.may_edit(current_user, found.commune):
        abort(403)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to attach."), "error")
        return back_to(found)
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    content = upload.stream.read(limit + 1)
    run(evidence_service.add_evidence, found, current_user, request.form.get("code", ""),
        upload.filename, content, evidence_folder(), limit, done=_("File attached."))
    return back_to(found)


@bp.get("/<int:campaign_id>/xa/<int:commune_id>/minh-chung/<int:evidence_id>")
@role_required(*READERS)
def evidence(campaign_id: int, commune_id: int, evidence_id: int):
    """Download an evidence file: always as an attachment, never shown inline."""
    found = dossier_in_scope(campaign_id, commune_id)
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.dossier_id != found.id:
        abort(404)
    path = evidence_service.evidence_path(evidence_folder(), item)
    if not path.is_file():
        abort(404)
    # Read whole (at most EVIDENCE_MAX_BYTES): no file handle outlives the request.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=item.content_type,
                         as_attachment=True,
                         download_name=item.file_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:campaign_id>/xa/<int:commune_id>/nop")
@role_required(Role.commune_official)
def submit(campaign_id: int, commune_id: int):
    """Hand the dossier in: the survey part is computed now and kept with its rulebook."""
    found = dossier_in_scope(campaign_id, commune_id)
    if not dossiers.may_edit(current_user, found.commune):
        abort(403)
    run(dossiers.submit, found, current_user, done=_("Dossier submitted for review."))
    return back_to(found)


@bp.post("/<int:campaign_id>/xa/<int:commune_id>/tham-dinh")
@role_required(Role.grouping, Role.steering)
def review(campaign_id: int, commune_id: int):
    """The reviewer's or the province's step: accept, approve, reject or return."""
    found = dossier_in_scope(campaign_id, commune_id)
    commune = found.commune
    if not (dossiers.may_review(current_user, commune)
            or dossiers.may_decide(current_user, commune)):
        abort(403)
    if run(dossiers.review, found, current_user, request.form.get("action", ""),
           request.form.get("reason", "")):
        flash(_("The dossier is now: %(state)s.", state=presenters.state_label(found.state)))
    return back_to(found)


@bp.post("/<int:campaign_id>/xa/<int:commune_id>/dieu-chinh")
@role_required(Role.grouping, Role.steering)
def adjust(campaign_id: int, commune_id: int):
    """A reviewer changes one score, with the reason recorded."""
    found = dossier_in_scope(campaign_id, commune_id)
    commune = found.commune
    if not (dossiers.may_review(current_user, commune)
            or dossiers.may_decide(current_user, commune)):
        abort(403)
    run(dossiers.adjust, found, current_user, request.form.get("code", ""),
        request.form.get("points", ""), request.form.get("reason", ""),
        done=_("Score changed; the reason is recorded."))
    return back_to(found)


@bp.post("/<int:campaign_id>/xa/<int:commune_id>/bao-cao")
@role_required(Role.commune_official)
def file_report(campaign_id: int, commune_id: int):
    """The commune records a periodic report as sent."""
    found = dossier_in_scope(campaign_id, commune_id)
    if not dossiers.may_edit(current_user, found.commune):
        abort(403)
    run(deadlines_service.file_report, found.campaign, found.commune, current_user,
        valid_id(request.form.get("deadline", "")), done=_("Report recorded as sent."))
    return back_to(found)


@bp.get("/<int:campaign_id>/quyet-dinh")
@role_required(Role.steering)
def decision(campaign_id: int):
    """The approved communes, and the decision recognising them once issued."""
    campaign = managed_campaign(campaign_id)
    issued = decisions.decision_of(db.session, campaign)
    return render_template(
        "recognition/decision.html", campaign=campaign, issued=issued,
        approved=decisions.approved_dossiers(db.session, campaign),
        rows=decisions.annex_rows(db.session, issued) if issued else [],
        today=today_in_vietnam())


@bp.post("/<int:campaign_id>/quyet-dinh")
@role_required(Role.steering)
def decision_issue(campaign_id: int):
    """Record the chairman's decision: every approved commune becomes recognised."""
    campaign = managed_campaign(campaign_id)
    form = request.form
    number, signer, title = (form.get(k, "").strip() for k in ("number", "signer_name",
                                                              "signer_title"))
    try:
        decided_on = date.fromisoformat(form.get("decided_on", "").strip())
    except ValueError:
        decided_on = None
    if not (number and signer and title and decided_on) or max(
            len(number), len(signer), len(title)) > 60:
        flash(_("Give the decision's number, date, signer and title (at most 60 characters "
                "each)."), "error")
    else:
        run(decisions.issue, campaign, current_user, number, decided_on, signer, title,
            done=_("Decision recorded: the approved communes are recognised."))
    return redirect(url_for(".decision", campaign_id=campaign.id), code=303)


def issued_or_404(campaign: Campaign):
    issued = decisions.decision_of(db.session, campaign)
    if issued is None:
        abort(404)
    return issued


@bp.get("/<int:campaign_id>/quyet-dinh/phu-luc.pdf")
@role_required(Role.steering)
def annex_pdf(campaign_id: int):
    """The annex to the decision, in the official layout."""
    issued = issued_or_404(managed_campaign(campaign_id))
    return Response(decisions.annex_pdf(db.session, issued), mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="phu-luc-quyet-dinh'
                             f'-{issued.id}.pdf"', "Cache-Control": "no-store"})


@bp.get("/<int:campaign_id>/quyet-dinh/phu-luc.xlsx")
@role_required(Role.steering)
def annex_xlsx(campaign_id: int):
    """The same list as a workbook."""
    issued = issued_or_404(managed_campaign(campaign_id))
    return Response(decisions.annex_xlsx(db.session, issued), mimetype=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="phu-luc-quyet-dinh'
                             f'-{issued.id}.xlsx"', "Cache-Control": "no-store"})


@bp.get("/<int:campaign_id>/han-bao-cao")
@role_required(Role.steering, Role.grouping)
def deadlines(campaign_id: int):
    """The campaign's reporting dates: what is due, and which communes are late."""
    campaign = campaign_in_scope(campaign_id)
    return render_template(
        "recognition/deadlines.html", campaign=campaign,
        statuses=deadlines_service.deadline_statuses(
            db.session, campaign, visible_commune_ids(current_user), today_in_vietnam()),
        manages=dossiers.may_manage(current_user, campaign), kinds=presenters.deadline_kinds(),
        year=today_in_vietnam().year)


@bp.post("/<int:campaign_id>/han-bao-cao")
@role_required(Role.steering)
def deadline_add(campaign_id: int):
    """Add a reporting date to the campaign."""
    campaign = managed_campaign(campaign_id)
    try:
        due_on = date.fromisoformat(request.form.get("due_on", "").strip())
    except ValueError:
        due_on = None
    run(deadlines_service.add_deadline, campaign, current_user, request.form.get("kind", ""),
        request.form.get("title", ""), due_on, done=_("Reporting date added."))
    return redirect(url_for(".deadlines", campaign_id=campaign.id), code=303)
