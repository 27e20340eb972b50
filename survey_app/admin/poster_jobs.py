"""A grouping's or a province's posters (PDF) or QR images (ZIP), made in the background.

A province is about 700 pages and takes 11–14 s to draw (docs/PERFORMANCE.md): the button
asks for a job, whose page shows the pages drawn and offers the file when it is done.
"""

from __future__ import annotations

import io

from flask import redirect
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from survey_app import job_queue
from survey_app.access import role_required
from survey_app.access import visible_commune_ids
from survey_app.admin import bp
from survey_app.admin.points import READERS
from survey_app.admin.points import batch_scope
from survey_app.admin.points import print_size
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.services.collection_points.posters import count_posters
from survey_app.services.collection_points.posters import find_posters
from survey_app.services.collection_points.posters import write_posters_pdf
from survey_app.services.collection_points.posters import write_qr_zip

#: What the form may ask for; anything else in it is not passed to the job.
SCOPE_FIELDS = ("province", "grouping", "commune", "form", "size")


@bp.post("/ma-qr/chuan-bi")
@role_required(*READERS)
def posters_job():
    """Ask for the posters (``what=pdf``) or QR images (``what=zip``) of a unit, as a job."""
    args = {name: request.values[name] for name in SCOPE_FIELDS if request.values.get(name)}
    batch_scope(MultiDict(args))  # 404 now for a unit the user cannot see, not in the job
    kind = "posters_zip" if request.values.get("what") == "zip" else "posters_pdf"
    with unit_of_work(db.session):
        job = job_queue.submit(db.session, kind, current_user, {
            "args": args, "base_url": request.host_url,
            "back": url_for("admin.points", province=args.get("province"),
                            grouping=args.get("grouping"))})
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


def drawn(run: job_queue.Run):
    """The posters of the job's scope, counted as they are drawn."""
    scope, stem = batch_scope()
    visible = visible_commune_ids(run.user)
    run.progress.start("drawing", count_posters(run.session, scope, visible))
    return run.progress.track(find_posters(run.session, scope, visible)), stem


@job_queue.job_kind("posters_pdf", _l("Posters (PDF)"))
def posters_pdf_job(run: job_queue.Run) -> job_queue.Output:
    posters, stem = drawn(run)
    out = io.BytesIO()
    if not write_posters_pdf(posters, out, print_size()):
        raise DomainError("no_live_points")
    return job_queue.Output(out.getvalue(), f"ap-phich-{stem}.pdf", "application/pdf")


@job_queue.job_kind("posters_zip", _l("QR images (ZIP)"))
def posters_zip_job(run: job_queue.Run) -> job_queue.Output:
    posters, stem = drawn(run)
    out = io.BytesIO()
    if not write_qr_zip(posters, out, print_size()):
        raise DomainError("no_live_points")
    return job_queue.Output(out.getvalue(), f"ma-qr-{stem}.zip", "application/zip")
