"""Check a respondent's raw answers against a definition and clean them.

Raw answers come as strings, the way a browser, a CSV row or a JSON sync payload sends them.
Errors are codes with parameters, not sentences: the app words them through its translation
catalogue, so this module stays free of Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from forms.question_types import CHOICE
from forms.question_types import NUMBER
from forms.question_types import TEXT
from forms.schema import Answer
from forms.schema import FormDefinition
from forms.schema import Question


@dataclass(frozen=True)
class AnswerError:
    #: required | invalid_option | too_many | too_long | not_a_number | out_of_range |
    #: nothing_answered
    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class AnswerErrors:
    """The outcome of a validation: cleaned answers, or errors keyed by question id."""

    answers: dict[str, Answer]
    errors: dict[str, AnswerError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, Iterable):
        return [str(value)]
    return [str(v).strip() for v in value if v is not None and str(v).strip() != ""]


def validate_answers(
    definition: FormDefinition, raw: Mapping[str, object], *, no_answer: bool = False
) -> AnswerErrors:
    """Validate ``raw`` (question id → value or list of values) against ``definition``.

    Answers to questions whose condition does not hold are dropped, whatever the client sent:
    the server, not the page's script, decides what was asked. With ``no_answer`` (staff
    entering what a respondent said), a blank on a required question that
    ``allows_no_answer`` is a refusal, "không trả lời", and stored as no answer.
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, AnswerError] = {}
    for question in definition.questions:
        if question.show_if and not question.show_if.holds(answers.get(question.show_if.question)):
            continue
        values = _as_list(raw.get(question.id))
        if not values:
            if question.required and not (no_answer and question.allows_no_answer):
                errors[question.id] = AnswerError("required")
            continue
        answer, error = _clean(question, values)
        if error:
            errors[question.id] = error
        else:
            answers[question.id] = answer
    if no_answer and not answers and not errors and definition.questions:
        # Every question refused is a blank sheet, not an interview: nothing to store.
        errors[definition.questions[0].id] = AnswerError("nothing_answered")
    return AnswerErrors(answers=answers, errors=errors)


def _clean(question: Question, values: list[str]) -> tuple[Answer, AnswerError | None]:
    if question.kind.multiple:
        return _clean_choices(question, values)
    if len(values) > 1:
        return None, AnswerError("too_many")
    return _CLEAN_ONE[question.kind.answer](question, values[0])


def _clean_choices(question: Question, values: list[str]) -> tuple[Answer, AnswerError | None]:
    unknown = [v for v in values if v not in question.option_values]
    if unknown:
        return None, AnswerError("invalid_option", {"value": unknown[0]})
    # Keep the definition's order and drop repeats, so equal answers compare equal.
    return [v for v in question.option_values if v in values], None


def _clean_choice(question: Question, value: str) -> tuple[Answer, AnswerError | None]:
    if value not in question.option_values:
        return None, AnswerError("invalid_option", {"value": value})
    return value, None


def _clean_text(question: Question, value: str) -> tuple[Answer, AnswerError | None]:
    if len(value) > question.max_length:
        return None, AnswerError("too_long", {"max": question.max_length})
    return value, None


def _clean_number(question: Question, value: str) -> tuple[Answer, AnswerError | None]:
    # A scale's points are whole numbers, whatever ``integer`` says.
    integer = question.kind.scale or question.integer
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None, AnswerError("not_a_number")
    if number != number or number in (float("inf"), float("-inf")):
        return None, AnswerError("not_a_number")
    if integer and not number.is_integer():
        return None, AnswerError("not_a_number", {"integer": True})
    low, high = question.min, question.max
    if (low is not None and number < low) or (high is not None and number > high):
        return None, AnswerError("out_of_range", {"min": low, "max": high})
    return (int(number) if integer else number), None


#: How a single value is cleaned, by what an answer of its type is (``QuestionType.answer``).
_CLEAN_ONE = {CHOICE: _clean_choice, NUMBER: _clean_number, TEXT: _clean_text}
