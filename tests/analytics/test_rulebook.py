"""The rulebook: defaults from DOMAIN.md, exact percentages, validation, round trip."""

from datetime import date
from fractions import Fraction

import pytest

from analytics import FormRule
from analytics import Rulebook
from analytics import RulebookError
from analytics.rulebook import parse_percent
from analytics.rulebook import percent_text


def test_defaults_are_those_of_the_domain():
    rules = Rulebook()
    assert rules.target_share == Fraction(60, 100)
    assert rules.threshold_for("PKS05") == Fraction(80, 100)
    assert rules.required_responses("PKS05", staff_headcount=25) == 30
    # PKS01: 70% of the staff headcount, rounded up.
    assert rules.required_responses("PKS01", staff_headcount=20) == 14
    assert rules.required_responses("PKS01", staff_headcount=21) == 15
    assert rules.satisfied_for("PKS05", ("rat_hai_long", "hai_long")) == {"rat_hai_long",
                                                                         "hai_long"}


def test_pks01_without_a_known_headcount_falls_back_to_the_absolute_minimum():
    assert Rulebook().required_responses("PKS01", staff_headcount=None) == 30


def test_a_minimum_is_never_below_one():
    assert Rulebook().required_responses("PKS01", staff_headcount=0) == 1


@pytest.mark.parametrize(("text", "share"), [
    ("80", Fraction(4, 5)), (80, Fraction(4, 5)), ("82.5", Fraction(33, 40)),
    ("82,5", Fraction(33, 40)), (82.5, Fraction(33, 40)), ("100", Fraction(1)),
    ("0.1", Fraction(1, 1000)),
])
def test_percentages_are_read_exactly(text, share):
    assert parse_percent(text) == share


@pytest.mark.parametrize("text", ["0", "-5", "100.01", "abc", "", True, None, "nan"])
def test_impossible_percentages_are_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011  (the value itself is the message)
        parse_percent(text)


def test_percent_text_is_exact():
    assert percent_text(Fraction(4, 5)) == "80"
    assert percent_text(Fraction(33, 40)) == "82.5"
    assert percent_text(Fraction(1, 8)) == "12.5"


def test_round_trip_through_the_stored_form():
    rules = Rulebook(
        target_share=Fraction(13, 20), target_deadline=date(2026, 12, 31),
        threshold=Fraction(33, 40), min_responses=50,
        forms={"PKS01": FormRule(min_staff_share=Fraction(3, 4)),
               "PKS05": FormRule(threshold=Fraction(9, 10), min_responses=40,
                                 satisfied_values=("rat_hai_long",))},
    )
    data = rules.to_dict()
    assert data["defaults"]["threshold_percent"] == "82.5"
    assert data["forms"]["PKS05"]["satisfied"] == ["rat_hai_long"]
    assert Rulebook.from_dict(data) == rules


def test_an_empty_stored_rulebook_means_the_defaults():
    assert Rulebook.from_dict({}) == Rulebook(forms={})


def test_every_problem_is_reported_at_once():
    with pytest.raises(RulebookError) as caught:
        Rulebook.from_dict({
            "target": {"share_percent": "120", "deadline": "31/12/2026"},
            "defaults": {"threshold_percent": "x", "min_responses": 0},
            "forms": {"PKS05": {"satisfied": []}, "bad code!": {}},
        })
    problems = caught.value.problems
    assert len(problems) == 6
    assert any("deadline" in p for p in problems)


def test_the_correction_window_is_kept_and_checked():
    assert Rulebook().correction_days == 7
    rules = Rulebook(correction_days=3)
    assert rules.to_dict()["corrections"] == {"window_days": 3}
    assert Rulebook.from_dict(rules.to_dict()).correction_days == 3
    # A rulebook stored before corrections existed keeps the default window.
    assert Rulebook.from_dict({"defaults": {"min_responses": 30}}).correction_days == 7
    for bad in (0, 400, "7", True):
        with pytest.raises(RulebookError, match=r"corrections\.window_days"):
            Rulebook.from_dict({"corrections": {"window_days": bad}})
