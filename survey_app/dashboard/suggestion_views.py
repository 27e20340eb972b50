"""Citizens' suggestions: a searchable page and a CSV, for the commune's officials and the
steering committee (``services.results.suggestions`` says what is shown and why)."""

from __future__ import annotations

from dataclasses import replace

from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask_login import current_user
from sqlalchemy import select

from survey_app.access import role_required
from survey_app.dashboard import bp
from survey_app.dashboard.filters import parse_filters
from survey_app.dashboard.views import load_results
from survey_app.dashboard.views import page_context
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.results import exports
from survey_app.services.results import suggestions as service

PAGE_SIZE = 100


def chosen(filters) -> tuple:
    """The results in scope, the search and the commune (an official's own), or 404."""
    if filters.campaign is None:
        abort(404)
    results = load_results(replace(filters, form_code=None))
    search = " ".join(request.args.get("q", "").split())[:100]
    return results, search


@bp.get("/gop-y")
@role_required(*service.SUGGESTION_ROLES)
def suggestions():
    """Read what citizens suggested, newest week first, searchable and in pages."""
    filters = parse_filters()
    results, search = chosen(filters)
    found = service.find_suggestions(db.session, results, current_user.role, search,
                                     filters.form_code)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    return render_template(
        "dashboard/suggestions.html", **page_context(filters, results), search=search,
        found=found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], total=len(found), page=page,
        pages=pages, forms=service.readable_forms(results, current_user.role),
        official_commune=db.session.scalar(select(Commune).where(
            Commune.id == current_user.commune_id)) if current_user.commune_id else None,
    )


@bp.get("/gop-y.csv")
@role_required(*service.SUGGESTION_ROLES)
def suggestions_csv():
    """Download the suggestions the page shows (all pages) as CSV for Excel."""
    filters = parse_filters()
    results, search = chosen(filters)
    found = service.find_suggestions(db.session, results, current_user.role, search,
                                     filters.form_code)
    with unit_of_work(db.session):
        exports.log_export(db.session, "suggestions", current_user, results, filters.form_code)
    return Response("".join(service.suggestions_csv(found)), mimetype="text/csv", headers={
        "Content-Disposition": exports.attachment(results, "csv", "gop-y"),
        "Cache-Control": "no-store"})
