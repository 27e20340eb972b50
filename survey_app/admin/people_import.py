"""Accounts in bulk (the admin only): a workbook of people checked row by row; the one-time
passwords come back once, as the answer to the upload, and are kept nowhere."""

from __future__ import annotations

from io import BytesIO

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.access import role_required
from survey_app.admin import bp
from survey_app.admin.accounts import ROLE_LABELS
from survey_app.clock import now_utc
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.messages import describe_import_problem
from survey_app.services.people.accounts import ensure_organisations
from survey_app.services.people.bulk_accounts import import_people
from survey_app.services.people.bulk_accounts import passwords_workbook
from survey_app.services.people.bulk_accounts import people_template

SHOWN_PROBLEMS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def role_labels() -> dict:
    return {role: str(label) for role, label in ROLE_LABELS.items()}


@bp.get("/tai-khoan/nhap")
@role_required()
def people_import():
    """The template, the upload form and what happens to the passwords."""
    return render_template("admin/people_import.html")


@bp.get("/tai-khoan/nhap/mau.xlsx")
@role_required()
def people_template_download():
    with unit_of_work(db.session):
        ensure_organisations(db.session)
    data = people_template(db.session, role_labels(), current_app.config["IMPORT_MAX_ROWS"])
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name="mau_tai_khoan.xlsx")


@bp.post("/tai-khoan/nhap")
@role_required()
def people_import_upload():
    """Check the file; if every row is right, create the accounts and answer with the one
    file of their one-time passwords (never stored, never shown again)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("admin.people_import"), code=303)
    data = upload.read()
    with unit_of_work(db.session):
        ensure_organisations(db.session)
        report = import_people(db.session, current_user, upload.filename, data,
                               current_app.config["IMPORT_MAX_ROWS"], role_labels())
    if not report.clean:
        shown = [(p, describe_import_problem(p)) for p in report.problems[:SHOWN_PROBLEMS]]
        return render_template("admin/people_import.html", report=report, problems=shown,
                               problem_count=len(report.problems),
                               file_name=upload.filename), 422
    if not report.created:
        flash(_("The file has no rows to import below its header."), "error")
        return redirect(url_for("admin.people_import"), code=303)
    response = send_file(
        BytesIO(passwords_workbook(report, role_labels())), mimetype=XLSX, as_attachment=True,
        download_name=f"mat_khau_mot_lan_{now_utc():%Y%m%d_%H%M}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response
