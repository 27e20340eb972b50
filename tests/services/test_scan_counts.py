"""Scan counts are added up in memory and written in batches, none counted twice or lost to a
busy database."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from survey_app.extensions import db
from survey_app.models import CollectionPoint
from survey_app.services.collection_points.points import retire_point
from survey_app.services.intake import scan_counts
from survey_app.services.intake.scan_counts import ScanCounter


@pytest.fixture
def points(dummy_commune, open_campaign, create_point) -> list[CollectionPoint]:
    return [create_point(dummy_commune, code) for code in ("PKS05", "PKS06")]


def stored_counts() -> list[int]:
    db.session.rollback()  # written on a connection of its own: read from a new snapshot
    return list(db.session.scalars(select(CollectionPoint.scan_count).order_by(
        CollectionPoint.id)))


def test_scans_wait_in_memory_until_written_together(points):
    counter = ScanCounter(db.engine, seconds=3600)
    for point in (points[0], points[0], points[1]):
        counter.record(point.id)
    assert stored_counts() == [0, 0]
    assert counter.pending == 3
    assert counter.flush() == 3
    assert stored_counts() == [2, 1]
    assert counter.flush() == 0
    assert stored_counts() == [2, 1]


def test_a_retired_points_waiting_scans_are_dropped(points):
    counter = ScanCounter(db.engine, seconds=3600)
    counter.record(points[0].id)
    counter.record(points[1].id)
    retire_point(db.session, points[0])
    db.session.commit()
    counter.flush()
    assert stored_counts() == [0, 1]


def test_scans_are_kept_while_the_database_is_busy(points, monkeypatch):
    counter = ScanCounter(db.engine, seconds=3600)
    counter.record(points[0].id)

    def busy(_connection, _counts):
        raise OperationalError("UPDATE collection_points", {}, Exception("database is locked"))

    with monkeypatch.context() as patched:
        patched.setattr(scan_counts, "add_scans", busy)
        assert counter.flush() == 0
    counter.record(points[0].id)
    assert counter.flush() == 2
    assert stored_counts() == [2, 0]


def test_a_background_thread_writes_them_without_any_request(points):
    counter = ScanCounter(db.engine, seconds=0.05)
    counter.record(points[1].id)
    deadline = time.monotonic() + 10
    while stored_counts() != [0, 1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stored_counts() == [0, 1]
    assert counter.pending == 0


def test_opening_a_link_counts_a_scan_even_when_the_form_is_closed(client, points,
                                                                   open_campaign):
    for form in open_campaign.forms:
        form.closes_on = form.opens_on
    db.session.commit()
    assert client.get(f"/f/{points[0].token}").status_code == 403
    assert stored_counts() == [1, 0]
