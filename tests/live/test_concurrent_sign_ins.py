"""Staff signing in at the same moment, over real HTTP: every one lands, none sees a 500.

A sign-in writes (``last_login_at``). On SQLite a write that does not take the write lock
up front fails at once with "database is locked" when another writer holds it, so twenty
people signing in together used to get 500s. The unit of work takes the lock first and waits.

Two servers: the threaded one ``make run`` uses (``flask run``) and gunicorn with several
worker processes, both on a SQLite file (PostgreSQL runs the first too).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models import User
from tests.conftest import USES_POSTGRES
from tests.fixtures.field import add_user

pytestmark = pytest.mark.live

PEOPLE = 20
ROUNDS = 5
PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@pytest.fixture
def app_config(app_config) -> dict:
    # As in production: the sign-in form's CSRF token must come from the page.
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def people(app) -> list[str]:
    names = [f"canbo{n:02d}" for n in range(PEOPLE)]
    for name in names:
        add_user(name, Role.steering, province_id=None)
    db.session.commit()
    return names


def sign_in_together(base_url: str, names: list[str]) -> Counter:
    """Each person opens the sign-in page, then all send the form at the same moment."""
    sessions = []
    for name in names:
        browser = requests.Session()
        page = browser.get(f"{base_url}/dang-nhap", timeout=30).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        sessions.append((browser, {"username": name, "password": PASSWORD,
                                   "csrf_token": token}))
    start = threading.Barrier(len(sessions))

    def post(item) -> int:
        browser, form = item
        start.wait()
        return browser.post(f"{base_url}/dang-nhap", data=form, allow_redirects=False,
                            timeout=60).status_code

    with ThreadPoolExecutor(len(sessions)) as pool:
        return Counter(pool.map(post, sessions))


def signed_in(names: list[str]) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(User.id)).where(
        User.username.in_(names), User.last_login_at.is_not(None)))


def test_twenty_sign_ins_at_once_on_the_threaded_server(live_server, people):
    for _ in range(ROUNDS):
        assert sign_in_together(live_server.url, people) == Counter({302: PEOPLE})
    assert signed_in(people) == PEOPLE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(USES_POSTGRES, reason="SQLite's write lock across worker processes")
def test_twenty_sign_ins_at_once_on_gunicorn(people, database_url, tmp_path):
    port = free_port()
    env = {**os.environ, "SURVEY_SQLALCHEMY_DATABASE_URI": database_url,
           "SURVEY_SECRET_KEY": "live-test", "SURVEY_RATELIMIT_ENABLED": "false",
           "SURVEY_HTTPS": "false"}  # plain HTTP: a Secure cookie would not come back
    log = tmp_path / "gunicorn.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [GUNICORN, "--workers", "4", "--bind", f"127.0.0.1:{port}", "--log-level",
             "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True, stderr=stderr)
    try:
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base_url}/healthz", timeout=5)
                break
            except requests.RequestException:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        for _ in range(ROUNDS):
            assert sign_in_together(base_url, people) == Counter({302: PEOPLE})
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert signed_in(people) == PEOPLE
