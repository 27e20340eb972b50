"""Long work in the background: posters, imports, exports run as jobs on a huey queue.

The queue carries only a job's id; everything else lives in the ``jobs`` table, which every
app server reads: who asked, what they asked (the request's arguments), the stage and
progress, how it ended and the file it made. A worker runs a job as the user who asked, in a
request context rebuilt from those arguments, so their scope is checked again when it runs.

``JOB_QUEUE`` picks the queue (docs/DEPLOY.md, "Background jobs"):
- ``sqlite`` (the default): a huey SQLite file in the instance folder (or
  ``sqlite:///path/to/file.db``), for one server;
  ``JOB_WORKER_IN_PROCESS`` (set by ``make run``) runs the worker as a thread of the app;
- ``redis://host:port/db``: several app servers and workers (``flask jobs worker``);
- ``immediate``: a job runs at once, in the request that asked for it (the tests' default);
  ``memory``: a job is queued in the process and never run (tests of who may ask for one).

A job either ends ``done`` with its whole file, or ``failed`` with a reason in Vietnamese and
nothing of it kept: a job's writes are one unit of work, and its file is stored only at the
end. A worker killed mid-job leaves a ``running`` job whose heartbeat stops; after
``JOB_STALE_SECONDS`` it is marked failed (interrupted) and can be run again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import current_app
from flask import g
from huey import MemoryHuey
from huey import RedisHuey
from huey import SqliteHuey
from huey import crontab
from huey.consumer import Consumer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from survey_app.clock import now_utc
from survey_app.database import DatabaseBusy
from survey_app.database import after_commit
from survey_app.database import unit_of_work
from survey_app.database import write_transaction
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.models import Job
from survey_app.models import JobStatus
from survey_app.models import User

log = logging.getLogger(__name__)
T = TypeVar("T")
#: A job's progress is written at most this often (each write is a transaction).
PROGRESS_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class Output:
    """What a finished job made: a file to download, and/or where its result is shown."""

    data: bytes | None = None
    file_name: str | None = None
    mimetype: str | None = None
    result: dict[str, Any] | None = None


class Progress:
    """Reports a running job's stage and progress to the jobs table, on a connection of its
    own (so every server sees it at once), at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last_write = 0.0
        self.done = 0
        self.total = 0
        self.stage: str | None = None
        self.held = False

    def start(self, stage: str, total: int = 0) -> None:
        """A new stage of ``total`` steps (0: not counted)."""
        self.stage, self.done, self.total = stage, 0, total
        self.write()

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if time.monotonic() - self.last_write >= PROGRESS_EVERY_SECONDS:
            self.write()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, counting each one done."""
        for done, item in enumerate(items, 1):
            yield item
            self(done)

    @contextmanager
    def holding_write_lock(self, session: Session) -> Iterator[None]:
        """Around the job's own write transaction: on SQLite another connection's write
        would wait for that transaction's lock, so progress is kept until it ends."""
        self.held = session.get_bind().dialect.name == "sqlite"
        try:
            yield
        finally:
            self.held = False
        self.write()

    def write(self) -> None:
        if self.held:
            return
        self.last_write = time.monotonic()
        with write_transaction(db.engine, wait_for_disk=False) as connection:
            connection.execute(
                update(Job.__table__)
                .where(Job.__table__.c.id == self.job_id,
                       Job.__table__.c.status == JobStatus.running.value)
                .values(done=self.done, total=self.total, stage=self.stage,
                        heartbeat_at=now_utc()))


@dataclass(frozen=True)
class Run:
    """What a job's code gets: its row, the user who asked and the progress reporter."""

    job: Job
    user: User
    progress: Progress
    session: Session


Runner = Callable[[Run], Output]
#: kind → the function that does it, registered by the blueprint that offers it.
KINDS: dict[str, Runner] = {}
#: kind → what the job's page calls it.
KIND_LABELS: dict[str, Any] = {}


def job_kind(name: str, label: Any) -> Callable[[Runner], Runner]:
    """Register the function that runs jobs of kind ``name``, and its title."""

    def register(runner: Runner) -> Runner:
        KINDS[name] = runner
        KIND_LABELS[name] = label
        return runner

    return register


# --- Asking for a job (in a request) -------------------------------------------------------


