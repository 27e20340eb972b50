"""Logs as JSON lines on stderr: one object per event, for journald or any log collector.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; inside a
request also ``request_id``; a request's own line adds ``method``, ``path`` (never the query
string, and a QR link's token as ``<token>``), ``endpoint``, ``status`` and ``duration_ms``; an
error adds ``exception`` (its traceback). Fields given as ``extra=`` to a log call are added as
they are, so a caller decides what goes out: never answers, passwords, tokens, cookies or
client addresses (docs/DEPLOY.md, "Logs").

``configure`` sets up the ``survey_app`` logger for any process (the app, a command, any
worker); ``init_app`` does it for the app and adds the request lines.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from datetime import UTC
from datetime import datetime

from flask import Flask
from flask import Response
from flask import g
from flask import has_request_context
from flask import request

#: The package logger: every module's ``logging.getLogger(__name__)`` and ``app.logger``.
ROOT_LOGGER = "survey_app"
REQUEST_LOGGER = "survey_app.requests"
#: A request id the proxy sent is kept if it looks like one (nginx's $request_id is 32 hex);
#: anything else is replaced, so that a client cannot write into the logs through it.
REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
#: URL parts never logged: a QR link's token lets anyone answer as that collection point.
SECRET_ARGUMENTS = frozenset({"token"})
#: Endpoints polled by machines every few seconds: their lines are DEBUG unless they fail.
QUIET_ENDPOINTS = frozenset({"public.health", "metrics"})
#: What every LogRecord has; anything else on a record came as ``extra=`` and is logged.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    #: Made once: ``json.dumps`` with options builds a new encoder on every call.
    encoder = json.JSONEncoder(ensure_ascii=False, default=str)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = record.__dict__
        for key in fields:
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = fields[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self.encoder.encode(entry)


class RequestIdFilter(logging.Filter):
    """Stamp every record logged during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id"):
            record.request_id = g.request_id
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test's capture, gunicorn's)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: str = "INFO", json_lines: bool = True) -> logging.Logger:
    """Send the ``survey_app`` loggers to stderr at ``level``; safe to call again (the app
    factory runs once per app, tests make many)."""
    logger = logging.getLogger(ROOT_LOGGER)
    for handler in [h for h in logger.handlers if getattr(h, "survey_app", False)]:
        logger.removeHandler(handler)
    from flask.logging import default_handler

    logger.removeHandler(default_handler)
    handler = StderrHandler()
    handler.survey_app = True
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    return logger


def init_app(app: Flask) -> None:
    """Configure the loggers from ``LOG_LEVEL``/``LOG_JSON`` and log every request."""
    configure(app.config["LOG_LEVEL"], app.config["LOG_JSON"])
    requests_log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_request() -> None:
        g.request_started = time.perf_counter()
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if sent and REQUEST_ID.match(sent) else os.urandom(16).hex()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:
            return response
        response.headers.setdefault("X-Request-ID", g.request_id)
        status = response.status_code
        quiet = request.endpoint in QUIET_ENDPOINTS and status < 400
        level = logging.WARNING if status >= 500 else logging.DEBUG if quiet else logging.INFO
        path = logged_path()
        requests_log.log(level, "%s %s %s", request.method, path, status, extra={
            "method": request.method,
            "path": path,
            "endpoint": request.endpoint,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        })
        return response


def logged_path() -> str:
    """The request's path without its query string, a secret URL part replaced by its name."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGUMENTS and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path
