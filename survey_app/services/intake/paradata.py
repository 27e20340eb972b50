"""Paradata stored beside a field response: how it was done, never what it says.

A device's timings (offline app, field-interview page) are untrusted: ``forms.paradata``
keeps what can be true, and a failure here never costs the sheet, which is stored first and
on its own. Paper sheets get their typing batch and typist, imported rows their upload.
Written once, when the response is first stored: a resend keeps what came first.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from forms import FormDefinition
from forms.paradata import clean_paradata
from survey_app.database import copy_rows
from survey_app.database import savepoint
from survey_app.models import Channel
from survey_app.models import InterviewParadata
from survey_app.models import ParadataSource
from survey_app.models import Response

log = logging.getLogger(__name__)
_INSERT = insert(InterviewParadata.__table__)


def _insert(session: Session, values: dict[str, Any]) -> bool:
    """Insert one row in a savepoint of its own: a refusal loses the paradata, not the sheet."""
    try:
        with savepoint(session):
            session.execute(_INSERT, values)
    except DBAPIError as error:
        if isinstance(error, OperationalError):
            raise  # the database is busy: the caller's whole request is retried
        log.warning("paradata of response %s not stored: %s", values["response_id"],
                    type(error).__name__)
        return False
    return True


def record_device_paradata(session: Session, response_id: int, raw: Any,
                           definition: FormDefinition, source: ParadataSource,
                           received_at: datetime) -> bool:
    """Keep what can be true of the paradata a device sent with a newly stored response.

    :param received_at: when the server received the request (the clock offset's reference).
    :returns: whether a row was written (nothing usable, or a refusal, writes none).
    """
    paradata = clean_paradata(raw, {q.id for q in definition.questions}, received_at)
    if paradata is None:
        return False
    return _insert(session, {
        "response_id": response_id, "source": source,
        "device_started_at": paradata.device_started_at,
        "device_ended_at": paradata.device_ended_at,
        "clock_offset_seconds": paradata.clock_offset_seconds,
        "seconds_per_question": paradata.seconds_per_question or None,
        "answer_changes": paradata.answer_changes,
        "answer_changes_total": paradata.changes_total,
    })


def entry_batch(value: Any) -> str:
    """The paper-entry batch a page carried, or a new one: a canonical UUID either way."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError):
        return str(uuid.uuid4())


def record_typing(session: Session, response_id: int, batch: str, typist_id: int) -> bool:
    """A paper sheet's typing batch and the account that typed it."""
    return _insert(session, {"response_id": response_id, "source": ParadataSource.paper,
                             "entry_batch": batch, "typist_id": typist_id})


def record_entry(session: Session, response_id: int, channel: Channel, batch: str,
                 typist_id: int, raw: Any, definition: FormDefinition) -> None:
    """What the entry page knows of a newly stored sheet: a paper sheet's batch and typist
    (its typing time says nothing of the interview), a field interview's timings."""
    if channel is Channel.paper:
        record_typing(session, response_id, batch, typist_id)
    else:
        record_device_paradata(session, response_id, raw, definition, ParadataSource.web,
                               received_at(session, response_id))


def record_import(session: Session, import_batch_id: int, typist_id: int,
                  response_ids: list[int]) -> None:
    """Imported rows' upload and uploader, in the import's own transaction (batched)."""
    if not response_ids:
        return
    columns = ("response_id", "source", "import_batch_id", "typist_id")
    if session.get_bind().dialect.name == "postgresql":
        copy_rows(session, "interview_paradata", columns,
                  ((rid, ParadataSource.import_.value, import_batch_id, typist_id)
                   for rid in response_ids))
    else:
        session.execute(insert(InterviewParadata.__table__), [
            {"response_id": rid, "source": ParadataSource.import_,
             "import_batch_id": import_batch_id, "typist_id": typist_id}
            for rid in response_ids])


def received_at(session: Session, response_id: int) -> datetime:
    """When the server stored a response: the reference of a device's clock offset."""
    return session.scalar(select(Response.received_at).where(Response.id == response_id))
