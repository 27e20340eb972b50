"""Eight phones syncing at once over real HTTP: no error, every response stored once.

Each phone sends batches of 50 responses spread over several communes and satisfaction
answers, in its own order, and every batch overlaps the others' roll-up rows. On PostgreSQL
two such transactions used to lock the roll-up's rows in different orders and deadlock; the
sync now stores a batch in the roll-up's own key order.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.models import SurveyorAssignment
from survey_app.services.results.tallies import tally_drift
from tests.app.field.test_sync import PKS05_ANSWERS
from tests.conftest import USES_POSTGRES
from tests.fixtures.field import PASSWORD

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not USES_POSTGRES, reason="PostgreSQL's row locks: SQLite has one "
                       "writer at a time, and eight phones only queue for it"),
]

PHONES = 8
BATCHES = 10
BATCH = 50
SATISFACTION = ["rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long"]


@pytest.fixture
def communes(field_world, create_commune) -> list[int]:
    """The surveyor covers six communes, so a batch touches many roll-up rows."""
    extra = [create_commune(f"Xã Thử Nghiệm {n}", grouping=field_world.grouping)
             for n in range(5)]
    for commune in extra:
        db.session.add(SurveyorAssignment(campaign_id=field_world.campaign.id,
                                          commune_id=commune.id,
                                          user_id=field_world.users["surveyor"].id))
    db.session.commit()
    return [field_world.own.id, *(c.id for c in extra)]


def phone(base_url: str) -> requests.Session:
    browser = requests.Session()
    reply = browser.post(f"{base_url}/dang-nhap",
                         data={"username": "surveyor", "password": PASSWORD},
                         allow_redirects=False, timeout=30)
    assert reply.status_code == 302
    return browser


def batches(rng: random.Random, pks05, communes: list[int]) -> list[list[dict]]:
    version_id = pks05.form.current_version().id
    made = []
    for _ in range(BATCHES):
        batch = [{"submission_id": str(uuid.uuid4()), "campaign_form_id": pks05.id,
                  "version_id": version_id, "commune_id": rng.choice(communes),
                  "answers": {**PKS05_ANSWERS, "q_overall": rng.choice(SATISFACTION)},
                  "duration_seconds": rng.randint(60, 600)} for _ in range(BATCH)]
        made.append(batch)
    return made


def test_eight_phones_sync_at_once_without_an_error(live_server, field_world, pks05, communes):
    rng = random.Random(11)
    work = [(phone(live_server.url), batches(rng, pks05, communes)) for _ in range(PHONES)]
    sent = Counter()

    def run(job) -> Counter:
        browser, queue = job
        seen = Counter()
        for batch in queue:
            reply = browser.post(f"{live_server.url}/thuc-dia/dong-bo",
                                 json={"submissions": batch}, timeout=120)
            seen[reply.status_code] += 1
            if reply.status_code == 200:
                seen.update(result["status"] for result in reply.json()["results"])
        return seen

    with ThreadPoolExecutor(PHONES) as pool:
        for seen in pool.map(run, work):
            sent.update(seen)
    assert sent == Counter({200: PHONES * BATCHES, "stored": PHONES * BATCHES * BATCH})
    db.session.rollback()
    assert db.session.scalar(select(func.count(Response.id))) == PHONES * BATCHES * BATCH
    assert tally_drift(db.session) == 0
