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
    """Ask for an export of what the dashboard shows (the query string's filters) as a job."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    if what == "csv":
        results = load_results(filters)
        form = chosen_form(results, filters.form_code)
        try:
            privacy.check_row_export(db.session, results, form, current_user.role)
        except privacy.ExportRefused as error:
            flash(describe(error), "error")
            return redirect(url_for(".index", **request.args.to_dict()))
    with unit_of_work(db.session):
        job = job_queue.submit(db.session, KINDS[what], current_user, {
            "args": request.args.to_dict(), "base_url": request.host_url,
            "back": url_for(".index", **request.args.to_dict())})
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


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
    content = exports.results_workbook(results, presenters.rulebook_label(
        results.rulebook, results.campaign.province.name))
    with unit_of_work(run.session):
        exports.log_export(run.session, "xlsx", run.user, results)
    return job_queue.Output(content, file_name(results, "xlsx"), exports.XLSX_MIMETYPE)


@job_queue.job_kind("export_csv", _l("Responses (CSV)"))
def export_csv_job(run: job_queue.Run) -> job_queue.Output:
    filters = parse_filters()
    run.progress.start("computing")
    results = load_results(filters)
    form = chosen_form(results, filters.form_code)
    # Checked again when it runs: the user's role or the counts may have changed.
    privacy.check_row_export(run.session, results, form, run.user.role)
    run.progress.start("writing", exports.count_responses(run.session, results, form))
    out = io.StringIO()
    lines = exports.responses_csv(run.session, results, form,
                                  include_text=results_service.may_read_free_text(run.user))
    out.write(next(lines))
    for line in run.progress.track(lines):
        out.write(line)
    with unit_of_work(run.session):
        exports.log_export(run.session, "csv", run.user, results, form.code)
    return job_queue.Output(out.getvalue().encode("utf-8"), file_name(results, "csv", form.code),
                            "text/csv; charset=utf-8")
