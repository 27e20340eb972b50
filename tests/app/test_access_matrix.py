"""Every route × every role × own, neighbouring and foreign units, against a written table.

The test walks ``app.url_map``: a route missing from ``EXPECTED`` fails it, so each new route
must be added here with who may open it. URL parameters (commune, point, user, batch ids...)
are filled three ways: the role's **own** unit, a **neighbour** in the same province outside
the grouping and commune of the reader accounts, and a **foreign** unit in another province.

Each request runs inside a transaction that is rolled back afterwards (the app's session is
swapped for one joined to an outer transaction), so a POST that writes (disable an account,
retire a point, log out) leaves nothing behind for the next request.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import plotly
import pytest
from flask import g
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import scoped_session
from sqlalchemy.orm import sessionmaker

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import Decision
from survey_app.models import Dossier
from survey_app.models import Evidence
from survey_app.models import ImportBatch
from survey_app.models import Job
from survey_app.models import JobStatus
from survey_app.models import Province
from survey_app.models import Registration
from survey_app.models import Role
from survey_app.models import SurveyorAssignment
from survey_app.models.imports import ImportStatus
from survey_app.services.intake.store import store_response
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.fixtures.field import add_user

ROLES = ("anonymous", "admin", "steering", "grouping", "official", "coordinator", "surveyor")
TARGETS = ("own", "neighbour", "foreign")
#: ok: let in. deny: 403 or 404. login: 401 or sent to sign in. refused: answered (a flash
#: and a redirect) without writing anything. A denied, login or refused POST must write
#: nothing at all, and no POST by a commune official may change a response.
OK, DENY, LOGIN, REFUSED = "ok", "deny", "login", "refused"
#: Parameters that name a unit or something that belongs to one: checked three ways.
SCOPED_PARAMS = {"commune_id", "point_id", "token", "user_id", "batch_id", "campaign_id",
                 "campaign_form_id", "response_id", "evidence_id", "job_id"}


def everyone() -> dict[str, object]:
    return dict.fromkeys(ROLES, OK)


def staff(default: object = DENY, **roles: object) -> dict[str, object]:
    """Anonymous visitors are sent to sign in; admins pass; other roles as given."""
    return {"anonymous": LOGIN, "admin": OK, **dict.fromkeys(ROLES[2:], default), **roles}


#: What each role sees on a commune-scoped route: (own, neighbour, foreign).
PROVINCE = (OK, OK, DENY)
OWN_ONLY = (OK, DENY, DENY)
#: Routes that read commune data: readers scoped to their units, coordinators to the province.
READERS = {"steering": PROVINCE, "grouping": OWN_ONLY, "official": OWN_ONLY,
           "coordinator": PROVINCE}
#: The same pages without a unit in the URL: the data inside is scoped by the query.
READER_PAGES = dict.fromkeys(("steering", "grouping", "official", "coordinator"), OK)
#: A campaign named in the URL: the own and neighbour targets share the province's campaign.
CAMPAIGN = (OK, OK, DENY)

EXPECTED: dict[tuple[str, str], dict[str, object]] = {
    # Citizens and the sign-in page: open to all.
    ("static", "GET"): everyone(),
    ("public.home", "GET"): everyone(),
    ("public.health", "GET"): everyone(),
    ("public.form", "GET"): everyone(),
    ("public.submit", "POST"): everyone(),
    ("public.thanks", "GET"): everyone(),
    ("auth.login", "GET"): everyone(),
    ("auth.login", "POST"): everyone(),
    # The second step of a sign-in: without a pending one, anyone is sent back to sign in.
    ("auth.code", "GET"): everyone(),
    ("auth.code", "POST"): everyone(),
    ("auth.logout", "POST"): staff(OK),
    # Dashboard: readers and coordinators, scoped; surveyors enter data, they do not read it.
    ("dashboard.static", "GET"): everyone(),
    ("dashboard.plotly_js", "GET"): everyone(),
    ("public.favicon", "GET"): everyone(),
    ("dashboard.index", "GET"): staff(**READER_PAGES),
    ("dashboard.report", "GET"): staff(**READER_PAGES),
    ("dashboard.report_pdf", "GET"): staff(**READER_PAGES),
    ("dashboard.trend", "GET"): staff(**READER_PAGES),
    ("dashboard.channels", "GET"): staff(steering=OK, grouping=OK),
    ("dashboard.commune", "GET"): staff(**READERS),
    ("dashboard.export_xlsx", "GET"): staff(**READER_PAGES),
    ("dashboard.export_csv", "GET"): staff(**READER_PAGES),
    ("dashboard.export_job", "POST"): staff(**READER_PAGES),
    ("dashboard.export_zip", "GET"): staff(**READER_PAGES),
    ("dashboard.suggestions", "GET"): staff(steering=OK, official=OK),
    ("dashboard.suggestions_csv", "GET"): staff(steering=OK, official=OK),
    # Integrity of QR responses: the committee and groupings look, the committee decides.
    ("dashboard.integrity_index", "GET"): staff(steering=OK, grouping=OK),
    ("dashboard.integrity_recompute", "POST"): staff(steering=OK),
    ("dashboard.integrity_commune", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY),
    ("dashboard.integrity_decide", "POST"): staff(steering=PROVINCE),
    # The JSON API: the dashboard's readers, scoped; 401 rather than a sign-in redirect.
    ("api.campaigns", "GET"): staff(**READER_PAGES),
    ("api.summary", "GET"): staff(**dict.fromkeys(READER_PAGES, CAMPAIGN)),
    ("api.communes", "GET"): staff(**dict.fromkeys(READER_PAGES, CAMPAIGN)),
    ("api.commune", "GET"): staff(**READERS),
    # QR codes: the steering committee, groupings and communes read their own points;
    # only admins make, rotate or retire them.
    ("admin.points", "GET"): staff(steering=OK, grouping=OK, official=OK),
    ("admin.commune_points", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                           official=OWN_ONLY),
    ("admin.point_png", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY, official=OWN_ONLY),
    ("admin.point_svg", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY, official=OWN_ONLY),
    ("admin.point_poster", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                         official=OWN_ONLY),
    ("admin.posters_pdf", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                        official=OWN_ONLY),
    ("admin.posters_zip", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                        official=OWN_ONLY),
    ("admin.posters_job", "POST"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                         official=OWN_ONLY),
    ("admin.add_point", "POST"): staff(),
    ("admin.rotate_point", "POST"): staff(),
    ("admin.retire", "POST"): staff(),
    # Administration proper.
    ("admin.index", "GET"): staff(),
    ("admin.audit", "GET"): staff(steering=OK),
    ("admin.rulebooks", "GET"): staff(),
    ("admin.rulebooks_save", "POST"): staff(),
    ("admin.integrity_rules", "GET"): staff(),
    ("admin.integrity_rules_save", "POST"): staff(),
    ("admin.assignments", "GET"): staff(),
    ("admin.assignments_save", "POST"): staff(),
    ("admin.assignments_reset", "POST"): staff(),
    # Accounts: admins manage all; a coordinator its own organisation's surveyors only.
    ("admin.accounts", "GET"): staff(coordinator=OK),
    ("admin.account_new", "GET"): staff(coordinator=OK),
    ("admin.account_new", "POST"): staff(coordinator=OK),
    ("admin.account_edit", "GET"): staff(coordinator=OWN_ONLY),
    ("admin.account_edit", "POST"): staff(coordinator=OWN_ONLY),
    ("admin.account_password", "GET"): staff(coordinator=OWN_ONLY),
    ("admin.account_password", "POST"): staff(coordinator=OWN_ONLY),
    ("admin.account_status", "POST"): staff(coordinator=OWN_ONLY),
    ("admin.own_password", "GET"): staff(OK),
    ("admin.own_password", "POST"): staff(OK),
    # Two-step sign-in: administrators and the steering committee for themselves; an
    # administrator turns anyone's off.
    ("admin.two_factor_setup", "GET"): staff(steering=OK),
    ("admin.two_factor_setup", "POST"): staff(steering=OK),
    ("admin.two_factor_off", "POST"): staff(steering=OK),
    ("admin.account_two_factor_off", "POST"): staff(),
    # Campaigns: administrators only, in every province.
    ("admin.campaigns", "GET"): staff(),
    ("admin.campaign_create", "POST"): staff(),
    ("admin.campaign", "GET"): staff(),
    ("admin.campaign_form_add", "POST"): staff(),
    ("admin.campaign_form_save", "POST"): staff(),
    ("admin.campaign_form_remove", "POST"): staff(),
    ("admin.campaign_form_open", "POST"): staff(),
    ("admin.campaign_form_close", "POST"): staff(),
    ("admin.campaign_targets", "GET"): staff(),
    ("admin.campaign_targets_save", "POST"): staff(),
    ("admin.campaign_points", "POST"): staff(),
    # The staff home: every signed-in role, listing what it may do.
    ("auth.home", "GET"): staff(OK),
    # Units, their figures and groupings (issue 10): the admin only.
    ("admin.units", "GET"): staff(),
    ("admin.units_template", "GET"): staff(),
    ("admin.units_import", "POST"): staff(),
    ("admin.unit_edit", "GET"): staff(),
    ("admin.unit_edit", "POST"): staff(),
    ("admin.unit_rename", "POST"): staff(),
    ("admin.unit_merge", "POST"): staff(),
    ("admin.groupings", "GET"): staff(),
    ("admin.grouping_create", "POST"): staff(),
    ("admin.grouping_edit", "GET"): staff(),
    ("admin.grouping_edit", "POST"): staff(),
    # Accounts in bulk (issue 10): the admin only; a coordinator keeps its one-by-one pages.
    ("admin.people_import", "GET"): staff(),
    ("admin.people_template_download", "GET"): staff(),
    ("admin.people_import_upload", "POST"): staff(),
    # Forms from the admin pages (issue 10): the admin only.
    ("admin.forms", "GET"): staff(),
    ("admin.form_check", "POST"): staff(),
    ("admin.form_preview_posted", "POST"): staff(),
    ("admin.form_preview", "GET"): staff(),
    ("admin.form_publish", "POST"): staff(),
    ("admin.form_retire", "POST"): staff(),
    # Replacing a one-time password: any signed-in account (without one it is sent home).
    ("auth.first_password", "GET"): staff(OK),
    ("auth.first_password", "POST"): staff(OK),
    # Field work: coordinators and surveyors; a surveyor only where it is assigned.
    ("field.index", "GET"): staff(coordinator=OK, surveyor=OK),
    ("field.entry", "GET"): staff(coordinator=PROVINCE, surveyor=OWN_ONLY),
    ("field.entry_submit", "POST"): staff(coordinator=PROVINCE, surveyor=OWN_ONLY),
    ("field.assignments", "GET"): staff(coordinator=OK),
    ("field.assign", "GET"): staff(coordinator=OWN_ONLY),
    ("field.assign", "POST"): staff(coordinator=OWN_ONLY),
    ("field.progress", "GET"): staff(**READER_PAGES),
    # The quality of field work: coordinators and the committee, never surveyors.
    ("field.quality", "GET"): staff(coordinator=OK, steering=OK),
    ("field.quality_pick", "POST"): staff(coordinator=CAMPAIGN, steering=CAMPAIGN),
    # No back-check exists in the world: the page refuses the call-back and writes nothing.
    ("field.quality_record", "POST"): staff(admin=REFUSED, coordinator=REFUSED,
                                            steering=REFUSED),
    ("field.coordination", "GET"): staff(coordinator=OK),
    # Corrections: a surveyor's own sheets, a coordinator's organisation's; an empty POST is
    # refused for want of a reason; anyone else's sheet is not found (admins correct none).
    ("field.sheets", "GET"): staff(coordinator=OK, surveyor=OK),
    ("field.void", "POST"): staff(admin=DENY, coordinator=(REFUSED, DENY, DENY),
                                  surveyor=(REFUSED, DENY, DENY)),
    ("field.replace", "GET"): staff(admin=DENY, coordinator=OWN_ONLY, surveyor=OWN_ONLY),
    ("field.replace_submit", "POST"): staff(admin=DENY, coordinator=(REFUSED, DENY, DENY),
                                            surveyor=(REFUSED, DENY, DENY)),
    ("field.offline", "GET"): staff(coordinator=OK, surveyor=OK),
    ("field.offline_worker", "GET"): everyone(),
    ("field.offline_manifest", "GET"): everyone(),
    ("field.offline_asset", "GET"): everyone(),
    ("field.sync_session", "GET"): staff(coordinator=OK, surveyor=OK),
    ("field.sync", "POST"): staff(coordinator=OK, surveyor=OK),
    ("field.imports", "GET"): staff(coordinator=OK, surveyor=OK),
    ("field.import_upload", "POST"): staff(coordinator=OK, surveyor=OK),
    ("field.import_template", "GET"): staff(coordinator=PROVINCE, surveyor=PROVINCE),
    ("field.import_guide", "GET"): staff(coordinator=PROVINCE, surveyor=PROVINCE),
    # An upload belongs to the one who sent it (the own target's batch is the surveyor's).
    ("field.import_batch", "GET"): staff(admin=DENY, surveyor=OWN_ONLY),
    ("field.import_confirm", "POST"): staff(admin=DENY, surveyor=OWN_ONLY),
    ("field.import_discard", "POST"): staff(admin=DENY, surveyor=OWN_ONLY),
    # Recognition: the committee keeps registrations, dates and the decision; the commune
    # fills its dossier; its grouping reviews it (the province, for a commune in no
    # grouping: the neighbour), the province decides. POSTs with nothing filled in are
    # refused without writing, except saving scores (an empty save is recorded) and
    # registration (an empty list withdraws the untouched drafts).
    ("recognition.static", "GET"): everyone(),
    ("recognition.index", "GET"): staff(steering=OK, grouping=OK, official=OK),
    ("recognition.register", "POST"): staff(steering=CAMPAIGN),
    ("recognition.dossier", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                          official=OWN_ONLY),
    ("recognition.save_scores", "POST"): staff(official=OWN_ONLY),
    ("recognition.upload_evidence", "POST"): staff(admin=REFUSED,
                                                   official=(REFUSED, DENY, DENY)),
    ("recognition.evidence", "GET"): staff(steering=PROVINCE, grouping=OWN_ONLY,
                                           official=OWN_ONLY),
    ("recognition.submit", "POST"): staff(admin=REFUSED, official=(REFUSED, DENY, DENY)),
    ("recognition.review", "POST"): staff(admin=REFUSED, grouping=(REFUSED, DENY, DENY),
                                          steering=(REFUSED, REFUSED, DENY)),
    ("recognition.adjust", "POST"): staff(admin=REFUSED, grouping=(REFUSED, DENY, DENY),
                                          steering=(REFUSED, REFUSED, DENY)),
    ("recognition.file_report", "POST"): staff(admin=REFUSED, official=(REFUSED, DENY, DENY)),
    ("recognition.decision", "GET"): staff(steering=CAMPAIGN),
    ("recognition.decision_issue", "POST"): staff(admin=REFUSED,
                                                  steering=(REFUSED, REFUSED, DENY)),
    ("recognition.annex_pdf", "GET"): staff(steering=CAMPAIGN),
    ("recognition.annex_xlsx", "GET"): staff(steering=CAMPAIGN),
    ("recognition.deadlines", "GET"): staff(steering=CAMPAIGN, grouping=CAMPAIGN),
    ("recognition.deadline_add", "POST"): staff(admin=REFUSED,
                                                steering=(REFUSED, REFUSED, DENY)),
    ("recognition.criteria", "GET"): staff(),
    ("recognition.criteria_file", "GET"): staff(),
    ("recognition.criteria_upload", "POST"): staff(admin=REFUSED),
    ("field.import_report", "GET"): staff(admin=DENY, surveyor=OWN_ONLY),
    # A background job, its progress and its file belong to the one who asked for it.
    ("jobs.show", "GET"): staff(admin=DENY, surveyor=OWN_ONLY),
    ("jobs.state", "GET"): staff(admin=DENY, surveyor=OWN_ONLY),
    ("jobs.download", "GET"): staff(admin=DENY, surveyor=OWN_ONLY),
    ("jobs.again", "POST"): staff(admin=DENY, surveyor=OWN_ONLY),
}


@pytest.fixture
def app_config(app_config):
    # A job asked for is queued and never run here: the table is about who may ask.
    return {**app_config, "JOB_QUEUE": "memory"}


@dataclass
class Check:
    endpoint: str
    method: str
    role: str
    target: str
    url: str


@pytest.fixture
def world(field_world, published_forms, create_point, app, tmp_path):
    """field_world plus a foreign province, a point and a response per commune, batches."""
    foreign_province = Province(code="01", name="Hà Nội", division_type="thành phố")
    db.session.add(foreign_province)
    db.session.flush()
    foreign = Commune(code="00004", name="Phường Ba Đình", division_type="phường",
                      province_id=foreign_province.id)
    db.session.add(foreign)
    today = today_in_vietnam()
    foreign_campaign = Campaign(name="Năm 2026", province_id=foreign_province.id, forms=[
        CampaignForm(form_id=published_forms["PKS05"].id, opens_on=today - timedelta(days=5),
                     closes_on=today + timedelta(days=5))])
    db.session.add(foreign_campaign)
    db.session.flush()
    outsider = add_user("outsider", Role.surveyor, province_id=foreign_province.id,
                        organisation_id=field_world.youth.id)
    db.session.add(SurveyorAssignment(campaign_id=foreign_campaign.id, user_id=outsider.id,
                                      commune_id=foreign.id))
    communes = {"own": field_world.own, "neighbour": field_world.other, "foreign": foreign}
    campaigns = {"own": field_world.campaign, "neighbour": field_world.campaign,
                 "foreign": foreign_campaign}
    version = published_forms["PKS05"].current_version()
    users = {"own": field_world.users["surveyor"], "neighbour": field_world.users["farmer"],
             "foreign": outsider}
    values: dict[str, dict[str, object]] = {name: {} for name in SCOPED_PARAMS}
    for target in TARGETS:
        commune, campaign = communes[target], campaigns[target]
        point = create_point(commune, "PKS05")
        stored = store_response(
            db.session, submission_id=f"00000000-0000-4000-8000-00000000000{TARGETS.index(target)}",
            campaign_id=campaign.id, commune_id=commune.id, version=version,
            answers=dict(PKS05_ANSWERS), channel=Channel.paper, entered_by_id=users[target].id)
        batch = ImportBatch(user_id=users[target].id, campaign_id=campaign.id,
                            form_version_id=version.id, file_name="phieu.csv",
                            file_sha256="0" * 64, status=ImportStatus.checked, pending=[])
        db.session.add(batch)
        db.session.flush()
        job = Job(kind="import_check", user_id=users[target].id, status=JobStatus.done,
                  params={}, result={"batch_id": batch.id, "problems": [], "problem_count": 0},
                  file_data=b"x", file_name="phieu.csv", file_mimetype="text/csv")
        db.session.add(job)
        db.session.flush()
        campaign_form = next(cf for cf in campaign.forms
                             if cf.form_id == published_forms["PKS05"].id)
        for name, value in (("commune_id", commune.id), ("point_id", point.id),
                            ("token", point.token), ("user_id", users[target].id),
                            ("batch_id", batch.id), ("campaign_id", campaign.id),
                            ("campaign_form_id", campaign_form.id),
                            ("response_id", stored.response_id), ("job_id", job.id)):
            values[name][target] = value
    app.config["RECOGNITION_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    for target in TARGETS:
        values["evidence_id"][target] = recognition_dossier(
            campaigns[target], communes[target], tmp_path / "evidence")
    db.session.commit()
    common = {"form_id": published_forms["PKS05"].id, "filename": "staff.css",
              "extension": "csv", "name": "app.js", "back_check_id": 1,
              "province_id": field_world.campaign.province_id,
              "grouping_id": field_world.grouping.id,
              "version_id": published_forms["PKS05"].current_version().id, "what": "xlsx",
              "version": plotly.__version__}
    tokens = {name: user.session_token for name, user in field_world.users.items()}
    tokens["official"] = field_world.users["official"].session_token
    db.session.remove()
    return values, common, tokens


def recognition_dossier(campaign, commune, folder) -> int:
    """A registered commune's draft dossier with one evidence file; the campaign's decision."""
    if not db.session.scalar(select(Decision).where(Decision.campaign_id == campaign.id)):
        db.session.add(Decision(campaign_id=campaign.id, number="1/QĐ-UBND",
                                decided_on=today_in_vietnam(), signer_name="A",
                                signer_title="Chủ tịch"))
    db.session.add(Registration(campaign_id=campaign.id, commune_id=commune.id))
    dossier = Dossier(campaign_id=campaign.id, commune_id=commune.id)
    db.session.add(dossier)
    db.session.flush()
    folder.mkdir(exist_ok=True)
    (folder / f"file{commune.id}").write_bytes(b"%PDF-1.4\n")
    evidence = Evidence(dossier_id=dossier.id, code="TC2", file_name="a.pdf",
                        content_type="application/pdf", size=9, sha256="0" * 64,
                        stored_name=f"file{commune.id}")
    db.session.add(evidence)
    db.session.flush()
    return evidence.id


STATIC_FILES = {"dashboard.static": "dashboard.css", "recognition.static": "recognition.css"}
#: Query-string arguments that name a unit, per endpoint: checked three ways like URL ones.
QUERY_UNITS = {"admin.posters_pdf": {"commune": "commune_id"},
               "admin.posters_zip": {"commune": "commune_id"},
               "admin.posters_job": {"commune": "commune_id"}}


def build_checks(app, values, common) -> tuple[list[Check], list[str]]:
    checks, problems = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            expected = EXPECTED.get((rule.endpoint, method))
            if expected is None:
                problems.append(f"{method} {rule.rule} ({rule.endpoint}) is not in EXPECTED: "
                                f"add who may open it")
                continue
            queried = QUERY_UNITS.get(rule.endpoint, {})
            scoped = bool(set(rule.arguments) & SCOPED_PARAMS) or bool(queried)
            for target in TARGETS if scoped else ("own",):
                arguments = {}
                for name in rule.arguments:
                    if name in SCOPED_PARAMS:
                        arguments[name] = values[name][target]
                    elif name == "filename":
                        arguments[name] = STATIC_FILES.get(rule.endpoint, common["filename"])
                    elif name in common:
                        arguments[name] = common[name]
                    else:
                        problems.append(f"{rule.rule}: no test value for <{name}>: add it to "
                                        f"the world fixture")
                        break
                else:
                    url = rule.build(arguments, append_unknown=False)[1]
                    # Pages that pick a campaign get the target's, as the app's links do.
                    query = {"campaign": values["campaign_id"][target]}
                    query.update({name: values[param][target] for name, param in queried.items()})
                    url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
                    checks.extend(Check(rule.endpoint, method, role, target, url)
                                  for role in ROLES)
    return checks, problems


def expected_outcome(check: Check) -> str:
    value = EXPECTED[(check.endpoint, check.method)][check.role]
    return value[TARGETS.index(check.target)] if isinstance(value, tuple) else value


def classify(response, expected: str, wrote: bool) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status >= 500:
        return f"error {status}"
    if status == 401 or (300 <= status < 400 and "/dang-nhap" in location and "next=" in location):
        return LOGIN if not wrote else "login after writing"
    if status in (403, 404):
        return DENY if not wrote else "deny after writing"
    if expected == REFUSED:
        return REFUSED if not wrote else "ok (it wrote)"
    return OK


def fingerprint() -> dict[str, object]:
    """A digest of every table's rows, read inside the request's (rolled-back) transaction."""
    tables = db.metadata.sorted_tables
    if db.session.get_bind().dialect.name == "postgresql":
        # One statement for every table: PostgreSQL can digest a table in SQL.
        columns = ", ".join(
            f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
            f'FROM "{table.name}" t)' for table in tables)
    else:
        # One statement too: each table's rows as text (quote() keeps types and NULLs apart).
        columns = ", ".join(
            "(SELECT group_concat(r, char(10)) FROM (SELECT "
            + " || '|' || ".join(f'quote("{column.name}")' for column in table.columns)
            + f' AS r FROM "{table.name}" ORDER BY '
            + ", ".join(f'"{column.name}"' for column in table.primary_key.columns) + "))"
            for table in tables)
    return dict(zip([t.name for t in tables],
                    db.session.execute(text(f"SELECT {columns}")).one(), strict=True))


@contextmanager
def rolled_back():
    """Run the app's queries in a transaction that is undone afterwards."""
    connection = db.engine.connect()
    outer = connection.begin()
    session = scoped_session(sessionmaker(bind=connection,
                                          join_transaction_mode="create_savepoint"))
    original, db.session = db.session, session
    try:
        yield
    finally:
        db.session = original
        session.remove()
        outer.rollback()
        connection.close()


def test_every_route_answers_every_role_as_the_table_says(app, world):
    values, common, tokens = world
    checks, problems = build_checks(app, values, common)
    assert not problems, "\n".join(problems)
    wrong = []
    for check in checks:
        client = app.test_client()
        if check.role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = tokens[check.role]
                session["_fresh"] = True
        expected = expected_outcome(check)
        with rolled_back():
            g.pop("_login_user", None)
            before = fingerprint() if check.method == "POST" else None
            response = client.open(check.url, method=check.method, data={})
            changed = set()
            if before is not None:
                after = fingerprint()
                changed = {name for name in before if before[name] != after[name]}
            got = classify(response, expected, bool(changed))
            response.close()
        if check.role == "official" and changed & {"responses", "answers"}:
            got = "a commune official changed a response"
        if got != expected:
            wrong.append(f"{check.method} {check.url} as {check.role} ({check.target}): "
                         f"expected {expected}, got {got} ({response.status_code})"
                         + (f"; wrote to {sorted(changed)}" if changed else ""))
    assert not wrong, f"{len(wrong)} of {len(checks)} checks differ:\n" + "\n".join(wrong)


def test_the_table_names_no_route_that_does_not_exist(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert set(EXPECTED) - routes == set()
