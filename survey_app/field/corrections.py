"""Corrections: the list of sheets a field worker entered, and voiding or replacing one."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.access import role_required
from survey_app.clock import now_utc
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.views import chosen_campaign
from survey_app.inputs import valid_id
from survey_app.inputs import whole_number
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Response
from survey_app.services.corrections import corrections as service
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.people.assignments import user_campaigns


@bp.get("/phieu-da-nhap")
@role_required(*service.CORRECTOR_ROLES)
def sheets():
    """The sheets the user entered (a coordinator: their organisation's), newest first, a page
    at a time, each with "Void" and "Correct" while its window is open; superseded ones
    marked. ``?sheet=N`` goes to the page that shows sheet N, in whichever campaign."""
    campaigns = user_campaigns(db.session, current_user)
    sought = request.args.get("sheet", "").strip()
    if sought:
        found = sheet_url(valid_id(sought), campaigns)
        if found is not None:
            return redirect(found, code=303)
    campaign = chosen_campaign(campaigns)
    page = min(max(whole_number(request.args.get("page", "1")) or 1, 1), 10_000)
    rows, total = (service.entered_sheets(db.session, current_user, campaign, page,
                                          service.PER_PAGE)
                   if campaign is not None else ([], 0))
    return render_template("field/sheets.html", campaigns=campaigns, campaign=campaign,
                           rows=rows, total=total, page=page,
                           pages=max(1, -(-total // service.PER_PAGE)),
                           first=(page - 1) * service.PER_PAGE + 1, sought=sought[:20],
                           now=now_utc(), max_reason=service.MAX_REASON,
                           days=service.correction_days(db.session, campaign)
                           if campaign is not None else None)


def sheet_url(sheet: int | None, campaigns: list[Campaign]) -> str | None:
    """The list's page that shows ``sheet``, if the user may correct it in one of
    ``campaigns``."""
    response = db.session.get(Response, sheet) if sheet is not None else None
    campaign = next((c for c in campaigns if response is not None
                     and c.id == response.campaign_id), None)
    if campaign is None:
        return None
    page = service.page_of_sheet(db.session, current_user, campaign, sheet,
                                 service.PER_PAGE)
    if page is None:
        return None
    return url_for("field.sheets", campaign=campaign.id, page=page) + f"#phieu-{sheet}"


def refused(error: DomainError, response_id: int):
    """A sheet the user may not correct is one they may not see (404, like any other
    record out of scope); any other refusal is said on the list."""
    if error.code == "correction_not_yours":
        abort(404)
    flash(describe(error), "error")
    return back_to_list(response_id)


def back_to_list(response_id: int):
    """The list, at the page that shows the sheet."""
    campaigns = user_campaigns(db.session, current_user)
    return redirect(sheet_url(response_id, campaigns) or url_for("field.sheets"), code=303)


@bp.post("/phieu/<int:response_id>/huy")
@role_required(*service.CORRECTOR_ROLES)
def void(response_id: int):
    """Void a sheet entered in error, with a reason; it is kept, marked, and not counted."""
    try:
        with unit_of_work(db.session):
            service.void_response(db.session, current_user, response_id,
                                  request.form.get("reason", ""), now_utc())
    except DomainError as error:
        return refused(error, response_id)
    flash(_("Sheet %(id)s voided. It is kept, marked, and no longer counted.", id=response_id))
    return back_to_list(response_id)


def render_replace(original: Response, answers, errors=None, reason="", alert=None,
                   status=200):
    definition = service.definition_of(db.session, original)
    return render_template(
        "field/replace.html", original=original, definition=definition,
        commune=db.session.get(Commune, original.commune_id),
        campaign=db.session.get(Campaign, original.campaign_id), answers=answers,
        errors={qid: describe(error) for qid, error in (errors or {}).items()},
        reason=reason, alert=alert, max_reason=service.MAX_REASON,
    ), status


@bp.get("/phieu/<int:response_id>/sua")
@role_required(*service.CORRECTOR_ROLES)
def replace(response_id: int):
    """The sheet's answers, prefilled, to correct and save as a new sheet in its place."""
    try:
        original = service.correctable(db.session, current_user, response_id, now_utc())
    except DomainError as error:
        return refused(error, response_id)
    return render_replace(original, service.answers_of(original))


@bp.post("/phieu/<int:response_id>/sua")
@role_required(*service.CORRECTOR_ROLES)
def replace_submit(response_id: int):
    """Store the corrected sheet and mark the original superseded by it."""
    reason = request.form.get("reason", "")
    try:
        with unit_of_work(db.session):
            original = service.correctable(db.session, current_user, response_id, now_utc())
            definition = service.definition_of(db.session, original)
            raw = {q.id: request.form.getlist(q.id) for q in definition.questions}
            outcome = service.replace_response(db.session, current_user, response_id, raw,
                                               reason, now_utc())
    except service.CorrectionRefused as error:
        original = db.session.get(Response, response_id)
        if original is None or error.code == "correction_not_yours":
            abort(404)
        if error.code in ("correction_reason_missing", "correction_reason_too_long",
                          "correction_unchanged"):
            # The typed corrections are kept: only the reason (or a change) is missing.
            return render_replace(original, {q.id: request.form.getlist(q.id) for q in
                                             service.definition_of(db.session, original)
                                             .questions},
                                  reason=reason, alert=describe(error), status=422)
        flash(describe(error), "error")
        return back_to_list(response_id)
    if isinstance(outcome, AnswerErrors):
        return render_replace(original, raw, errors=outcome.errors, reason=reason, status=422,
                              alert=_("Some answers need your attention. They are marked "
                                      "below."))
    flash(_("Sheet %(old)s replaced by sheet %(new)s. The original is kept, marked, and no "
            "longer counted.", old=outcome.original_id, new=outcome.replacement_id))
    return back_to_list(outcome.replacement_id)
