"""The yardstick for bench/submit.py: the same GET-then-POST cycle with nothing but the driver.

GET /f/<token> answers the same bytes as the app's form page (rendered once by
bench/submit.py) with a fresh submission id, form ticket and device id; POST /f/<token>
writes the rows the app writes for a QR response, in one transaction with the same durability
settings as the app, and redirects: the response (ON CONFLICT DO NOTHING on the submission
id) with the same signal columns filled (device key, network key, answer pattern, time to
complete), its answer rows, and its used ticket. No ORM, no templates, no signatures checked,
no validation, no integrity rules: what the real path costs is measured against this.

Run by bench/submit.py under gunicorn with BARE_DATABASE (a sqlite3 path or a libpq URL),
BARE_POINT (the collection point's id) and BARE_PAGE (the page file) in the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import time
import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path

from flask import Flask
from flask import redirect
from flask import request

app = Flask(__name__)
DATABASE = os.environ.get("BARE_DATABASE", "")
POINT_ID = int(os.environ.get("BARE_POINT", "0"))
PAGE = Path(os.environ["BARE_PAGE"]).read_text(encoding="utf-8") if "BARE_PAGE" in os.environ \
    else ""
QUESTIONS = ("wait_time", "attitude", "guidance", "skill", "processing_time",
             "extra_payment_suggested", "q_overall")

_connection = None
_point: tuple | None = None
POINT = ("SELECT p.id, p.commune_id, p.form_id, v.id, c.campaign_id FROM collection_points p"
         " JOIN form_versions v ON v.form_id = p.form_id"
         " JOIN campaign_forms c ON c.form_id = p.form_id WHERE p.id = {0}"
         " ORDER BY v.version DESC LIMIT 1")
INSERT = ("INSERT INTO responses (submission_id, campaign_id, commune_id, form_id, form_version_id,"
          " collection_point_id, channel, content_hash, satisfaction_answer, received_at,"
          " duration_seconds, device_key, network_key, answer_pattern, staff_session, honeypot,"
          " is_flagged) VALUES ({0}, {0}, {0}, {0}, {0}, {0}, 'qr', {0}, {0}, {0}, {0}, {0}, {0},"
          " {0}, {1}, {1}, {1}) ON CONFLICT (submission_id) DO NOTHING RETURNING id")
ANSWER = "INSERT INTO answers (response_id, question_id, value) VALUES ({0}, {0}, {0})"
TICKET = ("INSERT INTO used_tickets (ticket_id, response_id) VALUES ({0}, {0})"
          " ON CONFLICT DO NOTHING")


def connection():
    """One connection per worker process, set up as survey_app/database.py sets up its own."""
    global _connection, _point
    if _connection is None:
        if DATABASE.startswith("postgresql"):
            import psycopg

            _connection = psycopg.connect(DATABASE)
        else:
            _connection = sqlite3.connect(DATABASE, isolation_level=None)
            for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON",
                           "synchronous=FULL"):
                _connection.execute(f"PRAGMA {pragma}")
        _point = _connection.execute(POINT.format(POINT_ID)).fetchone()
        if DATABASE.startswith("postgresql"):
            _connection.commit()
    return _connection


@app.get("/f/<token>")
def form(token: str):
    # The app's ticket and device id in shape (point-id-reissued.issued.signature, id.signature),
    # unsigned: nothing here checks them.
    ticket = f"{POINT_ID}-{secrets.token_hex(12)}-0.{int(time.time())}.{'s' * 24}"
    device = f"{secrets.token_urlsafe(16)}.{'s' * 24}"
    return (PAGE.replace("{submission_id}", str(uuid.uuid4())).replace("{ticket}", ticket)
            .replace("{device}", device))


@app.post("/f/<token>")
def submit(token: str):
    db = connection()
    postgres = DATABASE.startswith("postgresql")
    mark = "%s" if postgres else "?"
    point_id, commune_id, form_id, version_id, campaign_id = _point
    answers = {q: request.form[q] for q in QUESTIONS if q in request.form}
    digest = hashlib.sha256(json.dumps([version_id, commune_id, answers], sort_keys=True,
                                       ensure_ascii=False).encode()).hexdigest()
    # The app's UTCDateTime stores naive UTC in SQLite and an aware value in PostgreSQL.
    now = datetime.now(UTC) if postgres else datetime.now(UTC).replace(tzinfo=None)
    head, _, stamp = request.form["ticket"].rpartition(".")[0].partition(".")
    prefix = (request.remote_addr or "").rpartition(".")[0]
    values = (request.form["submission_id"], campaign_id, commune_id, form_id, version_id,
              point_id, digest, answers.get("q_overall"), now, int(time.time()) - int(stamp),
              request.form["device"].rpartition(".")[0][:32],
              hashlib.sha256(prefix.encode()).hexdigest()[:32],
              "".join(value[:1] for value in answers.values()))
    if not postgres:
        db.execute("BEGIN IMMEDIATE")
    row = db.execute(INSERT.format(mark, "false" if postgres else "0"), values).fetchone()
    if row is not None:
        cursor = db.cursor()
        cursor.executemany(ANSWER.format(mark), [(row[0], q, v) for q, v in answers.items()])
        db.execute(TICKET.format(mark), (head.split("-")[1], row[0]))
    db.commit() if postgres else db.execute("COMMIT")
    return redirect(f"/f/{token}/cam-on", code=303)
