"""Where a citizen's submission spends its time in SQL, statement by statement.

In one process, with the Flask test client (no gunicorn, no network), on a scratch database
made as ``bench/submit.py`` makes it (one commune, an open campaign, a PKS05 point): warm up,
then run GET + POST cycles and print the time per cycle and, per SQL statement (timed by
SQLAlchemy's cursor events), its time and count per cycle. Every signal and integrity rule
is on, as in production; the limiter counts in memory. Listening to the statements makes the
hot ones (``DriverStatement``) go through ``exec_driver_sql`` instead of SQLite's own cursor,
so the cycle here is a little slower than in production.

    .venv/bin/python bench/submit_statements.py                  # SQLite
    .venv/bin/python bench/submit_statements.py --postgres postgresql+psycopg://root@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import submit  # noqa: E402  (the same loader and answers as bench/submit.py)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an admin URL: a scratch database is made beside it")
    parser.add_argument("--cycles", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    with submit.scratch_database("postgresql" if args.postgres else "sqlite",
                                 args.postgres or "", folder) as url:
        run(url, folder, args.cycles)
    return 0


def run(url: str, folder: Path, cycles: int) -> None:
    from sqlalchemy import event

    from survey_app import create_app
    from survey_app.extensions import db

    token, _point = submit.prepare(url, folder / "page.html")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "PUBLIC_SUBMIT_LIMIT": "1000000 per minute",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    logging.disable(logging.CRITICAL)
    stats: dict[str, list] = collections.defaultdict(lambda: [0, 0.0])
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def ended(conn, cursor, statement, parameters, context, executemany):
        entry = stats[" ".join(statement.split())[:90]]
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info["bench_started"]

    path = f"/f/{token}"

    def cycle(serial: int) -> None:
        client = app.test_client()
        fields = dict(submit.HIDDEN.findall(client.get(path).get_data(as_text=True)))
        reply = client.post(path, data={**fields, **submit.ANSWERS,
                                        "q_overall": submit.LEVELS[serial % 4]})
        assert reply.status_code == 303, reply.status_code

    for serial in range(300):
        cycle(serial)
    stats.clear()
    began = time.perf_counter()
    for serial in range(cycles):
        cycle(1000 + serial)
    total = time.perf_counter() - began
    print(f"{url.split(':', 1)[0]}: {total / cycles * 1000:.3f} ms per GET + POST cycle")
    for statement, (count, seconds) in sorted(stats.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"  {seconds / cycles * 1000:7.3f} ms  ×{count / cycles:.2f}  {statement}")
    engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
