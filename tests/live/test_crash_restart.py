"""A crash under load loses nothing that was acknowledged, and stores nothing twice.

gunicorn serves the real app on the test's database (SQLite, or PostgreSQL when it is the test
database). Phones on several threads open the form and send it, as citizens do; in the middle
of it the whole server is killed with SIGKILL. It is started again, every phone whose answer
got no thanks sends the same submission again (as the page lets it), and a few that were
thanked send theirs once more. Then every submission that was ever answered 303 is in the
database exactly once, with all its answers, and nothing else is.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field

import pytest
import requests
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Response
from tests.live.test_concurrent_submissions import answer_rows
from tests.live.test_concurrent_submissions import answers_for

pytestmark = pytest.mark.live

PHONES = 8
#: Acknowledged submissions before the crash: the load is well under way by then.
ACKED_BEFORE_KILL = 40
HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')
TIMEOUT = 20


@pytest.fixture
def point(dummy_commune, open_campaign, create_point):
    return create_point(dummy_commune, "PKS05")


@dataclass
class Sent:
    fields: dict[str, str]
    cookies: dict[str, str]
    answers: dict
    #: Every status the server answered the POST with; an exception counts as no answer.
    statuses: list[int] = field(default_factory=list)

    @property
    def submission_id(self) -> str:
        return self.fields["submission_id"]

    @property
    def acknowledged(self) -> bool:
        return 303 in self.statuses


class Phones:
    """Phones sending one new submission after another until told to stop."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()
        self.sent: list[Sent] = []
        self.stopping = threading.Event()

    def acked(self) -> int:
        with self.lock:
            return sum(s.acknowledged for s in self.sent)

    def phone(self, number: int) -> None:
        rng = random.Random(number)
        while not self.stopping.is_set():
            try:
                page = requests.get(self.url, timeout=TIMEOUT)
            except requests.RequestException:
                time.sleep(0.05)
                continue
            if page.status_code != 200:
                continue
            sent = Sent(dict(HIDDEN.findall(page.text)), page.cookies.get_dict(),
                        answers_for(rng))
            with self.lock:
                self.sent.append(sent)
            post(self.url, sent)


def post(url: str, sent: Sent) -> None:
    try:
        reply = requests.post(url, data={**sent.fields, **sent.answers}, cookies=sent.cookies,
                              allow_redirects=False, timeout=TIMEOUT)
    except requests.RequestException:
        return
    sent.statuses.append(reply.status_code)


def test_a_killed_server_keeps_every_acknowledged_submission_exactly_once(gunicorn, point):
    server = gunicorn(workers=2)
    server.start()
    phones = Phones(f"{server.url}/f/{point.token}")
    threads = [threading.Thread(target=phones.phone, args=(n,), daemon=True)
               for n in range(PHONES)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while phones.acked() < ACKED_BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()  # mid-load: the phones are still sending
    time.sleep(0.3)
    phones.stopping.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)
    before_crash = list(phones.sent)
    assert sum(s.acknowledged for s in before_crash) >= ACKED_BEFORE_KILL
    # Those in flight when the server died: stored or not, they got no answer.
    unanswered = [s for s in before_crash if not s.acknowledged]

    server.start()
    # Every phone left without thanks sends again; a few thanked ones double-tap after all.
    resends = unanswered + [s for s in before_crash if s.acknowledged][:5]
    with ThreadPoolExecutor(PHONES) as pool:
        list(pool.map(lambda sent: post(phones.url, sent), resends))
    assert [s.statuses[-1] for s in resends] == [303] * len(resends)

    db.session.rollback()  # end the test's own read snapshot before counting
    acknowledged = {s.submission_id: s for s in before_crash if s.acknowledged}
    stored = Counter(db.session.scalars(select(Response.submission_id)))
    assert stored == Counter(dict.fromkeys(acknowledged, 1))
    answers = dict(db.session.execute(
        select(Response.submission_id, func.count(Answer.id))
        .join(Answer, Answer.response_id == Response.id).group_by(Response.submission_id)
    ).all())
    assert answers == {sid: answer_rows(s.answers) for sid, s in acknowledged.items()}
