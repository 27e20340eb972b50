"""gunicorn's settings for the survey platform: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

docs/DEPLOY.md explains each choice. Anything here can be overridden on the command line
(``--bind``, ``--workers``), which is how the tests start it.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: a request holds one worker, and the database is the bottleneck anyway
# (docs/PERFORMANCE.md). Two per core and one more, as gunicorn suggests.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# Import the app once, before the workers fork: they all serve as soon as the port opens.
preload_app = True
# The province workbook of a thousand communes takes a few seconds; nothing takes a minute.
timeout = 60
graceful_timeout = 30
# A worker is replaced now and then, so that no slow leak grows for weeks.
max_requests = 5000
max_requests_jitter = 500

# No access log: the app logs every request itself as a JSON line, without the client's
# address or the query string (survey_app/logs.py). gunicorn's own lines are JSON too.
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "survey_app.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                            "stream": "ext://sys.stderr"}},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"],
                                   "propagate": False}},
    # The app's loggers have a handler of their own (survey_app/logs.py): none here, or every
    # line would be written twice.
    "root": {"level": "WARNING", "handlers": []},
}


def child_exit(server, worker):
    """A worker that stopped leaves its metric files behind; its live gauges must go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
