"""Turn results into what the templates show: chart JSON, table rows and labels."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from fractions import Fraction

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analytics import CommuneStatus
from analytics import FormResult
from analytics import FormState
from analytics import Status
from analytics import charts
from analytics.trend import FormWeek
from analytics.trend import WeekPoint
from survey_app.clock import VIETNAM
from survey_app.collation import name_key
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.rulebooks import RulebookInUse

STATUS_LABELS = {
    Status.meets: _l("Meets the standard"),
    Status.does_not_meet: _l("Does not meet"),
    Status.not_enough_data: _l("Not enough data"),
}
STATUS_CLASSES = {Status.meets: "meets", Status.does_not_meet: "fails",
                  Status.not_enough_data: "nodata"}
STATE_LABELS = {
    FormState.passes: _l("Passes"),
    FormState.fails: _l("Below threshold"),
    FormState.insufficient: _l("Not enough responses"),
}
STATE_CLASSES = {FormState.passes: "meets", FormState.fails: "fails",
                 FormState.insufficient: "nodata"}


def words() -> charts.Words:
    return charts.Words(
        meets=_("Meets the standard"), does_not_meet=_("Does not meet"),
        not_enough_data=_("Not enough data"), target=_("Target"), deadline=_("Deadline"),
        share_meeting=_("Communes meeting (%)"), responses=_("Valid responses per week"),
        rate=_("Satisfaction (%)"), threshold=_("Threshold"), communes=_("communes"),
        sufficient=_("Communes with enough responses (%)"),
        collected=_("Responses collected towards the goal (%)"),
        insufficient=_("not enough responses"), week=_("Week of"),
        interval=_("95 percent confidence interval"),
    )


#: Swap "," and "." (Vietnamese writes 1.234,5).
VIETNAMESE_SEPARATORS = str.maketrans(",.", ".,")


@dataclass(frozen=True)
class Cell:
    """A commune × form cell of the overview table, ready to print."""

    css: str
    title: str
    value: str
    note: str
    strong: bool


class Formats:
    """Numbers and labels for one page, in the request's language.

    Made once per page: a national table has tens of thousands of cells, and looking up the
    locale or a translation for each costs more than the rest of the page.
    """

    def __init__(self) -> None:
        self.vietnamese = str(get_locale()) == "vi"
        self.status_labels = {s: str(label) for s, label in STATUS_LABELS.items()}
        self.state_labels = {s: str(label) for s, label in STATE_LABELS.items()}
        # Translated once, filled in per commune.
        self.below = _("Below threshold: %(forms)s")
        self.missing = _("%(n)s responses missing")
        self.no_forms = _("The campaign has no forms.")
        self.all_pass = _("Every form passes")

    def localised(self, text: str) -> str:
        return text.translate(VIETNAMESE_SEPARATORS) if self.vietnamese else text

    def pct(self, value: Fraction | float | None, digits: int = 1) -> str:
        """82,5% (Vietnamese decimal comma); an em dash when there is nothing to divide."""
        if value is None:
            return "—"
        return self.localised(f"{float(value) * 100:,.{digits}f}") + "%"

    def num(self, value: int | None) -> str:
        """1.234 in Vietnamese."""
        return "—" if value is None else self.localised(f"{value:,}")

    def reason(self, status: CommuneStatus) -> str:
        """Why a commune has its status, in one line."""
        if status.status is Status.does_not_meet:
            return self.below % {"forms": ", ".join(status.failing_forms)}
        if status.status is Status.meets:
            return self.all_pass
        if not status.missing:
            return self.no_forms
        detail = ", ".join(f"{code}: {n}" for code, n in status.missing)
        return f"{self.missing % {'n': self.num(status.missing_total)}} ({detail})"

    def rate(self, result: FormResult) -> str:
        """The form's rate to one decimal, never rounded across its threshold (79,96% of an
        80% threshold reads 79,9%, not a failing 80,0%)."""
        if result.rate is None:
            return "—"
        return self.pct(charts.shown_percent(result.rate, result.threshold, 1) / 100)

    def cell(self, result: FormResult) -> Cell:
        title = self.state_labels[result.state]
        css = STATE_CLASSES[result.state]
        if result.state is FormState.insufficient:
            return Cell(css, title, self.pct(result.rate, 0),
                        f"n={result.valid}/{result.required}", False)
        return Cell(css, title, self.rate(result), f"n={result.valid}", True)


def vn_date(value: date | datetime | None) -> str:
    """31/12/2026, in Vietnam time for an instant."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM).date()
    return value.strftime("%d/%m/%Y")


