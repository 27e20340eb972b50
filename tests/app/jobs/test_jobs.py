"""Background jobs: a job's page, progress and file, who may see it, what a failure says and
leaves behind, an interrupted job, and an import of 20,000 rows stored once with the roll-up
right (on the database TEST_DATABASE_URL picks)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from survey_app.clock import now_utc
from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import ImportBatch
from survey_app.models import ImportRow
from survey_app.models import ImportStatus
from survey_app.models import Job
from survey_app.models import JobStatus
from survey_app.models import Response
from survey_app.models import ResponseTally
from survey_app.services.audit import trail
from survey_app.services.results.tallies import tally_drift
from tests.fixtures.data import PKS05_ANSWERS
from tests.fixtures.jobs import ask_job

LEVELS = ("hai_long", "binh_thuong", "rat_hai_long", "khong_hai_long")


def import_csv(client, campaign_form, rows: list[dict]) -> bytes:
    header = next(csv.reader(io.StringIO(client.get(
        f"/thuc-dia/nhap-tep/mau/{campaign_form.id}.csv").data.decode("utf-8-sig"))))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def rows_for(commune, count: int) -> list[dict]:
    day = (today_in_vietnam() - timedelta(days=1)).strftime("%d/%m/%Y")
    return [{"ma_xa": commune.code, "ma_phieu": f"T-{n:05d}", "ngay_phong_van": day,
             **PKS05_ANSWERS, "q_overall": LEVELS[n % len(LEVELS)]} for n in range(count)]


def check_and_store(client, campaign_form, body: bytes):
    """Upload, let the check's job run, confirm, let the store's job run: the two replies."""
    checked = ask_job(client, "/thuc-dia/nhap-tep", {
        "campaign_form_id": str(campaign_form.id), "file": (io.BytesIO(body), "phieu.csv")})
    batch_page = client.get(checked.page.headers["Location"])
    found = re.search(r"/nhap-tep/lo/(\d+)/luu", batch_page.get_data(as_text=True))
    assert found, batch_page.get_data(as_text=True)[:2000]
    stored = ask_job(client, f"/thuc-dia/nhap-tep/lo/{found.group(1)}/luu")
    return checked, stored


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


# Werkzeug's test client spools a body over 500 KB to a temporary file it leaves to the GC.
@pytest.mark.filterwarnings("ignore::ResourceWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")
def test_import_of_20000_rows_stores_each_row_once_and_the_roll_up_matches(
        surveyor, field_world, pks05):
    rows = rows_for(field_world.own, 20_000)
    _, stored = check_and_store(surveyor, pks05, import_csv(surveyor, pks05, rows))
    assert stored.page.status_code == 302
    assert "Đã lưu 20000 phiếu" in surveyor.get(stored.page.headers["Location"]).get_data(
        as_text=True)
    assert count(Response) == 20_000
    assert db.session.scalar(select(func.count(func.distinct(Response.submission_id)))) == 20_000
    assert count(ImportRow) == 20_000
    assert count(Answer) == 20_000 * len({**PKS05_ANSWERS, "q_overall": ""})
    assert tally_drift(db.session) == 0
    assert db.session.scalar(select(func.sum(ResponseTally.responses))) == 20_000
    by_level = dict(db.session.execute(
        select(Response.satisfaction_answer, func.count()).group_by(
            Response.satisfaction_answer)).all())
    assert by_level == dict.fromkeys(LEVELS, 5_000)
    jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
    assert [(j.kind, j.status, j.done, j.total) for j in jobs] == [
        ("import_check", JobStatus.done, 20_000, 20_000),
        ("import_store", JobStatus.done, 20_000, 20_000)]
    assert all(job.upload is None for job in jobs), "the upload is dropped once checked"

    again = ask_job(surveyor, "/thuc-dia/nhap-tep", {
        "campaign_form_id": str(pks05.id),
        "file": (io.BytesIO(import_csv(surveyor, pks05, rows[:10])), "phieu.csv")})
    assert "đã được lưu từ trước" in surveyor.get(again.page.headers["Location"]).get_data(
        as_text=True)
    assert count(Response) == 20_000


def test_a_failing_store_keeps_nothing_and_says_why_in_vietnamese(
        surveyor, field_world, pks05, monkeypatch):
    from survey_app.services.bulk_import import imports

    real = imports.take_many

    def breaks_after_the_first_slice(*args, **kwargs):
        def progress(done):
            raise RuntimeError(f"disk full after {done}")
        return real(*args, **{**kwargs, "progress": progress, "batch_size": 2})

    monkeypatch.setattr(imports, "take_many", breaks_after_the_first_slice)
    _, stored = check_and_store(surveyor, pks05,
                                import_csv(surveyor, pks05, rows_for(field_world.own, 5)))
    assert stored.page.status_code == 200
    text = stored.text
    assert "Công việc đã dừng vì một lỗi ở máy chủ" in text, text
    assert "Chạy lại" in text
    assert stored.file is None
    assert count(Response) == 0
    assert count(Answer) == 0
    assert count(ImportRow) == 0
    assert db.session.scalar(select(func.coalesce(func.sum(ResponseTally.responses), 0))) == 0
    assert db.session.scalar(select(ImportBatch.status)) is ImportStatus.checked
    job = db.session.scalars(select(Job).where(Job.kind == "import_store")).one()
    assert (job.status, job.error_code) == (JobStatus.failed, "job_failed")

    monkeypatch.setattr(imports, "take_many", real)
    again = surveyor.post(f"/viec/{job.id}/chay-lai")
    assert again.status_code == 302
    assert surveyor.get(f"/viec/{job.id}").status_code == 302, "run again: stored this time"
    assert count(Response) == 5
    assert tally_drift(db.session) == 0


def test_a_job_whose_worker_stopped_is_marked_interrupted_and_can_run_again(
        app, surveyor, field_world, pks05):
    checked = ask_job(surveyor, "/thuc-dia/nhap-tep", {
        "campaign_form_id": str(pks05.id), "file": (io.BytesIO(import_csv(
            surveyor, pks05, rows_for(field_world.own, 3))), "phieu.csv")})
    # As a worker killed in the middle leaves it: running, its heartbeat stopped.
    long_ago = now_utc() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 5)
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == checked.job_id).values(
            status=JobStatus.running, heartbeat_at=long_ago, result=None))
    state = surveyor.get(f"/viec/{checked.job_id}.json").get_json()
    assert state["status"] == "failed"
    assert "bị gián đoạn" in state["error"]
    page = surveyor.get(f"/viec/{checked.job_id}").get_data(as_text=True)
    assert "Chạy lại" in page
    surveyor.post(f"/viec/{checked.job_id}/chay-lai")
    assert db.session.get(Job, checked.job_id, populate_existing=True).status is JobStatus.done


def test_health_reports_the_queue_and_a_job_left_waiting(app, client):
    assert client.get("/healthz").get_json()["checks"]["queue"]["status"] == "ok"
    from survey_app.models import Role
    from survey_app.models import User

    user = User(username="waiting", full_name="W", role=Role.admin)
    user.set_password("correct horse battery")
    db.session.add(user)
    db.session.flush()
    db.session.add(Job(kind="posters_pdf", user_id=user.id, params={}, status=JobStatus.queued,
                       created_at=now_utc() - timedelta(hours=1)))
    db.session.commit()
    reply = client.get("/healthz")
    assert reply.status_code == 503
    assert reply.get_json()["checks"]["queue"]["status"] == "fail"


def test_exports_as_jobs_and_only_for_the_user_who_asked(field_world, login, pks05, surveyor):
    check_and_store(surveyor, pks05, import_csv(surveyor, pks05, rows_for(field_world.own, 6)))
    steering = login("steering")
    workbook = ask_job(steering, f"/bang-dieu-khien/xuat/xlsx?campaign={pks05.campaign_id}")
    assert workbook.file.status_code == 200
    assert workbook.file.headers["Cache-Control"] == "no-store"
    assert "attachment" in workbook.file.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(workbook.file.data)).sheetnames
    responses = ask_job(steering, f"/bang-dieu-khien/xuat/csv?campaign={pks05.campaign_id}"
                                  "&form=PKS05")
    lines = responses.file.data.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 6
    # The audit trail's head, after the export's own row, in a header: the file stays a table.
    head = trail.head(db.session)
    assert responses.file.headers["X-Audit-Head"] == f"{head.seq} · {head.entry_hash}"
    job = db.session.get(Job, responses.job_id)
    assert (job.done, job.total) == (6, 6)

    other = login("coordinator")
    for url in (f"/viec/{workbook.job_id}", f"/viec/{workbook.job_id}.json",
                f"/viec/{workbook.job_id}/tep"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/viec/{workbook.job_id}/chay-lai").status_code == 404


def test_a_file_is_removed_after_its_keeping_time(app, field_world, login, pks05):
    from survey_app import job_queue
    from survey_app.database import unit_of_work

    steering = login("steering")
    workbook = ask_job(steering, f"/bang-dieu-khien/xuat/xlsx?campaign={pks05.campaign_id}")
    with db.engine.begin() as connection:
        connection.execute(update(Job).values(expires_at=now_utc() - timedelta(minutes=1)))
    with unit_of_work(db.session):
        job_queue.tidy(db.session)
    assert steering.get(f"/viec/{workbook.job_id}/tep").status_code == 404
    job = db.session.get(Job, workbook.job_id, populate_existing=True)
    assert job.status is JobStatus.expired
    assert db.session.scalar(select(Job.file_data).where(Job.id == job.id)) is None


@pytest.mark.parametrize("what", ["pdf", "zip"])
def test_posters_job_page_without_javascript_refreshes_until_done(
        app, client, create_user, create_commune, create_point, what):
    from survey_app.models import Role

    commune = create_commune()
    create_point(commune, "PKS05")
    create_user("admin", Role.admin)
    client.post("/dang-nhap", data={"username": "admin", "password": "correct horse battery"})
    done = ask_job(client, "/quan-tri/ma-qr/chuan-bi",
                   {"province": commune.province_id, "what": what})
    assert done.file.status_code == 200
    assert 'http-equiv="refresh"' not in done.text
    with db.engine.begin() as connection:
        connection.execute(update(Job).values(status=JobStatus.running, done=3, total=7,
                                              heartbeat_at=now_utc(), stage="drawing"))
    page = client.get(f"/viec/{done.job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page
    assert 'value="42"' in page
    assert "3 / 7" in page or "3 trên 7" in page or "3 của 7" in page
