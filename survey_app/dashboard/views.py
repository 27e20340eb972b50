"""Dashboard pages: the campaign overview, a commune's detail, the printable report, exports."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from dataclasses import replace
from functools import cache
from pathlib import Path

import plotly
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from analytics import Status
from survey_app.access import role_required
from survey_app.clock import today_in_vietnam
from survey_app.dashboard import bp
from survey_app.dashboard import commune_table
from survey_app.dashboard import presenters
from survey_app.dashboard import report_builder
from survey_app.dashboard.filters import Filters
from survey_app.dashboard.filters import int_arg
from survey_app.dashboard.filters import parse_filters
from survey_app.dashboard.recognition import recognition_panel
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.models import Commune
from survey_app.models import Role
from survey_app.services.results import campaign as results_service
from survey_app.services.results import exports
from survey_app.services.results import kept
from survey_app.services.results import privacy
from survey_app.services.results import reports
from survey_app.services.results import suggestions
from survey_app.services.results.report_document import report_pdf as report_pdf_bytes
from survey_app.services.results.rulebooks import UnknownRulebook
from survey_app.services.results.rulebooks import rulebook_history

DASHBOARD_ROLES = (Role.steering, Role.grouping, Role.commune_official, Role.coordinator)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@bp.context_processor
def helpers() -> dict:
    formats = presenters.Formats()
    return {
        "formats": formats, "pct": formats.pct, "num": formats.num, "Status": Status,
        "reason": formats.reason, "rate": formats.rate,
        "status_label": formats.status_labels.__getitem__,
        "status_class": presenters.STATUS_CLASSES.__getitem__,
        "state_label": formats.state_labels.__getitem__,
        "state_class": presenters.STATE_CLASSES.__getitem__,
        "plotly_version": plotly_version(),
        "vn_date": presenters.vn_date,
        "suggestion_roles": suggestions.SUGGESTION_ROLES,
    }


def load_results(filters: Filters, visible=None, *,
                 kept_a_while: bool = False) -> results_service.CampaignResults:
    """The figures behind ``filters``; ``kept_a_while`` for the pages read most, which may
    show figures up to ``RESULTS_KEPT_SECONDS`` old (services/results/kept.py)."""
    work_out = kept.kept_results if kept_a_while else results_service.campaign_results
    try:
        return work_out(
            db.session, filters.campaign, filters.visible if visible is None else visible,
            grouping_id=filters.grouping_id, rulebook_id=filters.rulebook_id,
            until=filters.until,
        )
    except UnknownRulebook:
        abort(404)


def page_context(filters: Filters, results: results_service.CampaignResults) -> dict:
    province = results.campaign.province.name
    return {
        "filters": filters,
        "results": results,
        "rulebook_label": presenters.rulebook_label(results.rulebook, province),
        "rulebooks": rulebook_history(db.session, results.campaign.province_id),
        "province": province,
    }


@bp.get("/")
@role_required(*DASHBOARD_ROLES)
def index():
    """Show a campaign: share meeting against the target, statuses, groupings, trend."""
    if current_user.role is Role.commune_official and current_user.commune_id:
        return redirect(url_for(".commune", commune_id=current_user.commune_id,
                                **request.args.to_dict()))
    filters = parse_filters()
    if filters.campaign is None:
        return render_template("dashboard/empty.html")
    results = load_results(filters, kept_a_while=True)
    codes = [filters.form_code] if filters.form_code else [f.code for f in results.forms]
    query = commune_table.parse_table_query([f.code for f in results.forms])
    table = commune_table.commune_table(results, codes, presenters.Formats(), query)
    return render_template(
        "dashboard/index.html", **page_context(filters, results), codes=codes,
        charts=presenters.dashboard_charts(results, codes, table.statuses),
        groups=presenters.group_rows(results), table=table, query=query,
        recognition=recognition_panel(results),
    )


@bp.get("/xu-huong")
@role_required(*DASHBOARD_ROLES)
def trend():
    """Show the campaign week by week (the overview page loads it after it has shown)."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    results = load_results(filters, kept_a_while=True)
    points = kept.kept_trend(db.session, results)
    context = {"trend": points, "trend_chart": presenters.trend_chart(results, points),
               "per_commune": len(results.communes) <= results_service.TREND_COMMUNES}
    if request.args.get("partial"):
        return render_template("dashboard/_trend.html", **context)
    return render_template("dashboard/trend.html", **page_context(filters, results), **context)


def visible_commune(filters: Filters, commune_id: int) -> Commune:
    """The commune if the user may see it and it belongs to the campaign; 404 otherwise."""
    commune = db.session.scalar(
        select(Commune).where(Commune.id == commune_id, Commune.id.in_(filters.visible))
    )
    if commune is None or (filters.campaign and
                           commune.province_id != filters.campaign.province_id):
        abort(404)
    return commune