def submit(session: Session, kind: str, user: User, params: dict[str, Any],
           upload: bytes | None = None) -> Job:
    """Add a queued job in the caller's unit of work; it is queued once that commits."""
    job = Job(kind=kind, user_id=user.id, status=JobStatus.queued, params=params,
              upload=upload, done=0, total=0, attempts=0, created_at=now_utc())
    session.add(job)
    session.flush()
    after_commit(session, lambda job_id=job.id: enqueue(job_id))
    return job


def run_again(session: Session, job: Job) -> bool:
    """Queue a failed job again (in the caller's unit of work); False if it has not failed."""
    if job.status is not JobStatus.failed:
        return False
    job.status = JobStatus.queued
    job.error_code = job.error_params = job.stage = None
    job.done = job.total = 0
    job.created_at = now_utc()
    job.started_at = job.heartbeat_at = job.finished_at = None
    session.flush()
    after_commit(session, lambda job_id=job.id: enqueue(job_id))
    return True


def enqueue(job_id: int) -> None:
    """Hand the job to the queue; if the queue cannot take it, the job fails visibly."""
    try:
        current_app.extensions["job_queue"].task(job_id)
    except Exception:  # the queue's storage is down: say so on the job's page
        log.exception("job %s could not be queued", job_id, extra={"job_id": job_id})
        finish_failed(job_id, "job_queue_down")


def find_job(session: Session, user: User, job_id: int) -> Job | None:
    """The user's own job, interrupted ones marked so; None for anyone else's."""
    job = session.scalar(select(Job).where(Job.id == job_id, Job.user_id == user.id))
    if job is not None and is_stale(job):
        with unit_of_work(session):
            settle_stale(session)
        session.refresh(job)
    return job


def is_stale(job: Job) -> bool:
    seconds = current_app.config["JOB_STALE_SECONDS"]
    return (job.status is JobStatus.running and job.heartbeat_at is not None
            and now_utc() - job.heartbeat_at > timedelta(seconds=seconds))


def settle_stale(session: Session) -> int:
    """Mark failed every running job whose worker stopped sending heartbeats."""
    limit = now_utc() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    return session.execute(
        update(Job).where(Job.status == JobStatus.running, Job.heartbeat_at < limit)
        .values(status=JobStatus.failed, error_code="job_interrupted", error_params={},
                finished_at=now_utc())
        .execution_options(synchronize_session=False)).rowcount


def tidy(session: Session) -> None:
    """Settle interrupted jobs; remove files and uploads past their keeping time."""
    now = now_utc()
    settle_stale(session)
    session.execute(
        update(Job).where(Job.status == JobStatus.done, Job.expires_at < now)
        .values(status=JobStatus.expired, file_data=None, upload=None)
        .execution_options(synchronize_session=False))
    keep = timedelta(hours=current_app.config["JOB_FILE_HOURS"])
    session.execute(
        update(Job).where(Job.status == JobStatus.failed, Job.finished_at < now - keep,
                          Job.upload.is_not(None))
        .values(upload=None).execution_options(synchronize_session=False))


# --- Running a job (in the worker) ---------------------------------------------------------


def execute(app: Flask, job_id: int) -> None:
    """Run one job to its end: done with its file, or failed with nothing of it kept."""
    with app.app_context():
        try:
            job = claim(db.session, job_id)
            if job is None:
                return
            output = run_as_user(app, job)
        except DomainError as refusal:
            finish_failed(job_id, refusal.code, dict(refusal.params))
        except DatabaseBusy:
            finish_failed(job_id, "job_busy")
        except Exception:
            log.exception("job %s failed", job_id, extra={"job_id": job_id})
            finish_failed(job_id, "job_failed")
        else:
            finish_done(job_id, output)
        finally:
            db.session.remove()


