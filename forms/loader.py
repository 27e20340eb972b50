"""Load a form definition from YAML and report every problem in it at once.

A province edits these files by hand, so one run must list all mistakes (file, question id,
reason, in Vietnamese) rather than stop at the first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from forms.schema import CHOICE_TYPES
from forms.schema import DEFAULT_TEXT_LENGTH
from forms.schema import ORGANISATIONS
from forms.schema import QUESTION_TYPES
from forms.schema import YES_NO_OPTIONS
from forms.schema import Condition
from forms.schema import FormDefinition
from forms.schema import Option
from forms.schema import Question
from forms.schema import Section

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
FORM_CODE = re.compile(r"^PKS0[1-7]$")
# Keys each part may carry. A misspelt key ("requried") would otherwise be dropped in silence
# and change the form, so anything else is reported.
FORM_KEYS = {"code", "version", "title", "respondents", "organisation", "quarter", "provisional",
             "provenance", "intro", "satisfaction", "sections"}
SECTION_KEYS = {"id", "title", "questions"}
QUESTION_KEYS = {"id", "type", "text", "required", "help", "show_if"}
TYPE_KEYS = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "yes_no": set(),
    "rating": {"min", "max", "min_label", "max_label"},
    "number": {"min", "max", "integer"},
    "short_text": {"max_length"},
}
OPTION_KEYS = {"value", "label"}
CONDITION_KEYS = {"question", "equals", "any_of"}
SATISFACTION_KEYS = {"question", "satisfied"}


def is_int(value: Any) -> bool:
    """A whole number as YAML gives it; ``true`` is not one."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Problem:
    source: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.where}: {self.reason}"


class DefinitionError(ValueError):
    """A definition has one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_definition_file(path: str | Path) -> FormDefinition:
    """Read and validate one definition file.

    :raises DefinitionError: listing every problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([Problem(str(path), "tệp", f"không đọc được tệp: {exc}")]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(str(path), "tệp", f"YAML không hợp lệ: {exc}")]) from exc
    return load_definition(data, source=str(path))


def load_definition(data: Any, source: str = "<definition>") -> FormDefinition:
    """Validate a parsed definition and build it.

    :raises DefinitionError: listing every problem found.
    """
    return _Loader(source).load(data)


