"""Load a form definition from YAML and report every problem in it at once.

A province edits these files by hand, so one run must list all mistakes (file, place, reason)
rather than stop at the first. A reason is a code with parameters (``PROBLEM_CODES``);
``survey_app.messages.describe_problem`` words it, like every other refusal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from forms.question_types import BOUNDS
from forms.question_types import LENGTH
from forms.question_types import OPTIONS
from forms.question_types import QUESTION_TYPES
from forms.question_types import SCALE
from forms.schema import DEFAULT_TEXT_LENGTH
from forms.schema import ORGANISATIONS
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
             "provenance", "intro", "satisfaction", "sections", "answered_by_commune_staff"}
SECTION_KEYS = {"id", "title", "questions"}
#: Every question's keys; its type adds its own (``QuestionType.keys``).
QUESTION_KEYS = {"id", "type", "text", "required", "allows_no_answer", "help", "show_if"}
OPTION_KEYS = {"value", "label"}
CONDITION_KEYS = {"question", "equals", "any_of"}
SATISFACTION_KEYS = {"question", "satisfied"}


def is_int(value: Any) -> bool:
    """A whole number as YAML gives it; ``true`` is not one."""
    return isinstance(value, int) and not isinstance(value, bool)


#: Every code a ``Problem`` may carry; the app has words for each (tests/app/test_messages.py).
PROBLEM_CODES = frozenset({
    # The file as a whole
    "file_unreadable", "yaml_invalid", "definition_not_mapping",
    # Any part
    "key_unknown", "key_unknown_for_type", "key_unknown_in_show_if", "key_missing",
    "key_not_text", "not_boolean", "key_not_boolean", "no_answer_not_required",
    # The form's header
    "form_code_invalid", "version_invalid", "organisation_invalid", "quarter_invalid",
    # Sections
    "sections_missing", "section_not_mapping", "section_id_invalid", "section_id_duplicate",
    "section_no_questions",
    # Questions and their options
    "question_not_mapping", "question_id_invalid", "question_id_duplicate",
    "question_type_invalid", "options_too_few", "option_value_invalid", "option_value_duplicate",
    # show_if
    "show_if_invalid", "show_if_not_earlier", "show_if_not_choice", "show_if_no_values",
    "show_if_unknown_values",
    # Bounds by type
    "rating_bounds_invalid", "number_bounds_invalid", "max_length_invalid",
    # Satisfaction
    "satisfaction_missing", "satisfaction_unknown_question", "satisfaction_question_invalid",
    "satisfied_empty", "satisfied_unknown_values",
})

# ``Problem.where`` is a key or path as the file spells it ("quarter", "sections[2]"), shown
# as it is, or one of the places below, which name a thing rather than a key: those the app
# words, after ``place`` takes them apart.
FILE = "file"
PLACES = {
    "question": re.compile(r"question '(?P<question>[a-z][a-z0-9_]*)'"),
    "option": re.compile(
        r"question '(?P<question>[a-z][a-z0-9_]*)', option '(?P<option>[a-z][a-z0-9_]*)'"),
    # A question without a usable id: its section and whatever stood in for the id.
    "unnamed_question": re.compile(r"(?P<section>sections\[\d+\]): question (?P<id>.*)"),
}


def question_place(qid: str) -> str:
    return f"question '{qid}'"


def option_place(question: str, value: str) -> str:
    """An option of the question at ``question`` (a ``question_place``)."""
    return f"{question}, option '{value}'"


def unnamed_question_place(section: str, qid: Any) -> str:
    return f"{section}: question {qid!r}"


def place(where: str) -> tuple[str | None, dict[str, str]]:
    """The kind of place ``where`` names and its parts, or (None, {}) for a key or path."""
    if where == FILE:
        return "file", {}
    for kind, pattern in PLACES.items():
        found = pattern.fullmatch(where)
        if found:
            return kind, found.groupdict()
    return None, {}


@dataclass(frozen=True)
class Problem:
    """One mistake: in which file, where in it, and why, as a code with parameters."""

    source: str
    where: str
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        # For logs and tracebacks, in no language; a person reads describe_problem's words.
        return f"{self.source}: {self.where}: {self.code} {self.params}"


class DefinitionError(ValueError):
    """A definition has one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


