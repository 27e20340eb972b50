"""What the offline app needs to work alone: the forms a field worker may enter, as JSON."""

from __future__ import annotations

from typing import Any

from forms import FormDefinition
from forms import Question
from forms.question_types import BOUNDS
from forms.question_types import LENGTH
from forms.question_types import SCALE
from survey_app.services.people.entry import EntryForm


def question_json(question: Question) -> dict[str, Any]:
    """A question as the offline app draws it: with ``widget``, which the app switches on."""
    kind = question.kind
    data: dict[str, Any] = {"id": question.id, "type": question.type, "widget": kind.widget,
                            "text": question.text, "required": question.required}
    if question.allows_no_answer:
        # A blank is "không trả lời" there (the sync takes it as staff-entered).
        data["allows_no_answer"] = True
    if question.help:
        data["help"] = question.help
    if question.options:
        data["options"] = [{"value": o.value, "label": o.label} for o in question.options]
    if question.show_if:
        data["show_if"] = {"question": question.show_if.question,
                           "values": list(question.show_if.values)}
    # What the type's own keys set (QuestionType.settings), for the app to draw and check.
    if kind.settings == SCALE:
        data["scale"] = list(question.scale)
        data["min_label"], data["max_label"] = question.min_label, question.max_label
    if kind.settings == BOUNDS:
        data.update(min=question.min, max=question.max, integer=question.integer)
    if kind.settings == LENGTH:
        data["max_length"] = question.max_length
    return data


def definition_json(definition: FormDefinition) -> dict[str, Any]:
    numbers = definition.numbers
    return {
        "code": definition.code,
        "version": definition.version,
        "title": definition.title,
        "respondents": definition.respondents,
        "sections": [
            {"title": section.title,
             "questions": [{**question_json(q), "number": numbers[q.id]}
                           for q in section.questions]}
            for section in definition.sections
        ],
    }


def offline_forms(entries: list[EntryForm]) -> list[dict[str, Any]]:
    """The forms and communes the offline page needs, as JSON-ready data."""
    return [{
        "campaign_form_id": entry.campaign_form.id,
        "campaign": entry.campaign_form.campaign.name,
        "version_id": entry.version.id,
        "definition": definition_json(entry.version.parsed),
        "communes": [{"id": c.id, "code": c.code, "name": c.name} for c in entry.communes],
    } for entry in entries]
