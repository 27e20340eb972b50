"""The one way a response comes in, whatever the channel.

``take`` validates the answers against the version they were given on, stores them exactly
once in the unit of work the channel hands it, and says what happened as a typed outcome. A
view turns the outcome into a page, the sync into JSON, the import into its report: none of
them validates, stores or handles a resend itself.

The write transaction opens only for answers that passed: a citizen's wrong answer never
takes SQLite's write lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from forms import validate_answers
from forms.validate import AnswerError
from survey_app.clock import now_utc
from survey_app.database import after_commit
from survey_app.inputs import valid_id
from survey_app.models import Channel
from survey_app.models import FormVersion
from survey_app.services.intake.flags import judge
from survey_app.services.intake.flags import positions
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.signals import QrSignals
from survey_app.services.intake.store import NewResponse
from survey_app.services.intake.store import StoredVersion
from survey_app.services.intake.store import SubmissionConflict
from survey_app.services.intake.store import TicketUsed
from survey_app.services.intake.store import store_response
from survey_app.services.intake.store import store_responses

#: Opens the unit of work a response is stored in: ``unit_of_work(session)`` on the ORM side,
#: ``write_transaction(engine)`` for the QR path's bare connection.
Transaction = Callable[[], AbstractContextManager[Session | Connection]]
#: Sent with the channel once a response ``take`` stored is committed (when the unit of work
#: it was stored in, or the outer one, commits; never if it rolls back): survey_app/metrics.py.
response_stored = Namespace().signal("response-stored")


@dataclass(frozen=True)
class Submission:
    """One response as a channel received it, before any check."""

    #: Canonical UUID made by the client when the form was opened, or None if it sent none.
    submission_id: str | None
    campaign_id: int
    commune_id: int
    channel: Channel
    #: Question id → value or list of values, as sent (strings from a page, JSON from a phone).
    answers: Mapping[str, Any]
    collection_point_id: int | None = None
    entered_by_id: int | None = None
    duration_seconds: int | None = None
    #: A QR response's signals (services/intake/signals.py): the integrity rules apply to it.
    signals: QrSignals | None = None
    #: When the sheet was received, if not now: a replacement keeps its original's time, so
    #: it stays in the same week and correction window (services/corrections).
    received_at: datetime | None = None

    @property
    def no_answer_allowed(self) -> bool:
        """Staff entering a respondent's sheet may record a refusal ("không trả lời") where
        the form allows one; a citizen's own QR form keeps its questions required."""
        return self.channel is not Channel.qr


class Outcome:
    """What became of a submission."""


@dataclass(frozen=True)
class Stored(Outcome):
    response_id: int


@dataclass(frozen=True)
class IdenticalResend(Outcome):
    """The same submission again (a double tap, a retry, a re-upload): stored once already."""

    response_id: int


@dataclass(frozen=True)
class Conflict(Outcome):
    """The submission id is stored with other answers; nothing was stored."""


@dataclass(frozen=True)
class TicketRefused(Outcome):
    """The form ticket was used by another submission; nothing was stored."""


@dataclass(frozen=True)
class AnswerErrors(Outcome):
    """The answers do not fit the questions; nothing was stored."""

    errors: dict[str, AnswerError]


@dataclass(frozen=True)
class Unidentified(Outcome):
    """No usable submission id (or no version to check against): a damaged submission."""


def take(submission: Submission, version: StoredVersion | None,
         transaction: Transaction, reads: Transaction | None = None) -> Outcome:
    """Validate ``submission`` against ``version`` and store it once, in ``transaction``.

    A QR response's integrity rules read the commune form's earlier responses: in ``reads``
    when given, so that SQLite's write lock is held for the insert alone (what was committed
    when the response arrived is judged; a recomputation sees every response, docs/
    INTEGRITY.md); else in ``transaction``."""
    if version is None:
        return Unidentified()
    checked = validate_answers(version.parsed, submission.answers,
                               no_answer=submission.no_answer_allowed)
    if not checked.ok:
        return AnswerErrors(checked.errors)
    if submission.submission_id is None:
        return Unidentified()
    extra = None
    if submission.signals is not None and reads is not None:
        with reads() as connection:
            extra = qr_signals(connection, submission, version, checked.answers)
    try:
        with transaction() as connection:
            if submission.signals is not None and extra is None:
                extra = qr_signals(connection, submission, version, checked.answers)
            stored = store_response(
                connection,
                submission_id=submission.submission_id,
                campaign_id=submission.campaign_id,
                commune_id=submission.commune_id,
                version=version,
                answers=checked.answers,
                channel=submission.channel,
                collection_point_id=submission.collection_point_id,
                entered_by_id=submission.entered_by_id,
                duration_seconds=submission.duration_seconds,
                signals=extra,
                ticket_id=submission.signals.ticket_id if submission.signals else None,
                received_at=submission.received_at,
            )
            if stored.created:
                after_commit(connection, partial(response_stored.send, submission.channel))
    except SubmissionConflict:
        return Conflict()
    except TicketUsed:
        return TicketRefused()
    if stored.created:
        return Stored(stored.response_id)
    return IdenticalResend(stored.response_id)


