"""Measure the field pages on the demo province: paper entry, field home, progress.

Migrates a scratch database (SQLite by default, or --database-url), loads the demo (Bắc Ninh,
99 communes, ~20k responses, the demo accounts), then through the app in-process (Flask test
client: routing, sessions, validation, ORM and templates, no network) times
- one paper sheet: POST the answers, then GET the next blank form it redirects to;
- the surveyor's and coordinator's field home;
- the progress page for a coordinator (its two forms) and the steering committee (all seven).
It prints the median and 95th percentile in milliseconds, and checks each sheet was stored once.

    .venv/bin/python bench/field_entry.py
    .venv/bin/python bench/field_entry.py --sheets 500 \\
        --database-url postgresql+psycopg://root@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlalchemy import select  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.demo import DEMO_PASSWORD  # noqa: E402
from survey_app.demo import load_demo  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Channel  # noqa: E402
from survey_app.models import Form  # noqa: E402
from survey_app.models import Response  # noqa: E402
from survey_app.models import SurveyorAssignment  # noqa: E402
from survey_app.models import User  # noqa: E402

ANSWERS = {
    "wait_time": "nhanh_gon", "attitude": "lich_su_than_thien",
    "guidance": "nhiet_tinh_de_hieu", "skill": "thanh_thao", "processing_time": "dung_hen",
    "extra_payment_suggested": "khong", "q_overall": "hai_long",
}
HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')


def scratch_postgres(admin_url: str) -> tuple[str, str]:
    name = f"bench_field_{uuid.uuid4().hex[:8]}"
    engine = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(admin_url: str, name: str) -> None:
    engine = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def report(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{label:<44} n={len(samples):<4} p50 {statistics.median(samples):6.1f} ms"
          f"   p95 {p95:6.1f} ms")


def signed_in(app, username: str):
    client = app.test_client()
    reply = client.post("/dang-nhap", data={"username": username, "password": DEMO_PASSWORD})
    assert reply.status_code == 302, f"cannot sign in as {username}"
    return client


def run(database_url: str, sheets: int, repeats: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SERVER_NAME": "localhost"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        load_demo(db.session, app.config["DEMO_PROVINCE_CODE"], 2026)
        db.session.commit()
        print(f"demo loaded in {time.perf_counter() - started:.1f} s "
              f"({db.session.scalar(select(func.count(Response.id)))} responses)")
        surveyor = db.session.scalar(select(User).where(User.username == "dieutravien"))
        assignment = db.session.scalar(select(SurveyorAssignment).where(
            SurveyorAssignment.user_id == surveyor.id))
        pks05 = db.session.scalar(select(Form).where(Form.code == "PKS05"))
        url = (f"/thuc-dia/chien-dich/{assignment.campaign_id}/xa/{assignment.commune_id}"
               f"/phieu/{pks05.id}")
        surveyor_id = surveyor.id
        db.session.remove()

    with app.app_context():
        # Clients in one app context share Flask-Login's per-context cache: one user at a time.
        client = signed_in(app, "dieutravien")
        page = client.get(url).get_data(as_text=True)
        cycle = []
        for _ in range(sheets):
            fields = dict(HIDDEN.findall(page))

            def one_sheet(fields=fields):
                nonlocal page
                reply = client.post(url, data={**fields, **ANSWERS})
                assert reply.status_code == 303, reply.status_code
                page = client.get(reply.headers["Location"]).get_data(as_text=True)

            cycle.append(timed(one_sheet))
        report("paper sheet: save + next blank form", cycle)
        report("field home, surveyor", [timed(lambda: client.get("/thuc-dia/"))
                                         for _ in range(repeats)])
        stored = db.session.scalar(select(func.count(Response.id)).where(
            Response.entered_by_id == surveyor_id, Response.channel == Channel.paper))
        print(f"sheets stored: {stored} of {sheets}")
        db.session.remove()
    for username, label in (("dieuphoi", "coordinator"), ("bancd", "steering committee")):
        with app.app_context():
            client = signed_in(app, username)
            if username == "dieuphoi":
                report("field home, coordinator", [timed(lambda c=client: c.get("/thuc-dia/"))
                                                   for _ in range(repeats)])
            report(f"progress page, {label}", [
                timed(lambda c=client: c.get("/thuc-dia/tien-do")) for _ in range(repeats)])
            db.session.remove()
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server to make a scratch db on "
                        "(default: a SQLite file in a temporary folder, removed at the end)")
    parser.add_argument("--sheets", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    if args.database_url:
        url, name = scratch_postgres(args.database_url)
        try:
            run(url, args.sheets, args.repeats)
        finally:
            drop_postgres(args.database_url, name)
    else:
        folder = Path(tempfile.mkdtemp(prefix="bench-field-db-"))
        try:
            run(f"sqlite:///{folder / 'bench.db'}", args.sheets, args.repeats)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
