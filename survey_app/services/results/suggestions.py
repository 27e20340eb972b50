"""Citizens' suggestions: what they wrote in a form's free-text questions, for those who can
act on it (the commune's officials, the steering committee, administrators).

A suggestion is shown alone and dated by its week only: no time of day, no day, no order of
arrival within the week (a week's suggestions are listed by commune and text) and none of the
same person's other answers, so that an official who saw who came to the counter on a quiet
morning cannot tell which suggestion was theirs. A form answered by the commune's own staff
(PKS01) is never shown to that commune's officials, as in the row-level download
(``privacy``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.clock import VIETNAM
from survey_app.collation import matches
from survey_app.collation import name_key
from survey_app.models import Answer
from survey_app.models import Commune
from survey_app.models import Response
from survey_app.models import Role
from survey_app.services.results.campaign import CampaignFormInfo
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import answer_scope
from survey_app.services.results.privacy import COMMUNE_ROLES

#: Who reads suggestions (never through the API).
SUGGESTION_ROLES = (Role.steering, Role.admin, Role.commune_official)
#: Formula prefixes a spreadsheet would run (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def may_read_suggestions(user) -> bool:
    return user.role in SUGGESTION_ROLES


@dataclass(frozen=True)
class Suggestion:
    #: The Monday of the week it came in (Vietnam time): never anything finer.
    week: date
    commune: str
    form_code: str
    question: str
    text: str


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def readable_forms(results: CampaignResults, role: Role) -> list[CampaignFormInfo]:
    """The campaign's forms with a free-text question that ``role`` may read."""
    forms = []
    for form in results.forms:
        definition = form.definition
        if definition is None or not any(q.kind.free_text for q in definition.questions):
            continue
        if role in COMMUNE_ROLES and definition.answered_by_commune_staff:
            continue
        forms.append(form)
    return forms


def find_suggestions(session: Session, results: CampaignResults, role: Role,
                     search: str = "", form_code: str | None = None,
                     commune_ids=None) -> list[Suggestion]:
    """Suggestions in scope (flagged responses left out), newest week first; ``search``
    matches the text or the commune's name, with or without marks."""
    found: list[Suggestion] = []
    for form in readable_forms(results, role):
        if form_code and form.code != form_code:
            continue
        questions = {q.id: q.text for q in form.definition.questions if q.kind.free_text}
        rows = session.execute(
            select(Response.received_at, Commune.name, Answer.question_id, Answer.value)
            .join(Response, Answer.response_id == Response.id)
            .join(Commune, Response.commune_id == Commune.id)
            .where(*answer_scope(results, form, list(questions), commune_ids))
        )
        for received, commune, question_id, value in rows:
            text = " ".join(value.split())
            if not text:
                continue
            if search and not (matches(search, text) or matches(search, commune)):
                continue
            found.append(Suggestion(week_of(received.astimezone(VIETNAM).date()), commune,
                                    form.code, questions[question_id], text))
    found.sort(key=lambda s: (name_key(s.commune), s.form_code, name_key(s.text)))
    found.sort(key=lambda s: s.week, reverse=True)
    return found


def defuse(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def suggestions_csv(found: list[Suggestion]) -> Iterator[str]:
    """The suggestions as CSV for Excel (UTF-8 with BOM): week, commune, form, question,
    text; nothing else about the respondent."""
    def line(cells: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(cells)
        return buffer.getvalue()

    yield "\ufeff" + line([_("Week of"), _("Commune"), _("Form"), _("Question"),
                           _("Suggestion")])
    for s in found:
        yield line([s.week.strftime("%d/%m/%Y"), defuse(s.commune), s.form_code,
                    defuse(s.question), defuse(s.text)])