def qr_signals(connection: Session | Connection, submission: Submission,
               version: StoredVersion, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The columns a QR response's signals and the integrity rules' verdict add."""
    signals = submission.signals
    pattern = positions(version.parsed, answers)
    at = now_utc()
    verdict = judge(
        connection, campaign_id=submission.campaign_id, commune_id=submission.commune_id,
        form_id=version.form_id, version_id=version.id, definition=version.parsed,
        pattern=pattern, at=at, duration_seconds=submission.duration_seconds,
        device_key=signals.device_key, network_key=signals.network_key,
        staff_session=signals.staff_session, honeypot=signals.honeypot)
    return {"received_at": at, "device_key": signals.device_key,
            "network_key": signals.network_key, "staff_session": signals.staff_session,
            "honeypot": signals.honeypot, "answer_pattern": pattern,
            "is_flagged": verdict.excluded, "flag_reason": verdict.flag_reason}


def valid_submission_id(value: str | None) -> str | None:
    """The canonical form of a client-made UUID, or None when it is not one."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError):
        return None


def choose_version(session: Session, form_id: int, wanted: Any,
                   current: StoredVersion | None) -> StoredVersion | None:
    """The version a page or phone says it showed, if it is one of this form's; else
    ``current``. Answers stay tied to the questions that were asked, even when a new version
    was published while the page was open or the phone offline."""
    wanted_id = valid_id(wanted)
    if wanted_id is None or (current is not None and wanted_id == current.id):
        return current
    version = session.scalar(select(FormVersion).where(
        FormVersion.id == wanted_id, FormVersion.form_id == form_id))
    return PublishedVersion.of(version) if version is not None else current


def take_many(submissions: Sequence[Submission], version: StoredVersion | None,
              transaction: Transaction, *, progress: Callable[[int], None] | None = None,
              batch_size: int = 1000) -> list[Outcome]:
    """``take`` for a batch (the file import): every submission validated on its own, as
    ``take`` does, and those that pass stored with a few statements per ``batch_size``, all
    in one ``transaction``. ``progress`` is told how many were taken so far."""
    outcomes: list[Outcome | None] = [None] * len(submissions)
    valid: list[tuple[int, NewResponse]] = []
    for index, submission in enumerate(submissions):
        if version is None:
            outcomes[index] = Unidentified()
            continue
        checked = validate_answers(version.parsed, submission.answers,
                                   no_answer=submission.no_answer_allowed)
        if not checked.ok:
            outcomes[index] = AnswerErrors(checked.errors)
        elif submission.submission_id is None:
            outcomes[index] = Unidentified()
        else:
            valid.append((index, NewResponse(
                submission_id=submission.submission_id, campaign_id=submission.campaign_id,
                commune_id=submission.commune_id, answers=checked.answers,
                channel=submission.channel, collection_point_id=submission.collection_point_id,
                entered_by_id=submission.entered_by_id,
                duration_seconds=submission.duration_seconds)))
    if not valid:
        return outcomes
    with transaction() as connection:
        for start in range(0, len(valid), batch_size):
            chunk = valid[start:start + batch_size]
            stored = store_responses(connection, version, [item for _, item in chunk])
            created: list[Channel] = []
            for (index, item), result in zip(chunk, stored, strict=True):
                if result is None:
                    outcomes[index] = Conflict()
                elif result.created:
                    outcomes[index] = Stored(result.response_id)
                    created.append(item.channel)
                else:
                    outcomes[index] = IdenticalResend(result.response_id)
            if created:
                after_commit(connection, partial(send_stored, created))
            if progress is not None:
                progress(start + len(chunk))
    return outcomes


def send_stored(channels: list[Channel]) -> None:
    for channel in channels:
        response_stored.send(channel)
