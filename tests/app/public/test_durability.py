"""A response is committed to disk before the citizen is thanked; only the scan counter is not."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from survey_app.extensions import db
from survey_app.services.intake import scan_counts
from survey_app.services.intake import take as intake
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields
from tests.conftest import USES_POSTGRES

SETTING = "SHOW synchronous_commit" if USES_POSTGRES else "PRAGMA synchronous"
#: What each backend reports for "waits for the disk" and "does not".
SYNCED, UNSYNCED = ("on", "off") if USES_POSTGRES else (2, 1)


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


@pytest.fixture
def seen(monkeypatch) -> dict[str, list]:
    """The durability setting inside the scan count's and the response's transactions."""
    seen: dict[str, list] = {"scan": [], "store": []}

    def spy(name, original):
        def wrapper(session_or_connection, *args, **kwargs):
            seen[name].append(session_or_connection.execute(text(SETTING)).scalar())
            return original(session_or_connection, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(scan_counts, "add_scans", spy("scan", scan_counts.add_scans))
    monkeypatch.setattr(intake, "store_response", spy("store", intake.store_response))
    return seen


def test_scan_count_is_unsynced_and_the_response_synced(client, point, seen):
    for _ in range(2):
        fields = form_fields(client, point)
        reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
        assert reply.status_code == 303
    # Alternating on the same pooled connection: each transaction gets its own setting back.
    assert seen == {"scan": [UNSYNCED, UNSYNCED], "store": [SYNCED, SYNCED]}


def test_other_transactions_stay_synced(client, point, seen):
    form_fields(client, point)
    db.session.rollback()
    assert db.session.execute(text(SETTING)).scalar() == SYNCED
