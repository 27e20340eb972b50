"""Reports in the official layout: the periods a campaign can be reported on, what a period
holds, the warnings a report must carry before its figures, and the download's trace.

A report's figures are cumulative: a commune meets the standard on every form of the
campaign, and the forms run in different quarters, so a quarter judged on its own answers
alone would leave every commune without enough data. A period therefore reports the
situation at its end (``campaign_results(until=period.end)``) and, beside it, what the period
itself brought in (``period_activity``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.clock import VIETNAM
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Response
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import campaign_start
from survey_app.services.results.campaign import end_of_day

#: Report numbers, signers' titles and names are typed on the report page: short, one line.
MAX_NUMBER, MAX_TITLE, MAX_NAME = 40, 80, 80
#: "Nơi nhận": at most this many lines of at most MAX_TITLE characters.
MAX_RECIPIENTS = 10


class PeriodKind(enum.Enum):
    campaign = "campaign"
    half = "half"
    quarter = "quarter"
    custom = "custom"


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end`` inclusive, Vietnam time, inside the campaign and not after
    the day the report is made."""

    key: str
    kind: PeriodKind
    start: date
    end: date
    #: The quarter (1-4) or half (1-2) and its year; None for the campaign and custom dates.
    number: int | None = None
    year: int | None = None
    #: The period goes on after ``end`` (today): the figures are as of today, not its last day.
    cut_short: bool = False


@dataclass(frozen=True)
class Span:
    """A campaign's days: its first form's opening to its last form's closing."""

    start: date
    end: date


def campaign_span(session: Session, campaign: Campaign) -> Span:
    start = campaign_start(session, campaign)
    end = session.scalar(select(func.max(CampaignForm.closes_on))
                         .where(CampaignForm.campaign_id == campaign.id))
    return Span(start, max(start, end or start))


def _last_day(span: Span, today: date) -> date:
    # A campaign not yet begun is reported as of its first day (nothing can exist before it).
    return max(span.start, min(span.end, today))


def _blocks(span: Span, months: int) -> list[tuple[int, int, date, date]]:
    """The calendar quarters (months=3) or halves (6) that overlap ``span``."""
    blocks = []
    for year in range(span.start.year, span.end.year + 1):
        for number in range(1, 12 // months + 1):
            first = date(year, months * (number - 1) + 1, 1)
            following = date(year + 1, 1, 1) if number * months == 12 else date(
                year, months * number + 1, 1)
            last = date.fromordinal(following.toordinal() - 1)
            if first <= span.end and last >= span.start:
                blocks.append((number, year, first, last))
    return blocks


def period_choices(span: Span, today: date) -> list[Period]:
    """The whole campaign, then each half and quarter of a year that overlaps it, clamped to
    the campaign and to today; a period that begins after today is left out (it can hold no
    answer yet)."""
    last = _last_day(span, today)
    choices = [Period("campaign", PeriodKind.campaign, span.start, last,
                      cut_short=last < span.end)]
    for kind, months, prefix in ((PeriodKind.half, 6, "h"), (PeriodKind.quarter, 3, "q")):
        for number, year, first, final in _blocks(span, months):
            start = max(first, span.start)
            if start > last or start > today:
                continue
            end = min(final, last)
            choices.append(Period(f"{prefix}{number}-{year}", kind, start, end, number, year,
                                  cut_short=end < min(final, span.end)))
    return choices


@dataclass(frozen=True)
class Chosen:
    period: Period
    #: The dates asked for were moved into the campaign (or swapped): the page says so.
    adjusted: bool = False


def custom_period(span: Span, today: date, start: date | None, end: date | None) -> Chosen:
    """Custom dates clamped to the campaign and today; missing ends take the campaign's."""
    last = _last_day(span, today)
    asked = (start, end)
    start = min(max(start or span.start, span.start), last)
    end = min(max(end or last, span.start), last)
    if start > end:
        start, end = end, start
    adjusted = (asked[0] is not None and asked[0] != start) or (
        asked[1] is not None and asked[1] != end)
    return Chosen(Period("custom", PeriodKind.custom, start, end), adjusted)


def default_period(choices: list[Period], legacy_kind: str | None) -> Period:
    """The whole campaign up to today; the older ``kind=six_month`` link asks for the first
    half of the campaign's year (else the latest half that has begun)."""
    if legacy_kind == "six_month":
        halves = [p for p in choices if p.kind is PeriodKind.half]
        first = [p for p in halves if p.number == 1]
        if first:
            return first[0]
        if halves:
            return halves[-1]
    return choices[0]


@dataclass(frozen=True)
class PeriodActivity:
    """What the communes in scope received: in the period, and in all up to its end."""

    received: int
    flagged: int
    by_form: dict[str, int]
    #: Every response of the campaign received up to the period's end, flagged or not.
    received_to_end: int
    first_received: date | None


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VIETNAM)


