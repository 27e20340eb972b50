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
from datetime import datetime
from functools import cache
from typing import Any
from typing import Protocol

from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from forms import FormDefinition
from forms.schema import Answer as AnswerValue
from survey_app.clock import now_utc
from survey_app.database import copy_rows
from survey_app.driver_statements import DriverStatement
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


# Built once, on the tables rather than the ORM classes, and compiled once
# (``DriverStatement``): every submission runs them, and nothing here needs the ORM's bulk
# machinery. (PostgreSQL sends all three as one statement: ``_all_at_once``.)
_INSERT = DriverStatement(sqlite.insert(Response.__table__)
                          .on_conflict_do_nothing(index_elements=["submission_id"])
                          .returning(Response.__table__.c.id))
_INSERT_ANSWERS = insert(Answer.__table__)
_ANSWER = DriverStatement(_INSERT_ANSWERS)
_ANSWER_COLUMNS = ("response_id", "question_id", "value")
_USE_TICKET = DriverStatement(sqlite.insert(UsedTicket.__table__).on_conflict_do_nothing()
                              .returning(UsedTicket.__table__.c.ticket_id))
_TICKET_COLUMNS = ("ticket_id", "response_id")


@cache
def _all_at_once(columns: tuple[str, ...], with_ticket: bool):
    """PostgreSQL: the response, its answers and its ticket in one statement (one round trip
    where there were three), built once per set of columns.

    No row back: the submission id was stored before. A row whose ``ticket_taken`` is false:
    another submission used the ticket, and the caller's rollback takes the response back.
    """
    table = Response.__table__
    response = (postgresql.insert(table)
                .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
                .on_conflict_do_nothing(index_elements=["submission_id"])
                .returning(table.c.id).cte("response"))
    answers = insert(Answer.__table__).from_select(
        ["response_id", "question_id", "value"],
        select(response.c.id,
               func.unnest(bindparam("question_ids", type_=postgresql.ARRAY(String))),
               func.unnest(bindparam("answer_values", type_=postgresql.ARRAY(Text)))),
    ).cte("answers")
    taken = literal(True)
    if with_ticket:
        ticket = (postgresql.insert(UsedTicket.__table__).from_select(
            ["ticket_id", "response_id"],
            select(bindparam("ticket_id", type_=String), response.c.id))
            .on_conflict_do_nothing()
            .returning(UsedTicket.__table__.c.ticket_id).cte("ticket"))
        taken = select(ticket.c.ticket_id).exists()
    return DriverStatement(select(response.c.id, taken.label("ticket_taken")).add_cte(answers))


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
    received_at: datetime | None = None,
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
    if received_at is not None:
        values["received_at"] = received_at
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    given = [(question_id, str(value)) for question_id, answer in answers.items()
             for value in (answer if isinstance(answer, list) else [answer])]
    insert_all = _insert_postgresql if dialect.name == "postgresql" else _insert_sqlite
    response_id = insert_all(session, values, given, ticket_id)
    if response_id is None:
        existing = session.execute(
            select(Response.id, Response.content_hash).where(
                Response.submission_id == submission_id
            )
        ).one()
        if existing.content_hash != digest:
            raise SubmissionConflict(submission_id)
        return Stored(existing.id, created=False)
    return Stored(response_id, created=True)


def _insert_postgresql(session: Session | Connection, values: dict[str, Any],
                       given: list[tuple[str, str]], ticket_id: str | None) -> int | None:
    """The new response's id, or None when its submission id is stored already."""
    found = _all_at_once(tuple(values), ticket_id is not None).rows(session, {
        **values, "question_ids": [question_id for question_id, _ in given],
        "answer_values": [value for _, value in given], "ticket_id": ticket_id,
    })
    if not found:
        return None
    response_id, ticket_taken = found[0]
    if ticket_id is not None and not ticket_taken:
        raise TicketUsed(ticket_id)
    return response_id


def _insert_sqlite(session: Session | Connection, values: dict[str, Any],
                   given: list[tuple[str, str]], ticket_id: str | None) -> int | None:
    """As ``_insert_postgresql``, statement by statement (in-process: no round trips)."""
    inserted = _INSERT.rows(session, values, columns=tuple(values))
    if not inserted:
        return None
    response_id = inserted[0][0]
    if given:
        _ANSWER.execute_many(session, [
            {"response_id": response_id, "question_id": question_id, "value": value}
            for question_id, value in given], columns=_ANSWER_COLUMNS)
    if ticket_id is not None and not _USE_TICKET.rows(
            session, {"ticket_id": ticket_id, "response_id": response_id},
            columns=_TICKET_COLUMNS):
        raise TicketUsed(ticket_id)
    return response_id


# --- Many at once (the file import) ---------------------------------------------------------


@dataclass(frozen=True)
class NewResponse:
    """One checked response of a batch, as ``store_responses`` takes it."""

    submission_id: str
    campaign_id: int
    commune_id: int
    answers: dict[str, AnswerValue]
    channel: Channel
    collection_point_id: int | None = None
    entered_by_id: int | None = None
    duration_seconds: int | None = None
    #: When it was received, if not now (the demo's responses, spread over weeks).
    received_at: datetime | None = None


