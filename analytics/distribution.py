"""How respondents answered each question of a form.

Free-text answers are not distributions and are left out here: the app shows them, if at
all, only to the roles that need them. A question answered by fewer than
``MIN_RESPONDENTS`` people is suppressed, so a breakdown cannot point at one person (PKS01 is
answered by the commune's own staff, whom its officials know by name).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from forms import FormDefinition
from forms import Question
from forms.question_types import NUMBER

MIN_RESPONDENTS = 5


@dataclass(frozen=True)
class AnswerCount:
    question_id: str
    value: str
    #: Responses that gave this value (a multiple-choice response counts once per option).
    answers: int


@dataclass(frozen=True)
class OptionShare:
    value: str
    label: str
    count: int
    #: Of the respondents who answered the question (multiple choice may sum above 1).
    share: Fraction | None


@dataclass(frozen=True)
class QuestionDistribution:
    question_id: str
    number: int
    text: str
    type: str
    respondents: int
    options: tuple[OptionShare, ...]
    is_suppressed: bool = False


def answer_distribution(
    definition: FormDefinition,
    counts: Iterable[AnswerCount],
    respondents: Mapping[str, int],
    min_respondents: int = MIN_RESPONDENTS,
) -> list[QuestionDistribution]:
    """One distribution per choice, rating or number question of ``definition``, in order.

    :param respondents: question id → responses that answered it.
    """
    by_question: dict[str, dict[str, int]] = {}
    for count in counts:
        values = by_question.setdefault(count.question_id, {})
        values[count.value] = values.get(count.value, 0) + count.answers
    numbers = definition.numbers
    result = []
    for question in definition.questions:
        if question.kind.free_text:
            continue
        answered = respondents.get(question.id, 0)
        suppressed = 0 < answered < min_respondents
        options = () if suppressed else tuple(
            OptionShare(value, label, count, Fraction(count, answered) if answered else None)
            for value, label, count in option_rows(question, by_question.get(question.id, {}))
        )
        result.append(QuestionDistribution(question.id, numbers[question.id], question.text,
                                           question.type, answered, options, suppressed))
    return result


def option_rows(question: Question, counted: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """Every declared option (zeros included) in the form's order, then any value seen that
    the current version no longer offers."""
    if question.kind.scale:
        declared = [(str(point), str(point)) for point in question.scale]
    elif question.kind.answer == NUMBER:
        declared = [(value, value) for value in sorted(counted, key=number_key)]
    else:
        declared = [(option.value, option.label) for option in question.options]
    known = {value for value, _ in declared}
    extra = [(value, value) for value in sorted(counted) if value not in known]
    return [(value, label, counted.get(value, 0)) for value, label in declared + extra]


def number_key(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)
