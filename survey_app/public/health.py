"""``/healthz``: can this server answer a citizen? The database, Redis when configured, and
the background jobs' queue (its storage answers and no job waits past JOB_STALE_SECONDS).

JSON, 200 when every check passes and 503 otherwise, so a load balancer needs only the status
code (a balancer that matches the body finds ``"ok"`` in a healthy one). A failing check says
which part failed, never why: the page is public, and the reason goes to the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import current_app
from flask import jsonify
from sqlalchemy import select

from survey_app import job_queue
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.public import bp

log = logging.getLogger(__name__)


def database_ok() -> bool:
    db.session.execute(select(1))
    return True


def redis_ok() -> bool:
    return bool(limiter.storage.check())


def checks() -> dict[str, Callable[[], bool]]:
    """The parts this server needs: Redis only when the rate limits are counted there."""
    found = {"database": database_ok, "queue": job_queue.queue_ok}
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "valkey")):
        found["redis"] = redis_ok
    return found


def run(name: str, check: Callable[[], bool]) -> dict:
    started = time.perf_counter()
    try:
        ok = check()
    except Exception:  # any failure means: not usable; the log says which
        log.exception("health check %s failed", name, extra={"check": name})
        ok = False
    else:
        if not ok:
            log.warning("health check %s failed", name, extra={"check": name})
    return {"status": "ok" if ok else "fail",
            "ms": round((time.perf_counter() - started) * 1000, 1)}


@bp.get("/healthz")
def health():
    results = {name: run(name, check) for name, check in checks().items()}
    ok = all(result["status"] == "ok" for result in results.values())
    response = jsonify(status="ok" if ok else "fail", checks=results)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
