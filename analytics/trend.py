"""Week by week: responses collected, their satisfaction, and communes meeting so far.

Weeks start on Monday in Vietnam time. The database counts responses per week, commune and
form; this module only accumulates them, so the last point always equals the campaign's
current figures (a property test checks every week against a fresh evaluation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from fractions import Fraction

from analytics.rulebook import Rulebook
from analytics.satisfaction import CommuneInfo
from analytics.satisfaction import FormSpec
from analytics.satisfaction import FormState
from analytics.satisfaction import SampleCount
from analytics.satisfaction import judge


@dataclass(frozen=True)
class WeeklyCount:
    """A commune's responses to one form received in one week."""

    week: date
    commune_id: int
    form_code: str
    count: SampleCount


@dataclass(frozen=True)
class WeekPoint:
    week: date
    #: This week's responses.
    count: SampleCount
    #: All responses up to the end of this week.
    cumulative: SampleCount
    #: Communes meeting the standard on the responses up to the end of this week; None when
    #: only totals were counted (see :func:`weekly_totals`).
    meets: int | None
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
        if self.meets is None or not self.communes:
            return None
        return Fraction(self.meets, self.communes)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    weeks, week = [], week_start(first)
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


def by_week(weekly: Iterable[WeeklyCount], keep) -> dict[date, list[WeeklyCount]]:
    grouped: dict[date, list[WeeklyCount]] = {}
    for item in weekly:
        if keep(item):
            grouped.setdefault(week_start(item.week), []).append(item)
    return grouped


def weekly_trend(
    weekly: Iterable[WeeklyCount],
    communes: Iterable[CommuneInfo],
    forms: Iterable[FormSpec],
    rules: Rulebook,
) -> list[WeekPoint]:
    """One point per week from the first response to the last, empty weeks included.

    Statuses are kept incrementally: per commune, how many of its forms fail and how many
    lack responses; only the (commune, form) pairs that received responses in a week are
    re-judged, so the cost follows the data, not communes × forms × weeks. Running counts
    are plain integers, and each (form, headcount)'s required responses are worked out once:
    a province's trend has tens of thousands of (week, commune, form) counts.
    """
    communes = {c.id: c for c in communes}
    forms = {form.code: form for form in forms}
    grouped = by_week(weekly, lambda i: i.commune_id in communes and i.form_code in forms)
    if not grouped:
        return []
    thresholds = {code: rules.threshold_for(code) for code in forms}
    required: dict[tuple[str, int | None], int] = {}
    #: (commune, form) → [valid, satisfied], and the state they were last judged to be in.
    running: dict[tuple[int, str], list[int]] = {}
    states: dict[tuple[int, str], FormState] = {}
    failing: Counter[int] = Counter()
    lacking = Counter(dict.fromkeys(communes, len(forms)))
    any_forms = bool(forms)
    insufficient, fails = FormState.insufficient, FormState.fails

    meeting, points = 0, []
    total = [0, 0, 0, 0]
    for week in weeks_between(min(grouped), max(grouped)):
        week_total = [0, 0, 0, 0]
        for item in grouped.get(week, ()):
            commune_id, code, count = item.commune_id, item.form_code, item.count
            key = (commune_id, code)
            before = any_forms and not failing[commune_id] and not lacking[commune_id]
            slot = running.get(key)
            if slot is None:
                slot = running[key] = [0, 0]
            slot[0] += count.valid
            slot[1] += count.satisfied
            week_total[0] += count.valid
            week_total[1] += count.satisfied
            week_total[2] += count.flagged
            week_total[3] += count.unanswered
            need_key = (code, communes[commune_id].staff_headcount)
            need = required.get(need_key)
            if need is None:
                need = required[need_key] = rules.required_responses(*need_key)
            state = judge(slot[0], slot[1], need, thresholds[code])
            old = states.get(key, insufficient)
            if state is not old:
                failing[commune_id] += (state is fails) - (old is fails)
                lacking[commune_id] += (state is insufficient) - (old is insufficient)
                states[key] = state
            after = any_forms and not failing[commune_id] and not lacking[commune_id]
            meeting += after - before
        for i, n in enumerate(week_total):
            total[i] += n
        points.append(WeekPoint(week, SampleCount(*week_total), SampleCount(*total), meeting,
                                len(communes)))
    return points


def weekly_totals(weekly: Iterable[WeeklyCount], forms: Iterable[FormSpec],
                  communes: int) -> list[WeekPoint]:
    """Responses and satisfaction per week without statuses (counts summed over communes)."""
    codes = {form.code for form in forms}
    grouped = by_week(weekly, lambda item: item.form_code in codes)
    if not grouped:
        return []
    total, points = SampleCount(), []
    for week in weeks_between(min(grouped), max(grouped)):
        week_total = sum((item.count for item in grouped.get(week, ())), SampleCount())
        total = total + week_total
        points.append(WeekPoint(week, week_total, total, None, communes))
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


def weekly_by_form(weekly: Iterable[WeeklyCount], forms: Iterable[FormSpec]) -> list[FormWeek]:
    """Per form and week, this week's counts and the running totals (all communes given)."""
    codes = [form.code for form in forms]
    grouped = by_week(weekly, lambda item: item.form_code in codes)
    if not grouped:
        return []
    running = dict.fromkeys(codes, SampleCount())
    rows = []
    for week in weeks_between(min(grouped), max(grouped)):
        this_week = dict.fromkeys(codes, SampleCount())
        for item in grouped.get(week, ()):
            this_week[item.form_code] = this_week[item.form_code] + item.count
        for code, count in this_week.items():
            running[code] = running[code] + count
            rows.append(FormWeek(week, code, count, running[code]))
    return rows
