"""The rulebook page: only admins edit, every save is a new version, nothing is overwritten."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from fractions import Fraction

import pytest
from sqlalchemy import select
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import RulebookVersion
from tests.fixtures.field import PASSWORD


@pytest.fixture
def admin(results_world, login):
    return login("admin", PASSWORD)


def fields(**override) -> dict:
    data = {
        "scope": "global", "target_percent": "60", "deadline": "2026-12-31",
        "threshold_percent": "80", "min_responses": "30", "note": "Quyết định số 12/QĐ-BCĐ",
        "channel_margin_percent": "10",
        "staff_PKS01": "70", "satisfied_PKS01": ["rat_hai_long", "hai_long"],
        "satisfied_PKS05": ["rat_hai_long", "hai_long"],
    }
    for code in ("PKS02", "PKS03", "PKS04", "PKS06", "PKS07"):
        data[f"satisfied_{code}"] = ["rat_hai_long", "hai_long"]
    data.update(override)
    return data


def versions() -> list[RulebookVersion]:
    return list(db.session.scalars(select(RulebookVersion).order_by(RulebookVersion.id)))


def test_only_admins_open_the_rulebook(results_world, login):
    for user in ("steering", "grouping", "coordinator"):
        assert login(user, PASSWORD).get("/quan-tri/bo-quy-tac").status_code == 403


def test_the_page_starts_from_the_rules_in_force(admin):
    html = admin.get("/quan-tri/bo-quy-tac").get_data(as_text=True)
    assert "phiên bản 0" in html
    assert 'name="staff_PKS01" value="70"' in html
    assert 'name="threshold_percent" value="80"' in html


def test_each_save_is_a_new_version_and_the_old_one_stays(admin, results_world):
    response = admin.post("/quan-tri/bo-quy-tac", data=fields(threshold_PKS05="85,5"))
    assert response.status_code == 303
    response = admin.post("/quan-tri/bo-quy-tac", data=fields(
        scope=str(results_world.campaign.province_id), target_percent="70",
        satisfied_PKS05=["rat_hai_long"], note="Bắc Ninh riêng"))
    assert response.status_code == 303
    admin.post("/quan-tri/bo-quy-tac", data=fields(threshold_percent="90", note="lần 2"))
    db.session.expire_all()
    saved = versions()
    assert [(v.province_id, v.version) for v in saved] == [
        (None, 1), (results_world.campaign.province_id, 1), (None, 2)]
    first = saved[0].parsed
    assert first.threshold_for("PKS05") == Fraction(171, 200)
    assert first.threshold == Fraction(4, 5)
    assert first.forms["PKS05"].satisfied_values is None  # the form's own choice
    own = saved[1].parsed
    assert own.target_share == Fraction(7, 10)
    assert own.forms["PKS05"].satisfied_values == ("rat_hai_long",)
    assert saved[0].note == "Quyết định số 12/QĐ-BCĐ"
    page = admin.get("/quan-tri/bo-quy-tac").get_data(as_text=True)
    assert "Quyết định số 12/QĐ-BCĐ" in page
    assert "lần 2" in page


def test_the_dashboard_names_the_new_version(admin, results_world, login):
    admin.post("/quan-tri/bo-quy-tac", data=fields(
        scope=str(results_world.campaign.province_id), min_responses="10"))
    html = login("steering", PASSWORD).get("/bang-dieu-khien/").get_data(as_text=True)
    assert "Bắc Ninh, phiên bản 1" in html


@pytest.mark.parametrize(("override", "message"), [
    ({"target_percent": "0"}, "lớn hơn 0"),
    ({"threshold_percent": "abc"}, "phần trăm"),
    ({"min_responses": "0"}, "số nguyên"),
    ({"deadline": "31/12/2026"}, "Thời hạn"),
    ({"satisfied_PKS05": []}, "PKS05"),
    ({"note": ""}, "lý do"),
    ({"correction_days": "0"}, "Số ngày được sửa phiếu thực địa"),
    ({"correction_days": "một tuần"}, "Số ngày được sửa phiếu thực địa"),
])
def test_bad_input_is_explained_and_nothing_is_saved(admin, override, message):
    response = admin.post("/quan-tri/bo-quy-tac", data=fields(**override))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert versions() == []


def test_the_rulebook_page_shows_vietnam_time(admin, results_world):
    admin.post("/quan-tri/bo-quy-tac", data=fields(threshold_percent="90", note="giờ"))
    db.session.execute(update(RulebookVersion).values(
        created_at=datetime(2026, 3, 1, 20, 5, tzinfo=UTC)))
    db.session.commit()
    html = admin.get("/quan-tri/bo-quy-tac").get_data(as_text=True)
    assert "02/03/2026 03:05" in html  # 20:05 UTC is 03:05 the next morning in Vietnam
    assert "01/03/2026 20:05" not in html


def test_the_correction_window_is_a_versioned_rule(admin, results_world):
    assert 'name="correction_days" value="7"' in admin.get("/quan-tri/bo-quy-tac").get_data(
        as_text=True)
    admin.post("/quan-tri/bo-quy-tac", data=fields(correction_days="3", note="Sửa trong 3 ngày"))
    db.session.expire_all()
    assert versions()[-1].parsed.correction_days == 3
    html = admin.get("/quan-tri/bo-quy-tac").get_data(as_text=True)
    assert 'name="correction_days" value="3"' in html
    assert "sửa phiếu 3 ngày" in html
