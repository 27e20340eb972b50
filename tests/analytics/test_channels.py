"""QR against field: Newcombe's interval against the paper's worked examples, and the rule
that lists a commune for audit."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.channels import ChannelCount
from analytics.channels import compare
from analytics.channels import funnel_limits
from analytics.channels import newcombe_interval


@pytest.mark.parametrize(("counts", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
    ((56, 70, 48, 80), 0.0524, 0.3339),
    ((9, 10, 3, 10), 0.1705, 0.8090),
    ((5, 56, 0, 29), -0.0381, 0.1926),
    ((0, 10, 0, 20), -0.1611, 0.2775),
    ((0, 10, 0, 10), -0.2775, 0.2775),
    ((10, 10, 0, 20), 0.6791, 1.0000),
    ((10, 10, 0, 10), 0.6075, 1.0000),
])
def test_newcombe_interval_matches_the_worked_examples(counts, low, high):
    interval = newcombe_interval(*counts)
    assert round(interval.low, 4) == low
    assert round(interval.high, 4) == high


def test_no_interval_without_responses_on_either_side():
    assert newcombe_interval(0, 0, 3, 10) is None
    assert newcombe_interval(3, 10, 0, 0) is None


@given(st.integers(1, 200), st.integers(1, 200), st.data())
def test_the_interval_holds_the_difference_and_stays_within_minus_one_and_one(n_a, n_b, data):
    s_a, s_b = data.draw(st.integers(0, n_a)), data.draw(st.integers(0, n_b))
    interval = newcombe_interval(s_a, n_a, s_b, n_b)
    difference = s_a / n_a - s_b / n_b
    assert -1.0 <= interval.low <= difference + 1e-12
    assert difference - 1e-12 <= interval.high <= 1.0


def test_a_commune_is_listed_only_beyond_the_margin_and_beyond_chance():
    gaps = {g.commune_id: g for g in compare({
        # QR 95% of 60, field 60% of 40: far beyond 10 points and beyond chance.
        (1, "PKS05"): (ChannelCount(57, 60), ChannelCount(24, 40)),
        # 15 points higher, but on four QR answers: chance cannot be ruled out.
        (2, "PKS05"): (ChannelCount(4, 4), ChannelCount(34, 40)),
        # Beyond chance but within the margin.
        (3, "PKS05"): (ChannelCount(380, 400), ChannelCount(350, 400)),
        # No field responses yet: nothing to compare.
        (4, "PKS05"): (ChannelCount(30, 30), ChannelCount(0, 0)),
    }, margin=Fraction(1, 10))}
    assert gaps[1].listed
    assert gaps[1].difference == Fraction(57, 60) - Fraction(24, 40)
    assert not gaps[2].listed
    assert gaps[3].interval.low > 0
    assert not gaps[3].listed
    assert gaps[4].difference is None
    assert not gaps[4].listed


def test_rows_come_largest_gap_first_and_incomplete_ones_last():
    order = [g.commune_id for g in compare({
        (1, "PKS07"): (ChannelCount(5, 10), ChannelCount(5, 10)),
        (2, "PKS07"): (ChannelCount(0, 0), ChannelCount(5, 10)),
        (3, "PKS07"): (ChannelCount(9, 10), ChannelCount(5, 10)),
    })]
    assert order == [3, 1, 2]


def test_funnel_limits_narrow_as_samples_grow():
    limits = funnel_limits(0.8, [10, 40, 40, 160, 0])
    assert [limit.responses for limit in limits] == [10, 40, 160]
    widths = [limit.high - limit.low for limit in limits]
    assert widths == sorted(widths, reverse=True)
    assert all(0.0 <= limit.low < 0.8 < limit.high <= 1.0 for limit in limits)
