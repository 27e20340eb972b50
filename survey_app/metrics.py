"""Prometheus metrics at ``/metrics`` when ``METRICS_ENABLED`` (docs/DEPLOY.md, "Metrics").

Requests are counted and timed by endpoint (the route's name, so a link's token never becomes
a label), method and status; responses by the channel they came in through, counted once
``intake.take`` has stored them. Under gunicorn every worker keeps its own numbers: with
``PROMETHEUS_MULTIPROC_DIR`` set before the app is imported, prometheus_client writes them to
files there and ``/metrics`` adds up all the workers' files, whichever worker answers.
"""

from __future__ import annotations

import os
import time

from flask import Flask
from flask import Response
from flask import g
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

from survey_app.models import Channel
from survey_app.services.intake.take import response_stored

REQUESTS = Counter("survey_http_requests", "HTTP requests answered.",
                   ["endpoint", "method", "status"])
#: Seconds from the request's start to its response (a download's body streams after).
LATENCY = Histogram("survey_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["endpoint", "method", "status"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
STORED = Counter("survey_responses_stored", "Responses stored (resends not counted).",
                 ["channel"])
#: The label of a request that matched no route (a 404 for a made-up path).
NO_ENDPOINT = "none"


def init_app(app: Flask) -> None:
    if not app.config["METRICS_ENABLED"]:
        return
    # Connected once per process however many apps are made: blinker keeps one per function.
    response_stored.connect(count_stored)

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.get("metrics_started")
        if started is not None:
            labels = (request.endpoint or NO_ENDPOINT, request.method, str(response.status_code))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)
        return response

    app.add_url_rule("/metrics", "metrics", serve_metrics)


def count_stored(channel: Channel) -> None:
    STORED.labels(channel.value).inc()


def serve_metrics() -> Response:
    """Every worker's numbers (multiprocess mode), or this process's."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
