"""A job's page: progress (refreshed by the page itself without JavaScript, polled with it),
its reason in Vietnamese if it failed, and its file once done, for the user who asked only."""

from __future__ import annotations

import io

from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import send_file
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.orm import undefer

from survey_app import job_queue
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.jobs import bp
from survey_app.messages import text
from survey_app.models import Job
from survey_app.models import JobStatus

#: Seconds between two looks at a job that has not finished.
REFRESH_SECONDS = 2
STAGES = {
    "counting": _l("Counting what to do"),
    "drawing": _l("Drawing the posters"),
    "reading": _l("Reading the file"),
    "checking": _l("Checking the rows"),
    "storing": _l("Storing the responses"),
    "computing": _l("Computing the results"),
    "writing": _l("Writing the file"),
}
#: Where a job was asked for, by the first word of its kind: the page's way back.
BACK_LABELS = {"posters": _l("QR codes and posters"), "export": _l("Dashboard"),
               "import": _l("Import a file")}
STATUSES = {
    JobStatus.queued: _l("Waiting for its turn"),
    JobStatus.running: _l("Working"),
    JobStatus.done: _l("Done"),
    JobStatus.failed: _l("Failed"),
    JobStatus.expired: _l("Done; the file has been removed"),
}


def own_job(job_id: int) -> Job:
    return job_queue.find_job(db.session, current_user, job_id) or abort(404)


def described(job: Job) -> dict:
    """What the page and its JSON say of a job."""
    return {
        "status": job.status.value,
        "status_text": str(STATUSES[job.status]),
        "stage_text": str(STAGES.get(job.stage or "", "")),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "error": text(job.error_code, job.error_params) if job.error_code else None,
        "download": url_for(".download", job_id=job.id)
        if job.status is JobStatus.done and job.file_name else None,
        "next": (job.result or {}).get("next") if job.status is JobStatus.done else None,
    }


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int):
    job = own_job(job_id)
    state = described(job)
    if state["next"] and not state["download"]:
        notice = (job.result or {}).get("notice")
        if notice:
            flash(notice, "success")
        return redirect(state["next"])
    return render_template("jobs/job.html", job=job, state=state,
                           title=job_queue.KIND_LABELS.get(job.kind, job.kind),
                           back=(job.params or {}).get("back"),
                           back_label=BACK_LABELS.get(job.kind.split("_")[0], ""),
                           refresh=None if job.finished else REFRESH_SECONDS)


@bp.get("/<int:job_id>.json")
@login_required
def state(job_id: int):
    response = jsonify(described(own_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>/tep")
@login_required
def download(job_id: int):
    job = db.session.scalar(
        db.select(Job).options(undefer(Job.file_data))
        .where(Job.id == job_id, Job.user_id == current_user.id))
    if job is None or job.status is not JobStatus.done or job.file_data is None:
        abort(404)
    response = send_file(io.BytesIO(job.file_data), mimetype=job.file_mimetype,
                         as_attachment=True, download_name=job.file_name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    # An export's audit trail head (docs/DEPLOY.md, "The audit trail"): in a header, so that
    # the CSV itself stays a plain table.
    head = (job.result or {}).get("audit_head")
    if head:
        response.headers["X-Audit-Head"] = head
    return response


@bp.post("/<int:job_id>/chay-lai")
@login_required
def again(job_id: int):
    job = own_job(job_id)
    with unit_of_work(db.session):
        job_queue.run_again(db.session, job)
    return redirect(url_for(".show", job_id=job.id))
