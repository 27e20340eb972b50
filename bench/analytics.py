"""Measure the steering committee's figures on a national-size campaign in PostgreSQL.

A scratch database gets the schema (migrations), 3,321 communes in 34 groupings, the seven
bundled forms, one campaign running all of them, and 200 responses per commune and form
(4.65 million), bulk-loaded with INSERT ... SELECT generate_series (the statement triggers keep
the roll-up as they would for any insert), plus one answer row per response for the
satisfaction question. It then times, warm, the median of several runs of:

- the app's way: ``services.results.campaign_results`` (headline, per-commune statuses and
  every commune × form rate), the JSON API's summary and per-commune table, the dashboard page
  (and its size, plain and gzipped), the weekly trend from the weekly roll-up;
- next to them, in the same run, the way before: the campaign's communes found by reading
  every response, and the trend grouped from every response (both checked to give the same);
- the same figures grouped straight from ``responses`` (no roll-up);
- the naive way: read every satisfaction answer with its response into pandas and group;
- the cost the roll-up adds to one insert (single-row inserts, triggers on and off).

Only 127.0.0.1 is contacted; the scratch database is dropped at the end unless --keep.

    .venv/bin/python bench/analytics.py                  # national size, about 5 minutes
    .venv/bin/python bench/analytics.py --communes 300   # a quick look
    .venv/bin/python bench/analytics.py --write          # also update docs/PERFORMANCE.md
    .venv/bin/python bench/analytics.py --keep           # keep the database (then --reuse,
                                                         # which migrates it first)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgresql+psycopg://root@127.0.0.1:5432/test"
SCRATCH = "survey_bench_analytics"
GROUPINGS = 34
BEGIN, END = "<!-- analytics:begin -->", "<!-- analytics:end -->"
#: Share of "rat_hai_long"/"hai_long" answers per commune, so statuses differ.
QUALITY = "(0.70 + 0.25 * ((c * 7919) % 100) / 100.0)"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(function: Callable, runs: int) -> tuple[float, float, object]:
    """(first run, median of the next ``runs``) in seconds, and the last result."""
    start = time.perf_counter()
    result = function()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times), result


def scratch_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def recreate(server: str, name: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop(server: str, name: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def load(app, communes: int, per_form: int) -> int:
    """Units, forms, campaign and responses; returns the campaign id."""
    from survey_app.extensions import db
    from survey_app.models import Campaign
    from survey_app.models import CampaignForm
    from survey_app.models import Form
    from survey_app.models import Province
    from survey_app.models import Role
    from survey_app.models import User
    from survey_app.services.catalogue.form_versions import publish_bundled

    with app.app_context():
        session = db.session
        publish_bundled(session)
        province = Province(code="99", name="Toàn quốc (thử tải)", division_type="tỉnh")
        session.add(province)
        session.flush()
        session.execute(text(
            "INSERT INTO groupings (province_id, code, name, kind) "
            "SELECT :p, 'T' || g, 'Tỉnh thử ' || g, 'province' FROM generate_series(1, :n) g"),
            {"p": province.id, "n": GROUPINGS})
        session.execute(text(
            "INSERT INTO communes (code, name, division_type, province_id, grouping_id, "
            "staff_headcount, is_active) "
            "SELECT lpad(c::text, 5, '0'), 'Xã thử ' || c, 'xã', :p, "
            "(SELECT min(id) FROM groupings WHERE province_id = :p) + (c % :g), "
            "15 + (c % 20), true FROM generate_series(1, :n) c"),
            {"p": province.id, "n": communes, "g": GROUPINGS})
        campaign = Campaign(name="Toàn quốc 2026", province_id=province.id)
        for form in session.scalars(db.select(Form).order_by(Form.code)):
            campaign.forms.append(CampaignForm(form_id=form.id, opens_on=date(2026, 1, 1),
                                               closes_on=date(2026, 12, 31),
                                               sample_target=per_form))
        session.add(campaign)
        admin = User(username="bench", full_name="Bench", role=Role.admin)
        admin.set_password("bench-analytics-2026")
        session.add(admin)
        session.commit()
        forms = session.execute(text(
            "SELECT f.id, max(v.id) FROM forms f JOIN form_versions v ON v.form_id = f.id "
            "GROUP BY f.id ORDER BY f.id")).all()
        session.execute(text("SELECT setseed(0.2026)"))
        for number, (form_id, version_id) in enumerate(forms, start=1):
            start = time.perf_counter()
            session.execute(text(f"""
                INSERT INTO responses (submission_id, campaign_id, commune_id, form_id,
                    form_version_id, channel, content_hash, satisfaction_answer, received_at,
                    is_flagged)
                SELECT gen_random_uuid()::text, :campaign, m.id, :form, :version, 'qr',
                    repeat('0', 64),
                    CASE WHEN random() < {QUALITY.replace('c', 'm.c')}
                         THEN (ARRAY['rat_hai_long', 'hai_long'])[1 + (n % 2)]
                         ELSE (ARRAY['binh_thuong', 'khong_hai_long'])[1 + (n % 2)] END,
                    timestamptz '2026-06-01 00:00+07' + random() * interval '180 days',
                    random() < 0.01
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS c FROM communes
                      WHERE province_id = :province) AS m
                CROSS JOIN generate_series(1, :per) AS n
            """), {"campaign": campaign.id, "form": form_id, "version": version_id,
                   "province": province.id, "per": per_form})
            session.commit()
            log(f"  form {number}/{len(forms)}: {communes * per_form:,} responses in "
                f"{time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        session.execute(text(
            "INSERT INTO answers (response_id, question_id, value) "
            "SELECT id, 'q_overall', satisfaction_answer FROM responses "
            "WHERE satisfaction_answer IS NOT NULL"))
        session.commit()
        log(f"  answers in {time.perf_counter() - start:.1f} s")
        return campaign.id


def vacuum(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def naive(url: str, campaign_id: int):
    """Read every satisfaction answer with its response into pandas, then group."""
    import pandas as pd

    engine = create_engine(url)
    query = text(
        "SELECT r.commune_id, r.form_id, r.form_version_id, r.is_flagged, a.value "
        "FROM answers a JOIN responses r ON r.id = a.response_id "
        "WHERE r.campaign_id = :c AND a.question_id = 'q_overall'")

    def run():
        with engine.connect() as connection:
            frame = pd.read_sql(query, connection, params={"c": campaign_id})
        valid = frame[~frame["is_flagged"]]
        valid = valid.assign(satisfied=valid["value"].isin(["rat_hai_long", "hai_long"]))
        per_form = valid.groupby(["commune_id", "form_id"]).agg(
            valid=("satisfied", "size"), satisfied=("satisfied", "sum"))
        per_form["passes"] = (per_form["satisfied"] * 5 >= per_form["valid"] * 4) & (
            per_form["valid"] >= 30)
        meets = per_form.groupby("commune_id")["passes"].all()
        return int(meets.sum()), len(frame)

    result = timed(run, 2)
    engine.dispose()
    return result


def insert_cost(app, campaign_id: int, rows: int) -> tuple[float, float]:
    """Microseconds per single-row INSERT statement, with and without the triggers.

    The statements share one transaction, so the commit's disk flush (the same with or
    without triggers) does not hide what the roll-up adds.
    """
    from survey_app.extensions import db

    def insert_rows(tag: str) -> float:
        with app.app_context():
            connection = db.engine.raw_connection()
            cursor = connection.cursor()
            cursor.execute("SELECT commune_id, form_id, form_version_id FROM responses "
                           "WHERE campaign_id = %s LIMIT 1", (campaign_id,))
            commune_id, form_id, version_id = cursor.fetchone()
            connection.commit()
            start = time.perf_counter()
            for _ in range(rows):
                cursor.execute(
                    "INSERT INTO responses (submission_id, campaign_id, commune_id, form_id, "
                    "form_version_id, channel, content_hash, satisfaction_answer, received_at, "
                    "is_flagged) VALUES (gen_random_uuid()::text, %s, %s, %s, %s, 'qr', %s, "
                    "'hai_long', now(), false)",
                    (campaign_id, commune_id, form_id, version_id, tag * 64))
            elapsed = time.perf_counter() - start
            connection.commit()
            connection.close()
            return elapsed / rows * 1e6

    with_triggers = insert_rows("a")
    with app.app_context():
        db.session.execute(text("ALTER TABLE responses DISABLE TRIGGER USER"))
        db.session.commit()
    try:
        without = insert_rows("b")
    finally:
        with app.app_context():
            # Each set leaves as it came: the rows stored without the triggers are deleted
            # without them (deleting them with the triggers would take from the roll-ups
            # counts never added, and leave a kept database drifting).
            db.session.execute(text("DELETE FROM responses WHERE content_hash = :b"),
                               {"b": "b" * 64})
            db.session.execute(text("ALTER TABLE responses ENABLE TRIGGER USER"))
            db.session.execute(text("DELETE FROM responses WHERE content_hash = :a"),
                               {"a": "a" * 64})
            db.session.commit()
    return with_triggers, without


def scope_before(campaign, visible, grouping_id=None):
    """``scoped_commune_ids`` as it was: an inactive unit's answers looked for in every
    response of the campaign (``IN``), which the database read in full on each query."""
    from sqlalchemy import or_
    from sqlalchemy import select

    from survey_app.models import Commune
    from survey_app.models import Response

    answered = select(Response.commune_id).where(Response.campaign_id == campaign.id)
    query = select(Commune.id).where(
        Commune.province_id == campaign.province_id,
        or_(Commune.is_active.is_(True), Commune.id.in_(answered)), Commune.id.in_(visible))
    if grouping_id is not None:
        query = query.where(Commune.grouping_id == grouping_id)
    return query


def measure(app, kept_app, url: str, campaign_id: int, runs: int,
            include_naive: bool) -> dict:
    from survey_app.access import visible_commune_ids
    from survey_app.extensions import db
    from survey_app.models import Campaign
    from survey_app.models import User
    from survey_app.services.results import campaign as service

    figures: dict[str, object] = {}
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        admin = db.session.scalar(db.select(User).where(User.username == "bench"))
        visible = visible_commune_ids(admin)
        first, median, results = timed(
            lambda: service.campaign_results(db.session, campaign, visible), runs)
        overall = results.evaluation.overall
        figures["results"] = (first, median)
        # The way before the roll-up was asked which inactive units answered: the
        # campaign's communes asked of every response, in the same run.
        current = service.scoped_commune_ids
        service.scoped_commune_ids = scope_before
        try:
            first, median, before = timed(
                lambda: service.campaign_results(db.session, campaign, visible), runs)
        finally:
            service.scoped_commune_ids = current
        assert before.evaluation == results.evaluation, "the two scopes disagree"
        figures["results_before"] = (first, median)
        figures["overall"] = overall
        figures["cells"] = len(results.evaluation.results)
        tally_rows = db.session.scalar(text(
            "SELECT count(*) FROM response_tallies WHERE campaign_id = :c"), {"c": campaign_id})
        figures["tally_rows"] = tally_rows
        figures["week_rows"] = db.session.scalar(text(
            "SELECT count(*) FROM response_week_tallies WHERE campaign_id = :c"),
            {"c": campaign_id})
        first, median, direct = timed(lambda: service.campaign_results(
            db.session, campaign, visible, until=date(2100, 1, 1)), max(1, runs // 2))
        assert direct.evaluation.overall == overall, "roll-up and direct count disagree"
        figures["direct"] = (first, median)
        first, median, trend = timed(lambda: service.campaign_trend(db.session, results),
                                     max(1, runs // 2))
        figures["trend"] = (first, median, len(trend))
        # Before the weekly roll-up: the same trend grouped from every response (the path a
        # report "as of" a date still takes; a day far ahead leaves out nothing).
        far = service.campaign_results(db.session, campaign, visible, until=date(2100, 1, 1))
        first, median, scanned = timed(lambda: service.campaign_trend(db.session, far),
                                       max(1, runs // 2))
        assert scanned == trend, "the weekly roll-up and the responses disagree"
        figures["trend_before"] = (first, median)
        figures["responses"] = db.session.scalar(text(
            "SELECT count(*) FROM responses WHERE campaign_id = :c"), {"c": campaign_id})

    client = time_pages(app, {
        "api_summary": f"/api/v1/campaigns/{campaign_id}/summary",
        "api_communes": f"/api/v1/campaigns/{campaign_id}/communes",
        "page": f"/bang-dieu-khien/?campaign={campaign_id}"}, max(1, runs // 2), figures)
    figures["page_gzip"] = len(client.get(f"/bang-dieu-khien/?campaign={campaign_id}",
                                          headers={"Accept-Encoding": "gzip"}).data)
    measure_kept(kept_app, campaign_id, runs, figures)
    if include_naive:
        first, median, (meets, rows) = naive(url, campaign_id)
        figures["naive"] = (first, median, rows)
        figures["naive_meets"] = meets
    return figures


def measure_kept(app, campaign_id: int, runs: int, figures: dict) -> None:
    """The same on an app that keeps figures a minute (RESULTS_KEPT_SECONDS): the first
    request works them out, the next ones within the minute find them kept."""
    from survey_app.access import visible_commune_ids
    from survey_app.extensions import db
    from survey_app.models import Campaign
    from survey_app.models import User
    from survey_app.services.results import kept

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        admin = db.session.scalar(db.select(User).where(User.username == "bench"))
        visible = visible_commune_ids(admin)
        first, median, results = timed(lambda: kept.kept_results(db.session, campaign, visible),
                                       runs)
        assert results.evaluation.overall == figures["overall"], "kept figures differ"
        figures["kept_results"] = (first, median)
        first, median, _trend = timed(lambda: kept.kept_trend(db.session, results), runs)
        figures["kept_trend"] = (first, median)
        kept.kept().clear()
    time_pages(app, {
        "kept_summary": f"/api/v1/campaigns/{campaign_id}/summary",
        "kept_page": f"/bang-dieu-khien/?campaign={campaign_id}",
        "kept_trend_page": f"/bang-dieu-khien/xu-huong?campaign={campaign_id}&partial=1"},
        runs, figures)


def time_pages(app, paths: dict[str, str], runs: int, figures: dict):
    """Sign in, then time each page through Flask: figures[name] = (first, median, size).
    The signed-in client is returned."""
    client = app.test_client()
    response = client.post("/dang-nhap", data={"username": "bench",
                                                "password": "bench-analytics-2026"})
    assert response.status_code == 302, response.status_code
    for name, path in paths.items():
        def get(path=path):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            return len(answer.data)
        figures[name] = timed(get, runs)
    return client


def report(figures: dict, args, load_seconds: float | None,
           inserts: tuple[float, float]) -> str:
    overall = figures["overall"]
    ms = lambda seconds: f"{seconds * 1000:,.0f} ms"  # noqa: E731
    lines = [
        BEGIN,
        "## Analytics",
        "",
        "The headline (communes meeting the standard against the target) and the per-commune "
        f"table for a national-size campaign in PostgreSQL: {figures['overall'].communes:,} "
        "communes in "
        f"{GROUPINGS} groupings × 7 forms × {args.per_form} responses = "
        f"**{figures['responses']:,} responses** (1% flagged), plus one answer row each for "
        "the satisfaction question. Bulk-loaded with INSERT ... SELECT generate_series "
        + (f"(load, roll-up by the statement triggers, VACUUM ANALYZE: {load_seconds:.0f} s, "
           "not timed below)." if load_seconds is not None else
           "by an earlier run with `--keep` (the figures below come from `--reuse`)."),
        "",
        f"    .venv/bin/python bench/analytics.py --communes {figures['overall'].communes} "
        f"--per-form {args.per_form}",
        "",
        "Warm medians (first, cold run in brackets):",
        "",
        "| | time | notes |",
        "|---|---|---|",
        f"| **headline + per-commune table** (`campaign_results`: read the roll-up, every "
        f"commune × form rate with its Wilson interval, statuses, groupings) | "
        f"**{ms(figures['results'][1])}** ({ms(figures['results'][0])}) | "
        f"{figures['tally_rows']:,} roll-up rows → {figures['cells']:,} commune × form "
        "results |",
        f"| the same, the way before (the campaign's communes found by reading every "
        f"response) | {ms(figures['results_before'][1])} "
        f"({ms(figures['results_before'][0])}) | same results, checked |",
        f"| API `/summary` (JSON, through Flask) | {ms(figures['api_summary'][1])} "
        f"({ms(figures['api_summary'][0])}) | {figures['api_summary'][2]:,} bytes |",
        f"| API `/communes` (JSON, every commune and form) | "
        f"{ms(figures['api_communes'][1])} ({ms(figures['api_communes'][0])}) | "
        f"{figures['api_communes'][2]:,} bytes |",
        f"| the same figures grouped straight from `responses` (no roll-up; the path of a "
        f"report \"as of\" a date) | {ms(figures['direct'][1])} ({ms(figures['direct'][0])}) |"
        " |",
        f"| **weekly trend** (read the weekly roll-up `response_week_tallies`, "
        f"{figures['week_rows']:,} rows; loaded after the page; beyond 500 communes, totals "
        f"per week only) | **{ms(figures['trend'][1])}** ({ms(figures['trend'][0])}) | "
        f"{figures['trend'][2]} weeks |",
        f"| the same trend the way before (GROUP BY week over `responses`; still the path of "
        f"a report \"as of\" a date) | {ms(figures['trend_before'][1])} "
        f"({ms(figures['trend_before'][0])}) | same weeks, checked |",
        f"| dashboard page through Flask (headline, charts, grouping × form heat map, the "
        f"first 50-row page of the {figures['overall'].communes:,}-row commune table) | "
        f"{ms(figures['page'][1])} ({ms(figures['page'][0])}) | "
        f"{figures['page'][2] / 1000:,.0f} KB of HTML, {figures['page_gzip'] / 1000:,.0f} KB "
        "sent gzipped |",
        "| *kept a minute per process (`RESULTS_KEPT_SECONDS=60`, the default): the first "
        "request works the figures out, the next ones within the minute find them* | | |",
        f"| **headline + per-commune table, kept** (`kept_results`) | "
        f"**{ms(figures['kept_results'][1])}** ({ms(figures['kept_results'][0])}) | the key: "
        "the scope's SQL and the newest audit row (one indexed read) |",
        f"| **weekly trend, kept** (`kept_trend`) | **{ms(figures['kept_trend'][1])}** "
        f"({ms(figures['kept_trend'][0])}) | |",
        f"| API `/summary`, kept | {ms(figures['kept_summary'][1])} "
        f"({ms(figures['kept_summary'][0])}) | |",
        f"| dashboard page, kept | {ms(figures['kept_page'][1])} "
        f"({ms(figures['kept_page'][0])}) | rendering the page: charts, heat map, table |",
        f"| the trend the page loads after it has shown (`/xu-huong?partial=1`), kept | "
        f"{ms(figures['kept_trend_page'][1])} ({ms(figures['kept_trend_page'][0])}) | |",
    ]
    if "naive" in figures:
        lines.append(
            f"| naive: read every satisfaction answer with its response into pandas, group "
            f"| {ms(figures['naive'][1])} ({ms(figures['naive'][0])}) | "
            f"{figures['naive'][2]:,} rows read |")
    lines += [
        "",
        f"Result: {overall.meets:,} of {overall.communes:,} communes meet the standard "
        f"({float(overall.share) * 100:.1f}%), {overall.needed:,} more needed for the "
        f"{float(overall.target) * 100:.0f}% target"
        + (f"; the naive count agrees ({figures['naive_meets']:,})." if "naive" in figures
           else "."),
    ]
    if "naive" in figures:
        ratio = figures["naive"][1] / figures["results"][1]
        direct = figures["direct"][1] / figures["results"][1]
        lines += ["", f"**Ratio naive / roll-up: {ratio:,.0f}×** (grouping straight from "
                  f"`responses`: {direct:,.1f}× the roll-up)."]
    lines += [
        "",
        "Where the time goes: the database sums the roll-up rows into one row per commune and "
        "form, with and without the flagged responses in one read (about 120 ms of the "
        "server's time at national size); the rest of the headline is Python building every "
        "commune × form result (exact rate, state) twice, without and with the flagged "
        "responses, and the statuses (23,000 result objects each time, the Vietnamese name "
        "order of 3,321 communes). Kept figures skip all of it: the overview, its trend and "
        "the API keep a campaign's figures a minute per process, keyed by everything they "
        "depend on, the newest row of the audit trail included, so that a staff action that "
        "changes figures shows at once (services/results/kept.py). The way before also "
        "read every response of the campaign to find which communes belong to it (an inactive "
        "unit counts where it took answers); the roll-up answers that now. The weekly trend "
        "reads `response_week_tallies`, the same counts split by week (Monday, Vietnam time), "
        "kept by the same triggers; beyond 500 communes it sums them by week and form first. "
        "The way before grouped every response by week on each view. Without the roll-up, the "
        "headline's sums scan every response too. Campaigns are per province (100–170 "
        "communes, a few hundred thousand responses), where all of this is a fraction of these "
        "figures; the national campaign is the stress case.",
        "",
        f"Cost of the roll-ups on writes: one single-row INSERT statement takes "
        f"{inserts[0]:,.0f} µs with the triggers (both roll-ups) and {inserts[1]:,.0f} µs "
        "without them "
        f"({args.insert_rows:,} inserts each, in one transaction so that the commit's disk "
        "flush, the same either way, does not hide the difference).",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, PostgreSQL {figures.get('server_version', '?')} with "
        "its default settings (shared_buffers 128 MB, work_mem 4 MB), shared with other "
        "test runs and benchmarks while measured: expect ±30% between runs.",
        END,
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    path = ROOT / "docs" / "PERFORMANCE.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if BEGIN in current and END in current:
        before, rest = current.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        current = before + section + after
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=DEFAULT_SERVER,
                        help="a PostgreSQL URL used to create the scratch database")
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--per-form", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first")
    parser.add_argument("--insert-rows", type=int, default=2000)
    parser.add_argument("--no-naive", action="store_true", help="skip the pandas way")
    parser.add_argument("--database", default=SCRATCH,
                        help="the scratch database's name (dropped and made anew)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a previous --keep run left (no load)")
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from survey_app import create_app

    url = scratch_url(args.server, args.database)
    log(f"scratch database {args.database}")
    if not args.reuse:
        recreate(args.server, args.database)
    try:
        settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                    "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
        # Figures worked out on every request; the kept ones are measured on their own.
        app = create_app({**settings, "RESULTS_KEPT_SECONDS": 0})
        kept_app = create_app({**settings, "RESULTS_KEPT_SECONDS": 60})
        start = time.perf_counter()
        if args.reuse:
            with app.app_context():
                from survey_app.extensions import db

                # A database kept by an older checkout gets this one's migrations (and
                # their backfills, timed here).
                start = time.perf_counter()
                upgrade()
                figures_upgrade = time.perf_counter() - start
                log(f"migrated in {figures_upgrade:.1f} s")
                campaign_id = db.session.scalar(text("SELECT max(id) FROM campaigns"))
            vacuum(url)
        else:
            with app.app_context():
                upgrade()
            log("loading")
            campaign_id = load(app, args.communes, args.per_form)
            vacuum(url)
        load_seconds = None if args.reuse else time.perf_counter() - start
        log("measuring")
        figures = measure(app, kept_app, url, campaign_id, args.runs, not args.no_naive)
        with app.app_context():
            from survey_app.extensions import db

            figures["server_version"] = db.session.scalar(text("SHOW server_version"))
        inserts = insert_cost(app, campaign_id, args.insert_rows)
        section = report(figures, args, load_seconds, inserts)
        print(section)
        if args.write:
            write_section(section)
            log("docs/PERFORMANCE.md updated")
        with app.app_context():
            from survey_app.extensions import db

            db.engine.dispose()
    finally:
        if not (args.keep or args.reuse):
            drop(args.server, args.database)
            log(f"dropped {args.database}")


if __name__ == "__main__":
    main()
