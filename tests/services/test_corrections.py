"""Corrections as events: voids and replacements against a recount, the window's edges, who
may correct what, and the audit rows; on the suite's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy import update

from analytics import Rulebook
from analytics import SampleCount
from survey_app.clock import now_utc
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import Response
from survey_app.services.corrections import corrections
from survey_app.services.corrections.corrections import CorrectionRefused
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.store import store_response
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.results.campaign import fetch_counts
from survey_app.services.results.campaign import fetch_weekly_counts
from survey_app.services.results.rulebooks import save_rulebook
from survey_app.services.results.tallies import tally_drift
from tests.fixtures.data import PKS05_ANSWERS
from tests.fuzz import fuzz_settings

SATISFIED = ("rat_hai_long", "hai_long")
OPTIONS = ("rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long", None)


def enter(world, pks05, user="surveyor", commune=None, satisfaction="hai_long",
          channel=Channel.paper, received_at=None) -> int:
    """Store one sheet as the paper entry does (``None``: the respondent would not answer
    the satisfaction question)."""
    answers = {k: v for k, v in PKS05_ANSWERS.items() if k != "q_overall"}
    if satisfaction is not None:
        answers["q_overall"] = satisfaction
    version = PublishedVersion.of(pks05.form.current_version())
    with unit_of_work(db.session):
        stored = store_response(
            db.session, submission_id=str(uuid.uuid4()), campaign_id=world.campaign.id,
            commune_id=(commune or world.own).id, version=version, answers=answers,
            channel=channel, entered_by_id=world.users[user].id if user else None,
            received_at=received_at)
    return stored.response_id


def void(world, response_id, user="surveyor", reason="Nhập nhầm xã", now=None):
    with unit_of_work(db.session):
        corrections.void_response(db.session, world.users[user], response_id, reason,
                                  now or now_utc())


def replace(world, response_id, satisfaction, user="surveyor", reason="Gõ sai câu 10",
            now=None):
    answers = {k: v for k, v in PKS05_ANSWERS.items() if k != "q_overall"}
    if satisfaction is not None:
        answers["q_overall"] = satisfaction
    with unit_of_work(db.session):
        return corrections.replace_response(db.session, world.users[user], response_id,
                                            answers, reason, now or now_utc())


# --- The property: counts after any sequence equal a recount of the sheets that stand -------


@dataclass
class Sheet:
    id: int
    commune: int
    satisfaction: str | None
    flagged: bool = False
    standing: bool = True


def expected(sheets: list[Sheet], commune_ids: list[int]) -> dict[tuple[int, str], SampleCount]:
    """The recount, in plain Python over the model's standing sheets."""
    out = {}
    for commune in commune_ids:
        mine = [s for s in sheets if s.commune == commune and s.standing]
        kept = [s for s in mine if not s.flagged]
        count = SampleCount(
            valid=sum(1 for s in kept if s.satisfaction is not None),
            satisfied=sum(1 for s in kept if s.satisfaction in SATISFIED),
            flagged=sum(1 for s in mine if s.flagged),
            unanswered=sum(1 for s in kept if s.satisfaction is None))
        if count != SampleCount():
            out[(commune, "PKS05")] = count
    return out


STEP = st.one_of(
    st.tuples(st.just("enter"), st.integers(0, 1), st.sampled_from(OPTIONS)),
    st.tuples(st.just("void"), st.integers(0, 50), st.none()),
    st.tuples(st.just("replace"), st.integers(0, 50), st.sampled_from(OPTIONS)),
    st.tuples(st.just("flag"), st.integers(0, 50), st.none()),
)


