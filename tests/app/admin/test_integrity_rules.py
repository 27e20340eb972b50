"""The integrity rules edited as new rulebook versions, beside the thresholds."""

import re
from fractions import Fraction

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import RulebookVersion
from survey_app.services.audit import trail
from tests.app.admin.test_rulebooks import fields as threshold_fields
from tests.fixtures.field import PASSWORD

URL = "/quan-tri/quy-tac-toan-ven"


@pytest.fixture
def admin(results_world, login):
    return login("admin", PASSWORD)


def form_of(admin) -> dict:
    html = admin.get(URL).get_data(as_text=True)
    values = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', html))
    values |= {f"mode_{name}": mode for name, mode in re.findall(
        r'<select name="mode_(\w+)"[^>]*>(?:<option value="\w+">[^<]*</option>)*'
        r'<option value="(\w+)" selected', html)}
    values["commune_hours"] = ""
    return values | {"scope": "global", "note": "Quyết định 7/QĐ-BCĐ"}


def latest() -> RulebookVersion:
    db.session.expire_all()
    return db.session.scalar(select(RulebookVersion).order_by(RulebookVersion.id.desc()))


def test_only_admins_edit_the_integrity_rules(results_world, login):
    assert login("steering", PASSWORD).get(URL).status_code == 403


def test_a_save_changes_the_integrity_rules_and_keeps_the_thresholds(admin):
    admin.post("/quan-tri/bo-quy-tac", data=threshold_fields(threshold_percent="85"))
    data = form_of(admin)
    assert data["mode_honeypot"] == "exclude"
    reply = admin.post(URL, data=data | {"repeat_days": "7", "speeder_share_percent": "25",
                                          "mode_outside_hours": "exclude",
                                          "commune_hours": "00001: sun 08:00-10:00"})
    assert reply.status_code == 303
    rules = latest().parsed
    assert rules.threshold == Fraction(85, 100)
    assert rules.integrity.repeat_days == 7
    assert rules.integrity.speeder_share == Fraction(1, 4)
    assert rules.integrity.mode("outside_hours") == "exclude"
    assert "00001" in rules.integrity.commune_hours
    saved = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rulebook_saved").order_by(AuditEntry.seq)).all()
    assert [trail.details_of(e)["version"] for e in saved] == [1, 2]
    # Saving the thresholds again keeps these rules.
    admin.post("/quan-tri/bo-quy-tac", data=threshold_fields(threshold_percent="90"))
    assert latest().parsed.integrity.repeat_days == 7


def test_bad_rules_are_explained_in_vietnamese_and_nothing_is_saved(admin):
    before = latest()
    reply = admin.post(URL, data=form_of(admin) | {"burst_device_max": "0",
                                                    "hours": "someday 9-5"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "phải là số nguyên từ 1 đến 1000" in html
    assert "Giờ làm việc" in html
    assert latest() == before
