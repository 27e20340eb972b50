"""Charts that read at a glance: a rate never printed on the wrong side of its threshold,
threshold marks told apart from interval caps, and the trend on a single axis."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

from analytics import charts
from analytics.satisfaction import FormResult
from analytics.satisfaction import SampleCount
from analytics.trend import WeekPoint

WORDS = charts.Words()
THRESHOLD = Fraction(4, 5)


def result(satisfied: int, valid: int, required: int = 30, code: str = "PKS05") -> FormResult:
    return FormResult(1, code, SampleCount(valid=valid, satisfied=satisfied), required,
                      THRESHOLD)


def test_a_rate_just_below_the_threshold_never_prints_as_the_threshold():
    assert charts.shown_percent(Fraction(159, 200), THRESHOLD, 0) == 79  # 79.5%
    assert charts.shown_percent(Fraction(1599, 2000), THRESHOLD, 1) == 79.9  # 79.95%
    assert charts.shown_percent(Fraction(4, 5), THRESHOLD, 0) == 80
    assert charts.shown_percent(Fraction(161, 200), THRESHOLD, 0) == 81  # 80.5% rounds up
    assert charts.shown_percent(Fraction(1, 3), None, 1) == 33.3
    below = charts.heat_cell(result(159, 200, 30), WORDS)
    assert below.margin < 0
    assert below.text == "79%"
    assert below.hover.startswith("79,5%")


def test_threshold_marks_differ_from_interval_caps_and_leave_sample_labels_clear():
    figure = json.loads(charts.to_json(charts.form_rates(
        [result(25, 30, code="PKS05"), result(4, 14, required=14 + 1, code="PKS07")], WORDS)))
    bars, threshold, interval = figure["data"]
    assert interval["name"] == WORDS.interval
    assert threshold["marker"]["color"] != bars["error_y"]["color"]
    assert threshold["text"] == ["80%", "80%"]
    assert threshold["name"] == WORDS.threshold
    # Not enough responses: no bar, the n label at the foot, far below the threshold mark.
    assert bars["y"][1] == 0
    assert bars["text"][1] == "n=14/15"
    assert bars["textposition"][1] == "outside"


def test_the_trend_has_one_axis():
    first, second = SampleCount(valid=10, satisfied=8), SampleCount(valid=12, satisfied=9)
    points = [WeekPoint(date(2026, 3, 2), first, first, 3, 10),
              WeekPoint(date(2026, 3, 9), second, first + second, 5, 10)]
    figure = json.loads(charts.to_json(charts.trend_lines(points, Fraction(3, 5),
                                                          date(2026, 6, 30), WORDS)))
    assert "yaxis2" not in figure["layout"]
    assert all(trace.get("yaxis", "y") == "y" for trace in figure["data"])
    assert figure["data"][0]["name"] == WORDS.share_meeting
