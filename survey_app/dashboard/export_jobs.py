"""The results workbook and the responses CSV made in the background: a province's exports
read every response in scope, which takes longer than a request should."""

from __future__ import annotations

import io

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app import job_queue
from survey_app.access import role_required
from survey_app.dashboard import bp
from survey_app.dashboard import presenters
from survey_app.dashboard.filters import parse_filters
from survey_app.dashboard.views import DASHBOARD_ROLES
from survey_app.dashboard.views import load_results
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.services.results import campaign as results_service
from survey_app.services.results import exports
from survey_app.services.results import privacy

KINDS = {"xlsx": "export_xlsx", "csv": "export_csv"}


@bp.post("/xuat/<any(xlsx, csv):what>")
@role_required(*DASHBOARD_ROLES)
def export_job(what: str):
    """Ask for an export of what the dashboard shows (the query string's filters) as a job.
    For the responses, the form chosen in the picker (none: every form, as a ZIP)."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    args = request.args.to_dict()
    if what == "csv":
        if "form" in request.form:
            # The picker's choice; its empty choice is every form.
            args.pop("form", None)
            if request.form["form"]:
                args["form"] = request.form["form"]
        results = load_results(filters)
        allowed, left_out = exportable(results, args.get("form"), current_user.role)
        if not allowed:
            for _code, why in left_out:
                flash(why, "error")
            return redirect(url_for(".index", **request.args.to_dict()))
    with unit_of_work(db.session):
        job = job_queue.submit(db.session, KINDS[what], current_user, {
            "args": args, "base_url": request.host_url,
            "back": url_for(".index", **request.args.to_dict())})
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


def exportable(results: results_service.CampaignResults, code: str | None, role
               ) -> tuple[list, list[tuple[str, str]]]:
    """The forms whose rows this role may take out (``code``, or every form), and the others
    with why not."""
    forms = [f for f in results.forms if code is None or f.code == code]
    if code is not None and not forms:
        abort(404)
    allowed, left_out = [], []
    for form in forms:
        try:
            privacy.check_row_export(db.session, results, form, role)
            allowed.append(form)
        except privacy.ExportRefused as error:
            left_out.append((form.code, describe(error)))
    return allowed, left_out


def chosen_form(results: results_service.CampaignResults, code: str | None):
    form = next((f for f in results.forms if f.code == code), None) or (
        results.forms[0] if results.forms else None)
    return form or abort(404)


def file_name(results: results_service.CampaignResults, extension: str, suffix: str = "") -> str:
    return exports.attachment(results, extension, suffix).split('filename="', 1)[1].rstrip('"')


@job_queue.job_kind("export_xlsx", _l("Results (Excel)"))
def export_xlsx_job(run: job_queue.Run) -> job_queue.Output:
    run.progress.start("computing")
    results = load_results(parse_filters())
    run.progress.start("writing")
    with unit_of_work(run.session):
        exports.log_export(run.session, "xlsx", run.user, results)
    content = exports.results_workbook(results, presenters.rulebook_label(
        results.rulebook, results.campaign.province.name), exports.trail_head_text(run.session))
    return job_queue.Output(content, file_name(results, "xlsx"), exports.XLSX_MIMETYPE)


@job_queue.job_kind("export_csv", _l("Responses (CSV)"))
def export_csv_job(run: job_queue.Run) -> job_queue.Output:
    """One form's responses as CSV, or every form's as a ZIP of one CSV per form (a form its
    user may not take out row by row is left out, and a note in the ZIP says why)."""
    filters = parse_filters()
    run.progress.start("computing")
    results = load_results(filters)
    # Checked again when it runs: the user's role or the counts may have changed.
    allowed, left_out = exportable(results, filters.form_code, run.user.role)
    if not allowed:
        privacy.check_row_export(run.session, results, chosen_form(results, filters.form_code),
                                 run.user.role)
    include_text = results_service.may_read_free_text(run.user)
    include_reasons = results_service.may_read_flag_reasons(run.user)
    if filters.form_code is None:
        run.progress.start("writing")
        with unit_of_work(run.session):
            exports.log_export(run.session, "zip", run.user, results,
                               ",".join(f.code for f in allowed))
        head = exports.trail_head_text(run.session)
        archive = exports.responses_zip(run.session, results, allowed, include_text, left_out,
                                        include_reasons, head)
        data = b"".join(exports.read_and_close(archive))
        return job_queue.Output(data, file_name(results, "zip", "tat-ca-phieu"),
                                "application/zip", result={"audit_head": head})
    (form,) = allowed
    run.progress.start("writing", exports.count_responses(run.session, results, form))
    out = io.StringIO()
    lines = exports.responses_csv(run.session, results, form, include_text=include_text,
                                  include_reasons=include_reasons)
    out.write(next(lines))
    for line in run.progress.track(lines):
        out.write(line)
    with unit_of_work(run.session):
        exports.log_export(run.session, "csv", run.user, results, form.code)
    # The jobs' download sends it as the X-Audit-Head header (survey_app/jobs/views.py).
    return job_queue.Output(out.getvalue().encode("utf-8"), file_name(results, "csv", form.code),
                            "text/csv; charset=utf-8",
                            result={"audit_head": exports.trail_head_text(run.session)})
