"""Posters for a whole province: posters per second, total time, peak memory.

    .venv/bin/python bench/posters.py [--db /tmp/bench-posters.db] [--province 24]

The first run builds a scratch SQLite database with the demo province (``flask db upgrade``
and ``flask demo load`` in a child process, not timed); later runs reuse it. The timed part
is what ``flask qr posters --province 24`` does: read the live points, draw one A4 page per
point, write one PDF. A second, untimed pass under tracemalloc gives the peak of Python
allocations while rendering; ru_maxrss is the whole process's peak resident size.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE_URL = "https://khaosat.bacninh.gov.vn"


def ensure_demo(db: Path, province: int) -> None:
    """Migrate and load the demo province into ``db`` unless that was done before."""
    if db.exists():
        return
    env = {**os.environ, "SURVEY_SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}",
           "SURVEY_DEMO_PROVINCE_CODE": str(province)}
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
    print(f"building the demo database in {db} (once; not timed)...", flush=True)
    for args in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([*flask, *args], cwd=ROOT, env=env, check=True, capture_output=True)


def render_province(province_code: int, out) -> int:
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Commune
    from survey_app.models import Province
    from survey_app.services.collection_points.posters import PosterScope
    from survey_app.services.collection_points.posters import find_posters
    from survey_app.services.collection_points.posters import write_posters_pdf

    province = db.session.scalar(select(Province).where(Province.code == str(province_code)))
    scope = PosterScope(province_id=province.id)
    return write_posters_pdf(find_posters(db.session, scope, select(Commune.id)), out)


def check_codes(pdf: Path, pages: int) -> int:
    """Decode the code on a few pages, so a fast run is also a correct one."""
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(str(pdf))
    decoded = 0
    for index in (0, pages // 2, pages - 1):
        image = document[index].render(scale=100 / 72).to_pil()
        decoded += any(r.text.startswith(BASE_URL) for r in zxingcpp.read_barcodes(image))
    document.close()
    return decoded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-posters.db"))
    parser.add_argument("--province", type=int, default=24)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-posters.pdf"))
    args = parser.parse_args()
    ensure_demo(args.db, args.province)

    from survey_app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}",
                      "PUBLIC_BASE_URL": BASE_URL})
    with app.app_context():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with args.out.open("wb") as out:
            pages = render_province(args.province, out)
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        tracemalloc.start()
        render_province(args.province, io.BytesIO())
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    size = args.out.stat().st_size
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"posters: {pages} A4 pages in one PDF ({size / 1e6:.1f} MB) -> {args.out}")
    print(f"time: {seconds:.1f} s, {pages / seconds:.0f} posters/s")
    print(f"peak Python allocations while rendering (tracemalloc): {traced_peak / 1e6:.1f} MB")
    print(f"peak resident size of the process (ru_maxrss): {rss_after / 1024:.0f} MB "
          f"(before rendering: {rss_before / 1024:.0f} MB)")
    print(f"codes decoded on sample pages: {check_codes(args.out, pages)}/3")


if __name__ == "__main__":
    main()
