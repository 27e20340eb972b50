"""The blank templates of a form version for bulk import, and the guide to filling them in.

Column ids are the ones ``services.imports`` reads; the words are for the people who type.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forms import FormDefinition
from forms import Question
from forms.question_types import NUMBER
from survey_app.services.bulk_import.files import TemplateColumn
from survey_app.services.people.entry import EntryForm

COMMUNE = "ma_xa"
REFERENCE = "ma_phieu"
INTERVIEW_DATE = "ngay_phong_van"
FIXED_COLUMNS = (COMMUNE, REFERENCE, INTERVIEW_DATE)


def question_note(definition: FormDefinition, question: Question) -> str:
    """The notes-row heading of a question: its number, text and how to fill it in."""
    note = f"{definition.numbers[question.id]}. {question.text}"
    if question.required:
        note += " *"
    if question.allows_no_answer:
        note += " " + _("(empty = no answer)")
    kind = question.kind
    if kind.multiple:
        note += " " + _("(several answers: separate them with ;)")
    elif kind.answer == NUMBER and question.min is not None:
        low = int(question.min) if kind.scale else question.min
        high = int(question.max) if question.max is not None else ""
        note += f" ({low}–{high})"
    if question.show_if:
        note += " " + _("(only if question %(number)s is “%(answers)s”)",
                        number=definition.numbers[question.show_if.question],
                        answers="”, “".join(definition.condition_labels(question)))
    return note


def template_columns(entry: EntryForm) -> list[TemplateColumn]:
    definition = entry.version.parsed
    columns = [
        TemplateColumn(COMMUNE, _("Commune code *"), as_text=True, width=12,
                       choices=tuple(commune.code for commune in entry.communes)),
        TemplateColumn(REFERENCE, _("Paper form number (one per form)"), as_text=True,
                       width=14),
        TemplateColumn(INTERVIEW_DATE, _("Interview date (dd/mm/yyyy)"), width=14),
    ]
    for question in definition.questions:
        # A cell's drop-down holds one answer: none for a question that takes several.
        kind = question.kind
        choices: tuple[str, ...] = ()
        if kind.has_options and not kind.multiple:
            choices = tuple(option.label for option in question.options)
        elif kind.scale:
            choices = tuple(str(point) for point in question.scale)
        columns.append(TemplateColumn(question.id, question_note(definition, question),
                                      choices=choices, width=28))
    return columns


def template_name(entry: EntryForm, extension: str) -> str:
    definition = entry.version.parsed
    return f"{definition.code}_v{definition.version}_mau_nhap.{extension}"


def guide_rows(entry: EntryForm) -> list[list[str]]:
    """The “Hướng dẫn” sheet: how to fill in, every allowed answer, the user's communes."""
    definition = entry.version.parsed
    rows = [[f"{definition.code} · {definition.title}"],
            [_("Version %(version)s", version=definition.version)], []]
    rows += [[line] for line in fill_in_instructions()]
    rows += [[], [_("Column"), _("No."), _("Question"), _("Required"), _("Kind"), _("Value"),
                  _("Label")]]
    for question in definition.questions:
        head = [question.id, str(definition.numbers[question.id]), question.text,
                required_text(question), kind_label(question)]
        if question.options:
            for option in question.options:
                rows.append([*head, option.value, option.label])
                head = ["", "", "", "", ""]
        else:
            rows.append([*head, value_hint(question), ""])
    rows += [[], [_("Commune code"), "", _("Commune")]]
    rows += [[commune.code, "", commune.name] for commune in entry.communes]
    return rows


def required_text(question: Question) -> str:
    if question.allows_no_answer:
        return _("yes; empty = no answer")
    return _("yes") if question.required else ""


def fill_in_instructions() -> list[str]:
    return [
        _("Fill in one row per paper form, from row 3 of the first sheet. Keep rows 1 and 2."),
        _("ma_xa: the commune code, from the list of your communes with their codes."),
        _("ma_phieu: the number written on the paper form. Give every form its own number: "
          "then uploading a file again never stores a form twice."),
        _("ngay_phong_van: the day of the interview, as day/month/year."),
        _("Choice questions: pick the answer from the list, or type its label or its value. "
          "Several answers to one question are separated by a semicolon (;)."),
        _("Leave the cell empty when the person did not answer. Questions marked * are "
          "required; on those marked “empty = no answer” an empty cell records that the "
          "person would not answer (không trả lời)."),
        _("Save as Excel (.xlsx) or as “CSV UTF-8”. Nothing is stored until you have seen the "
          "check and confirmed."),
    ]


#: The words for each question type (``forms.question_types``): a new type needs its own.
KIND_LABELS = {
    "single_choice": _l("one answer"),
    "multiple_choice": _l("several answers"),
    "yes_no": _l("yes / no"),
    "rating": _l("score"),
    "number": _l("number"),
    "short_text": _l("text"),
}


def kind_label(question: Question) -> str:
    return str(KIND_LABELS[question.type])


def value_hint(question: Question) -> str:
    """What a question without options takes, as the guide shows it."""
    if question.kind.scale:
        return f"{question.scale[0]}–{question.scale[-1]}"
    if question.kind.answer == NUMBER:
        low = "" if question.min is None else question.min
        high = "" if question.max is None else question.max
        return f"{low}–{high}" if (low, high) != ("", "") else _("a number")
    return _("at most %(max)s characters", max=question.max_length)
