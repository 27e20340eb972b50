"""Measure the citizen's cycle (GET the form, POST the answers) against gunicorn.

For each backend (SQLite, PostgreSQL) the script migrates a scratch database, loads one
commune with an open campaign and a PKS05 collection point, then serves in turn
- the real app (``gunicorn wsgi:app``: scan counts, CSRF, rate limit in Redis as in
  production, validation, ORM, templates), and
- a bare Flask endpoint (bench/bare_app.py) serving the same page bytes and writing the same
  rows (the response with its signal columns, its answers, its used ticket) with the raw
  driver,
each with the same number of gunicorn workers (preloaded), and drives both with the same
parallel clients for a fixed time, in alternating rounds. It prints submissions per second,
p50/p99 latency of the whole cycle, errors, whether every acknowledged submission is in
the database, and the workers' CPU time per GET and per POST (bench/worker_cpu.py), then the
ratio real/bare (medians over the rounds).

Only 127.0.0.1 is contacted. Scratch databases and the gunicorn processes it started are
removed at the end, also on Ctrl+C.

    .venv/bin/python bench/submit.py                     # both backends, 3 rounds of 10 s
    .venv/bin/python bench/submit.py --backend sqlite --rounds 1 --duration 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DEFAULT_POSTGRES = "postgresql+psycopg://root@127.0.0.1:5432/test"
ANSWERS = {
    "wait_time": "nhanh_gon",
    "attitude": "lich_su_than_thien",
    "guidance": "nhiet_tinh_de_hieu",
    "skill": "thanh_thao",
    "processing_time": "dung_hen",
    "extra_payment_suggested": "khong",
}
LEVELS = ("rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long")
HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')


@dataclass
class Run:
    backend: str
    path: str
    round: int = 1
    seconds: float = 0.0
    cycles: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    #: Every submission id the server acknowledged, warm-up included.
    acked_ids: list[str] = field(default_factory=list)
    #: How many of them are in the database afterwards.
    stored: int = 0
    #: Method → workers' CPU milliseconds per request, warm-up included (bench/worker_cpu.py).
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def acknowledged(self) -> int:
        return len(self.cycles)

    @property
    def lost(self) -> int:
        return len(self.acked_ids) - self.stored

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if len(self.cycles) < 2:
            return float("nan")
        return statistics.quantiles(self.cycles, n=100, method="inclusive")[int(share) - 1] * 1000

    def summary(self) -> dict:
        return {"backend": self.backend, "path": self.path, "round": self.round,
                "seconds": round(self.seconds, 1),
                "submissions_per_s": round(self.rate, 1), "p50_ms": round(self.percentile(50), 1),
                "p99_ms": round(self.percentile(99), 1), "acknowledged": self.acknowledged,
                "acknowledged_with_warmup": len(self.acked_ids), "stored": self.stored,
                "lost": self.lost, "errors": self.errors, "worker_cpu_ms": self.cpu_ms}


# --- scratch databases ---------------------------------------------------------------------

@contextmanager
def scratch_database(backend: str, postgres_admin: str, folder: Path):
    """A new empty database: a SQLite file in ``folder``, or a PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{folder}/bench.db"
        return
    from sqlalchemy import create_engine
    from sqlalchemy import make_url
    from sqlalchemy import text

    admin = make_url(postgres_admin)
    name = f"bench_submit_{os.getpid()}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def prepare(url: str, page: Path) -> tuple[str, int]:
    """Migrate and load one commune, an open campaign and a PKS05 point: (token, point id).

    The form page as the app renders it is written to ``page``, for the bare endpoint to
    serve the same bytes.
    """
    from flask_migrate import upgrade

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Campaign
    from survey_app.models import CampaignForm
    from survey_app.models import CollectionPoint
    from survey_app.models import Commune
    from survey_app.models import Form
    from survey_app.models import Province
    from survey_app.services.catalogue.form_versions import publish_bundled

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        publish_bundled(db.session)
        province = Province(code="24", name="Bắc Ninh", division_type="tỉnh")
        db.session.add(province)
        db.session.flush()
        commune = Commune(code="7210", name="Phường Bắc Giang", division_type="phường",
                          province_id=province.id)
        form = db.session.scalar(db.select(Form).where(Form.code == "PKS05"))
        year = date.today().year  # noqa: DTZ011  (a whole year around today in any zone)
        campaign = Campaign(name=f"Năm {year}", province=province)
        campaign.forms.append(CampaignForm(form_id=form.id, opens_on=date(year - 1, 1, 1),
                                           closes_on=date(year + 1, 12, 31)))
        db.session.add_all([commune, campaign])
        db.session.flush()
        point = CollectionPoint(commune_id=commune.id, form_id=form.id)
        db.session.add(point)
        db.session.commit()
        found = (point.token, point.id)
        html = app.test_client().get(f"/f/{point.token}").get_data(as_text=True)
        fields = dict(HIDDEN.findall(html))
        # What differs from one opening to the next, for the bare endpoint to fill in.
        for name in ("submission_id", "ticket", "device"):
            html = html.replace(f'name="{name}" value="{fields[name]}"',
                                f'name="{name}" value="{{{name}}}"')
        page.write_text(html, encoding="utf-8")
        db.engine.dispose()
    return found


