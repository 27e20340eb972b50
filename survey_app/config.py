"""Configuration defaults; ``create_app`` overrides them from SURVEY_* environment variables."""

from datetime import timedelta
from typing import ClassVar


class Config:
    #: SURVEY_SECRET_KEY in production (shared by every app server); when unset, each
    #: installation makes its own random key in the instance folder.
    SECRET_KEY: str | None = None
    #: None means a SQLite file in the instance folder, filled in by the factory.
    SQLALCHEMY_DATABASE_URI: str | None = None
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    #: Per-process memory is only right for one worker; production sets a shared Redis.
    RATELIMIT_STORAGE_URI = "memory://"
    #: A Redis that stops answering fails a request after this long instead of holding the
    #: worker (the memory storage ignores these).
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict] = {"socket_connect_timeout": 2,
                                                 "socket_timeout": 2}
    #: No X-RateLimit-* headers: no browser reads them, and each costs the limit storage a
    #: round trip on every limited request. A 429 still says when to retry (Retry-After).
    RATELIMIT_HEADERS_ENABLED = False
    PUBLIC_SUBMIT_LIMIT = "60 per minute"
    LOGIN_LIMIT = "10 per minute"
    # A form may stay open on a slow phone for a long time; the CSRF token must outlive it.
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    #: How many proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto (1 for
    #: one nginx). With 0 the headers are ignored: the limits count by the address of the
    #: connection itself, and a header a client makes up changes nothing.
    PROXY_HOPS = 0
    #: The site is reached over HTTPS (served by the proxy): the session cookie is Secure and
    #: named __Host-session, and browsers are told to use only HTTPS (HSTS). None means on
    #: unless TESTING or DEBUG; SURVEY_HTTPS=false for a trial over plain HTTP.
    HTTPS: bool | None = None
    #: How long a browser that was told so refuses plain HTTP for this host.
    HSTS_SECONDS = 365 * 24 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    REMEMBER_COOKIE_DURATION = timedelta(days=1)
    #: The largest request body, in bytes: an import file is the biggest thing staff send
    #: (20,000 PKS05 rows are about 3 MB of CSV, 0.9 MB of XLSX).
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    #: Rows one import file may hold. The check and the store run as background jobs with a
    #: progress bar (bench/imports.py, docs/PERFORMANCE.md); a bigger stack is split over
    #: several files.
    IMPORT_MAX_ROWS = 20_000
    #: How long a process keeps what a QR link opens (point, commune, version, campaign form)
    #: before looking again: how long a change made on another server or by a command takes to
    #: reach this one's citizens. Changes made in this process apply at once.
    LIVE_LINK_CACHE_SECONDS = 30
    #: How long the dashboard's overview, its trend and the API keep a campaign's figures
    #: (services/results/kept.py): new answers show within twice this; staff actions at once.
    RESULTS_KEPT_SECONDS = 60
    #: How long a write waits for another writer's lock (SQLite's busy timeout, PostgreSQL's
    #: lock_timeout) before it gives up with a 503.
    DATABASE_BUSY_TIMEOUT_MS = 10_000
    #: What a write refused by a busy database tells the client to wait, in seconds.
    BUSY_RETRY_AFTER_SECONDS = 5
    #: How often each process writes the scan counts it added up; 0 writes each at once.
    SCAN_COUNT_FLUSH_SECONDS = 5
    #: Absolute base for links printed on posters, e.g. "https://khaosat.tinh.gov.vn".
    PUBLIC_BASE_URL: str | None = None
    #: Days a campaign's device and network keys and used form tickets are kept after its
    #: last form closed (for the committee's last recomputations), before
    #: ``flask integrity forget-expired`` drops them; the flags stay (docs/PRIVACY.md).
    TRUST_SIGNALS_KEPT_DAYS = 30
    #: Province loaded by ``flask demo load`` (Bắc Ninh: 99 communes after the 2025 merger).
    DEMO_PROVINCE_CODE = 24
    #: Logs go to stderr as JSON lines (survey_app/logs.py); false gives plain text lines.
    LOG_JSON = True
    LOG_LEVEL = "INFO"
    #: Serve Prometheus metrics at /metrics (survey_app/metrics.py, docs/DEPLOY.md).
    METRICS_ENABLED = False
    #: The background jobs' queue (survey_app/job_queue.py, docs/DEPLOY.md): "sqlite" (a file
    #: in the instance folder, one server), "redis://host:6379/1" (several servers, with
    #: ``flask jobs worker`` run as a service) or "immediate" (run in the request: tests).
    #: None means "immediate" under TESTING, else "sqlite".
    JOB_QUEUE: str | None = None
    #: Run the worker as a thread of the app's process (``make run`` sets it).
    JOB_WORKER_IN_PROCESS = False
    #: A running job whose progress has not moved for this long was interrupted (its worker
    #: stopped): it is marked failed and may be run again.
    JOB_STALE_SECONDS = 300
    #: How long a job's file (posters, an export) is kept for its user to download.
    JOB_FILE_HOURS = 24
    #: An error's message in the log never carries the values of the statement that failed
    #: (they may be a respondent's answers).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"hide_parameters": True}
    #: Where recognition evidence files are kept: outside the static folder, never served
    #: except as a download to those who may read the dossier. None: instance/evidence.
    RECOGNITION_EVIDENCE_DIR: str | None = None
    #: The largest evidence file, in bytes (below MAX_CONTENT_LENGTH, so the refusal is ours).
    EVIDENCE_MAX_BYTES = 4 * 1024 * 1024
