"""Reports: the periods a campaign offers, custom dates clamped to it, what a period holds and
the warnings a report carries when it holds nothing to judge."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.clock import VIETNAM
from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.results.campaign import campaign_results
from survey_app.services.results.reports import Period
from survey_app.services.results.reports import PeriodKind
from survey_app.services.results.reports import ReportWarning
from survey_app.services.results.reports import Span
from survey_app.services.results.reports import campaign_span
from survey_app.services.results.reports import custom_period
from survey_app.services.results.reports import default_period
from survey_app.services.results.reports import period_activity
from survey_app.services.results.reports import period_choices
from survey_app.services.results.reports import report_warnings

YEAR = Span(date(2026, 1, 1), date(2026, 12, 31))


def table(choices: list[Period]) -> list[tuple[str, date, date, bool]]:
    return [(p.key, p.start, p.end, p.cut_short) for p in choices]


def test_a_campaign_under_way_offers_what_has_begun_up_to_today():
    assert table(period_choices(YEAR, date(2026, 8, 14))) == [
        ("campaign", date(2026, 1, 1), date(2026, 8, 14), True),
        ("h1-2026", date(2026, 1, 1), date(2026, 6, 30), False),
        ("h2-2026", date(2026, 7, 1), date(2026, 8, 14), True),
        ("q1-2026", date(2026, 1, 1), date(2026, 3, 31), False),
        ("q2-2026", date(2026, 4, 1), date(2026, 6, 30), False),
        ("q3-2026", date(2026, 7, 1), date(2026, 8, 14), True),
    ]


def test_periods_are_clamped_to_a_campaign_over_part_of_a_year():
    span = Span(date(2026, 3, 15), date(2026, 9, 30))
    assert table(period_choices(span, date(2027, 1, 10))) == [
        ("campaign", date(2026, 3, 15), date(2026, 9, 30), False),
        ("h1-2026", date(2026, 3, 15), date(2026, 6, 30), False),
        ("h2-2026", date(2026, 7, 1), date(2026, 9, 30), False),
        ("q1-2026", date(2026, 3, 15), date(2026, 3, 31), False),
        ("q2-2026", date(2026, 4, 1), date(2026, 6, 30), False),
        ("q3-2026", date(2026, 7, 1), date(2026, 9, 30), False),
    ]


def test_a_campaign_across_new_year_offers_both_years():
    span = Span(date(2026, 11, 1), date(2027, 2, 28))
    keys = [p.key for p in period_choices(span, date(2027, 3, 1))]
    assert keys == ["campaign", "h2-2026", "h1-2027", "q4-2026", "q1-2027"]


def test_a_campaign_not_begun_offers_its_first_day_only():
    choices = period_choices(YEAR, date(2025, 12, 1))
    assert table(choices) == [("campaign", date(2026, 1, 1), date(2026, 1, 1), True)]


@pytest.mark.parametrize(("start", "end", "expected", "adjusted"), [
    (None, None, (date(2026, 1, 1), date(2026, 8, 14)), False),
    (date(2026, 2, 1), date(2026, 3, 1), (date(2026, 2, 1), date(2026, 3, 1)), False),
    # Before the campaign, after today, reversed: moved inside, and the page says so.
    (date(2025, 6, 1), date(2026, 3, 1), (date(2026, 1, 1), date(2026, 3, 1)), True),
    (date(2026, 5, 1), date(2030, 1, 1), (date(2026, 5, 1), date(2026, 8, 14)), True),
    (date(2026, 5, 1), date(2026, 4, 1), (date(2026, 4, 1), date(2026, 5, 1)), True),
    (date(2027, 5, 1), None, (date(2026, 8, 14), date(2026, 8, 14)), True),
])
def test_custom_dates_stay_inside_the_campaign_and_before_today(start, end, expected,
                                                                 adjusted):
    chosen = custom_period(YEAR, date(2026, 8, 14), start, end)
    assert (chosen.period.start, chosen.period.end) == expected
    assert chosen.adjusted is adjusted
    assert chosen.period.kind is PeriodKind.custom


def test_the_default_is_the_campaign_so_far_and_never_a_date_before_data():
    choices = period_choices(YEAR, date(2026, 3, 10))
    assert default_period(choices, None).key == "campaign"
    assert default_period(choices, "year").end == date(2026, 3, 10)
    # The older "six-month report" link: the first half, cut at today, not 30/06 ahead.
    six = default_period(choices, "six_month")
    assert (six.key, six.end, six.cut_short) == ("h1-2026", date(2026, 3, 10), True)
    later = period_choices(Span(date(2026, 7, 1), date(2026, 12, 31)), date(2026, 9, 1))
    assert default_period(later, "six_month").key == "h2-2026"


def results_until(world, end: date):
    return campaign_results(db.session, world.campaign, select(Commune.id), until=end)


def test_the_campaigns_span_is_its_forms_windows(results_world, app):
    today = today_in_vietnam()
    span = campaign_span(db.session, results_world.campaign)
    assert (span.start, span.end) == (today - timedelta(days=30), today + timedelta(days=30))


def test_a_period_before_any_response_warns_that_nothing_is_judged(results_world, app):
    span = campaign_span(db.session, results_world.campaign)
    period = custom_period(span, today_in_vietnam(), None,
                           today_in_vietnam() - timedelta(days=1)).period
    results = results_until(results_world, period.end)
    activity = period_activity(db.session, results, period)
    assert (activity.received, activity.received_to_end, activity.first_received) == (0, 0,
                                                                                      None)
    assert results.evaluation.overall.meets == 0
    assert report_warnings(results, activity) == [ReportWarning.no_responses]


def test_the_whole_campaign_counts_every_response_and_notes_the_unjudged(results_world, app):
    span = campaign_span(db.session, results_world.campaign)
    period = period_choices(span, today_in_vietnam())[0]
    results = results_until(results_world, period.end)
    activity = period_activity(db.session, results, period)
    # 8 + 30 + 7 + 5 + 12 stored, 2 of them flagged (see the results_world fixture).
    assert (activity.received, activity.flagged, activity.received_to_end) == (62, 2, 62)
    assert activity.by_form == {"PKS01": 15, "PKS05": 47}
    assert activity.first_received == today_in_vietnam()
    assert report_warnings(results, activity) == [ReportWarning.partly_judged]


def test_too_few_responses_for_any_commune_is_not_a_bare_zero(
        create_commune, create_campaign, published_forms, add_responses, app):
    commune = create_commune("Xã Đồng Kỳ")
    campaign = create_campaign(codes=["PKS05"])
    start = today_in_vietnam() - timedelta(days=30)
    early = datetime.combine(start, datetime.min.time(), tzinfo=VIETNAM) + timedelta(hours=9)
    add_responses(campaign, commune, published_forms["PKS05"], {"hai_long": 4},
                  received_at=early)
    db.session.commit()
    span = campaign_span(db.session, campaign)
    results = campaign_results(db.session, campaign, select(Commune.id),
                               until=today_in_vietnam())
    # Nothing since the first day: the period after it is quiet, and no commune is judged.
    quiet = custom_period(span, today_in_vietnam(), start + timedelta(days=1), None).period
    activity = period_activity(db.session, results, quiet)
    assert (activity.received, activity.received_to_end) == (0, 4)
    assert activity.first_received == start
    assert report_warnings(results, activity) == [ReportWarning.none_judged,
                                                  ReportWarning.quiet_period]