class _Loader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(Problem(self.source, where, reason))

    def unknown_keys(self, data: dict, allowed: set[str], where: str, what: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.problem(where, f"trường '{key}' không dùng được{what}")

    def text(self, data: dict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(where, f"thiếu trường '{key}'")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, f"trường '{key}' phải là chuỗi văn bản không rỗng")
            return ""
        return unicodedata.normalize("NFC", value.strip())

    def load(self, data: Any) -> FormDefinition:
        if not isinstance(data, dict):
            self.problem("tệp", "định nghĩa phải là một bảng (mapping) YAML")
            raise DefinitionError(self.problems)
        self.unknown_keys(data, FORM_KEYS, "tệp")
        code = self.text(data, "code", "code")
        if code and not FORM_CODE.match(code):
            self.problem("code", f"mã phiếu '{code}' không hợp lệ (PKS01–PKS07)")
        version = data.get("version")
        if not is_int(version) or version < 1:
            self.problem("version", "phiên bản phải là số nguyên dương")
        organisation = data.get("organisation")
        if organisation not in ORGANISATIONS:
            self.problem("organisation", f"tổ chức phải là một trong: {', '.join(ORGANISATIONS)}")
        quarter = data.get("quarter")
        if not is_int(quarter) or quarter not in (1, 2, 3, 4):
            self.problem("quarter", "quý phải là 1, 2, 3 hoặc 4")
        provisional = data.get("provisional", False)
        if not isinstance(provisional, bool):
            self.problem("provisional", "phải là true hoặc false")
        header = {
            key: self.text(data, key, key, required=key != "provenance")
            for key in ("title", "respondents", "intro", "provenance")
        }
        sections = self.sections(data.get("sections"))
        satisfaction_question, satisfied = self.satisfaction(data.get("satisfaction"), sections)
        if self.problems:
            raise DefinitionError(self.problems)
        return FormDefinition(
            code=code,
            version=version,
            organisation=organisation,
            quarter=quarter,
            provisional=provisional,
            satisfaction_question=satisfaction_question,
            satisfied_values=satisfied,
            sections=sections,
            raw=data,
            **header,
        )

    def sections(self, data: Any) -> tuple[Section, ...]:
        if not isinstance(data, list) or not data:
            self.problem("sections", "phải có ít nhất một phần (section)")
            return ()
        seen: dict[str, Question] = {}
        section_ids: set[str] = set()
        sections = []
        for index, raw in enumerate(data, start=1):
            where = f"sections[{index}]"
            if not isinstance(raw, dict):
                self.problem(where, "mỗi phần phải là một bảng")
                continue
            self.unknown_keys(raw, SECTION_KEYS, where)
            section_id = raw.get("id")
            if not isinstance(section_id, str) or not IDENTIFIER.match(section_id):
                self.problem(where, "mã phần (id) phải là chữ thường không dấu, số, gạch dưới")
            elif section_id in section_ids:
                self.problem(where, f"mã phần '{section_id}' bị trùng")
            section_ids.add(str(section_id))
            title = self.text(raw, "title", where)
            questions = raw.get("questions")
            if not isinstance(questions, list) or not questions:
                self.problem(where, "phần phải có ít nhất một câu hỏi")
                questions = []
            built = [q for q in (self.question(q, where, seen) for q in questions) if q]
            sections.append(Section(id=str(section_id), title=title, questions=tuple(built)))
        return tuple(sections)

    def question(self, raw: Any, section: str, seen: dict[str, Question]) -> Question | None:
        if not isinstance(raw, dict):
            self.problem(section, "mỗi câu hỏi phải là một bảng")
            return None
        qid = raw.get("id")
        if not isinstance(qid, str) or not IDENTIFIER.match(qid):
            self.problem(f"{section}: câu hỏi {qid!r}", "mã câu hỏi phải là chữ thường không dấu")
            return None
        where = f"câu hỏi '{qid}'"
        if qid in seen:
            self.problem(where, "mã câu hỏi bị trùng")
            return None
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            known = ", ".join(QUESTION_TYPES)
            self.problem(where, f"loại câu hỏi '{qtype}' không hợp lệ ({known})")
            return None
        self.unknown_keys(raw, QUESTION_KEYS | TYPE_KEYS[qtype], where,
                          f" với câu hỏi loại '{qtype}'")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.problem(where, "'required' phải là true hoặc false")
        fields: dict[str, Any] = {
            "id": qid,
            "type": qtype,
            "text": self.text(raw, "text", where),
            "required": bool(required),
            "help": self.text(raw, "help", where, required=False),
            "options": self.options(raw, qtype, where),
            "show_if": self.condition(raw.get("show_if"), where, seen),
        }
        fields.update(self.bounds(raw, qtype, where))
        question = Question(**fields)
        seen[qid] = question
        return question

    def options(self, raw: dict, qtype: str, where: str) -> tuple[Option, ...]:
        if qtype == "yes_no":
            return tuple(Option(value, label) for value, label in YES_NO_OPTIONS)
        if qtype not in CHOICE_TYPES:
            return ()
        data = raw.get("options")
        if not isinstance(data, list) or len(data) < 2:
            self.problem(where, "câu hỏi lựa chọn phải có ít nhất hai lựa chọn")
            return ()
        options, values = [], set()
        for raw_option in data:
            value = raw_option.get("value") if isinstance(raw_option, dict) else None
            if not isinstance(value, str) or not IDENTIFIER.match(value):
                self.problem(where, f"giá trị lựa chọn {value!r} phải là chữ thường không dấu")
                continue
            if value in values:
                self.problem(where, f"giá trị lựa chọn '{value}' bị trùng")
                continue
            values.add(value)
            self.unknown_keys(raw_option, OPTION_KEYS, f"{where}, '{value}'")
            options.append(Option(value, self.text(raw_option, "label", f"{where}, '{value}'")))
        return tuple(options)

    def condition(self, raw: Any, where: str, seen: dict[str, Question]) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or "question" not in raw:
            self.problem(where, "show_if phải có dạng {question: ..., equals: ...}")
            return None
        self.unknown_keys(raw, CONDITION_KEYS, where, " trong show_if")
        target = seen.get(raw["question"]) if isinstance(raw["question"], str) else None
        if target is None:
            self.problem(where, f"show_if trỏ tới '{raw['question']}', không phải câu đứng trước")
            return None
        if target.type not in CHOICE_TYPES:
            self.problem(where, f"show_if chỉ dựa vào câu hỏi lựa chọn; '{target.id}' thì không")
            return None
        if "equals" in raw:
            values = [raw["equals"]]
        elif isinstance(raw.get("any_of"), list) and raw["any_of"]:
            values = raw["any_of"]
        else:
            self.problem(where, "show_if cần 'equals' hoặc 'any_of'")
            return None
        unknown = [v for v in values if v not in target.option_values]
        if unknown:
            self.problem(where, f"show_if dùng giá trị không có trong '{target.id}': {unknown}")
            return None
        return Condition(question=target.id, values=tuple(values))

    def bounds(self, raw: dict, qtype: str, where: str) -> dict[str, Any]:
        if qtype == "rating":
            low, high = raw.get("min", 1), raw.get("max", 5)
            if not (is_int(low) and is_int(high) and 0 <= low < high <= 10):
                self.problem(where, "thang đánh giá cần min < max, là số nguyên từ 0 đến 10")
                return {}
            return {
                "min": low,
                "max": high,
                "min_label": self.text(raw, "min_label", where, required=False),
                "max_label": self.text(raw, "max_label", where, required=False),
            }
        if qtype == "number":
            low, high = raw.get("min"), raw.get("max")
            numeric = all(
                v is None or (isinstance(v, int | float) and not isinstance(v, bool) and v == v)
                for v in (low, high)
            )
            if not numeric or (low is not None and high is not None and low > high):
                self.problem(where, "min và max của câu hỏi số phải là số, min ≤ max")
                return {}
            integer = raw.get("integer", True)
            if not isinstance(integer, bool):
                self.problem(where, "'integer' phải là true hoặc false")
            return {"min": low, "max": high, "integer": integer is not False}
        if qtype == "short_text":
            length = raw.get("max_length", DEFAULT_TEXT_LENGTH)
            if not is_int(length) or not 1 <= length <= 2000:
                self.problem(where, "max_length phải là số nguyên từ 1 đến 2000")
                return {}
            return {"max_length": length}
        return {}

    def satisfaction(self, raw: Any, sections: tuple[Section, ...]) -> tuple[str, tuple[str, ...]]:
        where = "satisfaction"
        if not isinstance(raw, dict):
            self.problem(where, "thiếu khai báo câu hỏi hài lòng (satisfaction)")
            return "", ()
        self.unknown_keys(raw, SATISFACTION_KEYS, where)
        qid, satisfied = raw.get("question"), raw.get("satisfied")
        questions = {q.id: q for s in sections for q in s.questions}
        question = questions.get(qid) if isinstance(qid, str) else None
        if question is None:
            self.problem(where, f"câu hỏi hài lòng '{qid}' không có trong phiếu")
            return "", ()
        if question.type != "single_choice" or not question.required or question.show_if:
            self.problem(
                f"câu hỏi '{qid}'",
                "câu hỏi hài lòng phải là lựa chọn một đáp án, bắt buộc, luôn hiển thị",
            )
        if not isinstance(satisfied, list) or not satisfied:
            self.problem(where, "'satisfied' phải liệt kê ít nhất một giá trị")
            return str(qid), ()
        unknown = [v for v in satisfied if v not in question.option_values]
        if unknown:
            self.problem(f"câu hỏi '{qid}'", f"mức hài lòng không có trong lựa chọn: {unknown}")
        return str(qid), tuple(satisfied)
