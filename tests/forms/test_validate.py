"""Answer validation: raw strings in, clean answers or error codes out, whatever the client sent."""

from __future__ import annotations

import pytest

from forms import load_definition
from forms import load_definition_file
from forms import validate_answers
from tests.forms.test_loader import DEFINITIONS
from tests.forms.test_loader import valid


@pytest.fixture(scope="module")
def definition():
    data = valid()
    data["sections"][0]["questions"].extend([
        # A second level of condition: shown only when the first conditional one says "qua_dong".
        {"id": "crowd_time", "type": "single_choice", "text": "Đông vào lúc nào?",
         "show_if": {"question": "wait_reason", "any_of": ["qua_dong"]}, "required": True,
         "options": [{"value": "sang", "label": "Buổi sáng"},
                     {"value": "chieu", "label": "Buổi chiều"}]},
        {"id": "distance", "type": "number", "text": "Khoảng cách (km)?", "integer": False,
         "min": 0.5},
        {"id": "fee", "type": "number", "text": "Chi phí?", "max": 100},
    ])
    return load_definition(data)


REQUIRED = {"wait_time": "nhanh_gon", "q_overall": "hai_long"}


def check(definition, **raw):
    return validate_answers(definition, {**REQUIRED, **raw})


def test_minimal_answers_are_clean(definition):
    result = check(definition)
    assert result.ok
    assert result.answers == REQUIRED


@pytest.mark.parametrize("missing", ["wait_time", "q_overall"])
@pytest.mark.parametrize("empty", [None, "", "   ", []], ids=["none", "empty", "blank", "no-list"])
def test_required_question_left_empty(definition, missing, empty):
    result = check(definition, **{missing: empty})
    assert result.errors[missing].code == "required"
    assert missing not in result.answers


def test_optional_questions_may_stay_empty(definition):
    result = check(definition, paid="", score=[], comment="  ")
    assert result.ok
    assert set(result.answers) == set(REQUIRED)


@pytest.mark.parametrize(
    ("qid", "raw", "answer"),
    [
        ("wait_time", "cho_rat_lau", "cho_rat_lau"),
        ("wait_time", [" binh_thuong "], "binh_thuong"),
        ("paid", "co", "co"),
        ("paid", "khong", "khong"),
        ("score", "5", 5),
        ("score", "1", 1),
        ("score", 3, 3),
        ("score", "4,0", 4),
        ("visits", "12", 12),
        ("visits", "0", 0),
        ("visits", "2e1", 20),
        ("distance", "2,5", 2.5),
        ("distance", "0.5", 0.5),
        ("fee", "-3", -3),
        ("comment", "  Cán bộ tận tình  ", "Cán bộ tận tình"),
        ("comment", "x" * 300, "x" * 300),
    ],
)
def test_valid_answer_is_cleaned(definition, qid, raw, answer):
    result = check(definition, **{qid: raw})
    assert result.ok, result.errors
    assert result.answers[qid] == answer
    assert type(result.answers[qid]) is type(answer)


@pytest.mark.parametrize(
    ("qid", "raw", "code", "params"),
    [
        ("wait_time", "lau", "invalid_option", {"value": "lau"}),
        ("wait_time", ["nhanh_gon", "binh_thuong"], "too_many", {}),
        ("paid", "yes", "invalid_option", {"value": "yes"}),
        ("paid", "Có", "invalid_option", {"value": "Có"}),
        ("score", "6", "out_of_range", {"min": 1, "max": 5}),
        ("score", "0", "out_of_range", {"min": 1, "max": 5}),
        ("score", "3.5", "not_a_number", {"integer": True}),
        ("score", "năm", "not_a_number", {}),
        ("visits", "1,5", "not_a_number", {"integer": True}),
        ("visits", "51", "out_of_range", {"min": 0, "max": 50}),
        ("visits", "-1", "out_of_range", {"min": 0, "max": 50}),
        ("visits", "nan", "not_a_number", {}),
        ("visits", "NaN", "not_a_number", {}),
        ("visits", "inf", "not_a_number", {}),
        ("visits", "-Infinity", "not_a_number", {}),
        ("visits", "1e400", "not_a_number", {}),
        ("visits", "12 lần", "not_a_number", {}),
        ("visits", ["1", "2"], "too_many", {}),
        ("distance", "0,4", "out_of_range", {"min": 0.5, "max": None}),
        ("distance", "nan", "not_a_number", {}),
        ("fee", "101", "out_of_range", {"min": None, "max": 100}),
        ("comment", "x" * 301, "too_long", {"max": 300}),
        ("wait_reason", "khong_ro", "invalid_option", {"value": "khong_ro"}),
    ],
)
def test_invalid_answer_gives_its_code(definition, qid, raw, code, params):
    extra = {"wait_time": "cho_rat_lau"} if qid == "wait_reason" else {}
    result = check(definition, **extra, **{qid: raw})
    assert qid not in result.answers
    assert result.errors[qid].code == code
    assert result.errors[qid].params == params


