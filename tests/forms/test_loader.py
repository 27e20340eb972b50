"""The definition loader: every kind of mistake is reported, all at once, with file and place."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from forms import DefinitionError
from forms import load_definition
from forms import load_definition_file
from forms.loader import FILE
from forms.loader import PROBLEM_CODES
from forms.loader import Problem
from forms.loader import place
from forms.schema import YES_NO_OPTIONS

DEFINITIONS = Path(__file__).resolve().parents[2] / "forms" / "definitions"


def valid() -> dict:
    """A small definition with one question of every type, a condition and a satisfaction item."""
    return {
        "code": "PKS05",
        "version": 2,
        "title": "Phiếu thử nghiệm về bộ phận một cửa",
        "respondents": "Người dân, tổ chức, doanh nghiệp",
        "organisation": "youth_union",
        "quarter": 3,
        "provisional": True,
        "provenance": "Bản thử nghiệm.",
        "intro": "Phiếu không ghi tên.",
        "satisfaction": {"question": "q_overall", "satisfied": ["rat_hai_long", "hai_long"]},
        "sections": [
            {
                "id": "service",
                "title": "Đánh giá",
                "questions": [
                    {"id": "wait_time", "type": "single_choice", "text": "Thời gian chờ?",
                     "required": True, "options": [
                         {"value": "nhanh_gon", "label": "Nhanh gọn"},
                         {"value": "binh_thuong", "label": "Bình thường"},
                         {"value": "cho_rat_lau", "label": "Chờ đợi rất lâu"}]},
                    {"id": "wait_reason", "type": "multiple_choice", "text": "Vì sao?",
                     "show_if": {"question": "wait_time", "equals": "cho_rat_lau"},
                     "options": [
                         {"value": "qua_dong", "label": "Quá đông"},
                         {"value": "xu_ly_cham", "label": "Xử lý chậm"}]},
                    {"id": "paid", "type": "yes_no", "text": "Có bị gợi ý trả thêm?"},
                    {"id": "score", "type": "rating", "text": "Chấm điểm", "min": 1, "max": 5,
                     "min_label": "Rất kém", "max_label": "Rất tốt"},
                    {"id": "visits", "type": "number", "text": "Số lần đến?", "min": 0,
                     "max": 50},
                    {"id": "comment", "type": "short_text", "text": "Góp ý", "max_length": 300},
                ],
            },
            {
                "id": "overall",
                "title": "Mức độ hài lòng chung",
                "questions": [
                    {"id": "q_overall", "type": "single_choice", "text": "Mức độ hài lòng?",
                     "required": True, "options": [
                         {"value": "rat_hai_long", "label": "Rất hài lòng"},
                         {"value": "hai_long", "label": "Hài lòng"},
                         {"value": "khong_hai_long", "label": "Không hài lòng"}]},
                ],
            },
        ],
    }


def question(data: dict, qid: str) -> dict:
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == qid)


def change(edit):
    """A definition with one edit applied: ``edit(data)`` mutates a fresh copy."""
    data = copy.deepcopy(valid())
    edit(data)
    return data


def setter(qid: str | None, key: str, value):
    def edit(data):
        (question(data, qid) if qid else data)[key] = value
    return edit


def deleter(qid: str | None, key: str):
    def edit(data):
        del (question(data, qid) if qid else data)[key]
    return edit


def add_question(section: int, raw: dict, position: int | None = None):
    def edit(data):
        questions = data["sections"][section]["questions"]
        questions.insert(len(questions) if position is None else position, raw)
    return edit


CHOICES = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]

# (case id, edit, where the problem is reported, its code, parameters it must carry). The words
# are the app's (survey_app.messages); tests/app/test_messages.py checks them for every case.
BAD = [
    ("code-missing", deleter(None, "code"), "code", "key_missing", {"key": "code"}),
    ("code-invalid", setter(None, "code", "PKS09"), "code", "form_code_invalid",
     {"value": "PKS09"}),
    ("code-not-text", setter(None, "code", 5), "code", "key_not_text", {"key": "code"}),
    ("version-missing", deleter(None, "version"), "version", "version_invalid", {}),
    ("version-zero", setter(None, "version", 0), "version", "version_invalid", {}),
    ("version-text", setter(None, "version", "2"), "version", "version_invalid", {}),
    ("version-bool", setter(None, "version", True), "version", "version_invalid", {}),
    ("organisation-missing", deleter(None, "organisation"), "organisation",
     "organisation_invalid", {}),
    ("organisation-unknown", setter(None, "organisation", "police"), "organisation",
     "organisation_invalid", {}),
    ("quarter-missing", deleter(None, "quarter"), "quarter", "quarter_invalid", {}),
    ("quarter-five", setter(None, "quarter", 5), "quarter", "quarter_invalid", {}),
    ("quarter-bool", setter(None, "quarter", True), "quarter", "quarter_invalid", {}),
    ("provisional-text", setter(None, "provisional", "yes"), "provisional", "not_boolean", {}),
    ("title-missing", deleter(None, "title"), "title", "key_missing", {"key": "title"}),
    ("intro-blank", setter(None, "intro", "  "), "intro", "key_not_text", {"key": "intro"}),
    ("unknown-top-key", setter(None, "satisfation", {}), FILE, "key_unknown",
     {"key": "satisfation"}),
    ("sections-empty", setter(None, "sections", []), "sections", "sections_missing", {}),
    ("sections-not-list", setter(None, "sections", {"id": "x"}), "sections",
     "sections_missing", {}),
    ("section-not-mapping", lambda d: d["sections"].append("general"), "sections[3]",
     "section_not_mapping", {}),
    ("section-no-questions", lambda d: d["sections"].append({"id": "more", "title": "Thêm",
                                                              "questions": []}),
     "sections[3]", "section_no_questions", {}),
    ("section-duplicate-id", lambda d: d["sections"][1].update(id="service"), "sections[2]",
     "section_id_duplicate", {"id": "service"}),
    ("section-bad-id", lambda d: d["sections"][1].update(id="Tổng quan"), "sections[2]",
     "section_id_invalid", {}),
    ("section-unknown-key", lambda d: d["sections"][1].update(intro="x"), "sections[2]",
     "key_unknown", {"key": "intro"}),
    ("question-bad-id", lambda d: d["sections"][0]["questions"][2].update(id="Câu 3"),
     "sections[1]: question 'Câu 3'", "question_id_invalid", {}),
    ("question-duplicate-id", add_question(1, {"id": "paid", "type": "yes_no", "text": "Lại?"}),
     "question 'paid'", "question_id_duplicate", {}),
    ("question-unknown-type", setter("comment", "type", "essay"), "question 'comment'",
     "question_type_invalid", {"type": "essay"}),
    ("question-no-text", deleter("paid", "text"), "question 'paid'", "key_missing",
     {"key": "text"}),
    ("question-required-text", setter("paid", "required", "yes"), "question 'paid'",
     "key_not_boolean", {"key": "required"}),
    ("question-misspelt-key", setter("paid", "requried", True), "question 'paid'",
     "key_unknown_for_type", {"key": "requried", "type": "yes_no"}),
    ("choice-one-option", setter("wait_reason", "options", CHOICES[:1]),
     "question 'wait_reason'", "options_too_few", {}),
    ("choice-no-options", deleter("wait_reason", "options"), "question 'wait_reason'",
     "options_too_few", {}),
    ("choice-duplicate-option", setter("wait_reason", "options", [*CHOICES, CHOICES[0]]),
     "question 'wait_reason'", "option_value_duplicate", {"value": "a"}),
    ("choice-bad-option-value", setter("wait_reason", "options", [*CHOICES, {"value": "Khác",
                                                                            "label": "Khác"}]),
     "question 'wait_reason'", "option_value_invalid", {"value": "Khác"}),
    ("choice-option-not-mapping", setter("wait_reason", "options", [*CHOICES, "c"]),
     "question 'wait_reason'", "option_value_invalid", {"value": None}),
    ("choice-option-no-label", setter("wait_reason", "options", [*CHOICES, {"value": "c"}]),
     "question 'wait_reason', option 'c'", "key_missing", {"key": "label"}),
    ("choice-option-unknown-key", setter("wait_reason", "options",
                                         [*CHOICES, {"value": "c", "label": "C", "score": 3}]),
     "question 'wait_reason', option 'c'", "key_unknown", {"key": "score"}),
    ("text-with-options", setter("comment", "options", CHOICES), "question 'comment'",
     "key_unknown_for_type", {"key": "options", "type": "short_text"}),
    ("yes-no-with-options", setter("paid", "options", CHOICES), "question 'paid'",
     "key_unknown_for_type", {"key": "options", "type": "yes_no"}),
    ("choice-with-max-length", setter("wait_time", "max_length", 10), "question 'wait_time'",
     "key_unknown_for_type", {"key": "max_length", "type": "single_choice"}),
    ("show-if-later-question", setter("wait_reason", "show_if", {"question": "paid",
                                                                 "equals": "co"}),
     "question 'wait_reason'", "show_if_not_earlier", {"question": "paid"}),
    ("show-if-unknown-question", setter("wait_reason", "show_if", {"question": "nowhere",
                                                                   "equals": "co"}),
     "question 'wait_reason'", "show_if_not_earlier", {"question": "nowhere"}),
    ("show-if-itself", setter("wait_reason", "show_if", {"question": "wait_reason",
                                                         "equals": "a"}),
     "question 'wait_reason'", "show_if_not_earlier", {"question": "wait_reason"}),
    ("show-if-unknown-value", setter("wait_reason", "show_if", {"question": "wait_time",
                                                                "equals": "rat_lau"}),
     "question 'wait_reason'", "show_if_unknown_values",
     {"question": "wait_time", "values": ["rat_lau"]}),
    ("show-if-any-of-unknown", setter("wait_reason", "show_if", {
        "question": "wait_time", "any_of": ["cho_rat_lau", "lau"]}),
     "question 'wait_reason'", "show_if_unknown_values", {"values": ["lau"]}),
    ("show-if-non-choice", setter("comment", "show_if", {"question": "visits", "equals": "1"}),
     "question 'comment'", "show_if_not_choice", {"question": "visits"}),
    ("show-if-no-value", setter("wait_reason", "show_if", {"question": "wait_time"}),
     "question 'wait_reason'", "show_if_no_values", {}),
    ("show-if-empty-any-of", setter("wait_reason", "show_if", {"question": "wait_time",
                                                               "any_of": []}),
     "question 'wait_reason'", "show_if_no_values", {}),
    ("show-if-not-mapping", setter("wait_reason", "show_if", "wait_time"),
     "question 'wait_reason'", "show_if_invalid", {}),
    ("show-if-question-list", setter("wait_reason", "show_if", {"question": ["wait_time"],
                                                                "equals": "cho_rat_lau"}),
     "question 'wait_reason'", "show_if_not_earlier", {"question": ["wait_time"]}),
    ("show-if-unknown-key", setter("wait_reason", "show_if", {
        "question": "wait_time", "equals": "cho_rat_lau", "unless": "x"}),
     "question 'wait_reason'", "key_unknown_in_show_if", {"key": "unless"}),
    ("satisfaction-missing", deleter(None, "satisfaction"), "satisfaction",
     "satisfaction_missing", {}),
    ("satisfaction-unknown-question", setter(None, "satisfaction", {
        "question": "q_total", "satisfied": ["hai_long"]}), "satisfaction",
     "satisfaction_unknown_question", {"question": "q_total"}),
    ("satisfaction-multiple-choice", setter(None, "satisfaction", {
        "question": "wait_reason", "satisfied": ["qua_dong"]}), "question 'wait_reason'",
     "satisfaction_question_invalid", {}),
    ("satisfaction-rating", setter(None, "satisfaction", {"question": "score",
                                                          "satisfied": ["5"]}),
     "question 'score'", "satisfaction_question_invalid", {}),
    ("satisfaction-not-required", setter("q_overall", "required", False),
     "question 'q_overall'", "satisfaction_question_invalid", {}),
    ("satisfaction-conditional", setter("q_overall", "show_if", {"question": "wait_time",
                                                                 "equals": "nhanh_gon"}),
     "question 'q_overall'", "satisfaction_question_invalid", {}),
    ("satisfaction-unknown-level", setter(None, "satisfaction", {
        "question": "q_overall", "satisfied": ["hai_long", "vui"]}), "question 'q_overall'",
     "satisfied_unknown_values", {"values": ["vui"]}),
    ("satisfaction-no-levels", setter(None, "satisfaction", {"question": "q_overall",
                                                             "satisfied": []}),
     "satisfaction", "satisfied_empty", {}),
    ("satisfaction-unknown-key", setter(None, "satisfaction", {
        "question": "q_overall", "satisfied": ["hai_long"], "weight": 2}), "satisfaction",
     "key_unknown", {"key": "weight"}),
    ("rating-min-above-max", setter("score", "min", 7), "question 'score'",
     "rating_bounds_invalid", {}),
    ("rating-max-too-high", setter("score", "max", 100), "question 'score'",
     "rating_bounds_invalid", {}),
    ("rating-fraction", setter("score", "max", 4.5), "question 'score'",
     "rating_bounds_invalid", {}),
    ("rating-bool", setter("score", "min", True), "question 'score'",
     "rating_bounds_invalid", {}),
    ("number-min-above-max", setter("visits", "min", 60), "question 'visits'",
     "number_bounds_invalid", {}),
    ("number-text-bound", setter("visits", "max", "nhiều"), "question 'visits'",
     "number_bounds_invalid", {}),
    ("number-nan-bound", setter("visits", "max", float("nan")), "question 'visits'",
     "number_bounds_invalid", {}),
    ("number-integer-text", setter("visits", "integer", "no"), "question 'visits'",
     "key_not_boolean", {"key": "integer"}),
    ("no-answer-not-boolean", setter("q_overall", "allows_no_answer", "có"),
     "question 'q_overall'", "key_not_boolean", {"key": "allows_no_answer"}),
    ("no-answer-on-optional", setter("comment", "allows_no_answer", True),
     "question 'comment'", "no_answer_not_required", {}),
    ("max-length-zero", setter("comment", "max_length", 0), "question 'comment'",
     "max_length_invalid", {}),
    ("max-length-huge", setter("comment", "max_length", 5000), "question 'comment'",
     "max_length_invalid", {}),
    ("max-length-text", setter("comment", "max_length", "300"), "question 'comment'",
     "max_length_invalid", {}),
]


def write(tmp_path: Path, data, name: str = "pks05.v2.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    return caught.value.problems


def test_the_valid_base_loads():
    definition = load_definition(valid())
    assert [q.id for q in definition.questions] == [
        "wait_time", "wait_reason", "paid", "score", "visits", "comment", "q_overall"]
    assert definition.satisfied_values == ("rat_hai_long", "hai_long")


def matching_problems(problems: list[Problem], where: str, code: str, params: dict) -> list:
    """The problems at ``where`` with ``code`` that carry (at least) ``params``."""
    return [p for p in problems if p.where == where and p.code == code
            and all(name in p.params and p.params[name] == value
                    for name, value in params.items())]


@pytest.mark.parametrize(("edit", "where", "code", "params"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_definition_names_file_place_and_reason(tmp_path, edit, where, code, params):
    path = write(tmp_path, change(edit))
    problems = problems_of(path)
    matching = matching_problems(problems, where, code, params)
    assert matching, f"no {code} {params} at {where!r} in {[str(p) for p in problems]}"
    assert all(p.source == str(path) for p in problems)
    assert all(p.code in PROBLEM_CODES for p in problems)
    assert str(path) in str(matching[0])
    assert where in str(matching[0])
    assert code in str(matching[0])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("code: PKS05\nsections: [\n", "yaml_invalid"),
        ("- code: PKS05\n", "definition_not_mapping"),
        ("", "definition_not_mapping"),
        ("just words", "definition_not_mapping"),
    ],
    ids=["broken-yaml", "a-list", "empty-file", "a-string"],
)
def test_unreadable_file_is_one_problem_about_the_file(tmp_path, text, code):
    path = tmp_path / "pks05.v2.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = problems_of(path)
    assert (problem.source, problem.where) == (str(path), FILE)
    assert problem.code == code


def test_broken_yaml_says_where_the_parser_stopped(tmp_path):
    path = tmp_path / "pks05.v2.yaml"
    path.write_text("code: PKS05\nsections: [\n", encoding="utf-8")
    [problem] = problems_of(path)
    assert "line" in problem.params["error"]


def test_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "pks05.v2.yaml"
    path.write_bytes("title: Phiếu".encode("utf-16"))
    [problem] = problems_of(path)
    assert (problem.where, problem.code) == (FILE, "file_unreadable")
    assert "utf-8" in problem.params["error"]


def test_missing_file_is_reported(tmp_path):
    [problem] = problems_of(tmp_path / "nowhere.yaml")
    assert (problem.where, problem.code) == (FILE, "file_unreadable")
    assert "nowhere.yaml" in problem.params["error"]


def test_a_problem_prints_without_words_for_logs():
    problem = Problem("pks05.v2.yaml", "question 'paid'", "key_missing", {"key": "text"})
    assert str(problem) == "pks05.v2.yaml: question 'paid': key_missing {'key': 'text'}"


@pytest.mark.parametrize(("where", "kind", "parts"), [
    (FILE, "file", {}),
    ("quarter", None, {}),
    ("sections[2]", None, {}),
    ("question 'paid'", "question", {"question": "paid"}),
    ("question 'wait_reason', option 'c'", "option", {"question": "wait_reason", "option": "c"}),
    ("sections[1]: question 'Câu 3'", "unnamed_question",
     {"section": "sections[1]", "id": "'Câu 3'"}),
    ("sections[1]: question None", "unnamed_question", {"section": "sections[1]", "id": "None"}),
])
def test_places_are_taken_apart_for_the_app_to_word(where, kind, parts):
    assert place(where) == (kind, parts)


def test_every_problem_is_reported_in_one_run(tmp_path):
    """A province fixes a file in one pass: the loader must not stop at the first mistake."""
    data = valid()
    data["quarter"] = 9
    question(data, "wait_reason")["options"] = CHOICES[:1]
    question(data, "comment")["type"] = "essay"
    question(data, "visits")["min"] = 99
    question(data, "paid")["show_if"] = {"question": "q_overall", "equals": "hai_long"}
    data["satisfaction"]["satisfied"] = ["hai_long", "vui"]
    problems = problems_of(write(tmp_path, data))
    places = sorted(p.where for p in problems)
    assert places == sorted([
        "quarter",
        "question 'wait_reason'",
        "question 'comment'",
        "question 'visits'",
        "question 'paid'",
        "question 'q_overall'",
    ])
    message = str(DefinitionError(problems))
    assert message.count(str(tmp_path)) == len(problems)


@pytest.mark.parametrize("path", sorted(DEFINITIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_definition_loads(path):
    definition = load_definition_file(path)
    code, version = path.name.split(".")[:2]
    assert (definition.code, f"v{definition.version}") == (code.upper(), version)
    assert definition.title
    assert definition.intro
    assert definition.respondents
    assert definition.satisfaction_question in {q.id for q in definition.questions}
    # PKS05 has the official wording; the other forms say theirs is provisional.
    assert definition.provisional is (definition.code != "PKS05")


def test_all_seven_forms_are_bundled():
    codes = {load_definition_file(p).code for p in DEFINITIONS.glob("*.yaml")}
    assert codes == {f"PKS0{n}" for n in range(1, 8)}


def test_text_is_normalised_to_nfc():
    data = valid()
    # Decomposed, as some keyboards and editors write it: letters followed by combining marks.
    data["title"] = "Phie\u0302\u0301u kha\u0309o sa\u0301t"
    assert load_definition(data).title == "Phiếu khảo sát"


def test_yes_no_questions_share_fixed_options():
    definition = load_definition(valid())
    paid = definition.question("paid")
    assert [(o.value, o.label) for o in paid.options] == list(YES_NO_OPTIONS)


def test_condition_labels_and_numbers_follow_the_definition():
    definition = load_definition(valid())
    reason = definition.question("wait_reason")
    assert definition.condition_labels(reason) == ["Chờ đợi rất lâu"]
    assert definition.numbers["q_overall"] == 7
    assert list(definition.question("score").scale) == [1, 2, 3, 4, 5]


def test_a_required_question_may_allow_no_answer():
    data = change(setter("wait_time", "allows_no_answer", True))
    definition = load_definition(data)
    assert definition.question("wait_time").allows_no_answer
    assert not definition.question("q_overall").allows_no_answer
