"""Two app servers behind a proxy, as a province runs them: one PostgreSQL, one Redis.

Two gunicorn servers (two workers each, ``SURVEY_PROXY_HOPS=1``) sit behind a small reverse
proxy written here, which does what nginx's ``proxy_add_x_forwarded_for`` does: it appends the
address it saw to X-Forwarded-For and hands each request to the next server in turn. Citizens
are told apart by the loopback address they connect from (127.0.0.2, 127.0.0.3, ...), as
phones are by theirs.

It shows that (a) the submit limit counts each citizen, not the proxy, and that the count is
shared by both servers through Redis: a citizen's 61st post of the minute is refused whichever
server answers, while another citizen is still let through; and (b) a point retired through
one server stops opening on the other within ``SURVEY_LIVE_LINK_CACHE_SECONDS``.

PostgreSQL pass only (TEST_DATABASE_URL): SQLite is one machine's file, not a province's
database. Skips when Redis does not answer, except in CI.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.models import Role
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.conftest import IN_CI
from tests.conftest import USES_POSTGRES
from tests.fixtures.field import PASSWORD
from tests.fixtures.field import add_user
from tests.live.test_concurrent_sign_ins import free_port

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not USES_POSTGRES, reason="two servers share a PostgreSQL: runs in the "
                       "PostgreSQL pass (TEST_DATABASE_URL)"),
]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
#: A Redis database of this test's own, emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379/13"
LIMIT = 60  # the production default, "60 per minute"
CACHE_SECONDS = 2
#: What a busy two-core machine may add to the cache time before the other server notices.
SLACK_SECONDS = 3
TIMEOUT = 60
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length"}


@pytest.fixture(scope="module")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            raise
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def fresh_limits(redis_client) -> None:
    """Each test starts with no request counted."""
    redis_client.flushdb()


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str


def call(port: int, method: str, path: str, *, source: str = "127.0.0.1", body: str = "",
         headers: dict | None = None) -> Reply:
    """One HTTP request from the loopback address ``source``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT,
                                            source_address=(source, 0))
    try:
        connection.request(method, path, body=body.encode(), headers=headers or {})
        answer = connection.getresponse()
        return Reply(answer.status, answer.headers, answer.read().decode())
    finally:
        connection.close()


