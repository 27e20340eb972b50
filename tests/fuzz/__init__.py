"""Fuzz tests of every place a client's input enters: no 5xx, nothing half-written.

Each test sends hypothesis-made input through the real app (the public form, the offline
sync, the import upload, the API and the dashboard's parameters) on the database the suite
runs on (SQLite, or PostgreSQL with TEST_DATABASE_URL), and checks that the answer is a 2xx,
3xx or 4xx, and that the database holds whole responses only.

Example counts are small by default so the suite stays quick; for a deeper run set
``FUZZ_EXAMPLES``, e.g. ``FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/fuzz``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import ImportBatch
from survey_app.models import Response
from survey_app.models import ResponseTally

#: Examples per test when set; else each test's own small default.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def fuzz_settings(default: int) -> settings:
    return settings(max_examples=EXAMPLES or default, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


#: Pieces that broke, or could break, a query, a parser or a column.
NASTY = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "²", "١", "𝟘",
         "2147483648", "9223372036854775808", "99999999999999999999", "-1", "0", "1e999",
         "NaN", "9999-12-31", "0000-00-00", "\ufeff", "\u202e", "\ufffd", "Hà Nội", "'; --",
         "<script>", "%00", "../", " ", "\r\n", "\t"]


def nasty_text(max_size: int = 40, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Text mixing any characters with the pieces above; lone surrogates only where the
    channel can carry them (JSON escapes, not a form's UTF-8)."""
    characters = st.characters() if surrogates else st.characters(codec="utf-8")
    piece = st.one_of(st.text(characters, max_size=8), st.sampled_from(NASTY))
    return st.lists(piece, max_size=max(1, max_size // 8)).map("".join)


@dataclass(frozen=True)
class Counts:
    responses: int
    answers: int
    tallied: int
    batches: int


def counts() -> Counts:
    """What is stored, read fresh (the test's session may hold an older snapshot)."""
    db.session.rollback()
    return Counts(
        responses=db.session.scalar(select(func.count()).select_from(Response)),
        answers=db.session.scalar(select(func.count()).select_from(Answer)),
        tallied=db.session.scalar(select(func.coalesce(func.sum(ResponseTally.responses), 0))),
        batches=db.session.scalar(select(func.count()).select_from(ImportBatch)),
    )


def assert_whole(before: Counts, after: Counts, stored: int) -> None:
    """``stored`` new responses, each with its answers and counted in the roll-up; no more."""
    assert after.responses - before.responses == stored
    assert after.tallied == after.responses
    if stored == 0:
        assert after.answers == before.answers
    empty = db.session.scalar(select(func.count()).select_from(Response).where(
        ~select(Answer.id).where(Answer.response_id == Response.id).exists()))
    assert empty == 0, "a response was stored without its answers"


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