def stored_ids(url: str) -> set[str]:
    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(url)
    with engine.connect() as connection:
        found = set(connection.execute(text("SELECT submission_id FROM responses")).scalars())
    engine.dispose()
    return found


# --- servers -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def ratelimit_storage(wanted: str) -> str:
    """Redis as in production (one count shared by the workers), when it answers."""
    if not wanted.startswith("redis://"):
        return wanted
    try:
        import redis

        redis.Redis.from_url(wanted, socket_timeout=1).ping()
    except Exception as exc:  # any failure means: not usable here
        print(f"Redis at {wanted} not usable ({exc}); the rate limit counts in memory")
        return "memory://"
    return wanted


@contextmanager
def gunicorn(path: str, url: str, point_id: int, page: Path, args):
    """Serve the real app or the bare endpoint; stop every process it started on the way out."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if path == "app":
        target = ["wsgi:app"]
        env.update(SURVEY_SQLALCHEMY_DATABASE_URI=url, SURVEY_SECRET_KEY="bench-secret",
                   SURVEY_PUBLIC_SUBMIT_LIMIT=args.submit_limit,
                   SURVEY_RATELIMIT_STORAGE_URI=args.ratelimit_storage)
    else:
        target = ["--pythonpath", str(ROOT / "bench"), "bare_app:app"]
        env.update(BARE_DATABASE=url.replace("sqlite:///", "").replace("+psycopg", ""),
                   BARE_POINT=str(point_id), BARE_PAGE=str(page))
    workers = args.workers
    # --preload: the app is imported once, before the workers fork, so that every worker can
    # serve as soon as the port answers (importing the app takes seconds on a busy machine).
    cpu_folder = page.with_name(f"{path}-cpu")
    cpu_folder.mkdir(exist_ok=True)
    for old in cpu_folder.glob("*.json"):
        old.unlink()
    env["BENCH_CPU_FOLDER"] = str(cpu_folder)
    command = [GUNICORN, "--workers", str(workers), "--bind", f"{HOST}:{port}", "--preload",
               "--log-level", "warning", "--backlog", "256",
               "--config", str(ROOT / "bench" / "worker_cpu.py"), *target]
    # The app logs a JSON line per request: into a file, as a log collector that keeps up
    # takes them. Sent to this script's terminal or a pipe, the workers waited on the
    # terminal (half a millisecond a line), which measured the terminal.
    log = page.with_name(f"{path}-server.log")
    with log.open("ab") as sink:
        server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                  stdout=sink, stderr=sink)
    try:
        wait_until_serving(port, server)
        yield port
    except RuntimeError:
        print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_serving(port: int, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                pass
            if request(port, "GET", "/f/warm-up")[0] in (200, 404):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start in time")


# --- clients -------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body: str = "", headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        cookies = "; ".join(c.split(";", 1)[0] for c in reply.msg.get_all("Set-Cookie") or ())
        return reply.status, cookies, reply.read().decode()
    finally:
        connection.close()


def cycle(port: int, path: str, serial: int) -> tuple[str | None, str]:
    """Open the form and send it once, as a phone does: (why it failed or None, submission id)."""
    status, cookie, html = request(port, "GET", path)
    if status != 200:
        return f"GET {status}", ""
    fields = dict(HIDDEN.findall(html))
    answers = {**fields, **ANSWERS, "q_overall": LEVELS[serial % len(LEVELS)]}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie  # the session (CSRF) and the device id
    status, _, _ = request(port, "POST", path, urlencode(answers), headers)
    return (None if status == 303 else f"POST {status}"), fields["submission_id"]


def drive(run: Run, port: int, path: str, clients: int, duration: float, warmup: float) -> None:
    """Run cycles from ``clients`` threads; only cycles started after the warm-up count."""
    lock = threading.Lock()
    start = time.monotonic()
    measure_from, stop = start + warmup, start + warmup + duration
    serial = iter(range(10**9))

    def client() -> None:
        while (began := time.monotonic()) < stop:
            with lock:
                number = next(serial)
            try:
                problem, submission_id = cycle(port, path, number)
            except OSError as exc:
                problem, submission_id = type(exc).__name__, ""
            took = time.monotonic() - began
            with lock:
                if problem is None:
                    run.acked_ids.append(submission_id)
                if began < measure_from:
                    continue
                if problem is None:
                    run.cycles.append(took)
                else:
                    run.errors[problem] = run.errors.get(problem, 0) + 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + warmup + 60)
    run.seconds = duration


def measure(backend: str, url: str, token: str, point_id: int, page: Path, args) -> list[Run]:
    """Bare, then real, ``args.rounds`` times: alternating keeps a busy neighbour's load from
    landing on one side only."""
    runs = []
    for number in range(1, args.rounds + 1):
        for path in ("bare", "app"):
            if backend == "postgresql" and analyze_without_autovacuum(url):
                args.analyzed = True
            run = Run(backend, path, number)
            with gunicorn(path, url, point_id, page, args) as port:
                drive(run, port, f"/f/{token}", args.clients, args.duration, args.warmup)
            run.cpu_ms = worker_cpu(page.with_name(f"{path}-cpu"))
            # Nothing lost: every submission the server acknowledged is in the database.
            run.stored = len(set(run.acked_ids) & stored_ids(url))
            runs.append(run)
    return runs


def analyze_without_autovacuum(url: str) -> bool:
    """ANALYZE the scratch database when the server's autovacuum is off and there are
    responses, as autovacuum would have done on a production server by then (it analyzes a
    table once a tenth of its rows are new); True when it did.

    Without statistics the planner takes ``responses`` for nearly empty, and the integrity
    rules' read (prepared once per connection) may count a device's responses along the
    commune form's index row by row: on this machine it went from 0.2 ms to 7 ms as 20,000
    rows piled up (docs/PERFORMANCE.md). Statistics of the empty tables would mislead the
    other way: the bare endpoint's inserts ran at two thirds of their speed on them.
    """
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.exec_driver_sql("SHOW autovacuum").scalar() == "on" or not \
                    connection.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM responses)").scalar():
                return False
            connection.exec_driver_sql("ANALYZE")
            return True
    finally:
        engine.dispose()


def worker_cpu(folder: Path) -> dict[str, float]:
    """Every worker's CPU time per request by method, from bench/worker_cpu.py's files."""
    totals: dict[str, list[float]] = {}
    for found in folder.glob("*.json"):
        for method, (count, seconds) in json.loads(found.read_text()).items():
            total = totals.setdefault(method, [0, 0.0])
            total[0] += count
            total[1] += seconds
    return {method: round(seconds / count * 1000, 2) for method, (count, seconds)
            in sorted(totals.items()) if count}


# --- report --------------------------------------------------------------------------------

def machine(load_before: tuple[float, ...]) -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    # Other work on the machine shows in the load average before the run.
    load = ", ".join(f"{value:.1f}" for value in load_before)
    return (f"{os.cpu_count()} cores {model}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load average before the run {load}")


def report(runs: list[Run], args) -> dict:
    print(f"\nmachine: {machine(args.load_before)}")
    print(f"gunicorn workers: {args.workers}, clients: {args.clients}, "
          f"{args.duration:.0f} s per run after {args.warmup:.0f} s warm-up, "
          f"rate limit storage: {args.ratelimit_storage}\n")
    print(f"{'backend':<11}{'path':<6}{'round':>6}{'subm/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'acked*':>8}{'stored':>8}{'lost':>6}{'GET cpu':>9}{'POST cpu':>9}  errors")
    for run in runs:
        s = run.summary()
        print(f"{s['backend']:<11}{s['path']:<6}{s['round']:>6}{s['submissions_per_s']:>8}"
              f"{s['p50_ms']:>9}{s['p99_ms']:>9}{s['acknowledged_with_warmup']:>8}"
              f"{s['stored']:>8}{s['lost']:>6}{run.cpu_ms.get('GET', '-'):>9}"
              f"{run.cpu_ms.get('POST', '-'):>9}  {s['errors'] or '-'}")
    print("* acknowledged during warm-up and measurement; the rate counts the measured part")
    print("GET/POST cpu: a worker's CPU milliseconds per request (bench/worker_cpu.py), "
          "warm-up included; waits for the lock, the disk and the client are not CPU")
    if args.analyzed:
        print("PostgreSQL's autovacuum is off on this server: the scratch database was analyzed "
              "before each run that found responses, as autovacuum would have done")
    ratios = {}
    for backend in dict.fromkeys(run.backend for run in runs):
        rates = {path: statistics.median(r.rate for r in runs
                                         if (r.backend, r.path) == (backend, path))
                 for path in ("bare", "app")}
        ratios[backend] = round(rates["app"] / rates["bare"], 2) if rates["bare"] else None
        verdict = "meets" if ratios[backend] and ratios[backend] >= 0.5 else "BELOW"
        print(f"{backend}: median {rates['app']:.1f} / {rates['bare']:.1f} subm/s, "
              f"real/bare = {ratios[backend]} ({verdict} the 0.5 target)")
    return {"machine": machine(args.load_before), "workers": args.workers, "clients": args.clients,
            "ratelimit_storage": args.ratelimit_storage, "analyzed_by_hand": args.analyzed,
            "duration": args.duration, "rounds": args.rounds,
            "runs": [r.summary() for r in runs], "ratio": ratios}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per run")
    parser.add_argument("--rounds", type=int, default=3, help="bare/real pairs per backend")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=16, help="parallel client threads")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             DEFAULT_POSTGRES),
                        help="a PostgreSQL URL whose server may get a scratch database")
    parser.add_argument("--submit-limit", default="1000000 per minute",
                        help="SURVEY_PUBLIC_SUBMIT_LIMIT for the real app")
    parser.add_argument("--ratelimit-storage", default="redis://127.0.0.1:6379/15",
                        help="SURVEY_RATELIMIT_STORAGE_URI for the real app (memory:// if no "
                             "Redis answers)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "submit.json")
    args = parser.parse_args()
    args.load_before = os.getloadavg()
    args.analyzed = False
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    args.ratelimit_storage = ratelimit_storage(args.ratelimit_storage)
    runs: list[Run] = []
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="bench-submit-") as folder, \
                scratch_database(backend, args.postgres, Path(folder)) as url:
            page = Path(folder) / "form.html"
            token, point_id = prepare(url, page)
            runs.extend(measure(backend, url, token, point_id, page, args))
    summary = report(runs, args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"\nwritten to {args.json}")
    return 1 if any(run.lost for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

