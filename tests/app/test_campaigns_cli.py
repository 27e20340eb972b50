"""``flask campaigns``: the admin pages' verbs from the shell, refusals in Vietnamese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.models import CollectionPoint
from survey_app.models import WindowChange


@pytest.fixture
def ready(runner, dummy_province, published_forms, create_commune):
    create_commune("Xã Một")
    create_commune("Xã Hai")
    db.session.commit()
    return dummy_province


def run(runner, *args: str, code: int = 0) -> str:
    result = runner.invoke(args=["campaigns", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_create_list_open_close(runner, ready):
    year = today_in_vietnam().year + 1
    out = run(runner, "create", "--province", "24", "--year", str(year), "--forms", "all")
    assert f"Năm {year}" in out
    assert "7 forms" in out
    campaign = db.session.scalar(select(Campaign))
    listing = run(runner, "list", "--province", "24")
    assert f"PKS01 {year}-01-01..{year}-03-31 target 30/commune, 0 responses" in listing
    assert "OPEN" not in listing
    out = run(runner, "open", str(campaign.id), "pks05", "--reason", "Thử trước")
    assert "open from today" in out
    assert "OPEN PKS05" in run(runner, "list")
    out = run(runner, "close", str(campaign.id), "PKS05", "--reason", "Đủ mẫu")
    assert "closed" in out
    assert db.session.scalar(select(func.count(WindowChange.id))) == 2


def test_refusals_are_worded_in_vietnamese(runner, ready):
    year = today_in_vietnam().year + 1
    run(runner, "create", "--province", "24", "--year", str(year))
    out = run(runner, "create", "--province", "24", "--year", str(year), code=1)
    assert "đã có đợt khảo sát tên" in out
    campaign = db.session.scalar(select(Campaign))
    out = run(runner, "open", str(campaign.id), "PKS05", "--reason", "x", code=2)
    assert "is not a form of campaign" in out
    run(runner, "add-form", str(campaign.id), "PKS05")
    out = run(runner, "open", str(campaign.id), "PKS05", "--reason", " ", code=1)
    assert "Hãy nêu lý do" in out
    out = run(runner, "create", "--province", "99", "--year", "2030", code=2)
    assert "no province with code 99" in out
    out = run(runner, "copy", "--province", "24", "--year", str(year - 5), code=1)
    assert "không có đợt khảo sát nào trước năm" in out


def test_copy_moves_the_windows_a_year_on(runner, ready):
    year = today_in_vietnam().year
    run(runner, "create", "--province", "24", "--year", str(year), "--forms", "PKS01,PKS05",
        "--target", "45")
    out = run(runner, "copy", "--province", "24", "--year", str(year + 1))
    assert "2 forms" in out
    listing = run(runner, "list")
    assert f"PKS05 {year + 1}-07-01..{year + 1}-09-30 target 45/commune" in listing


def test_add_form_with_dates_then_points_twice(runner, ready, tmp_path):
    today = today_in_vietnam()
    run(runner, "create", "--province", "24", "--year", str(today.year))
    campaign = db.session.scalar(select(Campaign))
    run(runner, "add-form", str(campaign.id), "PKS05", "--opens", today.isoformat(),
        "--closes", (today + timedelta(days=30)).isoformat(), "--target", "50")
    assert "OPEN PKS05" in run(runner, "list")
    code = ready.communes[0].code
    counters = tmp_path / "quay.txt"
    counters.write_text(f"{code}, 3\n", encoding="utf-8")
    out = run(runner, "points", str(campaign.id), "--counters", str(counters))
    assert "4 points made, 0 already there" in out
    out = run(runner, "points", str(campaign.id), "--counters", str(counters))
    assert "0 points made, 4 already there" in out
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 4
    counters.write_bytes("25112, 2\n".encode("utf-16"))
    out = run(runner, "points", str(campaign.id), "--counters", str(counters), code=2)
    assert "not UTF-8" in out


def test_demo_refusal_says_why_in_vietnamese(runner, ready):
    run(runner, "create", "--province", "24", "--year", "2026")
    result = runner.invoke(args=["demo", "load", "--province", "12"])
    assert result.exit_code == 1
    assert "không do flask demo load tạo ra (Năm 2026)" in result.output
    assert "mật khẩu công khai" in result.output
