"""The import's two long steps as background jobs: checking an upload of up to
IMPORT_MAX_ROWS rows, and storing a confirmed one (all rows or none)."""

from __future__ import annotations

from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey_app import job_queue
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.messages import describe_import_problem
from survey_app.models import Job
from survey_app.services.bulk_import.imports import ImportRefused
from survey_app.services.bulk_import.imports import check_upload
from survey_app.services.bulk_import.imports import record_check
from survey_app.services.bulk_import.imports import store_batch
from survey_app.services.people.entry import find_entry_form

#: Problems kept for the report page; the count says how many more there are.
SHOWN_PROBLEMS = 300


@job_queue.job_kind("import_check", _l("Checking an import file"))
def import_check_job(run: job_queue.Run) -> job_queue.Output:
    """Read and check the uploaded file, store nothing; keep the check as a batch."""
    params = run.job.params
    today = today_in_vietnam()
    entry = find_entry_form(run.session, run.user, params["campaign_form_id"], today)
    if entry is None:
        raise ImportRefused("import_scope_changed")
    data = run.session.scalar(select(Job.upload).where(Job.id == run.job.id)) or b""
    run.progress.start("checking")
    report = check_upload(run.session, run.user, entry, params["file_name"], data, today,
                          current_app.config["IMPORT_MAX_ROWS"], progress=run.progress)
    with unit_of_work(run.session):
        batch = record_check(run.session, report)
    if not report.problems:
        return job_queue.Output(result={
            "batch_id": batch.id, "next": url_for("field.import_batch", batch_id=batch.id)})
    return job_queue.Output(result={
        "batch_id": batch.id, "problem_count": len(report.problems),
        "problems": [{"row": p.row, "column": p.column, "text": describe_import_problem(p)}
                     for p in report.problems[:SHOWN_PROBLEMS]],
        "next": url_for("field.import_report", job_id=run.job.id)})


@job_queue.job_kind("import_store", _l("Storing an import"))
def import_store_job(run: job_queue.Run) -> job_queue.Output:
    """Store every new row of a checked batch in one unit of work: all of them or none."""
    run.progress.start("storing")
    with run.progress.holding_write_lock(run.session), unit_of_work(run.session):
        batch = store_batch(run.session, run.user, run.job.params["batch_id"],
                            today_in_vietnam(), progress=run.progress)
    return job_queue.Output(result={
        "next": url_for("field.import_batch", batch_id=batch.id),
        "notice": _("%(count)s responses stored.", count=batch.stored_count)})
