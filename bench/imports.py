"""Bulk import of the largest file allowed: time to check it, store it, and check it again.

    .venv/bin/python bench/imports.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/imports.py --backend sqlite --rows 5000

For each backend the script migrates a scratch database (a temporary SQLite file, or a
PostgreSQL database of its own, dropped at the end), adds one province with 20 communes, an
open campaign with every form and an admin, and builds a PKS05 file of ``--rows`` rows (the
default is IMPORT_MAX_ROWS) as CSV and as XLSX. It then times, in process, what the upload and
confirm requests do: read and check the file (``check_upload``), record the check, store every
row in one transaction (``store_batch``), and check the same file again (every row found as
already stored). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES = "postgresql+psycopg://root@127.0.0.1:5432/test"
ANSWERS = {
    "age_group": "Trên 60 tuổi",
    "gender": "nu",
    "wait_time": "nhanh_gon",
    "attitude": "Lịch sự, thân thiện",
    "guidance": "nhiet_tinh_de_hieu",
    "skill": "thanh_thao",
    "processing_time": "dung_hen",
    "extra_payment_suggested": "Không",
}
LEVELS = ("Rất hài lòng", "hai_long", "binh_thuong", "khong_hai_long")


def scratch_database(backend: str) -> tuple[str, callable]:
    """A fresh database URL and the function that removes it."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-imports-")
        path = Path(folder) / "bench.db"
        return f"sqlite:///{path}", lambda: [p.unlink() for p in Path(folder).glob("*")]
    from sqlalchemy import create_engine
    from sqlalchemy import make_url
    from sqlalchemy import text

    admin = make_url(os.environ.get("BENCH_POSTGRES", DEFAULT_POSTGRES))
    name = f"bench_imports_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin.set(database=name).render_as_string(hide_password=False), drop


def build_world():
    from survey_app.clock import today_in_vietnam
    from survey_app.extensions import db
    from survey_app.models import Campaign
    from survey_app.models import CampaignForm
    from survey_app.models import Commune
    from survey_app.models import Form
    from survey_app.models import Province
    from survey_app.models import Role
    from survey_app.models import User
    from survey_app.services.catalogue.form_versions import publish_bundled

    province = Province(code="24", name="Bắc Ninh", division_type="tỉnh")
    db.session.add(province)
    db.session.flush()
    communes = [Commune(code=f"{9000 + n:05d}", name=f"Xã Thử {n}", division_type="xã",
                        province_id=province.id) for n in range(20)]
    db.session.add_all(communes)
    publish_bundled(db.session)
    db.session.flush()
    today = today_in_vietnam()
    campaign = Campaign(name="Năm 2026", province_id=province.id)
    for form in db.session.scalars(db.select(Form)):
        campaign.forms.append(CampaignForm(form_id=form.id, opens_on=today.replace(month=1, day=1),
                                           closes_on=today.replace(month=12, day=31)))
    admin = User(username="bench", full_name="Bench", role=Role.admin)
    admin.set_password("correct horse battery")
    db.session.add_all([campaign, admin])
    db.session.commit()
    return admin, [c.code for c in communes], today


def rows(count: int, codes: list[str], day) -> list[dict]:
    return [{"ma_xa": codes[n % len(codes)], "ma_phieu": f"B-{n + 1:05d}",
             "ngay_phong_van": day.strftime("%d/%m/%Y"), **ANSWERS,
             "q_overall": LEVELS[n % len(LEVELS)]} for n in range(count)]


def csv_file(header: list[str], data: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in data])
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(header: list[str], data: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in data:
        sheet.append([row.get(column) for column in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(label: str, results: dict, function):
    start = time.perf_counter()
    value = function()
    results[label] = time.perf_counter() - start
    return value


def run(backend: str, count: int, kinds: tuple[str, ...] = ("csv", "xlsx")) -> dict:
    from survey_app import create_app
    from survey_app.database import unit_of_work
    from survey_app.extensions import db
    from survey_app.models import Response
    from survey_app.services.bulk_import.imports import check_upload
    from survey_app.services.bulk_import.imports import record_check
    from survey_app.services.bulk_import.imports import store_batch
    from survey_app.services.bulk_import.templates import template_columns
    from survey_app.services.people.entry import entry_forms

    url, drop = scratch_database(backend)
    results: dict = {"backend": backend, "rows": count}
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "SERVER_NAME": "localhost"})
        with app.app_context(), app.test_request_context():
            from flask_migrate import upgrade

            upgrade()
            admin, codes, today = build_world()
            entry = next(e for e in entry_forms(db.session, admin, today)
                         if e.campaign_form.form.code == "PKS05")
            header = [column.id for column in template_columns(entry)]
            data = rows(count, codes, today)
            makers = {"csv": csv_file, "xlsx": xlsx_file}
            files = {kind: makers[kind](header, data) for kind in kinds}
            results["sizes"] = {kind: len(body) for kind, body in files.items()}
            for kind, body in files.items():
                report = timed(f"check {kind}", results, lambda b=body, k=kind: check_upload(
                    db.session, admin, entry, f"bench.{k}", b, today, count))
                assert not report.problems, report.problems[:3]
            db.session.rollback()

            # As the upload and confirm do: each step in one unit of work, so that every
            # row's insert joins the confirm's transaction (outside one, each row would
            # commit on its own and reload the batch).
            def record():
                with unit_of_work(db.session):
                    return record_check(db.session, report).id

            def store() -> int:
                with unit_of_work(db.session):
                    return store_batch(db.session, admin, batch_id, today).stored_count

            batch_id = timed("record the check", results, record)
            stored = timed("confirm: store", results, store)
            last = kinds[-1]
            again = timed("check again (all stored)", results, lambda: check_upload(
                db.session, admin, entry, f"bench.{last}", files[last], today, count))
            results["stored"] = stored
            results["in database"] = db.session.scalar(
                db.select(db.func.count()).select_from(Response))
            results["duplicates on re-check"] = again.batch.duplicate_count
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--csv-only", action="store_true",
                        help="skip the XLSX file (its reading dominates the run's time)")
    args = parser.parse_args()
    from survey_app.config import Config

    count = args.rows or Config.IMPORT_MAX_ROWS
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    for backend in backends:
        kinds = ("csv",) if args.csv_only else ("csv", "xlsx")
        result = run(backend, count, kinds)
        print(f"\n{backend}: {count} rows, " + ", ".join(
            f"{kind.upper()} {size / 1e6:.2f} MB" for kind, size in result["sizes"].items()))
        for label in (*(f"check {kind}" for kind in kinds), "record the check",
                      "confirm: store", "check again (all stored)"):
            print(f"  {label:28s} {result[label]:6.2f} s  ({count / result[label]:7.0f} rows/s)")
        print(f"  stored {result['stored']}, in database {result['in database']}, "
              f"found already stored on re-check {result['duplicates on re-check']}")


if __name__ == "__main__":
    main()
