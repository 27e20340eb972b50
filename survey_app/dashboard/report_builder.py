"""The printed report: what the request asks for (period, scope, signature) and the
``ReportDocument`` that the print page and the PDF both draw, always in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date

from flask import abort
from flask import request
from flask_babel import force_locale
from flask_babel import gettext as _

from survey_app.dashboard import presenters
from survey_app.dashboard.filters import date_arg
from survey_app.inputs import cleaned
from survey_app.services.recognition.decisions import place_and_date
from survey_app.services.results import exports
from survey_app.services.results import reports
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.report_document import Bar
from survey_app.services.results.report_document import BarChart
from survey_app.services.results.report_document import ReportDocument
from survey_app.services.results.report_document import ReportTable
from survey_app.services.results.report_document import Section
from survey_app.services.results.reports import Period
from survey_app.services.results.reports import PeriodActivity
from survey_app.services.results.reports import PeriodKind
from survey_app.services.results.reports import ReportWarning
from survey_app.services.results.reports import Signature

LEGACY_KINDS = ("six_month", "year")
NBSP = "\u00a0"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


@dataclass(frozen=True)
class Scope:
    kind: str  #: "province", "grouping" or "commune"
    unit_id: int | None
    name: str


def parse_period(span: reports.Span, today: date) -> tuple[list[Period], reports.Chosen]:
    """The period asked for among the campaign's choices; 404 for one it does not have.

    ``period=custom`` takes ``from`` and ``to``; an older link's ``until`` alone is custom
    dates from the campaign's start, and its ``kind`` picks a default.
    """
    choices = reports.period_choices(span, today)
    key = request.args.get("period", "").strip()
    kind = request.args.get("kind", "").strip() or None
    if kind is not None and kind not in LEGACY_KINDS:
        abort(404)
    if key == "custom" or (not key and request.args.get("until")):
        return choices, reports.custom_period(span, today, date_arg("from"),
                                              date_arg("to") or date_arg("until"))
    if not key:
        return choices, reports.Chosen(reports.default_period(choices, kind))
    period = next((p for p in choices if p.key == key), None)
    if period is None:
        abort(404)
    return choices, reports.Chosen(period)


def parse_signature() -> tuple[Signature, list[str]]:
    """The number, signer and recipients typed on the page; what is too long is left out and
    named in the returned problems (shown on the page, in Vietnamese)."""
    problems = []

    def text(name: str, limit: int, label: str) -> str:
        value = " ".join(cleaned(request.args.get(name, "")).split())
        if len(value) > limit:
            problems.append(_("%(field)s is longer than %(n)s characters and was left out.",
                              field=label, n=limit))
            return ""
        return value

    number = text("number", reports.MAX_NUMBER, _("Report number"))
    title = text("signer_title", reports.MAX_TITLE, _("Signer's position"))
    name = text("signer_name", reports.MAX_NAME, _("Signer's name"))
    lines = [" ".join(line.split()) for line in cleaned(request.args.get("recipients", ""))
             .splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > reports.MAX_RECIPIENTS or any(len(x) > reports.MAX_TITLE for x in lines):
        problems.append(_("Recipients: at most %(lines)s lines of %(n)s characters; the "
                          "usual list was printed instead.", lines=reports.MAX_RECIPIENTS,
                          n=reports.MAX_TITLE))
        lines = []
    return Signature(number, title, name, tuple(lines)), problems


def period_phrase(period: Period, campaign_name: str) -> str:
    d = presenters.vn_date
    if period.kind is PeriodKind.half:
        return (_("the first six months of %(year)s", year=period.year) if period.number == 1
                else _("the last six months of %(year)s", year=period.year))
    if period.kind is PeriodKind.quarter:
        return _("quarter %(q)s of %(year)s", q=ROMAN[period.number], year=period.year)
    if period.kind is PeriodKind.campaign:
        return _("campaign “%(name)s”", name=campaign_name)
    return _("from %(start)s to %(end)s", start=d(period.start), end=d(period.end))


def period_label(period: Period, campaign_name: str) -> str:
    """A choice in the picker: its name and its actual days."""
    d = presenters.vn_date
    days = _("%(start)s – %(end)s", start=d(period.start), end=d(period.end))
    if period.cut_short:
        days = _("%(days)s, so far", days=days)
    phrase = period_phrase(period, campaign_name)
    return f"{phrase[:1].upper()}{phrase[1:]} ({days})"


class Builder:
    """Makes the document for one scope, period and signature (inside ``force_locale``)."""

    def __init__(self, results: CampaignResults, scope: Scope, period: Period,
                 activity: PeriodActivity, warnings: list[ReportWarning],
                 signature: Signature, today: date, trail_head: str,
                 campaign_start: date) -> None:
        self.results, self.scope, self.period = results, scope, period
        self.activity, self.warning_codes, self.signature = activity, warnings, signature
        self.today, self.trail_head = today, trail_head
        self.campaign_start = campaign_start
        self.f = presenters.Formats()
        self.rules = results.rulebook.rules
        self.province = results.campaign.province

    # -- the header and the closing -------------------------------------------------------
    def province_title(self) -> str:
        return f"{self.province.division_type} {self.province.name}"

    def issuer(self) -> tuple[str, str, str]:
        """(the body above, the issuer, the number's suffix)."""
        # The governing body above the issuer may be abbreviated (Decree 30, annex I).
        above = _("PC of the %(unit)s", unit=self.province_title())
        if self.scope.kind == "commune":
            return above.upper(), _("People's Committee of the %(unit)s",
                                    unit=self.scope.name).upper(), "UBND"
        if self.scope.kind == "grouping":
            return above.upper(), self.scope.name.upper(), "CTĐ"
        return (above.upper(), _("Steering committee for building a friendly government")
                .upper(), "BCĐ")

    def number(self, suffix: str) -> str:
        if self.signature.number:
            return _("No.: %(number)s", number=self.signature.number)
        # Left blank for the clerk to fill in, as drafts are numbered when they are issued.
        return _("No.: %(number)s", number=f"{NBSP * 8}/BC-{suffix}")

    def signer(self) -> tuple[str, str]:
        defaults = {
            "province": (_("On behalf of the steering committee"), _("Head of the committee")),
            "grouping": ("", _("Head of the grouping")),
            "commune": (_("On behalf of the People's Committee"), _("Chairman")),
        }
        on_behalf, title = defaults[self.scope.kind]
        return on_behalf.upper(), (self.signature.signer_title or title).upper()

    def recipients(self) -> tuple[str, ...]:
        lines = list(self.signature.recipients) or {
            "province": [_("Standing committee of the provincial Party committee (to "
                           "report)"), _("Provincial People's Committee"),
                         _("Members of the steering committee"), _("Groupings and communes")],
            "grouping": [_("Provincial steering committee (to report)"),
                         _("Communes of the grouping")],
            "commune": [_("Provincial steering committee (to report)"),
                        _("Party committee and People's Council of the commune")],
        }[self.scope.kind]
        if not self.signature.recipients:
            lines.append(_("Archive: office"))
        shown = [line if line.startswith(("-", "–")) else f"- {line}" for line in lines]
        return (_("Recipients:"), *shown)

    # -- the body --------------------------------------------------------------------------
    def warnings(self) -> tuple[str, ...]:
        d, end = presenters.vn_date, presenters.vn_date(self.period.end)
        texts = {
            ReportWarning.no_responses: _(
                "WARNING: no survey response has been received for the communes in this "
                "report up to %(end)s. No commune can be judged yet: this report is not a "
                "result, and no figure below means that a commune fails the standard.",
                end=end),
            ReportWarning.none_judged: _(
                "WARNING: up to %(end)s, no commune has enough valid responses on every form "
                "to be judged. “0 communes meet the standard” here means “not judged yet”, "
                "not that the communes fail.", end=end),
            ReportWarning.quiet_period: _(
                "Note: no response was received from %(start)s to %(end)s. The figures are "
                "those already reached before the period.", start=d(self.period.start),
                end=end),
        }
        # A commune still short of responses is the usual state of a campaign under way: said
        # in the headline, not in the box that stops the reader.
        return tuple(texts[code] for code in self.warning_codes if code in texts)

    def partly_judged(self) -> list[str]:
        if ReportWarning.partly_judged not in self.warning_codes:
            return []
        overall = self.results.evaluation.overall
        return [_("Note: %(n)s of %(total)s communes do not have enough responses yet; they "
                  "count as not meeting the standard in the share below until they do.",
                  n=self.f.num(overall.not_enough_data), total=self.f.num(overall.communes))]

    def headline(self) -> list[str]:
        f, ev, d = self.f, self.results.evaluation, presenters.vn_date
        overall, end = ev.overall, d(self.period.end)
        codes = self.warning_codes
        if ReportWarning.no_responses in codes:
            first = _("Up to %(end)s no response has been received for the %(n)s communes in "
                      "this report; none is judged yet.", end=end, n=f.num(overall.communes))
        elif ReportWarning.none_judged in codes:
            first = _("Up to %(end)s, %(valid)s valid responses have been received, but none "
                      "of the %(n)s communes has enough of them on every form to be judged "
                      "yet.", end=end, valid=f.num(ev.valid), n=f.num(overall.communes))
        else:
            first = _("Up to %(end)s, of %(total)s communes, %(meets)s meet the standard "
                      "(%(share)s), %(fails)s do not meet it and %(nodata)s do not have "
                      "enough responses yet.", end=end, total=f.num(overall.communes),
                      meets=f.num(overall.meets), share=f.pct(overall.share),
                      fails=f.num(overall.does_not_meet), nodata=f.num(overall.not_enough_data))
        target = _("The province's target is %(target)s of communes meeting the standard",
                   target=f.pct(self.rules.target_share, 0))
        if self.rules.target_deadline:
            target += " " + _("by %(date)s", date=d(self.rules.target_deadline))
        if overall.is_reached:
            target += ": " + _("it is reached.")
        else:
            target += ": " + _("%(n)s more communes must meet the standard to reach it.",
                               n=f.num(overall.needed))
        return [first, *self.partly_judged(), target, *self.counted()]

    def counted(self) -> list[str]:
        f, ev, a, d = self.f, self.results.evaluation, self.activity, presenters.vn_date
        unanswered = sum(r.count.unanswered for r in ev.results)
        return [
            _("The figures are cumulative from the start of the campaign (%(start)s) to the "
              "end of %(end)s, under the rulebook: %(label)s.",
              start=d(self.campaign_start), end=d(self.period.end),
              label=presenters.rulebook_label(self.results.rulebook, self.province.name)),
            _("Received in the period (%(start)s to %(end)s): %(n)s responses; up to its "
              "end: %(total)s.", start=d(self.period.start), end=d(self.period.end),
              n=f.num(a.received), total=f.num(a.received_to_end)),
            _("Counted: %(valid)s valid responses. Left out: %(flagged)s responses flagged as "
              "suspicious and %(unanswered)s that do not answer the overall satisfaction "
              "question.", valid=f.num(ev.valid), flagged=f.num(ev.flagged),
              unanswered=f.num(unanswered)),
            *self.with_flagged(),
        ]

    def with_flagged(self) -> list[str]:
        """What the headline would be with the flagged responses counted (docs/INTEGRITY.md):
        every figure says what it left out."""
        other = self.results.with_flagged
        if other is None or not self.results.evaluation.flagged:
            return []
        return [_("With the flagged responses counted, %(meets)s of %(total)s communes would "
                  "meet the standard (%(share)s).", meets=self.f.num(other.overall.meets),
                  total=self.f.num(other.overall.communes),
                  share=self.f.pct(other.overall.share))]

    def share_chart(self) -> BarChart:
        f, target = self.f, float(self.rules.target_share)
        judged = not {ReportWarning.no_responses, ReportWarning.none_judged} & set(
            self.warning_codes)

        def bar(label: str, progress) -> Bar:
            share = progress.share
            text = f"{f.pct(share, 0)} ({progress.meets}/{progress.communes})"
            return Bar(label, float(share) if share is not None else None, target, text,
                       (share >= self.rules.target_share) if judged and share is not None
                       else None)

        bars = []
        if self.scope.kind == "province":
            bars.append(bar(_("Whole province"), self.results.evaluation.overall))
        bars += [bar(row.name, row.progress) for row in presenters.group_rows(self.results)]
        return BarChart(_("Share of communes meeting the standard, against the target"),
                        tuple(bars), _("Target %(t)s", t=f.pct(self.rules.target_share, 0)),
                        _("Green: the target is reached; red: not yet; grey: no commune "
                          "judged. The red line is the target."))

    def forms_chart(self, status) -> BarChart:
        f = self.f
        bars = tuple(Bar(r.form_code, float(r.rate) if r.rate is not None else None,
                         float(r.threshold), f.rate(r) if r.rate is not None else "—",
                         None if not r.is_sufficient else r.reaches_threshold)
                     for r in status.forms)
        marks = {r.threshold for r in status.forms}
        label = _("Threshold %(t)s", t=f.pct(marks.pop(), 0)) if len(marks) == 1 else ""
        return BarChart(_("Satisfaction by form, against its threshold"), bars, label,
                        _("Green: the form passes; red: below its threshold; grey: not "
                          "enough valid responses yet. The red line is the threshold."))

    def grouping_table(self) -> ReportTable:
        f, ev = self.f, self.results.evaluation
        rows = tuple((row.name, f.num(row.progress.communes), f.num(row.progress.meets),
                      f.num(row.progress.does_not_meet), f.num(row.progress.not_enough_data),
                      f.pct(row.progress.share), f.num(row.progress.needed))
                     for row in presenters.group_rows(self.results))
        o = ev.overall
        return ReportTable(
            (_("Grouping"), _("Communes"), _("Meet"), _("Do not meet"), _("Not enough data"),
             _("Share"), _("Still needed")), rows, (0.31, 0.1, 0.1, 0.12, 0.13, 0.11, 0.13),
            frozenset(range(1, 7)), (_("Total"), f.num(o.communes), f.num(o.meets),
                                     f.num(o.does_not_meet), f.num(o.not_enough_data),
                                     f.pct(o.share), f.num(o.needed)))

    def forms_table(self) -> ReportTable:
        f = self.f
        rows = tuple((f"{x.code} {x.title}", f.num(x.passes), f.num(x.fails),
                      f.num(x.insufficient), f.num(x.valid),
                      f.num(self.activity.by_form.get(x.code, 0)), f.pct(x.pooled_rate),
                      f.pct(x.threshold, 0)) for x in exports.form_overview(self.results))
        return ReportTable(
            (_("Form"), _("Communes passing"), _("Below threshold"), _("Not enough responses"),
             _("Valid responses"), _("Received in the period"), _("Pooled satisfaction"),
             _("Threshold")), rows, (0.22, 0.11, 0.11, 0.11, 0.1, 0.1, 0.13, 0.12),
            frozenset(range(1, 8)))

    def commune_table(self) -> ReportTable:
        f = self.f
        rows = tuple((str(n), s.commune.name,
                      self.results.groupings.get(s.commune.grouping_id, "") or "",
                      f.status_labels[s.status], f.reason(s))
                     for n, s in enumerate(presenters.ordered_statuses(self.results), 1))
        return ReportTable((_("Row number"), _("Commune"), _("Grouping"), _("Status"),
                            _("Why")), rows, (0.07, 0.25, 0.2, 0.16, 0.32), frozenset({0}))

    def commune_forms_table(self, status) -> ReportTable:
        f = self.f
        rows = tuple((r.form_code, f.num(r.valid), f.num(r.satisfied), f.rate(r),
                      f.pct(r.threshold, 0), f.num(r.required),
                      f.num(self.activity.by_form.get(r.form_code, 0)),
                      f.state_labels[r.state]) for r in status.forms)
        return ReportTable(
            (_("Form"), _("Valid responses"), _("Satisfied"), _("Satisfaction"),
             _("Threshold"), _("Minimum"), _("Received in the period"), _("Result")), rows,
            (0.1, 0.12, 0.12, 0.13, 0.11, 0.11, 0.13, 0.18), frozenset(range(1, 7)))

    def method(self) -> Section:
        f, rules = self.f, self.rules
        return Section(_("Method"), (
            _("A response is valid when it answers the overall satisfaction question and is "
              "not flagged as suspicious; a form's satisfaction rate is satisfied responses "
              "divided by valid responses."),
            _("Default threshold: %(t)s; default minimum: %(n)s valid responses per form and "
              "commune.", t=f.pct(rules.threshold, 0), n=rules.min_responses),
            _("A commune meets the standard when every form of the campaign has enough valid "
              "responses and reaches its threshold; it does not meet it as soon as a form "
              "with enough responses is below its threshold."),
        ))

    def sections(self) -> tuple[Section, ...]:
        if self.scope.kind == "commune":
            status = self.results.evaluation.statuses[0]
            verdict = _("Result: %(status)s. %(why)s", status=self.f.status_labels[
                status.status], why=self.f.reason(status))
            if ReportWarning.no_responses in self.warning_codes:
                verdict = _("Result: not judged yet, no response has been received.")
            parts = [Section(_("Overall result"), (verdict, *self.counted()),
                             self.forms_chart(status)),
                     Section(_("By survey form"), table=self.commune_forms_table(status))]
        else:
            parts = [Section(_("Overall result"), tuple(self.headline()), self.share_chart())]
            if self.scope.kind == "province":
                parts.append(Section(_("By grouping"), table=self.grouping_table()))
            parts += [Section(_("By survey form"), table=self.forms_table()),
                      Section(_("Communes"), table=self.commune_table())]
        parts.append(self.method())
        return tuple(replace(part, heading=f"{ROMAN[n]}. {part.heading}")
                     for n, part in enumerate(parts, 1))

    def document(self) -> ReportDocument:
        above, issuer, suffix = self.issuer()
        on_behalf, title = self.signer()
        scope = {"province": _("Whole %(province)s", province=self.province_title()),
                 "grouping": _("%(grouping)s, %(province)s", grouping=self.scope.name,
                               province=self.province_title()),
                 "commune": _("%(commune)s, %(province)s", commune=self.scope.name,
                              province=self.province_title())}[self.scope.kind]
        as_of = _("figures up to %(end)s", end=presenters.vn_date(self.period.end))
        if self.period.cut_short:
            as_of = _("%(as_of)s (the period is not over)", as_of=as_of)
        return ReportDocument(
            issuer_above=above, issuer=issuer, number=self.number(suffix),
            place_date=place_and_date(self.province.name, self.today),
            title=_("REPORT"),
            subtitle=_("Results of the satisfaction surveys for building a friendly "
                       "government, %(period)s", period=period_phrase(
                           self.period, self.results.campaign.name)),
            scope_line=f"{scope} · {as_of}", warnings=self.warnings(),
            sections=self.sections(), recipients=self.recipients(), signer_for=on_behalf,
            signer_title=title, signer_hint=_("(Signature and full name)"),
            signer_name=self.signature.signer_name,
            footnotes=self.footnotes())

    def footnotes(self) -> tuple[str, ...]:
        notes = [_("Prepared on %(date)s from the survey platform.",
                   date=presenters.vn_date(self.today)),
                 _("The number, the signer and the recipients are what was typed on the "
                   "report page; the platform does not keep them.")]
        if self.trail_head:
            notes.append(_("Audit trail when printed (last row, hash): %(head)s.",
                           head=self.trail_head))
        return tuple(notes)


def build(results: CampaignResults, scope: Scope, period: Period, activity: PeriodActivity,
          signature: Signature, today: date, trail_head: str,
          campaign_start: date) -> ReportDocument:
    """The report's document, in Vietnamese whatever the reader's language: it is an
    administrative document, as the decision's annex and the posters are."""
    with force_locale("vi"):
        warnings = reports.report_warnings(results, activity)
        return Builder(results, scope, period, activity, warnings, signature, today,
                       trail_head, campaign_start).document()

