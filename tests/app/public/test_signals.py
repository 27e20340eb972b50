"""The QR form's signals: a single-use ticket, a device key, a network key, staff, honeypot."""

import re
import time
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import CollectionPoint
from survey_app.models import Response
from survey_app.models import UsedTicket
from survey_app.services.intake import signals
from tests.fixtures.data import PKS05_ANSWERS

HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture
def point(dummy_commune, open_campaign, create_point) -> CollectionPoint:
    return create_point(dummy_commune, "PKS05")


def fields_of(html: str) -> dict:
    return dict(HIDDEN.findall(html))


def open_form(client, point) -> dict:
    return fields_of(client.get(f"/f/{point.token}").get_data(as_text=True))


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def send(client, point, fields, **extra):
    return client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS, **extra})


def asks_one_more_tap(reply) -> dict:
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "vẫn được giữ" in html
    assert 'value="nhanh_gon" checked' in html  # the answers are kept
    return fields_of(html)


def test_the_server_times_the_form_from_its_ticket(app, client, point, monkeypatch):
    fields = open_form(client, point)
    assert "opened_at" not in fields
    issued = time.time() - 95
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: issued)
        fields["ticket"] = signals.issue_ticket(app.config["SECRET_KEY"], point.id)
    reply = send(client, point, fields, opened_at="0")  # what a phone writes is ignored
    assert reply.status_code == 303
    response = db.session.scalar(select(Response))
    assert 95 <= response.duration_seconds <= 100


def test_a_resend_of_the_same_submission_stays_idempotent(client, point):
    fields = open_form(client, point)
    assert send(client, point, fields).status_code == 303
    assert send(client, point, fields).status_code == 303
    assert stored() == 1
    assert db.session.scalar(select(func.count()).select_from(UsedTicket)) == 1


def test_a_reused_ticket_with_a_new_submission_id_is_not_stored(client, point):
    fields = open_form(client, point)
    assert send(client, point, fields).status_code == 303
    again = asks_one_more_tap(send(client, point, {**fields,
                                                   "submission_id": str(uuid.uuid4())}))
    assert stored() == 1
    # Nothing of the refused one stays: its answers went with its response.
    [first] = db.session.scalars(select(Response))
    assert db.session.scalar(select(func.count(Answer.id))) == db.session.scalar(
        select(func.count(Answer.id)).where(Answer.response_id == first.id)) > 0
    assert again["ticket"] != fields["ticket"]
    # The one more tap is stored, once, with a time to complete left unknown.
    assert send(client, point, again).status_code == 303
    assert stored() == 2
    newest = db.session.scalar(select(Response).order_by(Response.id.desc()).limit(1))
    assert newest.duration_seconds is None


@pytest.mark.parametrize("ticket", ["", "nonsense", "WzEsImFiYyIsMF0.aaaa.bbbb"])
def test_a_missing_or_forged_ticket_gets_the_form_back(client, point, ticket):
    fields = {**open_form(client, point), "ticket": ticket}
    asks_one_more_tap(send(client, point, fields))
    assert stored() == 0


def test_a_tampered_ticket_gets_the_form_back(client, point):
    fields = open_form(client, point)
    head, stamp, signature = fields["ticket"].split(".")
    forged = f"{head}.{stamp}.{signature[::-1]}"
    asks_one_more_tap(send(client, point, {**fields, "ticket": forged}))
    assert stored() == 0


def test_an_expired_ticket_gets_the_form_back(app, client, point, monkeypatch):
    fields = open_form(client, point)
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: 1_000_000_000.0)
        old = signals.issue_ticket(app.config["SECRET_KEY"], point.id)
    asks_one_more_tap(send(client, point, {**fields, "ticket": old}))
    assert stored() == 0


def test_another_points_ticket_gets_the_form_back(client, point, create_point,
                                                  create_commune):
    other = create_point(create_commune("Xã Khác"), "PKS05")
    theirs = open_form(client, other)["ticket"]
    fields = {**open_form(client, point), "ticket": theirs}
    asks_one_more_tap(send(client, point, fields))
    assert stored() == 0


