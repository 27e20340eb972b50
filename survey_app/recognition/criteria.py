"""The criteria: the rules in force for a scope, and loading a province's own from a file."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey_app.access import role_required
from survey_app.database import ConcurrentChange
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.inputs import valid_id
from survey_app.messages import describe_recognition_problem
from survey_app.models import Province
from survey_app.recognition import bp
from survey_app.services.recognition import criteria as criteria_service
from survey_app.services.results import rulebooks as rulebooks_service


def scope_from(value: str | None) -> Province | None:
    if value in (None, "", "global"):
        return None
    return db.get_or_404(Province, valid_id(value) or abort(404))


def applying(province: Province | None) -> rulebooks_service.RulebookInUse:
    return rulebooks_service.rules_in_force(db.session, province.id if province else None)


def render(province: Province | None, problems: list[str], status: int = 200, note: str = ""):
    return render_template(
        "recognition/criteria.html", province=province, current=applying(province),
        provinces=list(db.session.scalars(select(Province).order_by(Province.name))),
        problems=problems, note=note), status


@bp.get("/bo-tieu-chi")
@role_required()
def criteria():
    """The criteria, sub-items, pass rule and survey points in force for a scope."""
    return render(scope_from(request.args.get("scope")), [])


@bp.get("/bo-tieu-chi.yaml")
@role_required()
def criteria_file():
    """The rules in force as a file to edit and load again."""
    province = scope_from(request.args.get("scope"))
    text = criteria_service.criteria_yaml(applying(province).rules.recognition)
    return Response(text, mimetype="application/yaml", headers={
        "Content-Disposition": 'attachment; filename="bo-tieu-chi.yaml"'})


@bp.post("/bo-tieu-chi")
@role_required()
def criteria_upload():
    """Load a criteria file as the next rulebook version; every problem is listed, and
    nothing is saved unless the whole file is right."""
    province = scope_from(request.form.get("scope"))
    upload = request.files.get("file")
    note = request.form.get("note", "").strip()
    problems = []
    if upload is None or not upload.filename:
        problems.append(_("Choose a criteria file (YAML)."))
    if not note or len(note) > 300:
        problems.append(_("Say why the rules change (at most 300 characters)."))
    rules = None
    if upload is not None and upload.filename:
        rules, found = criteria_service.read_criteria(
            upload.stream.read(criteria_service.MAX_BYTES + 1))
        problems.extend(describe_recognition_problem(p) for p in found)
    if problems:
        return render(province, problems, 422, note)
    try:
        with unit_of_work(db.session):
            row = criteria_service.save_criteria(
                db.session, province.id if province else None, applying(province), rules, note,
                current_user.id)
    except ConcurrentChange:
        flash(_("Someone saved the rulebook at the same moment. Check the latest version and "
                "save again."), "error")
    else:
        flash(_("Saved as version %(n)s. Earlier versions are kept unchanged.", n=row.version))
    return redirect(url_for(".criteria", scope=province.id if province else None), code=303)
