"""A commune's status, form by form, at the edges that decide it."""

from fractions import Fraction

import pytest

from analytics import CommuneInfo
from analytics import FormRule
from analytics import FormSpec
from analytics import FormState
from analytics import Rulebook
from analytics import Status
from tests.oracle import Tally
from tests.oracle import evaluate

SATISFIED = frozenset({"rat_hai_long", "hai_long"})
PKS01 = FormSpec("PKS01", versions={1: SATISFIED})
PKS05 = FormSpec("PKS05", sample_target=40, versions={5: SATISFIED, 6: frozenset({"tot"})})
COMMUNE = CommuneInfo(1, "00001", "Xã Thử", grouping_id=7, staff_headcount=20)


def tallies(form: str, version: int, counts: dict, flagged: int = 0, commune: int = 1):
    rows = [Tally(commune, form, version, answer, False, n) for answer, n in counts.items()]
    if flagged:
        rows.append(Tally(commune, form, version, "hai_long", True, flagged))
    return rows


def status_of(rows, forms=(PKS01, PKS05)):
    return evaluate([COMMUNE], forms, rows, Rulebook()).statuses[0]


ENOUGH_PKS01 = tallies("PKS01", 1, {"hai_long": 14})


@pytest.mark.parametrize(("satisfied", "valid", "state"), [
    (24, 30, FormState.passes),  # exactly 80%: passes
    (23, 29, FormState.insufficient),  # 29 valid of 30 needed
    (23, 30, FormState.fails),  # 76.7%
    (30, 30, FormState.passes),
    (0, 30, FormState.fails),
])
def test_pks05_state_at_the_edges(satisfied, valid, state):
    rows = tallies("PKS05", 5, {"hai_long": satisfied, "binh_thuong": valid - satisfied})
    result = evaluate([COMMUNE], [PKS05], rows, Rulebook()).results[0]
    assert result.state is state
    assert result.valid == valid


def test_a_threshold_met_exactly_is_compared_without_floating_point():
    # 0.1 + 0.7 != 0.8 in floating point; 4/5 == 4/5 exactly.
    rules = Rulebook(threshold=Fraction(4, 5))
    rows = tallies("PKS05", 5, {"hai_long": 8_000_000, "binh_thuong": 2_000_000})
    assert evaluate([COMMUNE], [PKS05], rows, rules).results[0].state is FormState.passes


def test_flagged_responses_are_left_out_and_counted_apart():
    rows = tallies("PKS05", 5, {"hai_long": 24, "binh_thuong": 5}, flagged=3)
    result = evaluate([COMMUNE], [PKS05], rows, Rulebook()).results[0]
    assert (result.valid, result.count.flagged, result.state) == (29, 3,
                                                                  FormState.insufficient)


def test_responses_without_a_satisfaction_answer_are_not_valid():
    rows = tallies("PKS05", 5, {"hai_long": 30, None: 4})
    result = evaluate([COMMUNE], [PKS05], rows, Rulebook()).results[0]
    assert (result.valid, result.count.unanswered) == (30, 4)


def test_each_version_counts_its_own_satisfied_answers():
    rows = tallies("PKS05", 5, {"hai_long": 15, "tot": 5}) + tallies("PKS05", 6, {"tot": 10})
    result = evaluate([COMMUNE], [PKS05], rows, Rulebook()).results[0]
    assert (result.valid, result.satisfied) == (30, 25)


def test_a_rulebook_override_of_satisfied_answers_applies_to_every_version():
    rules = Rulebook(forms={"PKS05": FormRule(satisfied_values=("rat_hai_long",))})
    rows = tallies("PKS05", 5, {"rat_hai_long": 20, "hai_long": 10})
    assert evaluate([COMMUNE], [PKS05], rows, rules).results[0].satisfied == 20


def test_meets_when_every_form_has_enough_and_passes():
    rows = ENOUGH_PKS01 + tallies("PKS05", 5, {"hai_long": 24, "binh_thuong": 6})
    status = status_of(rows)
    assert status.status is Status.meets
    assert status.failing_forms == ()
    assert status.missing == ()


def test_a_form_without_enough_responses_means_not_enough_data():
    rows = ENOUGH_PKS01 + tallies("PKS05", 5, {"hai_long": 20})
    status = status_of(rows)
    assert status.status is Status.not_enough_data
    assert status.missing == (("PKS05", 10),)


def test_a_sufficient_failing_form_means_does_not_meet_even_with_other_forms_short():
    rows = tallies("PKS01", 1, {"hai_long": 10, "khong_hai_long": 4})  # 71%, 14 ≥ 14
    status = status_of(rows)
    assert status.status is Status.does_not_meet
    assert status.failing_forms == ("PKS01",)
    assert status.missing == (("PKS05", 30),)


def test_a_commune_without_responses_lacks_data_on_every_form():
    status = status_of([])
    assert status.status is Status.not_enough_data
    assert status.missing_total == 14 + 30


def test_a_campaign_without_forms_tells_nothing():
    assert status_of([], forms=()).status is Status.not_enough_data


def test_every_response_flagged_means_not_enough_data():
    rows = [Tally(1, "PKS01", 1, "hai_long", True, 50), Tally(1, "PKS05", 5, "hai_long", True, 50)]
    status = status_of(rows)
    assert status.status is Status.not_enough_data
    assert status.flagged == 100
    assert status.valid == 0


def test_target_progress_counts_communes_still_needed():
    communes = [CommuneInfo(i, f"{i:05d}", f"X{i}", grouping_id=i % 2) for i in range(1, 11)]
    rows = [Tally(i, "PKS05", 5, "hai_long", False, 30) for i in range(1, 5)]
    evaluation = evaluate(communes, [PKS05], rows, Rulebook())
    overall = evaluation.overall
    assert (overall.communes, overall.meets, overall.not_enough_data) == (10, 4, 6)
    assert overall.share == Fraction(2, 5)
    assert (overall.required, overall.needed, overall.is_reached) == (6, 2, False)
    by_grouping = {g.grouping_id: g for g in evaluation.groupings}
    assert (by_grouping[1].meets, by_grouping[1].communes, by_grouping[1].needed) == (2, 5, 1)


def test_sample_progress_caps_each_commune_at_its_goal():
    communes = [CommuneInfo(1, "1", "A"), CommuneInfo(2, "2", "B")]
    rows = [Tally(1, "PKS05", 5, "hai_long", False, 100),
            Tally(2, "PKS05", 5, "hai_long", False, 10)]
    sample = evaluate(communes, [PKS05], rows, Rulebook()).samples[0]
    assert (sample.valid, sample.wanted, sample.capped) == (110, 80, 50)
    assert (sample.sufficient, sample.at_target) == (1, 1)