@bp.get("/xa/<int:commune_id>")
@role_required(*DASHBOARD_ROLES)
def commune(commune_id: int):
    """Show one commune: each form's rate and sample, its trend and how people answered."""
    filters = parse_filters()
    if filters.campaign is None:
        return render_template("dashboard/empty.html")
    commune = visible_commune(filters, commune_id)
    only = select(Commune.id).where(Commune.id == commune.id)
    results = load_results(replace(filters, grouping_id=None), only)
    if not results.evaluation.statuses:
        abort(404)
    status = results.evaluation.statuses[0]
    form = next((f for f in results.forms if f.code == filters.form_code), None) or (
        results.forms[0] if results.forms else None)
    weeks = results_service.commune_trend(db.session, results, commune.id)
    return render_template(
        "dashboard/commune.html", **page_context(filters, results), commune=commune,
        status=status, form=form, weeks=weeks,
        trend_table=presenters.trend_table(weeks),
        charts=presenters.commune_charts(status.forms, weeks, results.rulebook.rules.threshold),
        distributions=results_service.question_distributions(db.session, results, form)
        if form else [],
        free_text=suggestions.find_suggestions(db.session, results, current_user.role)
        if suggestions.may_read_suggestions(current_user) else None,
    )


@dataclass(frozen=True)
class ReportRequest:
    """Everything one report needs, read from the request and checked against the user."""

    filters: Filters
    results: results_service.CampaignResults
    scope: report_builder.Scope
    choices: list[reports.Period]
    chosen: reports.Chosen
    activity: reports.PeriodActivity
    signature: reports.Signature
    problems: list[str]
    span: reports.Span

    def args(self, **override) -> dict:
        """Query arguments that reproduce this report (the PDF link, the picker)."""
        period = self.chosen.period
        values = {
            **self.filters.args(until=None, form=None),
            "commune": self.scope.unit_id if self.scope.kind == "commune" else None,
            "period": period.key,
            "from": period.start.isoformat() if period.key == "custom" else None,
            "to": period.end.isoformat() if period.key == "custom" else None,
            "number": self.signature.number, "signer_title": self.signature.signer_title,
            "signer_name": self.signature.signer_name,
            "recipients": "\n".join(self.signature.recipients),
        }
        values.update(override)
        return {key: value for key, value in values.items() if value not in (None, "")}


def report_request(filters: Filters) -> ReportRequest:
    """The scope (province, grouping or a commune the user may see), the period among the
    campaign's and the signature typed on the page; 404 for what is out of scope."""
    today = today_in_vietnam()
    span = reports.campaign_span(db.session, filters.campaign)
    choices, chosen = report_builder.parse_period(span, today)
    wanted = int_arg("commune")
    if current_user.role is Role.commune_official:
        # An official's report is their commune's, as their dashboard is (another is a 404).
        wanted = wanted or current_user.commune_id
    filters = replace(filters, until=chosen.period.end, form_code=None)
    if wanted is not None:
        commune = visible_commune(filters, wanted)
        only = select(Commune.id).where(Commune.id == commune.id)
        results = load_results(replace(filters, grouping_id=None), only)
        if not results.evaluation.statuses:
            abort(404)
        scope = report_builder.Scope("commune", commune.id,
                                     results.evaluation.statuses[0].commune.name)
    else:
        results = load_results(filters)
        scope = report_builder.Scope("grouping", filters.grouping_id,
                                     results.groupings.get(filters.grouping_id, "")) \
            if filters.grouping_id else report_builder.Scope("province", None, "")
    signature, problems = report_builder.parse_signature()
    activity = reports.period_activity(db.session, results, chosen.period)
    return ReportRequest(filters, results, scope, choices, chosen, activity, signature,
                         problems, span)


def report_document(wanted: ReportRequest):
    return report_builder.build(
        wanted.results, wanted.scope, wanted.chosen.period, wanted.activity, wanted.signature,
        today_in_vietnam(), exports.trail_head_text(db.session), wanted.span.start)


@bp.get("/bao-cao")
@role_required(*DASHBOARD_ROLES)
def report():
    """The report in the official layout, to print: a province's, a grouping's or a
    commune's, for a period of the campaign."""
    filters = parse_filters()
    if filters.campaign is None:
        return render_template("dashboard/empty.html")
    wanted = report_request(filters)
    communes = results_service.load_communes(db.session, results_service.scoped_commune_ids(
        filters.campaign, filters.visible))
    return render_template(
        "dashboard/report.html", **page_context(wanted.filters, wanted.results),
        wanted=wanted, document=report_document(wanted), communes=communes,
        period_label=report_builder.period_label,
    )