@fuzz_settings(25)
@given(steps=st.lists(STEP, min_size=1, max_size=14))
def test_counts_after_voids_and_replacements_equal_a_recount(
        field_world, pks05, create_commune, steps):
    communes = [create_commune(), create_commune()]
    ids = [c.id for c in communes]
    sheets: list[Sheet] = []
    for kind, n, option in steps:
        if kind == "enter" or not sheets:
            commune = communes[n % 2] if kind == "enter" else communes[0]
            sheets.append(Sheet(enter(field_world, pks05, commune=commune, satisfaction=option),
                                commune.id, option))
            continue
        sheet = sheets[n % len(sheets)]
        if kind == "flag":  # what a later QR/trust check does: an UPDATE of the flag
            with unit_of_work(db.session):
                db.session.execute(update(Response).where(Response.id == sheet.id)
                                   .values(is_flagged=True))
            sheet.flagged = True
        elif kind == "void":
            if not sheet.standing:
                with pytest.raises(CorrectionRefused, match="correction_already"):
                    void(field_world, sheet.id)
                continue
            void(field_world, sheet.id)
            sheet.standing = False
        else:
            refusal = ("correction_already" if not sheet.standing else
                       "correction_unchanged" if sheet.satisfaction == option else None)
            if refusal:
                with pytest.raises(CorrectionRefused, match=refusal):
                    replace(field_world, sheet.id, option)
                continue
            outcome = replace(field_world, sheet.id, option)
            sheet.standing = False
            new = db.session.get(Response, outcome.replacement_id)
            # A replacement starts unflagged: the flag was on the sheet as typed.
            sheets.append(Sheet(new.id, sheet.commune, option))
    want = expected(sheets, ids)

    def nonzero(counts):  # the roll-up keeps a key whose count went back to 0
        return {key: count for key, count in counts.items() if count != SampleCount()}

    scope = select(Commune.id).where(Commune.id.in_(ids))
    codes = {pks05.form_id: "PKS05"}
    pairs = frozenset((pks05.form.current_version().id, o) for o in SATISFIED)
    # The roll-up the triggers keep, the GROUP BY over the responses, and the trend.
    assert nonzero(fetch_counts(db.session, field_world.campaign.id, scope, codes,
                                pairs)) == want
    far = today_in_vietnam() + timedelta(days=30)
    assert nonzero(fetch_counts(db.session, field_world.campaign.id, scope, codes, pairs,
                                until=far)) == want
    weekly: dict = {}
    for row in fetch_weekly_counts(db.session, field_world.campaign.id, scope, codes, pairs):
        key = (row.commune_id, row.form_code)
        weekly[key] = weekly.get(key, SampleCount()) + row.count
    assert nonzero(weekly) == want
    assert tally_drift(db.session) == 0
    # Nothing is ever deleted: every sheet entered is still there.
    stored = set(db.session.scalars(select(Response.id).where(Response.commune_id.in_(ids))))
    assert stored == {s.id for s in sheets}


# --- The window -------------------------------------------------------------------------------


def test_the_window_opens_at_receipt_and_closes_after_the_rulebooks_days(field_world, pks05):
    received = now_utc() - timedelta(days=30)
    early, late, edge = (enter(field_world, pks05, received_at=received) for _ in range(3))
    void(field_world, early, now=received + timedelta(days=7) - timedelta(seconds=1))
    with pytest.raises(CorrectionRefused) as refused:
        void(field_world, edge, now=received + timedelta(days=7))
    assert refused.value.code == "correction_window_closed"
    assert refused.value.params["days"] == 7
    # The province shortens the window: a new rulebook version applies at once.
    with unit_of_work(db.session):
        save_rulebook(db.session, field_world.campaign.province_id,
                      Rulebook(correction_days=2), "Rút ngắn thời hạn sửa phiếu",
                      field_world.users["admin"].id)
    with pytest.raises(CorrectionRefused):
        void(field_world, late, now=received + timedelta(days=2))
    void(field_world, late, now=received + timedelta(days=1, hours=23))


def test_a_replacement_keeps_the_original_receipt_and_window(field_world, pks05):
    received = now_utc() - timedelta(days=6)
    first = enter(field_world, pks05, received_at=received)
    outcome = replace(field_world, first, "khong_hai_long")
    new = db.session.get(Response, outcome.replacement_id)
    assert new.received_at == received
    assert (new.channel, new.entered_by_id) == (Channel.paper, field_world.users["surveyor"].id)
    with pytest.raises(CorrectionRefused) as refused:
        void(field_world, new.id, now=received + timedelta(days=7))
    assert refused.value.code == "correction_window_closed"


# --- Who may -----------------------------------------------------------------------------------


def test_who_may_correct(field_world, pks05):
    mine = enter(field_world, pks05)
    with pytest.raises(CorrectionRefused) as refused:
        void(field_world, mine, user="farmer")  # another organisation's surveyor
    assert refused.value.code == "correction_not_yours"
    for user in ("steering", "official", "grouping"):
        with pytest.raises(CorrectionRefused):
            void(field_world, mine, user=user)
    void(field_world, mine, user="coordinator")  # the organisation's coordinator
    with pytest.raises(CorrectionRefused) as refused:
        void(field_world, mine)
    assert refused.value.code == "correction_already"
    farmers = enter(field_world, pks05, user="farmer")
    with pytest.raises(CorrectionRefused):
        void(field_world, farmers, user="coordinator")


