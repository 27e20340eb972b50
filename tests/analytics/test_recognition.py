"""The recognition rules: the pass rule and the survey points against a plain recomputation,
and a criteria file read with every problem named."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from analytics import Rulebook
from analytics.recognition import ALL_OR_NOTHING
from analytics.recognition import CommuneStage
from analytics.recognition import RecognitionRules
from analytics.recognition import RecognitionRulesError
from analytics.recognition import assess
from analytics.recognition import default_criteria
from analytics.recognition import funnel
from analytics.recognition import funnel_by_grouping
from analytics.recognition import survey_points

RULES = RecognitionRules()
HUNDREDTHS = st.integers(min_value=0, max_value=2500).map(lambda n: Fraction(n, 100))
RATES = st.one_of(st.none(), st.integers(0, 1000).map(lambda n: Fraction(n, 1000)))


def maxima() -> dict[str, Fraction]:
    found = {}
    for criterion in default_criteria():
        for item in criterion.items or (criterion,):
            found[item.code] = item.max_points
    return found


@st.composite
def entries(draw) -> dict[str, Fraction]:
    return {code: min(draw(HUNDREDTHS), top) for code, top in maxima().items()
            if not code.startswith("TC5")}


def by_hand(points: dict[str, Fraction], survey: Fraction, pks07: Fraction | None) -> bool:
    """DOMAIN.md's rule, written out plainly: total ≥ 80, each criterion ≥ half its max,
    PKS07 ≥ 80%."""
    criteria = {
        "TC1": (points["TC1.1"] + points["TC1.2"], 20),
        "TC2": (points["TC2"], 25),
        "TC3": (points["TC3.1"] + points["TC3.2"], 20),
        "TC4": (points["TC4.1"] + points["TC4.2"], 15),
        "TC5": (survey, 20),
    }
    total = sum(got for got, _ in criteria.values())
    halves = all(got * 2 >= top for got, top in criteria.values())
    return total >= 80 and halves and pks07 is not None and pks07 * 100 >= 80


@settings(max_examples=300, deadline=None)
@given(entries(), st.integers(0, 2000).map(lambda n: Fraction(n, 100)), RATES)
def test_the_pass_rule_matches_a_recomputation(points, survey, pks07):
    result = assess(RULES, points, survey, {"PKS07": pks07})
    assert result.passes == by_hand(points, survey, pks07)
    assert result.total == sum(points.values()) + survey


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["PKS01", "PKS02", "PKS05", "PKS07"]), RATES,
                       min_size=1))
def test_proportional_points_are_the_mean_rate_times_the_maximum(rates):
    got = survey_points(RULES, rates, meets_standard=False)
    exact = 20 * sum(r or 0 for r in rates.values()) / len(rates)
    assert abs(got - exact) <= Fraction(1, 200)
    assert got * 100 == int(got * 100)  # to the hundredth
    assert 0 <= got <= 20


@given(st.dictionaries(st.just("PKS07"), RATES), st.booleans())
def test_all_or_nothing_gives_the_maximum_only_to_a_commune_meeting_the_standard(rates, meets):
    rules = RecognitionRules(survey_mode=ALL_OR_NOTHING)
    assert survey_points(rules, rates, meets) == (20 if meets else 0)


def test_exactly_the_marks_pass_and_a_hundredth_less_does_not():
    points = {"TC1.1": Fraction(5), "TC1.2": Fraction(5), "TC2": Fraction(15),
              "TC3.1": Fraction(10), "TC3.2": Fraction(10), "TC4.1": Fraction(15, 2),
              "TC4.2": Fraction(15, 2)}
    at_mark = assess(RULES, points, Fraction(20), {"PKS07": Fraction(4, 5)})
    assert at_mark.total == 80
    assert at_mark.passes
    below = assess(RULES, {**points, "TC1.1": Fraction(499, 100)}, Fraction(20),
                   {"PKS07": Fraction(4, 5)})
    assert below.reasons == ("criterion_low:TC1", "total_low")


def test_a_blank_item_is_named_and_counts_zero():
    result = assess(RULES, {}, Fraction(20), {"PKS07": Fraction(1)})
    assert "unscored:TC2" in result.reasons
    assert result.total == 20


def test_the_rules_survive_the_rulebook_round_trip():
    rules = RecognitionRules(survey_mode=ALL_OR_NOTHING, target_base="registered",
                             pass_total=Fraction(85), pass_form=None)
    book = Rulebook(recognition=rules)
    assert Rulebook.from_dict(book.to_dict()).recognition == rules


def test_a_rulebook_saved_before_recognition_gets_the_defaults():
    data = Rulebook().to_dict()
    del data["recognition"]
    assert Rulebook.from_dict(data).recognition == RecognitionRules()


def test_a_bad_criteria_file_names_every_problem():
    with pytest.raises(RecognitionRulesError) as caught:
        RecognitionRules.from_dict({
            "target_base": "some",
            "pass": {"total_min": 120, "criterion_min_percent": 150},
            "satisfaction": {"criterion": "TC9", "mode": "guess"},
            "criteria": [
                {"code": "TC1", "title": "Dân chủ", "max": 20,
                 "items": [{"code": "TC1.1", "title": "a", "max": 10},
                           {"code": "TC1.1", "title": "b", "max": 5}]},
                {"code": "TC2", "title": "", "max": "nhiều"},
            ],
        })
    found = {(p.code, p.where) for p in caught.value.problems}
    assert found >= {
        ("rec_choice", "target_base"), ("rec_choice", "satisfaction.mode"),
        ("rec_percent", "pass.criterion_min_percent"), ("rec_duplicate", "criteria[1]"),
        ("rec_items_sum", "criteria[1].items"), ("rec_title", "criteria[2].title"),
        ("rec_points", "criteria[2].max"), ("rec_survey_criterion", "satisfaction.criterion"),
        ("rec_total_above_max", "pass.total_min"),
    }


STAGES = st.builds(CommuneStage, st.sampled_from([None, 1, 2]), st.booleans(), st.booleans(),
                   st.booleans(), st.booleans())


@given(st.lists(STAGES, max_size=40), st.sampled_from(["all", "registered"]),
       st.integers(1, 100).map(lambda n: Fraction(n, 100)))
def test_the_funnel_counts_match_a_recomputation(stages, base, target):
    got = funnel(stages, target, base)
    registered = [s for s in stages if s.registered]
    assert got.registered == len(registered)
    assert got.recognised == sum(1 for s in registered if s.recognised)
    denominator = len(registered) if base == "registered" else len(stages)
    assert got.base == denominator
    assert got.required == math.ceil(target * denominator)
    assert got.is_reached == (denominator > 0 and got.recognised >= got.required)
    groups = funnel_by_grouping(stages, target, base)
    assert sum(g.registered for g in groups) == got.registered
    assert sum(g.recognised for g in groups) == got.recognised