@bp.get("/bao-cao.pdf")
@role_required(*DASHBOARD_ROLES)
def report_pdf():
    """The same report as a PDF; the download is kept in the audit trail."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    wanted = report_request(filters)
    with unit_of_work(db.session):
        reports.log_report_pdf(db.session, current_user, wanted.results, wanted.chosen.period,
                               wanted.scope.kind, wanted.scope.unit_id, wanted.signature)
    document = report_document(wanted)
    content = report_pdf_bytes(document, f"{document.title} {document.subtitle}",
                               document.issuer)
    period = wanted.chosen.period
    name = (f"bao-cao-dot-{wanted.results.campaign.id}-{wanted.scope.kind}"
            f"{'-' + str(wanted.scope.unit_id) if wanted.scope.unit_id else ''}"
            f"-{period.start.isoformat()}-{period.end.isoformat()}.pdf")
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/xuat/ket-qua.xlsx")
@role_required(*DASHBOARD_ROLES)
def export_xlsx():
    """Download the results as a workbook: province, groupings, communes, forms, rules."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    results = load_results(filters)
    with unit_of_work(db.session):
        exports.log_export(db.session, "xlsx", current_user, results)
    content = exports.results_workbook(results, presenters.rulebook_label(
        results.rulebook, results.campaign.province.name), exports.trail_head_text(db.session))
    return Response(content, mimetype=exports.XLSX_MIMETYPE, headers={
        "Content-Disposition": exports.attachment(results, "xlsx"),
        "Cache-Control": "no-store"})


@bp.get("/xuat/phieu.csv")
@role_required(*DASHBOARD_ROLES)
def export_csv():
    """Download the anonymous responses to one form as CSV (UTF-8 with BOM, for Excel); with
    no form chosen, every form's, as a ZIP."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    if filters.form_code is None:
        return redirect(url_for(".export_zip", **filters.args()))
    results = load_results(filters)
    form = next((f for f in results.forms if f.code == filters.form_code), None)
    if form is None:
        abort(404)
    try:
        privacy.check_row_export(db.session, results, form, current_user.role)
    except privacy.ExportRefused as error:
        flash(describe(error), "error")
        return redirect(url_for(".index", **request.args.to_dict()))
    rows = exports.responses_csv(db.session, results, form,
                                 include_text=results_service.may_read_free_text(current_user),
                                 include_reasons=results_service.may_read_flag_reasons(current_user))
    with unit_of_work(db.session):
        exports.log_export(db.session, "csv", current_user, results, form.code)
    # The head in a header, not in the file: the CSV stays a plain table for any reader.
    return Response(stream_with_context(rows), mimetype="text/csv", headers={
        "Content-Disposition": exports.attachment(results, "csv", form.code),
        exports.TRAIL_HEAD_HEADER: exports.trail_head_text(db.session),
        "Cache-Control": "no-store"})


@bp.get("/xuat/phieu.zip")
@role_required(*DASHBOARD_ROLES)
def export_zip():
    """Download every form's anonymous responses: a ZIP with one CSV per form. A form the
    user may not take out row by row is left out, and a note in the ZIP says why."""
    filters = parse_filters()
    if filters.campaign is None:
        abort(404)
    results = load_results(replace(filters, form_code=None))
    allowed, left_out = [], []
    for form in results.forms:
        try:
            privacy.check_row_export(db.session, results, form, current_user.role)
            allowed.append(form)
        except privacy.ExportRefused as error:
            left_out.append((form.code, describe(error)))
    if not allowed:
        for _code, why in left_out:
            flash(why, "error")
        return redirect(url_for(".index", **request.args.to_dict()))
    with unit_of_work(db.session):
        exports.log_export(db.session, "zip", current_user, results,
                           ",".join(f.code for f in allowed))
    head = exports.trail_head_text(db.session)
    archive = exports.responses_zip(
        db.session, results, allowed, results_service.may_read_free_text(current_user), left_out,
        results_service.may_read_flag_reasons(current_user), head)
    return Response(exports.read_and_close(archive), mimetype="application/zip", headers={
        "Content-Disposition": exports.attachment(results, "zip", "tat-ca-phieu"),
        exports.TRAIL_HEAD_HEADER: head, "Cache-Control": "no-store"})


@cache
def plotly_version() -> str:
    return plotly.__version__


@cache
def plotly_gzip() -> bytes:
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=9, mtime=0)


@bp.get("/thu-vien/plotly-<version>.min.js")
def plotly_js(version: str):
    """plotly.js from the installed plotly package: served here, never from a CDN, under a
    URL that names its version, so that a browser keeps it for good (a new plotly is a new
    URL)."""
    if version != plotly_version():
        abort(404)
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(plotly_gzip(), mimetype="text/javascript",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(PLOTLY_JS.read_bytes(), mimetype="text/javascript", headers=headers)
