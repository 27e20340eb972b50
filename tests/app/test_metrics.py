"""Prometheus metrics: requests by endpoint and status, stored responses by channel, counted
only once their unit of work has committed. (Several gunicorn workers: tests/live.)"""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from survey_app import create_app
from survey_app.database import after_commit
from survey_app.database import savepoint
from survey_app.database import unit_of_work
from survey_app.database import write_transaction
from survey_app.extensions import db
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "METRICS_ENABLED": True}


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def requests_of(endpoint: str, method: str, status: str) -> float:
    return sample("survey_http_requests_total", endpoint=endpoint, method=method, status=status)


def stored(channel: str) -> float:
    return sample("survey_responses_stored_total", channel=channel)


def test_requests_are_counted_and_timed_by_endpoint_method_and_status(client, point):
    before = (requests_of("public.form", "GET", "200"), requests_of("none", "GET", "404"),
              sample("survey_http_request_duration_seconds_count", endpoint="public.form",
                     method="GET", status="200"))
    client.get(f"/f/{point.token}")
    client.get(f"/f/{point.token}")
    client.get("/khong-co-trang-nay")
    assert requests_of("public.form", "GET", "200") == before[0] + 2
    assert requests_of("none", "GET", "404") == before[1] + 1
    assert sample("survey_http_request_duration_seconds_count", endpoint="public.form",
                  method="GET", status="200") == before[2] + 2


def test_a_stored_response_counts_once_for_its_channel_and_a_resend_not_at_all(client, point):
    before = stored("qr")
    fields = form_fields(client, point)
    for _ in range(3):
        assert client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS}).status_code == 303
    assert stored("qr") == before + 1


def test_metrics_are_served_in_the_prometheus_text_format(client, point):
    client.get(f"/f/{point.token}")
    reply = client.get("/metrics")
    assert reply.status_code == 200
    assert reply.content_type.startswith("text/plain; version=")
    body = reply.get_data(as_text=True)
    assert 'survey_http_requests_total{endpoint="public.form",method="GET",status="200"}' in body
    assert point.token not in body


def test_without_the_setting_there_is_no_metrics_page(app_config):
    app = create_app({**app_config, "METRICS_ENABLED": False})
    assert app.test_client().get("/metrics").status_code == 404
    with app.app_context():
        db.engine.dispose()


# after_commit, which the stored-response count rides on.

def fail_after(transaction, callback) -> None:
    """Register ``callback`` in ``transaction``, then fail: it must never run."""
    with transaction as target:
        after_commit(target, callback)
        raise RuntimeError


def test_after_commit_runs_when_the_unit_of_work_commits_and_not_when_it_rolls_back(app):
    ran = []
    with unit_of_work(db.session) as session:
        after_commit(session, lambda: ran.append("kept"))
        assert ran == []
    with pytest.raises(RuntimeError):
        fail_after(unit_of_work(db.session), lambda: ran.append("undone"))
    with unit_of_work(db.session):
        pass
    assert ran == ["kept"]


def test_a_nested_unit_runs_its_callbacks_when_the_outer_one_commits(app):
    ran = []
    with unit_of_work(db.session) as outer:
        with unit_of_work(db.session) as inner:
            after_commit(inner, lambda: ran.append("inner"))
        assert ran == []
        with pytest.raises(RuntimeError):
            fail_after(savepoint(outer), lambda: ran.append("savepoint rolled back"))
        with savepoint(outer):
            after_commit(outer, lambda: ran.append("savepoint kept"))
    assert ran == ["inner", "savepoint kept"]


def test_after_commit_on_a_bare_write_transaction(app):
    ran = []
    with write_transaction(db.engine) as connection:
        connection.execute(text("SELECT 1"))
        after_commit(connection, lambda: ran.append("committed"))
    with pytest.raises(RuntimeError):
        fail_after(write_transaction(db.engine), lambda: ran.append("rolled back"))
    with write_transaction(db.engine):
        pass
    assert ran == ["committed"]
