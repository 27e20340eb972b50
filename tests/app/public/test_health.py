"""``/healthz``: JSON naming each part the server needs, 200 only when all of them answer."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy.exc import OperationalError

from survey_app import create_app
from survey_app.extensions import db
from tests.conftest import IN_CI

REDIS = "redis://127.0.0.1:6379/14"
#: Nothing listens on port 1: a Redis that is down.
NO_REDIS = "redis://127.0.0.1:1/0"


def test_a_healthy_server_answers_200_with_the_database_checked(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    body = reply.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue"}
    assert body["checks"]["database"]["status"] == "ok"
    assert b'"ok"' in reply.data  # what a balancer matching the body looks for


def test_a_failing_database_answers_503_without_saying_why(client, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("password authentication failed"))

    monkeypatch.setattr(db.session, "execute", refuse)
    reply = client.get("/healthz")
    assert reply.status_code == 503
    assert reply.get_json()["checks"]["database"]["status"] == "fail"
    assert b"password" not in reply.data


def app_with_limits_in(app_config: dict, storage: str):
    return create_app({**app_config, "RATELIMIT_ENABLED": True,
                       "RATELIMIT_STORAGE_URI": storage})


def test_redis_is_checked_when_the_limits_are_counted_there(app_config):
    try:
        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            raise
        pytest.skip(f"Redis at {REDIS} not reachable: {exc}")
    app = app_with_limits_in(app_config, REDIS)
    reply = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    assert reply.status_code == 200
    assert reply.get_json()["checks"]["redis"]["status"] == "ok"


def test_a_redis_that_is_down_answers_503(app_config):
    app = app_with_limits_in(app_config, NO_REDIS)
    reply = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    body = reply.get_json()
    assert reply.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "fail"
