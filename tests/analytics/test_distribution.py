"""Answer distributions: every option in the form's order, shares of respondents, small
groups hidden, free text never distributed."""

from fractions import Fraction
from pathlib import Path

import pytest

from analytics.distribution import AnswerCount
from analytics.distribution import answer_distribution
from forms import load_definition_file

DEFINITIONS = Path(__file__).resolve().parents[2] / "forms" / "definitions"


@pytest.fixture(scope="module")
def pks05():
    return load_definition_file(DEFINITIONS / "pks05.v2.yaml")


def by_id(distributions):
    return {d.question_id: d for d in distributions}


def test_options_come_in_the_form_order_with_zeros(pks05):
    counts = [AnswerCount("q_overall", "hai_long", 6), AnswerCount("q_overall", "rat_hai_long", 2)]
    overall = by_id(answer_distribution(pks05, counts, {"q_overall": 8}))["q_overall"]
    assert [(o.value, o.count) for o in overall.options] == [
        ("rat_hai_long", 2), ("hai_long", 6), ("binh_thuong", 0), ("khong_hai_long", 0)]
    assert overall.options[1].share == Fraction(3, 4)
    assert overall.options[0].label == "Rất hài lòng"


def test_multiple_choice_shares_are_of_respondents(pks05):
    counts = [AnswerCount("wait_reason", "qua_dong", 5),
              AnswerCount("wait_reason", "xu_ly_cham", 4)]
    reasons = by_id(answer_distribution(pks05, counts, {"wait_reason": 6}))["wait_reason"]
    assert sum(o.share for o in reasons.options) > 1
    assert reasons.options[0].share == Fraction(5, 6)


def test_a_question_with_fewer_than_five_answers_is_hidden(pks05):
    counts = [AnswerCount("gender", "nu", 3), AnswerCount("gender", "nam", 1)]
    gender = by_id(answer_distribution(pks05, counts, {"gender": 4}))["gender"]
    assert gender.is_suppressed
    assert gender.options == ()


def test_free_text_is_never_distributed(pks05):
    ids = by_id(answer_distribution(pks05, [], {}))
    assert "procedure_field_other" not in ids
    assert "q_overall" in ids


def test_values_the_current_version_no_longer_offers_are_kept(pks05):
    counts = [AnswerCount("q_overall", "rat_khong_hai_long", 5)]
    overall = by_id(answer_distribution(pks05, counts, {"q_overall": 5}))["q_overall"]
    assert overall.options[-1].value == "rat_khong_hai_long"
    assert overall.options[-1].count == 5
