"""Background jobs: long work (posters, imports, exports) run by the queue's worker.

The row is what every app server sees of a job: who asked, how far it got, how it ended and
the file it made. The queue (huey) only carries the job's id to a worker.
"""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import deferred
from sqlalchemy.orm import mapped_column

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.orm import UTCDateTime


class JobStatus(enum.Enum):
    queued = "queued"  #: waiting for a worker
    running = "running"  #: a worker took it; ``heartbeat_at`` says it is alive
    done = "done"  #: finished; its file (if any) can be downloaded until ``expires_at``
    failed = "failed"  #: refused, broken or interrupted; nothing of it was kept
    expired = "expired"  #: done, and its file removed after the keeping time


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What to run: a name registered with survey_app.job_queue.job_kind.
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e]), default=JobStatus.queued,
        index=True)
    #: The request the job was asked with (query arguments, form fields, the site's address):
    #: the worker runs it as that user, with their scope checked again.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: An uploaded file the job reads (an import); emptied once the job has ended.
    upload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: What the job is doing now, as a code (``messages.job_stage``).
    stage: Mapped[str | None] = mapped_column(String(32))
    #: Why it failed, as a DomainError code and parameters (worded by ``messages``).
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: What a finished job points to besides its file (an import's batch id and report).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    file_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_mimetype: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None]
    #: How many times a worker has started it.
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Written with each step of progress: a running job whose heartbeat stops was interrupted.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the file is removed (set when the job is done).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.done, JobStatus.failed, JobStatus.expired)

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.done, JobStatus.expired):
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
