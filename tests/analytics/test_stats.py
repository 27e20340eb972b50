"""The Wilson interval against published values."""

import pytest

from analytics import wilson_interval


@pytest.mark.parametrize(("successes", "trials", "low", "high"), [
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (8, 10, 0.4902, 0.9433),
    (24, 30, 0.6269, 0.9049),
    (81, 263, 0.2553, 0.3662),
])
def test_wilson_interval_matches_reference_values(successes, trials, low, high):
    interval = wilson_interval(successes, trials)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)


def test_no_trials_no_interval():
    assert wilson_interval(0, 0) is None


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError, match="11 successes out of 10 trials"):
        wilson_interval(11, 10)
