"""QR against field: the committee's list of communes whose QR counter says more than the
surveyors found, and the funnel of the communes' QR rates."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from analytics.channels import FunnelWords
from analytics.channels import funnel_figure
from analytics.rulebook import percent_text
from survey_app.access import role_required
from survey_app.dashboard import bp
from survey_app.dashboard import presenters
from survey_app.dashboard.filters import parse_filters
from survey_app.dashboard.views import load_results
from survey_app.dashboard.views import page_context
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.results.channels import channel_report


@bp.get("/kenh")
@role_required(Role.steering, Role.grouping)
def channels():
    """Per commune and form: the QR rate beside the field rate, the difference and its 95%
    interval; those beyond the margin and beyond chance listed first, for audit."""
    filters = parse_filters()
    if filters.campaign is None:
        return render_template("dashboard/empty.html")
    results = load_results(filters)
    report = channel_report(db.session, results, results.rulebook.rules.channel_margin)
    names = {c.id: c.name for c in results.communes}
    form = next((f for f in results.forms if f.code == filters.form_code), None) or (
        next((f for f in results.forms if f.code == "PKS07"), None)
        or (results.forms[0] if results.forms else None))
    funnel = None
    if form is not None:
        words = FunnelWords(
            responses=_("QR responses"), rate=_("QR satisfaction (%)"),
            centre=_("QR rate of all communes shown"),
            limit95=_("Limits for %(share)s", share="95%"),
            limit998=_("Limits for %(share)s", share="99,8%"),
            communes=_("Communes"), listed=_("Listed for audit"))
        funnel = presenters.chart(
            "funnel", _("%(form)s: QR rates against the number of QR responses", form=form.code),
            funnel_figure([g for g in report.gaps if g.form_code == form.code], names,
                          report.qr_rates.get(form.code), words))
    return render_template(
        "dashboard/channels.html", **page_context(filters, results), report=report,
        names=names, form=form, funnel=funnel, margin_text=percent_text(report.margin),
        listed=[g for g in report.gaps if g.listed],
        compared=[g for g in report.gaps if g.difference is not None])