def period_activity(session: Session, results: CampaignResults, period: Period) -> PeriodActivity:
    """Responses received from the period's first day to its last, per form, and in all."""
    base = (Response.campaign_id == results.campaign.id,
            Response.commune_id.in_(results.commune_ids),
            Response.received_at < end_of_day(period.end))
    inside = Response.received_at >= start_of_day(period.start)
    flagged = func.sum(case((Response.is_flagged.is_(True), 1), else_=0))
    rows = session.execute(
        select(Response.form_id, func.count(), flagged)
        .where(*base, inside).group_by(Response.form_id)).all()
    codes = results.form_ids
    by_form = dict.fromkeys(codes.values(), 0)
    for form_id, n, _flagged in rows:
        if form_id in codes:
            by_form[codes[form_id]] = int(n)
    # min() keeps the column's type: an aware UTC datetime on both backends.
    to_end, first = session.execute(
        select(func.count(), func.min(Response.received_at)).where(*base)).one()
    return PeriodActivity(sum(int(n) for _, n, _f in rows),
                          sum(int(f or 0) for _, _n, f in rows), by_form, int(to_end),
                          first.astimezone(VIETNAM).date() if first is not None else None)


class ReportWarning(enum.Enum):
    #: Nothing received up to the period's end: the report judges no commune.
    no_responses = "no_responses"
    #: Responses exist, but no commune has enough on every form to be judged.
    none_judged = "none_judged"
    #: Nothing new in the period: the figures are those of the period's start.
    quiet_period = "quiet_period"
    #: Some communes are judged, others still lack responses: the share counts them all.
    partly_judged = "partly_judged"


def report_warnings(results: CampaignResults, activity: PeriodActivity) -> list[ReportWarning]:
    """What the reader must know before the figures, most serious first."""
    overall = results.evaluation.overall
    if activity.received_to_end == 0:
        return [ReportWarning.no_responses]
    found = []
    if overall.meets + overall.does_not_meet == 0:
        found.append(ReportWarning.none_judged)
    elif overall.not_enough_data:
        found.append(ReportWarning.partly_judged)
    if activity.received == 0:
        found.append(ReportWarning.quiet_period)
    return found


@dataclass(frozen=True)
class Signature:
    """What the report page's form says about the document: nothing of it is stored."""

    number: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = ()


def log_report_pdf(session: Session, user, results: CampaignResults, period: Period,
                   scope: str, unit_id: int | None, signature: Signature) -> None:
    """The PDF takes the results out of the platform: kept in the audit trail as the other
    downloads are. Call inside a unit of work."""
    trail.record(session, user, Action.EXPORT_DOWNLOADED, target=("campaign", results.campaign.id),
                 province_id=results.campaign.province_id, export="report_pdf", form=None,
                 as_of=period.end.isoformat(), period=period.key,
                 period_start=period.start.isoformat(), scope=scope, unit=unit_id,
                 number=signature.number or None)
