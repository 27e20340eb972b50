"""Scan counts, added up in memory and written in batches.

Every opening of a QR link counts a scan. Written one by one, each count took the write lock
(SQLite) or the point's row (PostgreSQL) in every citizen's GET, so phones opening forms
queued behind each other and behind the submissions. Each process now adds its counts up and
a background thread writes them every ``SCAN_COUNT_FLUSH_SECONDS``, in one transaction that
does not wait for the disk, and once more when the process exits. What a process killed
outright had not yet written is lost (a few seconds of counts), never a response. With 0
seconds each scan is written at once, in the request (what the tests use).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import Counter

from flask import Flask
from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from survey_app.database import DatabaseBusy
from survey_app.database import write_transaction
from survey_app.models import CollectionPoint

log = logging.getLogger(__name__)

_points = CollectionPoint.__table__
_ADD = (
    update(_points)
    .where(_points.c.id == bindparam("point"), _points.c.retired_at.is_(None))
    .values(scan_count=_points.c.scan_count + bindparam("scans"))
)


def add_scans(connection: Connection, counts: Counter) -> None:
    """Add ``counts`` (point id → scans) to the points; a retired point's are dropped."""
    # In id order, so two processes writing the same points cannot deadlock (PostgreSQL).
    rows = [{"point": point, "scans": scans} for point, scans in sorted(counts.items())]
    connection.execute(_ADD, rows)


class ScanCounter:
    def __init__(self, engine: Engine, seconds: float) -> None:
        self.engine = engine
        self.seconds = seconds
        self._pending: Counter = Counter()
        self._lock = threading.Lock()
        #: The process whose writer thread is running: after a fork the child starts its own.
        self._writer_pid: int | None = None

    def record(self, point_id: int) -> None:
        with self._lock:
            self._pending[point_id] += 1
        if self.seconds <= 0:
            self.flush()
        elif self._writer_pid != os.getpid():
            self._start_writer()

    @property
    def pending(self) -> int:
        return sum(self._pending.values())

    def flush(self) -> int:
        """Write what is pending; on a database error keep it for the next time. Returns how
        many scans were written."""
        with self._lock:
            counts, self._pending = self._pending, Counter()
        if not counts:
            return 0
        try:
            with write_transaction(self.engine, wait_for_disk=False) as connection:
                add_scans(connection, counts)
        except (DBAPIError, DatabaseBusy):
            log.warning("scan counts not written yet, database unavailable", exc_info=True)
            with self._lock:
                self._pending.update(counts)
            return 0
        return sum(counts.values())

    def _start_writer(self) -> None:
        with self._lock:
            if self._writer_pid == os.getpid():
                return
            self._writer_pid = os.getpid()
        threading.Thread(target=self._write_every_while, name="scan-counts", daemon=True).start()
        atexit.register(self.flush)

    def _write_every_while(self) -> None:
        while True:
            time.sleep(self.seconds)
            try:
                self.flush()
            except Exception:  # the thread must outlive any one failure
                log.exception("scan counts not written")


def init_app(app: Flask, engine: Engine) -> None:
    app.extensions["scan_counts"] = ScanCounter(engine, app.config["SCAN_COUNT_FLUSH_SECONDS"])


def record_scan(point_id: int) -> None:
    """Count one opening of a live point's link."""
    current_app.extensions["scan_counts"].record(point_id)
