"""Metrics under gunicorn: every worker counts in its own files, and ``/metrics`` adds them all
up whichever worker answers the scrape (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.app.public.test_submit import PKS05_ANSWERS

pytestmark = pytest.mark.live

HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')
MISSES = 40
SUBMISSIONS = 3


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def value(body: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{labels[key]}"' for key in sorted(labels))
    found = re.search(rf"^{name}{{{re.escape(wanted)}}} (\S+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def submit(url: str) -> int:
    page = requests.get(url, timeout=20)
    fields = dict(HIDDEN.findall(page.text))
    return requests.post(url, data={**fields, **PKS05_ANSWERS}, cookies=page.cookies,
                         allow_redirects=False, timeout=20).status_code


def test_metrics_add_up_every_worker(gunicorn, point, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    server = gunicorn(workers=2, SURVEY_METRICS_ENABLED="true",
                      PROMETHEUS_MULTIPROC_DIR=str(folder))
    server.start()
    form = f"{server.url}/f/{point.token}"
    with ThreadPoolExecutor(4) as pool:
        misses = list(pool.map(lambda _: requests.get(f"{server.url}/khong-co", timeout=20)
                               .status_code, range(MISSES)))
        stored = list(pool.map(lambda _: submit(form),
                               range(SUBMISSIONS)))
    assert misses == [404] * MISSES
    assert stored == [303] * SUBMISSIONS
    # Both workers served, each into files of its own.
    assert len({path.stem.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}) == 2

    for _ in range(4):  # whichever worker answers, the same totals
        body = requests.get(f"{server.url}/metrics", timeout=20).text
        assert value(body, "survey_http_requests_total", endpoint="none", method="GET",
                     status="404") == MISSES
        assert value(body, "survey_http_request_duration_seconds_count", endpoint="none",
                     method="GET", status="404") == MISSES
        assert value(body, "survey_responses_stored_total", channel="qr") == SUBMISSIONS
