"""gunicorn hooks for bench/submit.py: the CPU time each worker spends per request, by method.

``gunicorn -c bench/worker_cpu.py``: each worker adds up its thread's CPU time (user and
system) from ``pre_request`` to ``post_request`` (the response written), and writes its
totals into ``BENCH_CPU_FOLDER`` when it exits. What a request waits for (the write lock,
the disk, the client) is not CPU time and is not counted.
"""

import json
import os
import time
from pathlib import Path

_totals: dict[str, list[float]] = {}
_started: dict[str, float] = {}


def pre_request(worker, req) -> None:
    _started["cpu"] = time.thread_time()


def post_request(worker, req, environ, resp) -> None:
    total = _totals.setdefault(req.method, [0, 0.0])
    total[0] += 1
    total[1] += time.thread_time() - _started["cpu"]


def worker_exit(server, worker) -> None:
    folder = os.environ.get("BENCH_CPU_FOLDER")
    if folder:
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(_totals))
