"""The logs: one JSON object per line on stderr, with what an operator needs and nothing a
respondent or a user would not want in a log file."""

from __future__ import annotations

import json
import logging

import pytest

from survey_app.logs import JsonFormatter
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def lines(capsys) -> list[dict]:
    """Every JSON log line written to stderr so far (Alembic's own text lines left out)."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()
            if line.startswith("{")]


def request_lines(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["logger"] == "survey_app.requests"]


def test_a_request_is_one_json_line_with_method_path_status_duration_and_id(client, capsys):
    capsys.readouterr()
    reply = client.get("/khong-co-trang-nay?ma=bi-mat")
    [entry] = request_lines(lines(capsys))
    assert reply.status_code == 404
    assert entry["level"] == "INFO"
    assert entry["method"] == "GET"
    assert entry["path"] == "/khong-co-trang-nay"
    assert entry["status"] == 404
    assert isinstance(entry["duration_ms"], float)
    assert entry["request_id"] == reply.headers["X-Request-ID"]
    assert entry["time"].endswith("+00:00")
    assert "bi-mat" not in json.dumps(entry)


def test_the_proxy_request_id_is_kept_and_a_made_up_one_is_replaced(client, capsys):
    capsys.readouterr()
    kept = client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    forged = client.get("/healthz", headers={"X-Request-ID": 'x", "level": "CRITICAL'})
    assert kept.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    assert forged.headers["X-Request-ID"] != 'x", "level": "CRITICAL'
    assert len(forged.headers["X-Request-ID"]) == 32


def test_a_submission_logs_neither_answers_nor_token_ticket_device_or_address(client, point,
                                                                           capsys):
    fields = form_fields(client, point)
    capsys.readouterr()
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS},
                        environ_base={"REMOTE_ADDR": "203.0.113.77"},
                        headers={"X-Forwarded-For": "198.51.100.23"})
    assert reply.status_code == 303
    text = json.dumps(lines(capsys), ensure_ascii=False)
    assert '"path": "/f/<token>"' in text
    assert '"status": 303' in text
    secrets = [point.token, fields["ticket"], fields["device"], fields["submission_id"],
               "203.0.113.77",
               "198.51.100.23", *PKS05_ANSWERS.values()]
    secrets.append(client.get_cookie("qr_device", path="/f/").value)
    assert [s for s in secrets if s in text] == []


def test_an_unhandled_error_is_logged_with_its_traceback(app, client, capsys):
    @app.get("/loi-thu")
    def broken():
        raise RuntimeError("kaboom")

    capsys.readouterr()
    assert client.get("/loi-thu").status_code == 500
    entries = lines(capsys)
    [error] = [e for e in entries if e["level"] == "ERROR"]
    assert error["message"] == "unhandled error"
    assert "RuntimeError: kaboom" in error["exception"]
    [request_line] = request_lines(entries)
    assert request_line["status"] == 500
    assert request_line["level"] == "WARNING"
    assert error["request_id"] == request_line["request_id"]


def test_a_failed_statement_logs_no_values(app, client, capsys, point):
    """A database error's message keeps the SQL but not the values (they may be answers)."""
    from sqlalchemy import text

    from survey_app.extensions import db

    @app.get("/loi-sql")
    def broken():
        db.session.execute(text("SELECT no_such_column FROM responses WHERE id = :v"),
                           {"v": "cau-tra-loi-bi-mat"})

    capsys.readouterr()
    client.get("/loi-sql")
    text_out = json.dumps(lines(capsys), ensure_ascii=False)
    assert "no_such_column" in text_out
    assert "cau-tra-loi-bi-mat" not in text_out


def test_health_checks_log_quietly_unless_they_fail(client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    assert request_lines(lines(capsys)) == []


def test_extra_fields_and_plain_values_become_json(capsys):
    record = logging.LogRecord("survey_app.x", logging.INFO, __file__, 1, "stored %s", ("ok",),
                               None)
    record.channel = "qr"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "stored ok"
    assert entry["channel"] == "qr"
    assert entry["logger"] == "survey_app.x"


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "LOG_LEVEL": "INFO"}


def test_plain_text_logs_when_json_is_turned_off(app_config, capsys):
    from survey_app import create_app

    app = create_app({**app_config, "LOG_JSON": False})
    capsys.readouterr()
    app.test_client().get("/khong-co")
    err = capsys.readouterr().err
    assert "INFO survey_app.requests: GET /khong-co 404" in err
    assert not err.lstrip().startswith("{")