def test_every_error_is_reported_at_once(definition):
    result = validate_answers(definition, {"wait_time": "x", "score": "9", "comment": "y" * 999})
    assert set(result.errors) == {"wait_time", "score", "comment", "q_overall"}


def test_multiple_choice_keeps_definition_order_and_drops_repeats(definition):
    result = check(definition, wait_time="cho_rat_lau",
                   wait_reason=["xu_ly_cham", "qua_dong", "xu_ly_cham", ""])
    assert result.answers["wait_reason"] == ["qua_dong", "xu_ly_cham"]


def test_multiple_choice_single_value_is_a_list(definition):
    result = check(definition, wait_time="cho_rat_lau", wait_reason="xu_ly_cham")
    assert result.answers["wait_reason"] == ["xu_ly_cham"]


def test_conditional_answer_is_dropped_when_condition_fails(definition):
    result = check(definition, wait_time="nhanh_gon", wait_reason=["qua_dong"])
    assert result.ok
    assert "wait_reason" not in result.answers


def test_invalid_conditional_answer_is_ignored_when_not_asked(definition):
    """What the page never asked cannot be wrong: it is dropped, not reported."""
    result = check(definition, wait_time="nhanh_gon", wait_reason=["???"], crowd_time="?")
    assert result.ok


def test_required_conditional_question_is_required_only_when_shown(definition):
    shown = check(definition, wait_time="cho_rat_lau", wait_reason=["qua_dong"])
    assert shown.errors["crowd_time"].code == "required"
    hidden = check(definition, wait_time="cho_rat_lau", wait_reason=["xu_ly_cham"])
    assert hidden.ok


def test_nested_condition_follows_its_parent(definition):
    full = check(definition, wait_time="cho_rat_lau", wait_reason=["qua_dong"], crowd_time="sang")
    assert full.answers["crowd_time"] == "sang"
    # The grandparent changed: the parent is dropped, so the child is dropped too.
    cut = check(definition, wait_time="nhanh_gon", wait_reason=["qua_dong"], crowd_time="sang")
    assert cut.ok
    assert "wait_reason" not in cut.answers
    assert "crowd_time" not in cut.answers


def test_condition_on_invalid_parent_does_not_hold(definition):
    result = check(definition, wait_time="cho_lau", wait_reason=["qua_dong"])
    assert result.errors["wait_time"].code == "invalid_option"
    assert "wait_reason" not in result.answers
    assert "wait_reason" not in result.errors


def test_unknown_question_ids_are_ignored(definition):
    result = check(definition, injected="<script>", q_9="x")
    assert result.ok
    assert set(result.answers) == set(REQUIRED)


def test_bundled_pks05_needs_its_late_notice_only_when_late():
    pks05 = load_definition_file(DEFINITIONS / "pks05.v2.yaml")
    base = {"wait_time": "nhanh_gon", "attitude": "binh_thuong", "guidance": "binh_thuong",
            "skill": "binh_thuong", "extra_payment_suggested": "khong", "q_overall": "hai_long"}
    on_time = validate_answers(pks05, {**base, "processing_time": "dung_hen"})
    assert on_time.ok
    late = validate_answers(pks05, {**base, "processing_time": "tre_hen"})
    assert set(late.errors) == {"late_notified"}


def test_no_answer_is_taken_only_when_asked_and_only_where_allowed():
    pks05 = load_definition_file(DEFINITIONS / "pks05.v2.yaml")
    answers = {q.id: q.option_values[0] for q in pks05.questions
               if q.required and not q.show_if}
    del answers["attitude"]
    assert validate_answers(pks05, answers).errors["attitude"].code == "required"
    checked = validate_answers(pks05, answers, no_answer=True)
    assert checked.ok
    assert "attitude" not in checked.answers


def test_a_sheet_with_every_question_refused_is_not_a_sheet():
    pks05 = load_definition_file(DEFINITIONS / "pks05.v2.yaml")
    checked = validate_answers(pks05, {}, no_answer=True)
    assert [e.code for e in checked.errors.values()] == ["nothing_answered"]
    assert validate_answers(pks05, {"attitude": "binh_thuong"}, no_answer=True).ok