class Proxy(ThreadingHTTPServer):
    """Hands each request to the next upstream in turn, as nginx's round robin does."""

    daemon_threads = True

    def __init__(self, upstreams: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstreams = upstreams
        self.turns = itertools.cycle(range(len(upstreams)))
        self.lock = threading.Lock()

    def next_upstream(self) -> int:
        with self.lock:
            return next(self.turns)


class ProxyHandler(BaseHTTPRequestHandler):
    server: Proxy

    def forward(self) -> None:
        index = self.server.next_upstream()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        seen = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = (f"{seen}, " if seen else "") + self.client_address[0]
        headers["X-Forwarded-Proto"] = "https"  # TLS ends at the proxy
        connection = http.client.HTTPConnection("127.0.0.1", self.server.upstreams[index],
                                                timeout=TIMEOUT)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("X-Served-By", str(index))
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        finally:
            connection.close()

    do_GET = do_POST = forward  # noqa: N815  (http.server's names)

    def log_message(self, *args) -> None:
        pass


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as stderr:
        return subprocess.Popen(
            [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--preload",
             "--no-control-socket", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True, stderr=stderr)


def wait_until_serving(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if call(port, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def stop(servers: list[subprocess.Popen]) -> None:
    """Stop every server at once: each process takes seconds to unload the app."""
    for server in servers:
        os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclass
class Site:
    servers: list[int]  #: each server's own port
    proxy: int  #: the proxy's port, the one citizens use


@pytest.fixture(scope="module")
def servers(migrated_database, redis_client, tmp_path_factory) -> Iterator[Site]:
    """Both servers and the proxy, started once for the module (the database is the session's
    own PostgreSQL one, emptied after each test by the ``app`` fixture)."""
    tmp_path = tmp_path_factory.mktemp("two-servers")
    env = {**os.environ, "SURVEY_SQLALCHEMY_DATABASE_URI": migrated_database,
           "SURVEY_SECRET_KEY": "two-servers", "SURVEY_RATELIMIT_STORAGE_URI": REDIS_URL,
           "SURVEY_PROXY_HOPS": "1", "SURVEY_LIVE_LINK_CACHE_SECONDS": str(CACHE_SECONDS)}
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"gunicorn-{n}.log" for n in range(2)]
    servers = [start_server(port, env, log) for port, log in zip(ports, logs, strict=True)]
    proxy = None
    try:
        for port, server, log in zip(ports, servers, logs, strict=True):
            wait_until_serving(port, server, log)
        proxy = Proxy(ports)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        yield Site(ports, proxy.server_port)
    finally:
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        stop(servers)


@pytest.fixture
def site(servers, fresh_limits, app) -> Site:
    return servers


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


def session_cookie(reply: Reply, before: str | None = None) -> str:
    """The session cookie a reply sets (else ``before``), as a browser sends it back."""
    for value in reply.headers.get_all("Set-Cookie") or []:
        name_value = value.split(";")[0]
        if "session=" in name_value:
            return name_value
    assert before is not None, f"no session cookie in {reply.headers}"
    return before


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html))


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@dataclass
class Opened:
    cookie: str
    fields: dict[str, str]


def open_form(site: Site, token: str, citizen: str) -> Opened:
    reply = call(site.proxy, "GET", f"/f/{token}", source=citizen)
    assert reply.status == 200, reply.body[:500]
    # The form sets the anonymous device id, and no session (a citizen's pages keep none).
    cookies = [value.split(";")[0] for value in reply.headers.get_all("Set-Cookie") or []]
    assert [c.split("=")[0] for c in cookies] == ["qr_device"], cookies
    return Opened("; ".join(cookies), hidden_fields(reply.body))


def send(site: Site, token: str, citizen: str, form: Opened) -> tuple[int, str]:
    """POST one citizen's answers through the proxy; the status and which server answered.
    The citizen also sends an X-Forwarded-For of its own making, which must change nothing."""
    reply = call(site.proxy, "POST", f"/f/{token}", source=citizen,
                 body=urlencode({**form.fields, **PKS05_ANSWERS}),
                 headers={"Content-Type": "application/x-www-form-urlencoded",
                          "Cookie": form.cookie, "X-Forwarded-For": "198.51.100.99"})
    return reply.status, reply.headers["X-Served-By"]


def test_limits_count_each_citizen_and_both_servers_share_them(site, point):
    citizens = ["127.0.0.2", "127.0.0.3"]
    # Forms are opened first (not limited), so that the posts all fall in one minute.
    with ThreadPoolExecutor(8) as pool:
        forms = {c: list(pool.map(open_form, [site] * (LIMIT + 1), [point.token] * (LIMIT + 1),
                                  [c] * (LIMIT + 1))) for c in citizens}
    posts = [(c, forms[c][n]) for n in range(LIMIT) for c in citizens]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda item: (item[0], *send(site, point.token, *item)), posts))
    for citizen in citizens:
        mine = [(status, server) for c, status, server in answers if c == citizen]
        assert Counter(status for status, _ in mine) == {303: LIMIT}
        assert {server for _, server in mine} == {"0", "1"}

    # The 61st post of the minute: refused, by either server, for this citizen only.
    over = [send(site, point.token, citizens[0], forms[citizens[0]][LIMIT]) for _ in range(4)]
    assert [status for status, _ in over] == [429] * 4
    assert {server for _, server in over} == {"0", "1"}
    newcomer = "127.0.0.4"
    assert send(site, point.token, newcomer, open_form(site, point.token, newcomer))[0] == 303

    db.session.rollback()
    assert db.session.scalar(select(func.count(Response.id))) == 2 * LIMIT + 1


def sign_in_as_admin(port: int) -> str:
    """Sign in on one server; the session cookie of the signed-in admin."""
    page = call(port, "GET", "/dang-nhap")
    reply = call(port, "POST", "/dang-nhap", body=urlencode({
        "username": "admin", "password": PASSWORD,
        "csrf_token": csrf_token(page.body)}), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": session_cookie(page)})
    assert reply.status == 302, reply.body[:500]
    return session_cookie(reply)


def test_a_point_retired_on_one_server_stops_opening_on_the_other(site, point):
    add_user("admin", Role.admin)
    db.session.commit()
    first, second = site.servers
    for port in site.servers:  # each server now keeps the link for CACHE_SECONDS
        assert call(port, "GET", f"/f/{point.token}").status == 200

    cookie = sign_in_as_admin(first)
    page = call(first, "GET", f"/quan-tri/ma-qr/xa/{point.commune_id}",
                headers={"Cookie": cookie})
    assert page.status == 200, page.body[:500]
    retired = call(first, "POST", f"/quan-tri/ma-qr/diem/{point.id}/ngung",
                   body=urlencode({"csrf_token": csrf_token(page.body)}),
                   headers={"Content-Type": "application/x-www-form-urlencoded",
                            "Cookie": session_cookie(page, cookie)})
    assert retired.status == 302, retired.body[:500]
    deadline = time.monotonic() + CACHE_SECONDS + SLACK_SECONDS

    # Every worker of both servers looks again once what it keeps is CACHE_SECONDS old.
    def refused_everywhere() -> bool:
        return all(call(port, "GET", f"/f/{point.token}").status == 410
                   for port in (second, first) for _ in range(6))

    while not refused_everywhere():
        assert time.monotonic() < deadline, "a server still opens the retired point"
        time.sleep(0.2)
