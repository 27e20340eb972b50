"""Many phones at once over real HTTP: every submission stored exactly once, no error response.

Each simulated phone opens the form (GET, with its own cookie for CSRF) and sends it (POST).
A quarter of them double-tap: the same submission is sent three times at the same moment.
All the POSTs, duplicates included, run together on 16 threads against the live server.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Response

pytestmark = pytest.mark.live

PHONES = 240
WORKERS = 16
#: Every fourth phone sends its answers this many times at once.
DOUBLE_TAPS = 3
TIMEOUT = 60


@pytest.fixture
def app_config(app_config) -> dict:
    # CSRF on, as in production: every phone needs its own session cookie and token.
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


@dataclass
class Phone:
    fields: dict[str, str]
    cookies: dict[str, str]
    answers: dict[str, str | list[str]]

    @property
    def submission_id(self) -> str:
        return self.fields["submission_id"]


def answers_for(rng: random.Random) -> dict[str, str | list[str]]:
    """Varied valid PKS05 answers, sometimes with the conditional follow-ups."""
    answers: dict[str, str | list[str]] = {
        "wait_time": rng.choice(["nhanh_gon", "binh_thuong", "cho_rat_lau"]),
        "attitude": rng.choice(["lich_su_than_thien", "binh_thuong", "tho_o_hach_dich"]),
        "guidance": rng.choice(["nhiet_tinh_de_hieu", "binh_thuong", "qua_loa"]),
        "skill": rng.choice(["thanh_thao", "binh_thuong", "chua_thanh_thao"]),
        "processing_time": rng.choice(["som_hon_hen", "dung_hen", "tre_hen"]),
        "extra_payment_suggested": rng.choice(["co", "khong"]),
        "q_overall": rng.choice(["rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long"]),
    }
    if answers["wait_time"] == "cho_rat_lau":
        answers["wait_reason"] = rng.sample(["qua_dong", "xu_ly_cham", "thu_tuc_ruom_ra"], k=2)
    if answers["processing_time"] == "tre_hen":
        answers["late_notified"] = rng.choice(["co", "khong"])
    return answers


def answer_rows(answers: dict) -> int:
    return sum(len(v) if isinstance(v, list) else 1 for v in answers.values())


def open_form(url: str, rng: random.Random) -> tuple[int, Phone | None]:
    reply = requests.get(url, timeout=TIMEOUT)
    if reply.status_code != 200:
        return reply.status_code, None
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', reply.text))
    return 200, Phone(fields, reply.cookies.get_dict(), answers_for(rng))


def send(url: str, phone: Phone) -> int:
    reply = requests.post(url, data={**phone.fields, **phone.answers}, cookies=phone.cookies,
                          allow_redirects=False, timeout=TIMEOUT)
    return reply.status_code


def test_parallel_submissions_and_resends_are_each_stored_once(live_server, point):
    url = f"{live_server.url}/f/{point.token}"
    rngs = [random.Random(n) for n in range(PHONES)]
    with ThreadPoolExecutor(WORKERS) as pool:
        opened = list(pool.map(lambda rng: open_form(url, rng), rngs))
    assert Counter(status for status, _ in opened) == {200: PHONES}
    phones = [phone for _, phone in opened]
    assert len({p.submission_id for p in phones}) == PHONES

    random.Random(0).shuffle(phones)
    # A double tap's copies sit side by side, so that free workers pick them up together.
    sends = [p for n, p in enumerate(phones) for _ in range(DOUBLE_TAPS if n % 4 == 0 else 1)]
    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = Counter(pool.map(lambda phone: send(url, phone), sends))
    # Every POST, the resends included, is answered with the redirect to the thank-you page.
    assert statuses == {303: len(sends)}
    assert len(sends) == PHONES + (DOUBLE_TAPS - 1) * (PHONES // 4)

    db.session.rollback()  # end the test's own read snapshot (SQLite WAL) before counting
    stored = Counter(db.session.scalars(select(Response.submission_id)))
    assert stored == Counter({p.submission_id: 1 for p in phones})
    assert db.session.scalar(select(func.count(Answer.id))) == sum(
        answer_rows(p.answers) for p in phones)
    rows = db.session.execute(select(Response.submission_id, Response.satisfaction_answer))
    assert {row.submission_id: row.satisfaction_answer for row in rows} == {
        p.submission_id: p.answers["q_overall"] for p in phones}