def claim(session: Session, job_id: int) -> Job | None:
    """Take a queued job; None if another worker took it or it is no longer queued."""
    with unit_of_work(session):
        now = now_utc()
        taken = session.execute(
            update(Job).where(Job.id == job_id, Job.status == JobStatus.queued)
            .values(status=JobStatus.running, started_at=now, heartbeat_at=now,
                    attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
    if not taken:
        return None
    return session.get(Job, job_id, populate_existing=True)


def run_as_user(app: Flask, job: Job) -> Output:
    runner = KINDS.get(job.kind)
    if runner is None:
        raise DomainError("job_kind_unknown")
    user = db.session.get(User, job.user_id)
    params = job.params or {}
    with app.test_request_context(params.get("path", "/"), base_url=params.get("base_url"),
                                  query_string=params.get("args") or {}):
        # Flask-Login reads the user from here: the job sees what its user may see.
        g._login_user = user
        if user is None or not user.is_active:
            raise DomainError("not_yours")
        return runner(Run(job, user, Progress(job.id), db.session))


def finish_done(job_id: int, output: Output) -> None:
    with unit_of_work(db.session):
        job = db.session.get(Job, job_id, populate_existing=True)
        job.status = JobStatus.done
        job.finished_at = now_utc()
        job.expires_at = job.finished_at + timedelta(
            hours=current_app.config["JOB_FILE_HOURS"])
        job.done = job.total
        job.upload = None
        job.result = output.result
        if output.data is not None:
            job.file_data = output.data
            job.file_size = len(output.data)
            job.file_name = output.file_name
            job.file_mimetype = output.mimetype


def finish_failed(job_id: int, code: str, params: dict[str, Any] | None = None) -> None:
    db.session.rollback()
    with unit_of_work(db.session):
        db.session.execute(
            update(Job).where(Job.id == job_id)
            .values(status=JobStatus.failed, error_code=code, error_params=params or {},
                    finished_at=now_utc())
            .execution_options(synchronize_session=False))


# --- The queue ------------------------------------------------------------------------------


@dataclass
class JobQueue:
    huey: Any
    task: Callable[[int], Any]
    consumer: Consumer | None = None


class ThreadConsumer(Consumer):
    """huey's consumer inside the app's process (``make run``): the server owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


def make_huey(app: Flask):
    setting = app.config["JOB_QUEUE"] or ("immediate" if app.testing else "sqlite")
    if setting == "immediate":
        return MemoryHuey("survey-jobs", results=False, immediate=True)
    if setting == "memory":
        # Queued in this process only, with no worker: for tests of who may ask for a job.
        return MemoryHuey("survey-jobs", results=False)
    if setting == "sqlite" or setting.startswith("sqlite:///"):
        path = setting.removeprefix("sqlite:///") if setting != "sqlite" else str(
            Path(app.instance_path) / "job-queue.db")
        return SqliteHuey("survey-jobs", filename=path, results=False)
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("survey-jobs", url=setting, results=False)
    raise ValueError(f"JOB_QUEUE must be sqlite, immediate or a redis:// URL, not {setting!r}")


def init_app(app: Flask) -> None:
    huey = make_huey(app)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        execute(app, job_id)

    @huey.periodic_task(crontab(minute="*/10"), name="tidy_jobs")
    def tidy_jobs() -> None:
        with app.app_context():
            with unit_of_work(db.session):
                tidy(db.session)
            db.session.remove()

    queue = JobQueue(huey, run_job)
    app.extensions["job_queue"] = queue
    if app.config["JOB_WORKER_IN_PROCESS"] and not huey.immediate:
        start_in_process(queue)


def start_in_process(queue: JobQueue) -> None:
    """Run the worker as threads of this process (one server, ``make run``)."""
    consumer = ThreadConsumer(queue.huey, workers=1, worker_type="thread")
    consumer.start()
    queue.consumer = consumer
    log.info("job worker started in process (thread %s)", threading.current_thread().name)


def run_worker(app: Flask, workers: int = 1) -> None:
    """``flask jobs worker``: consume until SIGINT (finish the job) or SIGTERM (stop now)."""
    queue: JobQueue = app.extensions["job_queue"]
    if queue.huey.immediate:
        raise SystemExit("JOB_QUEUE is 'immediate': jobs run in the request, no worker needed.")
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread")
    consumer.run()


def queue_ok() -> bool:
    """/healthz: the queue's storage answers, and no job has waited for a worker so long
    that none can be running."""
    queue: JobQueue = current_app.extensions["job_queue"]
    queue.huey.pending_count()
    limit = now_utc() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    waiting = db.session.scalar(select(func.count()).select_from(Job).where(
        Job.status == JobStatus.queued, Job.created_at < limit))
    return not waiting
