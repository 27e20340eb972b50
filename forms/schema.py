"""The shape of a loaded form definition: frozen dataclasses, built only by the loader."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from forms.question_types import QUESTION_TYPES
from forms.question_types import YES_NO_OPTIONS as YES_NO_OPTIONS  # still importable here
from forms.question_types import QuestionType

ORGANISATIONS = (
    "labour_federation",
    "veterans",
    "farmers",
    "youth_union",
    "womens_union",
    "mobilisation_team",
)
DEFAULT_TEXT_LENGTH = 500

Answer = str | list[str] | int | float | None


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier one has one of these values."""

    question: str
    values: tuple[str, ...]

    def holds(self, answer: Answer) -> bool:
        if isinstance(answer, list):
            return any(value in self.values for value in answer)
        return answer is not None and str(answer) in self.values


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    required: bool = False
    #: A required question the respondent may refuse: staff entering a sheet (paper, an
    #: interview, an import) may leave it blank, which records "không trả lời" (no answer),
    #: left out of that question's count of answers.
    allows_no_answer: bool = False
    help: str = ""
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    min: float | None = None
    max: float | None = None
    min_label: str = ""
    max_label: str = ""
    integer: bool = True
    max_length: int = DEFAULT_TEXT_LENGTH

    @property
    def kind(self) -> QuestionType:
        """What its type declares (``forms.question_types``): how it is read, cleaned, shown."""
        return QUESTION_TYPES[self.type]

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    @property
    def scale(self) -> range:
        """The integer points of a rating question."""
        return range(int(self.min or 1), int(self.max or 5) + 1)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class FormDefinition:
    code: str
    version: int
    title: str
    respondents: str
    organisation: str
    quarter: int
    provisional: bool
    provenance: str
    intro: str
    satisfaction_question: str
    satisfied_values: tuple[str, ...]
    sections: tuple[Section, ...]
    #: Its respondents are the commune's own staff, whom the commune's officials know by
    #: name: they get no row-level download of it (services/results/privacy.py).
    answered_by_commune_staff: bool = False
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    @property
    def numbers(self) -> dict[str, int]:
        """The number each question is shown with, counting through all sections."""
        return {q.id: n for n, q in enumerate(self.questions, start=1)}

    def condition_labels(self, question: Question) -> list[str]:
        """The labels of the answers that make ``question`` appear."""
        if question.show_if is None:
            return []
        parent = self.question(question.show_if.question)
        return [parent.option_label(value) for value in question.show_if.values]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)
