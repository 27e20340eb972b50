"""Bulk import: download a template, upload it filled in, read the check, confirm."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from survey_app.access import role_required
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.inputs import cleaned
from survey_app.inputs import parse_id
from survey_app.messages import describe
from survey_app.messages import describe_import_problem
from survey_app.models import Role
from survey_app.services.bulk_import.files import csv_template
from survey_app.services.bulk_import.files import xlsx_template
from survey_app.services.bulk_import.imports import check_upload
from survey_app.services.bulk_import.imports import discard_batch
from survey_app.services.bulk_import.imports import find_batch
from survey_app.services.bulk_import.imports import is_expired
from survey_app.services.bulk_import.imports import recent_batches
from survey_app.services.bulk_import.imports import record_check
from survey_app.services.bulk_import.imports import store_batch
from survey_app.services.bulk_import.templates import fill_in_instructions
from survey_app.services.bulk_import.templates import guide_rows
from survey_app.services.bulk_import.templates import kind_label
from survey_app.services.bulk_import.templates import template_columns
from survey_app.services.bulk_import.templates import template_name
from survey_app.services.bulk_import.templates import value_hint
from survey_app.services.people.entry import EntryForm
from survey_app.services.people.entry import entry_forms
from survey_app.services.people.entry import find_entry_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Problems shown on the page; the count says how many more there are.
SHOWN_PROBLEMS = 300


def user_entry_form(campaign_form_id: int) -> EntryForm:
    """The entry form if the user may import it today; 404 otherwise (as for a wrong id)."""
    entry = find_entry_form(db.session, current_user, campaign_form_id, today_in_vietnam())
    if entry is None:
        abort(404)
    return entry


def render_import_page(*, problems=None, report=None, chosen=None, status=200, alert=None):
    # Only the problems shown are worded: a file may have thousands.
    shown = [(problem, describe_import_problem(problem))
             for problem in (problems or [])[:SHOWN_PROBLEMS]]
    return render_template(
        "field/import.html",
        forms=entry_forms(db.session, current_user, today_in_vietnam()),
        batches=recent_batches(db.session, current_user),
        problems=shown, problem_count=len(problems or []),
        report=report, chosen=chosen, alert=alert,
        max_megabytes=megabytes(current_app.config["MAX_CONTENT_LENGTH"]),
    ), status


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}"


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH, refused before it is read (the CSRF check reads first)."""
    text = _("The file is larger than %(max)s MB. Split it into smaller files and upload them "
             "one by one.", max=megabytes(current_app.config["MAX_CONTENT_LENGTH"]))
    if request.is_json:
        return jsonify(error="too_large", message=text), 413
    if request.endpoint == "field.import_upload" and current_user.is_authenticated:
        return render_import_page(status=413, alert=text)
    return render_template("errors/error.html", title="413", text=text), 413


@bp.get("/nhap-tep")
@role_required(Role.coordinator, Role.surveyor)
def imports():
    """List the forms to import, their templates, the upload form and recent uploads."""
    return render_import_page(chosen=request.args.get("form", type=parse_id))


@bp.get("/nhap-tep/mau/<int:campaign_form_id>.<any(csv, xlsx):extension>")
@role_required(Role.coordinator, Role.surveyor)
def import_template(campaign_form_id: int, extension: str):
    """Download the blank template of a form's current version, as CSV or Excel."""
    entry = user_entry_form(campaign_form_id)
    columns = template_columns(entry)
    if extension == "csv":
        body, mimetype = csv_template(columns), "text/csv; charset=utf-8"
    else:
        body = xlsx_template(_("Forms"), columns, _("Instructions"), guide_rows(entry),
                             current_app.config["IMPORT_MAX_ROWS"])
        mimetype = XLSX
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{template_name(entry, extension)}"'})


@bp.get("/nhap-tep/huong-dan/<int:campaign_form_id>")
@role_required(Role.coordinator, Role.surveyor)
def import_guide(campaign_form_id: int):
    """Show, for one form, every column of the template and the answers it accepts."""
    entry = user_entry_form(campaign_form_id)
    definition = entry.version.parsed
    questions = {question.id: question for question in definition.questions}
    return render_template(
        "field/import_guide.html", entry=entry, definition=definition,
        columns=template_columns(entry), questions=questions,
        hints={qid: f"{kind_label(q)}: {value_hint(q)}" for qid, q in questions.items()},
        instructions=fill_in_instructions())


@bp.post("/nhap-tep")
@role_required(Role.coordinator, Role.surveyor)
def import_upload():
    """Check an uploaded file and show the report; store nothing yet."""
    upload = request.files.get("file")
    campaign_form_id = request.form.get("campaign_form_id", type=parse_id)
    entry = find_entry_form(db.session, current_user, campaign_form_id or 0, today_in_vietnam())
    if entry is None:
        return render_import_page(status=422, alert=_("Choose one of your forms."))
    if upload is None or not upload.filename:
        return render_import_page(status=422, chosen=entry.campaign_form.id,
                                  alert=_("Choose the file to upload."))
    # The name is only a label on the report: what cannot be stored is dropped from it.
    report = check_upload(db.session, current_user, entry, cleaned(upload.filename), upload.read(),
                          today_in_vietnam(), current_app.config["IMPORT_MAX_ROWS"])
    with unit_of_work(db.session):
        record_check(db.session, report)
    if report.problems:
        return render_import_page(problems=report.problems, report=report,
                                  chosen=entry.campaign_form.id, status=422)
    return render_template("field/import_batch.html", batch=report.batch,
                           new_by_commune=report.new_by_commune, expired=False)


@bp.get("/nhap-tep/lo/<int:batch_id>")
@role_required(Role.coordinator, Role.surveyor)
def import_batch(batch_id: int):
    """Show one upload: what it will store, or what it stored."""
    batch = find_batch(db.session, current_user, batch_id) or abort(404)
    return render_template("field/import_batch.html", batch=batch, new_by_commune=None,
                           expired=is_expired(batch))


@bp.post("/nhap-tep/lo/<int:batch_id>/luu")
@role_required(Role.coordinator, Role.surveyor)
def import_confirm(batch_id: int):
    """Store every new row of a checked upload, all or nothing."""
    try:
        with unit_of_work(db.session):
            batch = store_batch(db.session, current_user, batch_id, today_in_vietnam())
    except DomainError as refusal:
        flash(describe(refusal), "error")
        return redirect(url_for("field.imports"))
    flash(_("%(count)s responses stored.", count=batch.stored_count), "success")
    return redirect(url_for("field.import_batch", batch_id=batch.id))


@bp.post("/nhap-tep/lo/<int:batch_id>/huy")
@role_required(Role.coordinator, Role.surveyor)
def import_discard(batch_id: int):
    """Cancel a checked upload: nothing from it is stored."""
    with unit_of_work(db.session):
        discard_batch(db.session, current_user, batch_id) or abort(404)
    flash(_("The upload was cancelled; nothing from it was stored."), "success")
    return redirect(url_for("field.imports"))
