"""A device's paradata is untrusted: what cannot be true is dropped, what is only too large
is clamped, and nothing it holds ever raises."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from forms.paradata import MAX_CHANGES
from forms.paradata import MAX_OFFSET
from forms.paradata import MAX_QUESTION_SECONDS
from forms.paradata import clean_paradata
from forms.paradata import device_time

QUESTIONS = {"attitude", "q_overall"}
RECEIVED = datetime(2026, 8, 3, 2, 0, 30, tzinfo=UTC)
START_MS = int(datetime(2026, 8, 3, 1, 0, tzinfo=UTC).timestamp() * 1000)


def raw(**changes) -> dict:
    return {"started_ms": START_MS, "ended_ms": START_MS + 300_000,
            "sent_ms": START_MS + 3_600_000, "seconds": {"attitude": 12.44, "q_overall": 30},
            "changes": {"attitude": 1, "q_overall": 0}, **changes}


def test_a_sound_record_is_kept_and_the_offset_survives_a_delayed_sync():
    kept = clean_paradata(raw(), QUESTIONS, RECEIVED)
    assert kept.device_started_at == datetime(2026, 8, 3, 1, 0, tzinfo=UTC)
    assert kept.device_ended_at - kept.device_started_at == timedelta(minutes=5)
    # Sent an hour after the start by the device's clock, received 30 s after that by the
    # server's: the clock is 30 s behind, however long the sheet waited on the phone.
    assert kept.clock_offset_seconds == 30
    assert kept.seconds_per_question == {"attitude": 12.4, "q_overall": 30.0}
    assert kept.answer_changes == {"attitude": 1, "q_overall": 0}
    assert kept.changes_total == 1


@pytest.mark.parametrize("value", [None, [], "text", 5, {}, {"seconds": "x"},
                                   {"started_ms": "yesterday"}])
def test_nothing_usable_is_none(value):
    assert clean_paradata(value, QUESTIONS, RECEIVED) is None


@pytest.mark.parametrize(("started", "ended"), [
    (START_MS, START_MS - 1000),                      # ends before it starts
    (START_MS, START_MS + 400 * 24 * 3600 * 1000),    # a year long
    (-5, START_MS),                                   # before 2000
    (START_MS, 1e20),                                 # past 2199
    (True, START_MS),                                 # a boolean is not a time
    (START_MS, float("inf")),
    (START_MS, float("nan")),
])
def test_device_times_that_cannot_be_true_are_both_dropped(started, ended):
    kept = clean_paradata(raw(started_ms=started, ended_ms=ended), QUESTIONS, RECEIVED)
    assert kept.device_started_at is None
    assert kept.device_ended_at is None
    assert kept.seconds_per_question  # the rest is kept


def test_unknown_questions_negative_and_odd_values_are_dropped_large_ones_clamped():
    kept = clean_paradata(raw(
        seconds={"attitude": -3, "q_overall": 10 ** 9, "not_a_question": 5, "x" * 10000: 1},
        changes={"attitude": 2.5, "q_overall": 10 ** 6, "other": 1}), QUESTIONS, RECEIVED)
    assert kept.seconds_per_question == {"q_overall": MAX_QUESTION_SECONDS}
    assert kept.answer_changes == {"q_overall": MAX_CHANGES}


def test_a_clock_years_off_is_clamped_and_a_missing_send_time_gives_no_offset():
    far = clean_paradata(raw(sent_ms=int(datetime(2001, 1, 1, tzinfo=UTC).timestamp() * 1000)),
                         QUESTIONS, datetime(2199, 1, 1, tzinfo=UTC))
    assert far.clock_offset_seconds == MAX_OFFSET
    assert clean_paradata(raw(sent_ms=None), QUESTIONS, RECEIVED).clock_offset_seconds is None


def test_no_changes_reported_is_none_zero_changes_is_zero():
    assert clean_paradata(raw(changes=None), QUESTIONS, RECEIVED).changes_total is None
    assert clean_paradata(raw(changes={}), QUESTIONS, RECEIVED).changes_total == 0


def test_a_huge_record_is_read_only_so_far():
    seconds = {f"q{n}": 1 for n in range(100_000)} | {"attitude": 4}
    kept = clean_paradata(raw(seconds=seconds), QUESTIONS, RECEIVED)
    # The form's questions past the first 500 keys are not looked at: a flood costs nothing.
    assert "attitude" not in kept.seconds_per_question


@pytest.mark.parametrize("value", [1e300, -1e300, "1", None, 2 ** 70])
def test_device_time_never_raises(value):
    assert device_time(value) is None
