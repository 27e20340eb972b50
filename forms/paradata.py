"""How a form was filled in on a device, as the device said: checked, clamped or dropped.

The offline app and the field-interview page send, with each sheet, a small JSON object:

    {"started_ms": 1754200000000, "ended_ms": 1754200300000, "sent_ms": 1754203900000,
     "seconds": {"attitude": 12.4, ...}, "changes": {"attitude": 1, ...}}

``started_ms``/``ended_ms`` are the device clock when the form was opened and saved,
``sent_ms`` the device clock when this request left it (at sync, not at save, so a sheet
kept offline for days still gives the clock's offset), ``seconds`` the time the surveyor
spent on each question and ``changes`` how many times an answer already given was changed.

It comes from a phone anyone can script, so nothing here trusts it: a value that cannot be
true is dropped, one that is only too large is clamped, an unknown question is ignored, and
whatever happens the sheet itself is stored (``clean_paradata`` never raises). No field of it
can identify a person or a device.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

#: Device times outside these years are a clock that was never set, not an interview.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2199, 12, 31, tzinfo=UTC)
#: An interview open longer than this on the device is a form left open, not an interview:
#: its start and end say nothing, and are dropped.
MAX_DEVICE_DURATION = 24 * 3600
#: Time on one question beyond an hour is a phone put down: counted as an hour.
MAX_QUESTION_SECONDS = 3600.0
#: More changes to one answer than this is a script or a stuck key: counted as this many.
MAX_CHANGES = 50
#: A clock off by more than this many seconds (ten years) is clamped, so the column holds it.
MAX_OFFSET = 10 * 366 * 24 * 3600
#: Keys (question ids) looked at in ``seconds`` and ``changes``; a form has far fewer.
MAX_KEYS = 500


@dataclass(frozen=True)
class Paradata:
    """What is kept of a sheet's paradata; every field may be missing."""

    device_started_at: datetime | None
    device_ended_at: datetime | None
    #: Server receipt minus the device clock at send: positive when the device is behind.
    clock_offset_seconds: int | None
    #: Question id → seconds spent on it (only questions of the form).
    seconds_per_question: dict[str, float]
    #: Question id → number of times an answer was changed (only questions of the form;
    #: empty when none was, None when the device did not say).
    answer_changes: dict[str, int] | None

    @property
    def changes_total(self) -> int | None:
        return None if self.answer_changes is None else sum(self.answer_changes.values())

    @property
    def is_empty(self) -> bool:
        return (self.device_started_at is None and self.clock_offset_seconds is None
                and not self.seconds_per_question and self.answer_changes is None)


def _number(value: Any) -> float | None:
    """A finite JSON number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def device_time(value: Any) -> datetime | None:
    """A device's epoch milliseconds as an aware UTC datetime, if within the years we take."""
    number = _number(value)
    if number is None:
        return None
    try:
        moment = datetime.fromtimestamp(number / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if EARLIEST <= moment <= LATEST else None


def _per_question(raw: Any, questions: Collection[str], clean: Any) -> dict:
    if not isinstance(raw, dict):
        return {}
    kept = {}
    for key, value in list(raw.items())[:MAX_KEYS]:
        if key in questions:
            checked = clean(value)
            if checked is not None:
                kept[key] = checked
    return kept


def _seconds(value: Any) -> float | None:
    number = _number(value)
    if number is None or number < 0:
        return None
    return round(min(number, MAX_QUESTION_SECONDS), 1)


def _changes(value: Any) -> int | None:
    number = _number(value)
    if number is None or number < 0 or number != int(number):
        return None
    return min(int(number), MAX_CHANGES)


def clean_paradata(raw: Any, questions: Collection[str], received_at: datetime
                   ) -> Paradata | None:
    """What can be kept of ``raw``, the paradata a device sent with a sheet, or None.

    :param questions: the ids of the questions of the version the sheet was answered on.
    :param received_at: when the server received the request (aware), for the clock offset.
    """
    if not isinstance(raw, dict):
        return None
    started, ended = device_time(raw.get("started_ms")), device_time(raw.get("ended_ms"))
    if started is None or ended is None or not (
            0 <= (ended - started).total_seconds() <= MAX_DEVICE_DURATION):
        # A start after the end, or days apart: the clock moved or the page stayed open.
        # Neither time can be trusted alone, so both go.
        started = ended = None
    sent = device_time(raw.get("sent_ms"))
    offset = None
    if sent is not None:
        seconds = round((received_at - sent).total_seconds())
        offset = max(-MAX_OFFSET, min(MAX_OFFSET, seconds))
    changes = raw.get("changes")
    paradata = Paradata(started, ended, offset,
                        _per_question(raw.get("seconds"), questions, _seconds),
                        _per_question(changes, questions, _changes)
                        if isinstance(changes, dict) else None)
    return None if paradata.is_empty else paradata
