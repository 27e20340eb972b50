from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.sample_size import POPULATION
from analytics.sample_size import STAFF
from analytics.sample_size import TRANSACTIONS
from analytics.sample_size import middle
from analytics.sample_size import sample_size
from analytics.sample_size import suggest


@pytest.mark.parametrize(("population", "expected"), [
    (0, 0), (1, 1), (25, 24), (100, 80), (1_000, 286), (10_000, 385), (1_000_000, 400),
])
def test_yamane_at_five_percent(population, expected):
    # 10,000 / (1 + 10,000 × 0.0025) = 384.6..., rounded up.
    assert sample_size(population) == expected


@given(st.integers(min_value=0, max_value=10**9))
def test_never_more_than_the_population_nor_400(population):
    n = sample_size(population)
    assert n <= population
    assert n <= 400


def test_other_margin():
    assert sample_size(10_000, Fraction(1, 10)) == 100


@pytest.mark.parametrize("bad", [-1])
def test_negative_population_is_refused(bad):
    with pytest.raises(ValueError, match="negative"):
        sample_size(bad)


def test_each_form_reads_its_own_figure():
    figures = {STAFF: 25, TRANSACTIONS: 4_000, POPULATION: 12_000}
    assert suggest("PKS01", figures).target == 24
    assert suggest("PKS05", figures).basis == TRANSACTIONS
    assert suggest("PKS05", figures).target == 364
    assert suggest("PKS07", figures).basis == POPULATION
    assert suggest("PKS07", figures).target == 388


def test_missing_figure_proposes_nothing():
    missing = suggest("PKS01", {STAFF: None})
    assert (missing.figure, missing.target) == (None, None)


def test_middle():
    assert middle([]) is None
    assert middle([30, 10, 20]) == 20
    assert middle([10, 20, 30, 40]) == 30
