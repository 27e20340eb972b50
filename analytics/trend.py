"""Week by week: responses collected, their satisfaction, and communes meeting so far.

Weeks start on Monday in Vietnam time; the database buckets responses into weeks and this
module only accumulates, so the last point always equals the campaign's current figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from fractions import Fraction

from analytics.rulebook import Rulebook
from analytics.satisfaction import CommuneInfo
from analytics.satisfaction import FormSpec
from analytics.satisfaction import SampleCount
from analytics.satisfaction import Tally
from analytics.satisfaction import count_samples
from analytics.satisfaction import form_results
from analytics.thresholds import Status
from analytics.thresholds import commune_status


@dataclass(frozen=True)
class WeeklyTally:
    week: date
    tally: Tally


@dataclass(frozen=True)
class WeekPoint:
    week: date
    #: This week's responses.
    count: SampleCount
    #: All responses up to the end of this week.
    cumulative: SampleCount
    #: Communes meeting the standard on the responses up to the end of this week.
    meets: int
    communes: int

    @property
    def rate(self) -> Fraction | None:
        c = self.count
        return Fraction(c.satisfied, c.valid) if c.valid else None

    @property
    def cumulative_rate(self) -> Fraction | None:
        c = self.cumulative
        return Fraction(c.satisfied, c.valid) if c.valid else None

    @property
    def share_meeting(self) -> Fraction | None:
        return Fraction(self.meets, self.communes) if self.communes else None


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    weeks, week = [], week_start(first)
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


def weekly_trend(
    weekly: Iterable[WeeklyTally],
    communes: Iterable[CommuneInfo],
    forms: Iterable[FormSpec],
    rules: Rulebook,
) -> list[WeekPoint]:
    """One point per week from the first response to the last, empty weeks included."""
    communes = {c.id: c for c in communes}
    forms = list(forms)
    codes = {form.code for form in forms}
    by_week: dict[date, list[Tally]] = {}
    for item in weekly:
        if item.tally.commune_id in communes and item.tally.form_code in codes:
            by_week.setdefault(week_start(item.week), []).append(item.tally)
    if not by_week:
        return []
    running: dict[tuple[int, str], SampleCount] = {}
    status: dict[int, Status] = {}
    meets, total = 0, SampleCount()
    points = []
    for week in weeks_between(min(by_week), max(by_week)):
        counts = count_samples(by_week.get(week, ()), forms, rules)
        week_total = sum(counts.values(), SampleCount())
        for key, count in counts.items():
            running[key] = running.get(key, SampleCount()) + count
        for commune_id in {commune_id for commune_id, _ in counts}:
            commune = communes[commune_id]
            new = commune_status(commune, form_results([commune], forms, running, rules)).status
            meets += (new is Status.meets) - (status.get(commune_id) is Status.meets)
            status[commune_id] = new
        total = total + week_total
        points.append(WeekPoint(week, week_total, total, meets, len(communes)))
    return points


@dataclass(frozen=True)
class FormWeek:
    week: date
    form_code: str
    count: SampleCount
    cumulative: SampleCount

    @property
    def cumulative_rate(self) -> Fraction | None:
        c = self.cumulative
        return Fraction(c.satisfied, c.valid) if c.valid else None


def weekly_by_form(
    weekly: Iterable[WeeklyTally], forms: Iterable[FormSpec], rules: Rulebook
) -> list[FormWeek]:
    """Per form and week, this week's counts and the running totals (all communes given)."""
    forms = list(forms)
    by_week: dict[date, list[Tally]] = {}
    for item in weekly:
        by_week.setdefault(week_start(item.week), []).append(item.tally)
    if not by_week:
        return []
    running = {form.code: SampleCount() for form in forms}
    rows = []
    for week in weeks_between(min(by_week), max(by_week)):
        this_week = {form.code: SampleCount() for form in forms}
        for (_, code), count in count_samples(by_week.get(week, ()), forms, rules).items():
            if code in this_week:
                this_week[code] = this_week[code] + count
        for code, count in this_week.items():
            running[code] = running[code] + count
            rows.append(FormWeek(week, code, count, running[code]))
    return rows
