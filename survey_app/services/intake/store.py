"""Store one response with all its answers, exactly once.

The submission id is made when the form is opened, so a resend (double tap, retry on a slow
network, offline sync) carries the same id. The insert relies on the UNIQUE constraint and
``ON CONFLICT DO NOTHING``, which is atomic on both backends; a read-then-insert is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from forms import FormDefinition
from forms.schema import Answer as AnswerValue
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import UsedTicket


class StoredVersion(Protocol):
    """What storing needs of a form version: a ``FormVersion`` row, or a live link's copy."""

    @property
    def id(self) -> int: ...

    @property
    def form_id(self) -> int: ...

    @property
    def parsed(self) -> FormDefinition: ...


class SubmissionConflict(Exception):
    """The submission id was already used for different answers."""


class TicketUsed(Exception):
    """The form ticket was already used by another submission: nothing is stored."""


@dataclass(frozen=True)
class Stored:
    response_id: int
    created: bool  #: False when this was a resend of a stored submission


def content_hash(form_version_id: int, commune_id: int, answers: dict[str, AnswerValue]) -> str:
    payload = json.dumps([form_version_id, commune_id, answers], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


# Built once per dialect, on the tables rather than the ORM classes: every submission runs
# them, and nothing here needs the ORM's bulk machinery. Values come with each execution.
_INSERT = {
    name: dialect.insert(Response.__table__)
    .on_conflict_do_nothing(index_elements=["submission_id"])
    .returning(Response.__table__.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_INSERT_ANSWERS = insert(Answer.__table__)
_USE_TICKET = {
    name: dialect.insert(UsedTicket.__table__).on_conflict_do_nothing()
    .returning(UsedTicket.__table__.c.ticket_id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def store_response(
    session: Session | Connection,
    *,
    submission_id: str,
    campaign_id: int,
    commune_id: int,
    version: StoredVersion,
    answers: dict[str, AnswerValue],
    channel: Channel,
    collection_point_id: int | None = None,
    entered_by_id: int | None = None,
    duration_seconds: int | None = None,
    signals: Mapping[str, Any] | None = None,
    ticket_id: str | None = None,
) -> Stored:
    """Insert a response and its answers unless this submission id is already stored.

    ``signals`` are further columns (a QR response's signals and flags); ``ticket_id`` the
    form ticket a new response uses up.

    :raises SubmissionConflict: the id is stored with different answers.
    :raises TicketUsed: the ticket was used by another submission (the caller's transaction
        rolls back, so nothing of this one stays).
    """
    digest = content_hash(version.id, commune_id, answers)
    satisfaction = answers.get(version.parsed.satisfaction_question)
    values = {
        "submission_id": submission_id,
        "campaign_id": campaign_id,
        "commune_id": commune_id,
        "form_id": version.form_id,
        "form_version_id": version.id,
        "collection_point_id": collection_point_id,
        "channel": channel,
        "entered_by_id": entered_by_id,
        "content_hash": digest,
        "satisfaction_answer": satisfaction if isinstance(satisfaction, str) else None,
        "duration_seconds": duration_seconds,
        **(signals or {}),
    }
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    response_id = session.execute(_INSERT[dialect.name], values).scalar()
    if response_id is None:
        existing = session.execute(
            select(Response.id, Response.content_hash).where(
                Response.submission_id == submission_id
            )
        ).one()
        if existing.content_hash != digest:
            raise SubmissionConflict(submission_id)
        return Stored(existing.id, created=False)
    rows = [
        {"response_id": response_id, "question_id": question_id, "value": str(value)}
        for question_id, answer in answers.items()
        for value in (answer if isinstance(answer, list) else [answer])
    ]
    if rows:
        session.execute(_INSERT_ANSWERS, rows)
    if ticket_id is not None and session.execute(
            _USE_TICKET[dialect.name], {"ticket_id": ticket_id, "response_id": response_id}
    ).scalar() is None:
        raise TicketUsed(ticket_id)
    return Stored(response_id, created=True)
