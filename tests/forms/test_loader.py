"""The definition loader: every kind of mistake is reported, all at once, with file and place."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from forms import DefinitionError
from forms import load_definition
from forms import load_definition_file
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

# (case id, edit, where the problem is reported, words of the reason)
BAD = [
    ("code-missing", deleter(None, "code"), "code", "thiếu trường 'code'"),
    ("code-invalid", setter(None, "code", "PKS09"), "code", "mã phiếu 'PKS09' không hợp lệ"),
    ("code-not-text", setter(None, "code", 5), "code", "phải là chuỗi văn bản"),
    ("version-missing", deleter(None, "version"), "version", "số nguyên dương"),
    ("version-zero", setter(None, "version", 0), "version", "số nguyên dương"),
    ("version-text", setter(None, "version", "2"), "version", "số nguyên dương"),
    ("version-bool", setter(None, "version", True), "version", "số nguyên dương"),
    ("organisation-missing", deleter(None, "organisation"), "organisation", "tổ chức phải là"),
    ("organisation-unknown", setter(None, "organisation", "police"), "organisation",
     "tổ chức phải là"),
    ("quarter-missing", deleter(None, "quarter"), "quarter", "quý phải là"),
    ("quarter-five", setter(None, "quarter", 5), "quarter", "quý phải là"),
    ("quarter-bool", setter(None, "quarter", True), "quarter", "quý phải là"),
    ("provisional-text", setter(None, "provisional", "yes"), "provisional", "true hoặc false"),
    ("title-missing", deleter(None, "title"), "title", "thiếu trường 'title'"),
    ("intro-blank", setter(None, "intro", "  "), "intro", "không rỗng"),
    ("unknown-top-key", setter(None, "satisfation", {}), "tệp", "'satisfation' không dùng được"),
    ("sections-empty", setter(None, "sections", []), "sections", "ít nhất một phần"),
    ("sections-not-list", setter(None, "sections", {"id": "x"}), "sections", "ít nhất một phần"),
    ("section-not-mapping", lambda d: d["sections"].append("general"), "sections[3]",
     "mỗi phần phải là một bảng"),
    ("section-no-questions", lambda d: d["sections"].append({"id": "more", "title": "Thêm",
                                                              "questions": []}),
     "sections[3]", "ít nhất một câu hỏi"),
    ("section-duplicate-id", lambda d: d["sections"][1].update(id="service"), "sections[2]",
     "mã phần 'service' bị trùng"),
    ("section-bad-id", lambda d: d["sections"][1].update(id="Tổng quan"), "sections[2]",
     "mã phần"),
    ("section-unknown-key", lambda d: d["sections"][1].update(intro="x"), "sections[2]",
     "'intro' không dùng được"),
    ("question-bad-id", lambda d: d["sections"][0]["questions"][2].update(id="Câu 3"),
     "sections[1]: câu hỏi 'Câu 3'", "mã câu hỏi phải là"),
    ("question-duplicate-id", add_question(1, {"id": "paid", "type": "yes_no", "text": "Lại?"}),
     "câu hỏi 'paid'", "mã câu hỏi bị trùng"),
    ("question-unknown-type", setter("comment", "type", "essay"), "câu hỏi 'comment'",
     "loại câu hỏi 'essay' không hợp lệ"),
    ("question-no-text", deleter("paid", "text"), "câu hỏi 'paid'", "thiếu trường 'text'"),
    ("question-required-text", setter("paid", "required", "yes"), "câu hỏi 'paid'",
     "'required' phải là true hoặc false"),
    ("question-misspelt-key", setter("paid", "requried", True), "câu hỏi 'paid'",
     "'requried' không dùng được"),
    ("choice-one-option", setter("wait_reason", "options", CHOICES[:1]), "câu hỏi 'wait_reason'",
     "ít nhất hai lựa chọn"),
    ("choice-no-options", deleter("wait_reason", "options"), "câu hỏi 'wait_reason'",
     "ít nhất hai lựa chọn"),
    ("choice-duplicate-option", setter("wait_reason", "options", [*CHOICES, CHOICES[0]]),
     "câu hỏi 'wait_reason'", "giá trị lựa chọn 'a' bị trùng"),
    ("choice-bad-option-value", setter("wait_reason", "options", [*CHOICES, {"value": "Khác",
                                                                            "label": "Khác"}]),
     "câu hỏi 'wait_reason'", "giá trị lựa chọn 'Khác'"),
    ("choice-option-not-mapping", setter("wait_reason", "options", [*CHOICES, "c"]),
     "câu hỏi 'wait_reason'", "giá trị lựa chọn None"),
    ("choice-option-no-label", setter("wait_reason", "options", [*CHOICES, {"value": "c"}]),
     "câu hỏi 'wait_reason', 'c'", "thiếu trường 'label'"),
    ("choice-option-unknown-key", setter("wait_reason", "options",
                                         [*CHOICES, {"value": "c", "label": "C", "score": 3}]),
     "câu hỏi 'wait_reason', 'c'", "'score' không dùng được"),
    ("text-with-options", setter("comment", "options", CHOICES), "câu hỏi 'comment'",
     "'options' không dùng được với câu hỏi loại 'short_text'"),
    ("yes-no-with-options", setter("paid", "options", CHOICES), "câu hỏi 'paid'",
     "'options' không dùng được với câu hỏi loại 'yes_no'"),
    ("choice-with-max-length", setter("wait_time", "max_length", 10), "câu hỏi 'wait_time'",
     "'max_length' không dùng được"),
    ("show-if-later-question", setter("wait_reason", "show_if", {"question": "paid",
                                                                 "equals": "co"}),
     "câu hỏi 'wait_reason'", "trỏ tới 'paid', không phải câu đứng trước"),
    ("show-if-unknown-question", setter("wait_reason", "show_if", {"question": "nowhere",
                                                                   "equals": "co"}),
     "câu hỏi 'wait_reason'", "trỏ tới 'nowhere'"),
    ("show-if-itself", setter("wait_reason", "show_if", {"question": "wait_reason",
                                                         "equals": "a"}),
     "câu hỏi 'wait_reason'", "không phải câu đứng trước"),
    ("show-if-unknown-value", setter("wait_reason", "show_if", {"question": "wait_time",
                                                                "equals": "rat_lau"}),
     "câu hỏi 'wait_reason'", "giá trị không có trong 'wait_time': ['rat_lau']"),
    ("show-if-any-of-unknown", setter("wait_reason", "show_if", {
        "question": "wait_time", "any_of": ["cho_rat_lau", "lau"]}),
     "câu hỏi 'wait_reason'", "['lau']"),
    ("show-if-non-choice", setter("comment", "show_if", {"question": "visits", "equals": "1"}),
     "câu hỏi 'comment'", "'visits' thì không"),
    ("show-if-no-value", setter("wait_reason", "show_if", {"question": "wait_time"}),
     "câu hỏi 'wait_reason'", "cần 'equals' hoặc 'any_of'"),
    ("show-if-empty-any-of", setter("wait_reason", "show_if", {"question": "wait_time",
                                                               "any_of": []}),
     "câu hỏi 'wait_reason'", "cần 'equals' hoặc 'any_of'"),
    ("show-if-not-mapping", setter("wait_reason", "show_if", "wait_time"),
     "câu hỏi 'wait_reason'", "show_if phải có dạng"),
    ("show-if-question-list", setter("wait_reason", "show_if", {"question": ["wait_time"],
                                                                "equals": "cho_rat_lau"}),
     "câu hỏi 'wait_reason'", "không phải câu đứng trước"),
    ("show-if-unknown-key", setter("wait_reason", "show_if", {
        "question": "wait_time", "equals": "cho_rat_lau", "unless": "x"}),
     "câu hỏi 'wait_reason'", "'unless' không dùng được trong show_if"),
    ("satisfaction-missing", deleter(None, "satisfaction"), "satisfaction",
     "thiếu khai báo câu hỏi hài lòng"),
    ("satisfaction-unknown-question", setter(None, "satisfaction", {
        "question": "q_total", "satisfied": ["hai_long"]}), "satisfaction",
     "câu hỏi hài lòng 'q_total' không có trong phiếu"),
    ("satisfaction-multiple-choice", setter(None, "satisfaction", {
        "question": "wait_reason", "satisfied": ["qua_dong"]}), "câu hỏi 'wait_reason'",
     "phải là lựa chọn một đáp án, bắt buộc, luôn hiển thị"),
    ("satisfaction-rating", setter(None, "satisfaction", {"question": "score",
                                                          "satisfied": ["5"]}),
     "câu hỏi 'score'", "phải là lựa chọn một đáp án"),
    ("satisfaction-not-required", setter("q_overall", "required", False), "câu hỏi 'q_overall'",
     "bắt buộc"),
    ("satisfaction-conditional", setter("q_overall", "show_if", {"question": "wait_time",
                                                                 "equals": "nhanh_gon"}),
     "câu hỏi 'q_overall'", "luôn hiển thị"),
    ("satisfaction-unknown-level", setter(None, "satisfaction", {
        "question": "q_overall", "satisfied": ["hai_long", "vui"]}), "câu hỏi 'q_overall'",
     "mức hài lòng không có trong lựa chọn: ['vui']"),
    ("satisfaction-no-levels", setter(None, "satisfaction", {"question": "q_overall",
                                                             "satisfied": []}),
     "satisfaction", "ít nhất một giá trị"),
    ("satisfaction-unknown-key", setter(None, "satisfaction", {
        "question": "q_overall", "satisfied": ["hai_long"], "weight": 2}), "satisfaction",
     "'weight' không dùng được"),
    ("rating-min-above-max", setter("score", "min", 7), "câu hỏi 'score'", "min < max"),
    ("rating-max-too-high", setter("score", "max", 100), "câu hỏi 'score'", "từ 0 đến 10"),
    ("rating-fraction", setter("score", "max", 4.5), "câu hỏi 'score'", "số nguyên"),
    ("rating-bool", setter("score", "min", True), "câu hỏi 'score'", "số nguyên"),
    ("number-min-above-max", setter("visits", "min", 60), "câu hỏi 'visits'", "min ≤ max"),
    ("number-text-bound", setter("visits", "max", "nhiều"), "câu hỏi 'visits'", "phải là số"),
    ("number-nan-bound", setter("visits", "max", float("nan")), "câu hỏi 'visits'", "phải là số"),
    ("number-integer-text", setter("visits", "integer", "no"), "câu hỏi 'visits'",
     "'integer' phải là true hoặc false"),
    ("max-length-zero", setter("comment", "max_length", 0), "câu hỏi 'comment'",
     "max_length phải là số nguyên từ 1 đến 2000"),
    ("max-length-huge", setter("comment", "max_length", 5000), "câu hỏi 'comment'",
     "từ 1 đến 2000"),
    ("max-length-text", setter("comment", "max_length", "300"), "câu hỏi 'comment'",
     "max_length phải là số nguyên"),
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


@pytest.mark.parametrize(("edit", "where", "reason"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_definition_names_file_place_and_reason(tmp_path, edit, where, reason):
    path = write(tmp_path, change(edit))
    problems = problems_of(path)
    matching = [p for p in problems if p.where == where and reason in p.reason]
    assert matching, f"no problem at {where!r} with {reason!r} in {[str(p) for p in problems]}"
    assert all(p.source == str(path) for p in problems)
    assert str(path) in str(matching[0])
    assert where in str(matching[0])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("code: PKS05\nsections: [\n", "YAML không hợp lệ"),
        ("- code: PKS05\n", "phải là một bảng"),
        ("", "phải là một bảng"),
        ("just words", "phải là một bảng"),
    ],
    ids=["broken-yaml", "a-list", "empty-file", "a-string"],
)
def test_unreadable_file_is_one_problem_about_the_file(tmp_path, text, reason):
    path = tmp_path / "pks05.v2.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = problems_of(path)
    assert (problem.source, problem.where) == (str(path), "tệp")
    assert reason in problem.reason


def test_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "pks05.v2.yaml"
    path.write_bytes("title: Phiếu".encode("utf-16"))
    [problem] = problems_of(path)
    assert "không đọc được tệp" in problem.reason


def test_missing_file_is_reported(tmp_path):
    [problem] = problems_of(tmp_path / "nowhere.yaml")
    assert "không đọc được tệp" in problem.reason


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
        "câu hỏi 'wait_reason'",
        "câu hỏi 'comment'",
        "câu hỏi 'visits'",
        "câu hỏi 'paid'",
        "câu hỏi 'q_overall'",
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