#: The batch's insert: one multi-row statement per slice (SQLAlchemy's "insertmanyvalues"),
#: which fires PostgreSQL's statement trigger on the roll-up once per slice, not per row.
_INSERT_MANY = {
    name: dialect.insert(Response.__table__)
    .on_conflict_do_nothing(index_elements=["submission_id"])
    .returning(Response.__table__.c.id, Response.__table__.c.submission_id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
#: Ids looked up per statement (well below every backend's limit on parameters).
LOOKUP_SLICE = 500


def store_responses(session: Session | Connection, version: StoredVersion,
                    items: list[NewResponse]) -> list[Stored | None]:
    """Store ``items`` with batched statements, each exactly once, like ``store_response``:
    per item a ``Stored`` (``created`` False for a submission id stored with the same answers,
    before or earlier in ``items``), or None when its id is stored with other answers."""
    if not items:
        return []
    satisfaction_question = version.parsed.satisfaction_question
    now = now_utc()
    values = []
    for item in items:
        satisfaction = item.answers.get(satisfaction_question)
        values.append({
            "submission_id": item.submission_id, "campaign_id": item.campaign_id,
            "commune_id": item.commune_id, "form_id": version.form_id,
            "form_version_id": version.id, "collection_point_id": item.collection_point_id,
            "channel": item.channel, "entered_by_id": item.entered_by_id,
            "content_hash": content_hash(version.id, item.commune_id, item.answers),
            "satisfaction_answer": satisfaction if isinstance(satisfaction, str) else None,
            "duration_seconds": item.duration_seconds, "received_at": item.received_at or now,
        })
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    postgres = dialect.name == "postgresql"
    created = dict(insert_responses_postgres(session, values) if postgres else (
        (submission_id, response_id) for response_id, submission_id
        in session.execute(_INSERT_MANY[dialect.name], values)))
    others = sorted({v["submission_id"] for v in values} - set(created))
    known: dict[str, tuple[int, str]] = {}
    for start in range(0, len(others), LOOKUP_SLICE):
        known.update((row.submission_id, (row.id, row.content_hash)) for row in session.execute(
            select(Response.id, Response.submission_id, Response.content_hash)
            .where(Response.submission_id.in_(others[start:start + LOOKUP_SLICE]))))
    outcomes: list[Stored | None] = []
    answer_rows = []
    for item, value in zip(items, values, strict=True):
        submission_id = value["submission_id"]
        response_id = created.pop(submission_id, None)
        if response_id is not None:
            known[submission_id] = (response_id, value["content_hash"])
            outcomes.append(Stored(response_id, created=True))
            answer_rows.extend(
                {"response_id": response_id, "question_id": question_id, "value": str(one)}
                for question_id, answer in item.answers.items()
                for one in (answer if isinstance(answer, list) else [answer]))
            continue
        stored_id, digest = known[submission_id]
        outcomes.append(Stored(stored_id, created=False) if digest == value["content_hash"]
                        else None)
    if answer_rows and postgres:
        copy_rows(session, "answers", ("response_id", "question_id", "value"),
                  ((row["response_id"], row["question_id"], row["value"]) for row in answer_rows))
    elif answer_rows:
        session.execute(_INSERT_ANSWERS, answer_rows)
    return outcomes


#: PostgreSQL: the whole slice in one statement whose parameters are one array per column,
#: so the statement stays short however many rows it carries (a VALUES list of thousands of
#: rows costs more to build and parse than to run); the roll-up's statement trigger runs once.
_UNNEST_COLUMNS = (
    ("submission_id", "varchar"), ("campaign_id", "integer"), ("commune_id", "integer"),
    ("form_id", "integer"), ("form_version_id", "integer"), ("collection_point_id", "integer"),
    ("channel", "varchar"), ("entered_by_id", "integer"), ("content_hash", "varchar"),
    ("satisfaction_answer", "varchar"), ("duration_seconds", "integer"),
    ("received_at", "timestamptz"),
)
_INSERT_UNNEST = text(
    "INSERT INTO responses ({names}, is_flagged) "  # noqa: S608 (constants only)
    "SELECT {names}, false FROM unnest({arrays}) AS batch ({names}) "
    "ON CONFLICT (submission_id) DO NOTHING RETURNING submission_id, id".format(
        names=", ".join(name for name, _ in _UNNEST_COLUMNS),
        arrays=", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _UNNEST_COLUMNS)))


def insert_responses_postgres(session: Session | Connection,
                              values: list[dict]) -> list[tuple[str, int]]:
    """(submission id, new response id) of each row inserted; an id stored already is not."""
    arrays = {name: [value[name] for value in values] for name, _ in _UNNEST_COLUMNS}
    arrays["channel"] = [channel.value for channel in arrays["channel"]]
    return [tuple(row) for row in session.execute(_INSERT_UNNEST, arrays)]