def rulebook_label(rulebook: RulebookInUse, province_name: str) -> str:
    if rulebook.is_builtin:
        return _("built-in defaults (version 0)")
    scope = province_name if rulebook.province_id is not None else _("all provinces")
    return _("%(scope)s, version %(version)s", scope=scope, version=rulebook.version)


@dataclass(frozen=True)
class Chart:
    """A figure and its accessible name; the table beside it is in the template."""

    id: str
    title: str
    figure: str


def chart(id: str, title: str, figure) -> Chart:
    return Chart(id, title, charts.to_json(figure))


@dataclass(frozen=True)
class GroupRow:
    name: str
    progress: object


def group_rows(results: CampaignResults) -> list[GroupRow]:
    rows = [GroupRow(results.groupings.get(g.grouping_id) or _("No grouping"), g)
            for g in results.evaluation.groupings]
    return sorted(rows, key=lambda row: name_key(row.name))


def ordered_statuses(results: CampaignResults) -> list[CommuneStatus]:
    """Communes by grouping, then by name, as officials read their lists."""
    names = results.groupings
    return sorted(results.evaluation.statuses, key=lambda s: (
        names.get(s.commune.grouping_id) is None, name_key(names.get(s.commune.grouping_id)),
        name_key(s.commune.name)))


def results_by_commune(results: CampaignResults) -> dict[int, dict[str, FormResult]]:
    table: dict[int, dict[str, FormResult]] = {}
    for result in results.evaluation.results:
        table.setdefault(result.commune_id, {})[result.form_code] = result
    return table


def heat_chart(results: CampaignResults, codes: Sequence[str],
               shown: Sequence[CommuneStatus]) -> Chart:
    """The commune × form heat map of the communes ``shown`` in the table (one page of it,
    so that the map and the table beside it name the same communes)."""
    w = words()
    table = results_by_commune(results)
    cells = [[charts.heat_cell(table[s.commune.id][code], w) for code in codes] for s in shown]
    labels = [results.groupings.get(s.commune.grouping_id) or "—" for s in shown]
    figure = charts.heatmap([s.commune.name for s in shown], codes, cells, w,
                            labels if len(set(labels)) > 1 else None)
    return chart("heatmap", _("Satisfaction by commune and form"), figure)


def dashboard_charts(results: CampaignResults, codes: Sequence[str],
                     shown: Sequence[CommuneStatus]) -> dict[str, Chart]:
    w = words()
    evaluation = results.evaluation
    samples = [s for s in evaluation.samples if s.form_code in codes]
    groups = group_rows(results)
    heat = heat_chart(results, codes, shown)
    return {
        "target": chart("target", _("Share of communes meeting the standard, against the "
                                    "target"), charts.target_bullet(evaluation.overall, w)),
        "status": chart("status", _("Communes by status"),
                        charts.status_bars(evaluation.overall, w)),
        "groupings": chart("groupings", _("By grouping"), charts.grouping_bars(
            [row.progress for row in groups],
            {row.progress.grouping_id: row.name for row in groups}, w)),
        "heatmap": heat,
        "samples": chart("samples", _("Progress towards the sample targets"),
                         charts.sample_bars(samples, w)),
    }


def trend_chart(results: CampaignResults, trend: Sequence[WeekPoint]) -> Chart:
    rules = results.rulebook.rules
    return chart("trend", _("Communes meeting the standard, week by week"),
                 charts.trend_lines(trend, rules.target_share, rules.target_deadline, words()))


def commune_charts(results: Iterable[FormResult], weeks: Sequence[FormWeek],
                   threshold: Fraction) -> dict[str, Chart]:
    w = words()
    return {
        "forms": chart("forms", _("Satisfaction by form, with its 95 percent confidence interval"),
                       charts.form_rates(list(results), w)),
        "trend": chart("trend", _("Satisfaction so far, week by week"),
                       charts.form_trend(weeks, threshold, w)),
    }


def trend_table(weeks: Sequence[FormWeek]) -> tuple[list, list[str], dict]:
    """Weeks × forms of cumulative rates, for the table under the commune's trend."""
    codes = list(dict.fromkeys(row.form_code for row in weeks))
    dates = list(dict.fromkeys(row.week for row in weeks))
    cells = {(row.week, row.form_code): row for row in weeks}
    return dates, codes, cells
