"""Every code a definition file or an import check can be refused with has its words, and the
Vietnamese words are the ones users read before the refusals became codes."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext

from forms import DefinitionError
from forms import load_definition
from forms.loader import FILE
from forms.loader import PLACES
from forms.loader import PROBLEM_CODES
from forms.loader import Problem
from forms.validate import AnswerError
from survey_app.messages import PLACE_TEXTS
from survey_app.messages import TEXTS
from survey_app.messages import describe_import_problem
from survey_app.messages import describe_problem
from survey_app.services.bulk_import.imports import Problem as ImportProblem
from survey_app.services.bulk_import.imports import answer_problem
from tests.forms.test_loader import BAD
from tests.forms.test_loader import change
from tests.forms.test_loader import matching_problems

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "pks05.v2.yaml"
NOT_POSSIBLE = "This is not possible."

# --- Form definition files -------------------------------------------------------------------


def code_arguments(path: Path, calls: dict[str, int]) -> list[ast.expr]:
    """The argument given as the code in each call to one of ``calls`` (name → position)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        position = calls.get(name)
        if position is not None and len(node.args) > position:
            found.append(node.args[position])
    return found


def literal_codes(arguments: list[ast.expr]) -> set[str]:
    """The codes written out; any other argument must pass a code on (``code``, ``exc.code``)."""
    codes = {a.value for a in arguments if isinstance(a, ast.Constant)}
    others = [ast.unparse(a) for a in arguments if not isinstance(a, ast.Constant)]
    built = [other for other in others if other != "code" and not other.endswith(".code")]
    assert built == [], "a code must be a plain string, not built, so it can be looked up"
    return codes