def test_a_citizens_qr_response_is_not_corrected_here(field_world, pks05):
    citizen = enter(field_world, pks05, user=None, channel=Channel.qr)
    for user in ("surveyor", "coordinator"):
        with pytest.raises(CorrectionRefused) as refused:
            void(field_world, citizen, user=user)
        assert refused.value.code == "correction_qr"


def test_a_reason_is_required_and_bounded(field_world, pks05):
    sheet = enter(field_world, pks05)
    for reason, code in (("", "correction_reason_missing"), ("   ", "correction_reason_missing"),
                         ("x" * 301, "correction_reason_too_long"),
                         ("nhầm\x00", "correction_reason_too_long")):
        with pytest.raises(CorrectionRefused) as refused:
            void(field_world, sheet, reason=reason)
        assert refused.value.code == code
    assert db.session.get(Response, sheet).superseded_at is None


def test_a_replacement_with_wrong_or_unchanged_answers_stores_nothing(field_world, pks05):
    sheet = enter(field_world, pks05)
    with unit_of_work(db.session):
        outcome = corrections.replace_response(
            db.session, field_world.users["surveyor"], sheet,
            {**PKS05_ANSWERS, "attitude": "tuyet_voi"}, "Sửa", now_utc())
    assert isinstance(outcome, AnswerErrors)
    assert "attitude" in outcome.errors
    with pytest.raises(CorrectionRefused) as refused:
        replace(field_world, sheet, "hai_long")
    assert refused.value.code == "correction_unchanged"
    db.session.expire_all()
    assert db.session.scalars(select(Response.id)).all() == [sheet]
    assert db.session.get(Response, sheet).superseded_at is None


# --- The audit trail --------------------------------------------------------------------------


def test_each_correction_leaves_an_audit_row_without_answers(field_world, pks05):
    first, second = enter(field_world, pks05), enter(field_world, pks05)
    void(field_world, first, reason="Phiếu trùng")
    outcome = replace(field_world, second, "binh_thuong", user="coordinator",
                      reason="Gõ sai mức hài lòng")
    rows = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["response_voided", "response_replaced"]))
        .order_by(AuditEntry.seq)))
    assert [(r.action, r.target_type, r.target_id, r.actor_id) for r in rows] == [
        ("response_voided", "response", first, field_world.users["surveyor"].id),
        ("response_replaced", "response", second, field_world.users["coordinator"].id)]
    assert "Phiếu trùng" in rows[0].details
    assert "Gõ sai mức hài lòng" in rows[1].details
    assert f'"replacement_id":{outcome.replacement_id}' in rows[1].details.replace(" ", "")
    assert "binh_thuong" not in rows[1].details
    original = db.session.get(Response, second)
    assert (original.superseded_by_user_id, original.supersede_reason,
            original.replacement_id) == (field_world.users["coordinator"].id,
                                         "Gõ sai mức hài lòng", outcome.replacement_id)


# --- The list, a page at a time ---------------------------------------------------------------


def test_the_list_pages_newest_first_and_finds_the_page_of_a_sheet(field_world, pks05):
    start = now_utc() - timedelta(hours=1)
    # Three sheets share one receipt time: the id orders them, as on the page.
    times = [start + timedelta(seconds=min(n, 5)) for n in range(8)]
    mine = [enter(field_world, pks05, received_at=t) for t in times]
    farmers = enter(field_world, pks05, user="farmer")
    citizen = enter(field_world, pks05, user=None, channel=Channel.qr)
    surveyor, coordinator = field_world.users["surveyor"], field_world.users["coordinator"]
    campaign = field_world.campaign

    pages = [corrections.entered_sheets(db.session, surveyor, campaign, page, per_page=3)
             for page in (1, 2, 3, 4)]
    assert [[row.id for row in rows] for rows, _ in pages] == [
        mine[:4:-1], mine[4:1:-1], mine[1::-1], []]
    assert {total for _, total in pages} == {8}
    for index, sheet in enumerate(reversed(mine)):
        assert corrections.page_of_sheet(db.session, surveyor, campaign, sheet,
                                         per_page=3) == index // 3 + 1
    for other in (farmers, citizen, 10**6):
        assert corrections.page_of_sheet(db.session, surveyor, campaign, other) is None
    # The coordinator's list holds the organisation's sheets, not another organisation's.
    rows, total = corrections.entered_sheets(db.session, coordinator, campaign)
    assert total == 8
    assert farmers not in {row.id for row in rows}
    assert corrections.page_of_sheet(db.session, coordinator, campaign, farmers) is None