def test_a_wrong_answer_keeps_the_same_ticket(client, point):
    fields = open_form(client, point)
    reply = client.post(f"/f/{point.token}", data={**fields, "attitude": "nonsense"})
    assert reply.status_code == 422
    assert fields_of(reply.get_data(as_text=True))["ticket"] == fields["ticket"]


def test_read_ticket_arithmetic():
    ticket = signals.issue_ticket("k", 7)
    read = signals.read_ticket("k", ticket, 7)
    assert isinstance(read, signals.Ticket)
    assert signals.read_ticket("k", ticket, 8) == signals.TicketProblem.other_point
    assert signals.read_ticket("other key", ticket, 7) == signals.TicketProblem.forged
    assert signals.read_ticket("k", ticket, 7, max_age=-1) == signals.TicketProblem.expired
    assert signals.read_ticket("k", None, 7) == signals.TicketProblem.missing
    reissued = signals.read_ticket("k", signals.issue_ticket("k", 7, reissued=True), 7)
    assert signals.seconds_to_complete(reissued, reissued.issued_at) is None


def test_signals_are_stored_without_the_address(client, point):
    fields = open_form(client, point)
    assert fields["device"]
    assert send(client, point, fields).status_code == 303
    response = db.session.scalar(select(Response))
    assert response.device_key
    assert len(response.device_key) <= 32
    assert response.network_key
    assert "127.0.0" not in response.network_key
    assert response.staff_session is False
    assert response.honeypot is False
    assert response.answer_pattern


def test_the_device_key_survives_cleared_cookies_through_local_storage(app, client, point):
    first = open_form(client, point)
    send(client, point, first)
    client.delete_cookie("qr_device", path="/f/")
    # The page's script puts local storage's id back in the form.
    second = {**open_form(client, point), "device": first["device"]}
    send(client, point, second)
    keys = set(db.session.scalars(select(Response.device_key)))
    assert len(keys) == 1


def test_a_new_browser_gets_a_new_device_key(app, client, point):
    assert send(client, point, open_form(client, point)).status_code == 303
    other = app.test_client()
    assert send(other, point, open_form(other, point)).status_code == 303
    assert len(set(db.session.scalars(select(Response.device_key)))) == 2


def test_network_keys_hash_the_prefix_per_campaign():
    key = signals.network_key
    assert key("s", 1, "203.0.113.5") == key("s", 1, "203.0.113.200")
    assert key("s", 1, "203.0.113.5") != key("s", 1, "203.0.114.5")
    assert key("s", 1, "203.0.113.5") != key("s", 2, "203.0.113.5")
    assert key("s", 1, "2001:db8:1:2::1") == key("s", 1, "2001:db8:1:ffff::9")
    assert key("s", 1, "2001:db8:1:2::1") != key("s", 1, "2001:db8:2:2::1")
    assert key("s", 1, "::ffff:203.0.113.5") == key("s", 1, "203.0.113.9")
    assert key("s", 1, "not an address") is None


def test_a_filled_honeypot_is_flagged_and_thanked_the_same(client, point):
    reply = send(client, point, open_form(client, point), website="http://spam.example")
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"/f/{point.token}/cam-on")
    response = db.session.scalar(select(Response))
    assert response.honeypot
    assert response.is_flagged
    assert "honeypot" in response.flag_reason


def test_a_staff_session_in_the_same_browser_is_flagged(client, point, field_world, login):
    staff = login("official")
    reply = send(staff, point, open_form(staff, point))
    assert reply.status_code == 303
    response = db.session.scalar(select(Response))
    assert response.staff_session
    assert "staff_session" in response.flag_reason


def test_flags_on_arrival_are_what_a_recomputation_gives(client, point, open_campaign):
    from survey_app.database import unit_of_work
    from survey_app.services.results.integrity import recompute_campaign
    for _ in range(5):
        assert send(client, point, open_form(client, point)).status_code == 303
    reasons = db.session.scalars(select(Response.flag_reason).order_by(Response.id)).all()
    assert "repeat_device" not in (reasons[0] or "")
    assert all("repeat_device" in r for r in reasons[1:])
    with unit_of_work(db.session):
        assert recompute_campaign(db.session, open_campaign).changed == 0