def default_codes(path: Path) -> set[str]:
    """The codes a function of ``path`` takes when its caller gives none."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            arguments = [*node.args.posonlyargs, *node.args.args]
            defaults = dict(zip([a.arg for a in arguments][-len(node.args.defaults):],
                                node.args.defaults, strict=True)) if node.args.defaults else {}
            if isinstance(defaults.get("code"), ast.Constant):
                found.add(defaults["code"].value)
    return found


def loader_codes() -> set[str]:
    path = ROOT / "forms" / "loader.py"
    arguments = code_arguments(path, {"problem": 1, "Problem": 2, "unknown_keys": 3})
    return literal_codes(arguments) | default_codes(path)


def test_the_loader_uses_exactly_the_codes_it_lists():
    assert loader_codes() == set(PROBLEM_CODES)


def test_every_loader_code_has_words():
    assert sorted(PROBLEM_CODES - TEXTS.keys()) == []


def test_every_place_the_loader_names_has_words():
    assert sorted({"file", *PLACES} - PLACE_TEXTS.keys()) == []


def problems_of(data: dict) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(data, source=SOURCE)
    return caught.value.problems


#: Per case of the loader's table: where and (part of) why, as the loader said them in
#: Vietnamese before its problems became codes.
VIETNAMESE = {
    "code-missing": ("code", "thiếu trường 'code'"),
    "code-invalid": ("code", "mã phiếu 'PKS09' không hợp lệ"),
    "code-not-text": ("code", "phải là chuỗi văn bản"),
    "version-missing": ("version", "số nguyên dương"),
    "version-zero": ("version", "số nguyên dương"),
    "version-text": ("version", "số nguyên dương"),
    "version-bool": ("version", "số nguyên dương"),
    "organisation-missing": ("organisation", "tổ chức phải là"),
    "organisation-unknown": ("organisation", "tổ chức phải là"),
    "quarter-missing": ("quarter", "quý phải là"),
    "quarter-five": ("quarter", "quý phải là"),
    "quarter-bool": ("quarter", "quý phải là"),
    "provisional-text": ("provisional", "true hoặc false"),
    "title-missing": ("title", "thiếu trường 'title'"),
    "intro-blank": ("intro", "không rỗng"),
    "unknown-top-key": ("tệp", "'satisfation' không dùng được"),
    "sections-empty": ("sections", "ít nhất một phần"),
    "sections-not-list": ("sections", "ít nhất một phần"),
    "section-not-mapping": ("sections[3]", "mỗi phần phải là một bảng"),
    "section-no-questions": ("sections[3]", "ít nhất một câu hỏi"),
    "section-duplicate-id": ("sections[2]", "mã phần 'service' bị trùng"),
    "section-bad-id": ("sections[2]", "mã phần"),
    "section-unknown-key": ("sections[2]", "'intro' không dùng được"),
    "question-bad-id": ("sections[1]: câu hỏi 'Câu 3'", "mã câu hỏi phải là"),
    "question-duplicate-id": ("câu hỏi 'paid'", "mã câu hỏi bị trùng"),
    "question-unknown-type": ("câu hỏi 'comment'", "loại câu hỏi 'essay' không hợp lệ"),
    "question-no-text": ("câu hỏi 'paid'", "thiếu trường 'text'"),
    "question-required-text": ("câu hỏi 'paid'", "'required' phải là true hoặc false"),
    "question-misspelt-key": ("câu hỏi 'paid'", "'requried' không dùng được"),
    "choice-one-option": ("câu hỏi 'wait_reason'", "ít nhất hai lựa chọn"),
    "choice-no-options": ("câu hỏi 'wait_reason'", "ít nhất hai lựa chọn"),
    "choice-duplicate-option": ("câu hỏi 'wait_reason'", "giá trị lựa chọn 'a' bị trùng"),
    "choice-bad-option-value": ("câu hỏi 'wait_reason'", "giá trị lựa chọn 'Khác'"),
    "choice-option-not-mapping": ("câu hỏi 'wait_reason'", "giá trị lựa chọn None"),
    "choice-option-no-label": ("câu hỏi 'wait_reason', 'c'", "thiếu trường 'label'"),
    "choice-option-unknown-key": ("câu hỏi 'wait_reason', 'c'", "'score' không dùng được"),
    "text-with-options": ("câu hỏi 'comment'",
                          "'options' không dùng được với câu hỏi loại 'short_text'"),
    "yes-no-with-options": ("câu hỏi 'paid'",
                            "'options' không dùng được với câu hỏi loại 'yes_no'"),
    "choice-with-max-length": ("câu hỏi 'wait_time'", "'max_length' không dùng được"),
    "show-if-later-question": ("câu hỏi 'wait_reason'",
                               "trỏ tới 'paid', không phải câu đứng trước"),
    "show-if-unknown-question": ("câu hỏi 'wait_reason'", "trỏ tới 'nowhere'"),
    "show-if-itself": ("câu hỏi 'wait_reason'", "không phải câu đứng trước"),
    "show-if-unknown-value": ("câu hỏi 'wait_reason'",
                              "giá trị không có trong 'wait_time': ['rat_lau']"),
    "show-if-any-of-unknown": ("câu hỏi 'wait_reason'", "['lau']"),
    "show-if-non-choice": ("câu hỏi 'comment'", "'visits' thì không"),
    "show-if-no-value": ("câu hỏi 'wait_reason'", "cần 'equals' hoặc 'any_of'"),
    "show-if-empty-any-of": ("câu hỏi 'wait_reason'", "cần 'equals' hoặc 'any_of'"),
    "show-if-not-mapping": ("câu hỏi 'wait_reason'", "show_if phải có dạng"),
    "show-if-question-list": ("câu hỏi 'wait_reason'", "không phải câu đứng trước"),
    "show-if-unknown-key": ("câu hỏi 'wait_reason'", "'unless' không dùng được trong show_if"),
    "satisfaction-missing": ("satisfaction", "thiếu khai báo câu hỏi hài lòng"),
    "satisfaction-unknown-question": ("satisfaction",
                                      "câu hỏi hài lòng 'q_total' không có trong phiếu"),
    "satisfaction-multiple-choice": ("câu hỏi 'wait_reason'",
                                     "phải là lựa chọn một đáp án, bắt buộc, luôn hiển thị"),
    "satisfaction-rating": ("câu hỏi 'score'", "phải là lựa chọn một đáp án"),
    "satisfaction-not-required": ("câu hỏi 'q_overall'", "bắt buộc"),
    "satisfaction-conditional": ("câu hỏi 'q_overall'", "luôn hiển thị"),
    "satisfaction-unknown-level": ("câu hỏi 'q_overall'",
                                   "mức hài lòng không có trong lựa chọn: ['vui']"),
    "satisfaction-no-levels": ("satisfaction", "ít nhất một giá trị"),
    "satisfaction-unknown-key": ("satisfaction", "'weight' không dùng được"),
    "rating-min-above-max": ("câu hỏi 'score'", "min < max"),
    "rating-max-too-high": ("câu hỏi 'score'", "từ 0 đến 10"),
    "rating-fraction": ("câu hỏi 'score'", "số nguyên"),
    "rating-bool": ("câu hỏi 'score'", "số nguyên"),
    "number-min-above-max": ("câu hỏi 'visits'", "min ≤ max"),
    "number-text-bound": ("câu hỏi 'visits'", "phải là số"),
    "number-nan-bound": ("câu hỏi 'visits'", "phải là số"),
    "number-integer-text": ("câu hỏi 'visits'", "'integer' phải là true hoặc false"),
    "no-answer-not-boolean": ("câu hỏi 'q_overall'",
                              "'allows_no_answer' phải là true hoặc false"),
    "no-answer-on-optional": ("câu hỏi 'comment'",
                              "'allows_no_answer' chỉ dùng cho câu hỏi bắt buộc"),
    "max-length-zero": ("câu hỏi 'comment'", "max_length phải là số nguyên từ 1 đến 2000"),
    "max-length-huge": ("câu hỏi 'comment'", "từ 1 đến 2000"),
    "max-length-text": ("câu hỏi 'comment'", "max_length phải là số nguyên"),
}


def test_every_case_of_the_loader_has_its_vietnamese_words():
    assert sorted(VIETNAMESE) == sorted(case[0] for case in BAD)


@pytest.mark.parametrize(("case", "edit", "where", "code", "params"), BAD,
                         ids=[case[0] for case in BAD])
def test_a_definition_problem_reads_as_before_in_vietnamese(app, case, edit, where, code, params):
    [problem, *_] = matching_problems(problems_of(change(edit)), where, code, params)
    place, words = VIETNAMESE[case]
    line = describe_problem(problem)
    assert line.startswith(f"{SOURCE}: {place}: ")
    assert words in line.removeprefix(f"{SOURCE}: {place}: ")


@pytest.mark.parametrize(("problem", "line"), [
    (Problem(SOURCE, FILE, "yaml_invalid", {"error": "line 3"}),
     f"{SOURCE}: tệp: YAML không hợp lệ: line 3"),
    (Problem(SOURCE, FILE, "file_unreadable", {"error": "No such file"}),
     f"{SOURCE}: tệp: không đọc được tệp: No such file"),
    (Problem(SOURCE, "sections[1]: question None", "question_id_invalid"),
     f"{SOURCE}: sections[1]: câu hỏi None: mã câu hỏi phải là chữ thường không dấu"),
    (Problem(SOURCE, "question 'wait_reason', option 'c'", "key_unknown", {"key": "score"}),
     f"{SOURCE}: câu hỏi 'wait_reason', 'c': trường 'score' không dùng được"),
    (Problem(SOURCE, "question 'paid'", "key_unknown_for_type",
             {"key": "options", "type": "yes_no"}),
     f"{SOURCE}: câu hỏi 'paid': trường 'options' không dùng được với câu hỏi loại 'yes_no'"),
    (Problem(SOURCE, "question 'wait_reason'", "option_value_invalid", {"value": "Khác"}),
     f"{SOURCE}: câu hỏi 'wait_reason': giá trị lựa chọn 'Khác' phải là chữ thường không dấu"),
    (Problem(SOURCE, "question 'q_overall'", "satisfied_unknown_values", {"values": ["tot"]}),
     f"{SOURCE}: câu hỏi 'q_overall': mức hài lòng không có trong lựa chọn: ['tot']"),
    (Problem(SOURCE, "satisfaction", "satisfied_empty"),
     f"{SOURCE}: satisfaction: 'satisfied' phải liệt kê ít nhất một giá trị"),
])
def test_describe_problem_says_file_place_and_reason_in_vietnamese(app, problem, line):
    assert describe_problem(problem) == line


def test_describe_problem_speaks_english_when_asked(app):
    problem = Problem(SOURCE, "question 'wait_reason', option 'c'", "key_missing",
                      {"key": "label"})
    with app.test_request_context("/?lang=en"), force_locale("en"):
        assert describe_problem(problem) == (
            f"{SOURCE}: question 'wait_reason', 'c': field 'label' is missing")


# --- The import check ------------------------------------------------------------------------

IMPORTS = ROOT / "survey_app" / "services" / "bulk_import"


def import_codes() -> set[str]:
    check = code_arguments(IMPORTS / "imports.py", {"problem": 2, "Problem": 2, "AnswerError": 0})
    unreadable = code_arguments(IMPORTS / "files.py", {"UnreadableFile": 0})
    return literal_codes(check) | literal_codes(unreadable)


def test_every_code_of_the_import_check_has_words():
    codes = import_codes()
    assert {"column_missing", "answer_unknown", "not_utf8"} <= codes
    assert sorted(codes - TEXTS.keys()) == []


@pytest.mark.parametrize("error", [
    AnswerError("required"), AnswerError("invalid_option", {"value": "x"}),
    AnswerError("too_many"), AnswerError("too_long", {"max": 300}),
    AnswerError("not_a_number"), AnswerError("not_a_number", {"integer": True}),
    AnswerError("out_of_range", {"min": 0, "max": 50}),
    AnswerError("out_of_range", {"min": 0, "max": None}),
    AnswerError("out_of_range", {"min": None, "max": 50}),
], ids=repr)
def test_every_answer_error_of_a_cell_has_words(app, error):
    code, params = answer_problem(error)
    assert describe_import_problem(ImportProblem(2, "F · visits", code, params)) != gettext(
        NOT_POSSIBLE)


@pytest.mark.parametrize(("code", "params", "words"), [
    ("cell_empty_required", {}, "Câu này bắt buộc nhưng ô đang để trống."),
    ("column_missing", {"name": "attitude"}, "Thiếu cột “attitude”"),
    ("date_before_opening", {"day": date(2026, 3, 1), "opens": date(2026, 3, 5)}, "05/03/2026"),
    ("empty", {}, "Tệp trống"),
    ("too_many_rows", {"max": 2}, "Tệp có hơn 2 dòng"),
    ("out_of_range", {"min": 0, "max": 50}, "từ 0 đến 50."),
])
def test_describe_import_problem_gives_the_vietnamese_words(app, code, params, words):
    assert words in describe_import_problem(ImportProblem(2, None, code, params))
