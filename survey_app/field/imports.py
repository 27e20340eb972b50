"""Bulk import: download a template, upload it filled in, read the check, confirm."""

from __future__ import annotations

from types import SimpleNamespace

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

from survey_app import job_queue
from survey_app.access import role_required
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.inputs import cleaned
from survey_app.inputs import parse_id
from survey_app.models import Role
from survey_app.services.bulk_import.files import csv_template
from survey_app.services.bulk_import.files import xlsx_template
from survey_app.services.bulk_import.imports import discard_batch
from survey_app.services.bulk_import.imports import find_batch
from survey_app.services.bulk_import.imports import is_expired
from survey_app.services.bulk_import.imports import pending_by_commune
from survey_app.services.bulk_import.imports import recent_batches
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


def render_import_page(*, problems=None, problem_count=0, report=None, chosen=None,
                       status=200, alert=None):
    """The import page; ``problems`` are (problem, its words) as the check's job kept them."""
    return render_template(
        "field/import.html",
        forms=entry_forms(db.session, current_user, today_in_vietnam()),
        batches=recent_batches(db.session, current_user),
        problems=problems or [], problem_count=problem_count,
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
    # The check reads up to IMPORT_MAX_ROWS rows: a job (field/import_jobs.py), whose page
    # shows its progress and then the check's report. The name is only a label on the report:
    # what cannot be stored is dropped from it.
    with unit_of_work(db.session):
        job = job_queue.submit(db.session, "import_check", current_user, {
            "campaign_form_id": entry.campaign_form.id, "file_name": cleaned(upload.filename),
            "base_url": request.host_url, "back": url_for("field.imports")},
            upload=upload.read())
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


@bp.get("/nhap-tep/kiem-tra/<int:job_id>")
@role_required(Role.coordinator, Role.surveyor)
def import_report(job_id: int):
    """The problems the check of an upload found (kept with its job): nothing was stored."""
    job = job_queue.find_job(db.session, current_user, job_id)
    if job is None or job.kind != "import_check":
        abort(404)
    result = job.result or {}
    batch = find_batch(db.session, current_user, result.get("batch_id") or 0)
    if batch is None:
        return redirect(url_for("jobs.show", job_id=job.id))
    problems = [(SimpleNamespace(row=p["row"], column=p["column"]), p["text"])
                for p in result.get("problems", [])]
    return render_import_page(problems=problems, problem_count=result.get("problem_count", 0),
                              report=SimpleNamespace(batch=batch),
                              chosen=job.params.get("campaign_form_id"), status=422)


@bp.get("/nhap-tep/lo/<int:batch_id>")
@role_required(Role.coordinator, Role.surveyor)
def import_batch(batch_id: int):
    """Show one upload: what it will store, or what it stored."""
    batch = find_batch(db.session, current_user, batch_id) or abort(404)
    expired = is_expired(batch)
    by_commune = pending_by_commune(db.session, batch) if not expired else None
    return render_template("field/import_batch.html", batch=batch, new_by_commune=by_commune,
                           expired=expired)


@bp.post("/nhap-tep/lo/<int:batch_id>/luu")
@role_required(Role.coordinator, Role.surveyor)
def import_confirm(batch_id: int):
    """Store every new row of a checked upload, all or nothing, as a job."""
    find_batch(db.session, current_user, batch_id) or abort(404)
    with unit_of_work(db.session):
        job = job_queue.submit(db.session, "import_store", current_user, {
            "batch_id": batch_id, "base_url": request.host_url,
            "back": url_for("field.import_batch", batch_id=batch_id)})
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


@bp.post("/nhap-tep/lo/<int:batch_id>/huy")
@role_required(Role.coordinator, Role.surveyor)
def import_discard(batch_id: int):
    """Cancel a checked upload: nothing from it is stored."""
    with unit_of_work(db.session):
        discard_batch(db.session, current_user, batch_id) or abort(404)
    flash(_("The upload was cancelled; nothing from it was stored."), "success")
    return redirect(url_for("field.imports"))