#: libyaml's safe loader where PyYAML was built with it: the same documents, parsed ten times
#: as fast (every publication of the bundled forms reads seven files).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_definition_file(path: str | Path) -> FormDefinition:
    """Read and validate one definition file.

    :raises DefinitionError: listing every problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(
            [Problem(str(path), FILE, "file_unreadable", {"error": str(exc)})]) from exc
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506  (a safe loader)
    except yaml.YAMLError as exc:
        raise DefinitionError(
            [Problem(str(path), FILE, "yaml_invalid", {"error": str(exc)})]) from exc
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

    def problem(self, where: str, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(self.source, where, code, params))

    def unknown_keys(self, data: dict, allowed: set[str], where: str,
                     code: str = "key_unknown", /, **params: Any) -> None:
        """Report each key of ``data`` not in ``allowed``; ``code`` says in what context."""
        for key in data:
            if key not in allowed:
                self.problem(where, code, key=key, **params)

    def text(self, data: dict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(where, "key_missing", key=key)
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, "key_not_text", key=key)
            return ""
        return unicodedata.normalize("NFC", value.strip())

    def load(self, data: Any) -> FormDefinition:
        if not isinstance(data, dict):
            self.problem(FILE, "definition_not_mapping")
            raise DefinitionError(self.problems)
        self.unknown_keys(data, FORM_KEYS, FILE)
        code = self.text(data, "code", "code")
        if code and not FORM_CODE.match(code):
            self.problem("code", "form_code_invalid", value=code)
        version = data.get("version")
        if not is_int(version) or version < 1:
            self.problem("version", "version_invalid")
        organisation = data.get("organisation")
        if organisation not in ORGANISATIONS:
            self.problem("organisation", "organisation_invalid", allowed=", ".join(ORGANISATIONS))
        quarter = data.get("quarter")
        if not is_int(quarter) or quarter not in (1, 2, 3, 4):
            self.problem("quarter", "quarter_invalid")
        provisional = data.get("provisional", False)
        if not isinstance(provisional, bool):
            self.problem("provisional", "not_boolean")
        staff = data.get("answered_by_commune_staff", False)
        if not isinstance(staff, bool):
            self.problem("answered_by_commune_staff", "not_boolean")
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
            answered_by_commune_staff=staff,
            satisfaction_question=satisfaction_question,
            satisfied_values=satisfied,
            sections=sections,
            raw=data,
            **header,
        )

    def sections(self, data: Any) -> tuple[Section, ...]:
        if not isinstance(data, list) or not data:
            self.problem("sections", "sections_missing")
            return ()
        seen: dict[str, Question] = {}
        section_ids: set[str] = set()
        sections = []
        for index, raw in enumerate(data, start=1):
            where = f"sections[{index}]"
            if not isinstance(raw, dict):
                self.problem(where, "section_not_mapping")
                continue
            self.unknown_keys(raw, SECTION_KEYS, where)
            section_id = raw.get("id")
            if not isinstance(section_id, str) or not IDENTIFIER.match(section_id):
                self.problem(where, "section_id_invalid")
            elif section_id in section_ids:
                self.problem(where, "section_id_duplicate", id=section_id)
            section_ids.add(str(section_id))
            title = self.text(raw, "title", where)
            questions = raw.get("questions")
            if not isinstance(questions, list) or not questions:
                self.problem(where, "section_no_questions")
                questions = []
            built = [q for q in (self.question(q, where, seen) for q in questions) if q]
            sections.append(Section(id=str(section_id), title=title, questions=tuple(built)))
        return tuple(sections)

    def question(self, raw: Any, section: str, seen: dict[str, Question]) -> Question | None:
        if not isinstance(raw, dict):
            self.problem(section, "question_not_mapping")
            return None
        qid = raw.get("id")
        if not isinstance(qid, str) or not IDENTIFIER.match(qid):
            self.problem(unnamed_question_place(section, qid), "question_id_invalid")
            return None
        where = question_place(qid)
        if qid in seen:
            self.problem(where, "question_id_duplicate")
            return None
        qtype = raw.get("type")
        # A list or mapping as the type cannot be looked up in the registry: check str first.
        if not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
            known = ", ".join(QUESTION_TYPES)
            self.problem(where, "question_type_invalid", type=qtype, allowed=known)
            return None
        self.unknown_keys(raw, QUESTION_KEYS | QUESTION_TYPES[qtype].keys, where,
                          "key_unknown_for_type", type=qtype)
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.problem(where, "key_not_boolean", key="required")
        no_answer = raw.get("allows_no_answer", False)
        if not isinstance(no_answer, bool):
            self.problem(where, "key_not_boolean", key="allows_no_answer")
        elif no_answer and required is not True:
            # An optional question already takes a blank: the flag would promise a
            # distinction the stored answers cannot make.
            self.problem(where, "no_answer_not_required")
        fields: dict[str, Any] = {
            "id": qid,
            "type": qtype,
            "text": self.text(raw, "text", where),
            "required": bool(required),
            "allows_no_answer": no_answer is True,
            "help": self.text(raw, "help", where, required=False),
            "options": self.options(raw, qtype, where),
            "show_if": self.condition(raw.get("show_if"), where, seen),
        }
        fields.update(self.bounds(raw, qtype, where))
        question = Question(**fields)
        seen[qid] = question
        return question

    def options(self, raw: dict, qtype: str, where: str) -> tuple[Option, ...]:
        kind = QUESTION_TYPES[qtype]
        if kind.fixed_options:
            return tuple(Option(value, label) for value, label in kind.fixed_options)
        if kind.settings != OPTIONS:
            return ()
        data = raw.get("options")
        if not isinstance(data, list) or len(data) < 2:
            self.problem(where, "options_too_few")
            return ()
        options, values = [], set()
        for raw_option in data:
            value = raw_option.get("value") if isinstance(raw_option, dict) else None
            if not isinstance(value, str) or not IDENTIFIER.match(value):
                self.problem(where, "option_value_invalid", value=value)
                continue
            if value in values:
                self.problem(where, "option_value_duplicate", value=value)
                continue
            values.add(value)
            self.unknown_keys(raw_option, OPTION_KEYS, option_place(where, value))
            options.append(Option(value, self.text(raw_option, "label",
                                                   option_place(where, value))))
        return tuple(options)

    def condition(self, raw: Any, where: str, seen: dict[str, Question]) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or "question" not in raw:
            self.problem(where, "show_if_invalid")
            return None
        self.unknown_keys(raw, CONDITION_KEYS, where, "key_unknown_in_show_if")
        target = seen.get(raw["question"]) if isinstance(raw["question"], str) else None
        if target is None:
            self.problem(where, "show_if_not_earlier", question=raw["question"])
            return None
        if not target.kind.has_options:
            self.problem(where, "show_if_not_choice", question=target.id)
            return None
        if "equals" in raw:
            values = [raw["equals"]]
        elif isinstance(raw.get("any_of"), list) and raw["any_of"]:
            values = raw["any_of"]
        else:
            self.problem(where, "show_if_no_values")
            return None
        unknown = [v for v in values if v not in target.option_values]
        if unknown:
            self.problem(where, "show_if_unknown_values", question=target.id, values=unknown)
            return None
        return Condition(question=target.id, values=tuple(values))

    def bounds(self, raw: dict, qtype: str, where: str) -> dict[str, Any]:
        settings = QUESTION_TYPES[qtype].settings
        if settings == SCALE:
            low, high = raw.get("min", 1), raw.get("max", 5)
            if not (is_int(low) and is_int(high) and 0 <= low < high <= 10):
                self.problem(where, "rating_bounds_invalid")
                return {}
            return {
                "min": low,
                "max": high,
                "min_label": self.text(raw, "min_label", where, required=False),
                "max_label": self.text(raw, "max_label", where, required=False),
            }
        if settings == BOUNDS:
            low, high = raw.get("min"), raw.get("max")
            numeric = all(
                v is None or (isinstance(v, int | float) and not isinstance(v, bool) and v == v)
                for v in (low, high)
            )
            if not numeric or (low is not None and high is not None and low > high):
                self.problem(where, "number_bounds_invalid")
                return {}
            integer = raw.get("integer", True)
            if not isinstance(integer, bool):
                self.problem(where, "key_not_boolean", key="integer")
            return {"min": low, "max": high, "integer": integer is not False}
        if settings == LENGTH:
            length = raw.get("max_length", DEFAULT_TEXT_LENGTH)
            if not is_int(length) or not 1 <= length <= 2000:
                self.problem(where, "max_length_invalid")
                return {}
            return {"max_length": length}
        return {}

    def satisfaction(self, raw: Any, sections: tuple[Section, ...]) -> tuple[str, tuple[str, ...]]:
        where = "satisfaction"
        if not isinstance(raw, dict):
            self.problem(where, "satisfaction_missing")
            return "", ()
        self.unknown_keys(raw, SATISFACTION_KEYS, where)
        qid, satisfied = raw.get("question"), raw.get("satisfied")
        questions = {q.id: q for s in sections for q in s.questions}
        question = questions.get(qid) if isinstance(qid, str) else None
        if question is None:
            self.problem(where, "satisfaction_unknown_question", question=qid)
            return "", ()
        if not question.kind.satisfaction or not question.required or question.show_if:
            self.problem(question_place(question.id), "satisfaction_question_invalid")
        if not isinstance(satisfied, list) or not satisfied:
            self.problem(where, "satisfied_empty")
            return str(qid), ()
        unknown = [v for v in satisfied if v not in question.option_values]
        if unknown:
            self.problem(question_place(question.id), "satisfied_unknown_values", values=unknown)
        return str(qid), tuple(satisfied)
