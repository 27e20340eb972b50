"""A real worker: huey's consumer on a SQLite queue file, as ``make run`` (a thread of the
app) and as ``flask jobs worker`` (a process of its own, killed in the middle of a job)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import CollectionPoint
from survey_app.models import Job
from survey_app.models import JobStatus
from survey_app.models import Role

ROOT = Path(__file__).resolve().parents[3]
FORMS = ("PKS01", "PKS02", "PKS03", "PKS04", "PKS05", "PKS06", "PKS07")


@pytest.fixture
def queue_file(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'job-queue.db'}"


@pytest.fixture
def app_config(app_config, queue_file, request):
    in_process = request.node.get_closest_marker("worker_thread") is not None
    return {**app_config, "JOB_QUEUE": queue_file, "JOB_WORKER_IN_PROCESS": in_process,
            "JOB_STALE_SECONDS": 3}


@pytest.fixture
def many_points(dummy_province, create_commune, published_forms):
    """A province of ``communes`` communes with a point per form: a poster job of seconds."""

    def make(communes: int) -> int:
        for _ in range(communes):
            commune = create_commune()
            db.session.add_all(CollectionPoint(commune_id=commune.id,
                                               form_id=published_forms[code].id)
                               for code in FORMS)
        db.session.commit()
        return communes * len(FORMS)

    return make


@pytest.fixture
def admin(client, create_user):
    create_user("admin", Role.admin)
    client.post("/dang-nhap", data={"username": "admin", "password": "correct horse battery"})
    return client


def job_row(job_id: int) -> Job:
    db.session.rollback()
    return db.session.get(Job, job_id, populate_existing=True)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


def start_worker(app) -> subprocess.Popen:
    env = {**os.environ, "SURVEY_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "SURVEY_JOB_QUEUE": app.config["JOB_QUEUE"], "SURVEY_SECRET_KEY": "test",
           "SURVEY_LOG_JSON": "false"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


@pytest.fixture
def workers(app):
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        started.append(start_worker(app))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def test_a_worker_killed_mid_job_leaves_it_failed_then_it_runs_again(app, admin, many_points,
                                                                     dummy_province, workers):
    pages = many_points(40)
    asked = admin.post("/quan-tri/ma-qr/chuan-bi", data={"province": dummy_province.id})
    job_id = int(re.search(r"/viec/(\d+)$", asked.headers["Location"]).group(1))
    assert job_row(job_id).status is JobStatus.queued

    worker = workers()
    wait_for(lambda: job_row(job_id).status is JobStatus.running and job_row(job_id).done > 0,
             120, "the worker to draw its first posters")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    killed = job_row(job_id)
    assert killed.status is JobStatus.running
    assert 0 < killed.done < pages

    time.sleep(app.config["JOB_STALE_SECONDS"] + 1)
    state = admin.get(f"/viec/{job_id}.json").get_json()
    assert state["status"] == "failed"
    assert "bị gián đoạn" in state["error"]
    assert state["download"] is None
    assert db.session.scalar(select(Job.file_data).where(Job.id == job_id)) is None

    assert admin.post(f"/viec/{job_id}/chay-lai").status_code == 302
    workers()
    done = wait_for(lambda: (job := job_row(job_id)).status is JobStatus.done and job, 300,
                    "the job to run again to its end")
    assert (done.attempts, done.done, done.total) == (2, pages, pages)
    pdf = admin.get(f"/viec/{job_id}/tep")
    assert len(pdfium.PdfDocument(pdf.data)) == pages


@pytest.mark.worker_thread
def test_make_run_worker_thread_runs_a_job(app, admin, many_points, dummy_province):
    pages = many_points(2)
    asked = admin.post("/quan-tri/ma-qr/chuan-bi", data={"province": dummy_province.id,
                                                          "what": "zip"})
    job_id = int(re.search(r"/viec/(\d+)$", asked.headers["Location"]).group(1))
    try:
        wait_for(lambda: admin.get(f"/viec/{job_id}.json").get_json()["finished"], 120,
                 "the in-process worker")
        state = admin.get(f"/viec/{job_id}.json").get_json()
        assert state["status"] == "done", state
        assert admin.get(state["download"]).mimetype == "application/zip"
        assert job_row(job_id).total == pages
    finally:
        app.extensions["job_queue"].consumer.stop(graceful=True)
