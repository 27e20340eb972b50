"""Reporting dates: what is due, who sent on time or late, and who is late."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.recognition.deadlines import Standing
from survey_app.services.recognition.deadlines import deadline_statuses


def test_what_is_due_and_who_is_late(world, login):
    c = world.campaign
    steering, official = login("steering"), login("official")
    steering.post(f"/cong-nhan/{c.id}/dang-ky", data={"commune": [world.meets.id,
                                                                  world.fails.id]})
    today = today_in_vietnam()
    for kind, title, due in (("six_month", "Báo cáo 6 tháng", today - timedelta(days=3)),
                             ("year", "Báo cáo năm", today + timedelta(days=30))):
        assert steering.post(f"/cong-nhan/{c.id}/han-bao-cao", data={
            "kind": kind, "title": title, "due_on": due.isoformat()}).status_code == 303
    refused = steering.post(f"/cong-nhan/{c.id}/han-bao-cao", data={
        "kind": "monthly", "title": "x", "due_on": "2026-05-10"}, follow_redirects=True)
    assert 'class="flash error"' in refused.get_data(as_text=True)
    statuses = deadline_statuses(db.session, c, db.select(Commune.id), today)
    six, year = statuses
    official.post(f"/cong-nhan/{c.id}/xa/{world.meets.id}/bao-cao",
                  data={"deadline": str(year.deadline.id)})
    again = official.post(f"/cong-nhan/{c.id}/xa/{world.meets.id}/bao-cao",
                          data={"deadline": str(year.deadline.id)}, follow_redirects=True)
    assert "đã được ghi nhận là đã gửi" in again.get_data(as_text=True)
    six, year = deadline_statuses(db.session, c, db.select(Commune.id), today)
    assert {d.commune.name: d.standing for d in six.communes} == {
        "Xã Hợp Thịnh": Standing.late, "Phường Đông Ngàn": Standing.late}
    assert {d.commune.name: d.standing for d in year.communes} == {
        "Xã Hợp Thịnh": Standing.on_time, "Phường Đông Ngàn": Standing.due}
    page = steering.get(f"/cong-nhan/{c.id}/han-bao-cao").get_data(as_text=True)
    assert "Quá hạn: Phường Đông Ngàn, Xã Hợp Thịnh" in page
    # The grouping sees only its own communes' standing.
    assert "Xã Hợp Thịnh" in login("grouping").get(
        f"/cong-nhan/{c.id}/han-bao-cao").get_data(as_text=True)


def test_a_late_report_is_shown_as_sent_late():
    from datetime import UTC
    from datetime import datetime

    from survey_app.services.recognition.deadlines import standing

    due = date(2026, 5, 10)
    # 10 May 23:30 in Vietnam is still on time; 11 May 00:30 is late.
    assert standing(due, datetime(2026, 5, 10, 16, 30, tzinfo=UTC), date(2026, 6, 1)) \
        is Standing.on_time
    assert standing(due, datetime(2026, 5, 10, 17, 30, tzinfo=UTC), date(2026, 6, 1)) \
        is Standing.sent_late
    assert standing(due, None, date(2026, 5, 10)) is Standing.due
    assert standing(due, None, date(2026, 5, 11)) is Standing.late


def test_a_started_dossier_keeps_its_registration(world, login):
    c = world.campaign
    steering = login("steering")
    steering.post(f"/cong-nhan/{c.id}/dang-ky", data={"commune": [world.meets.id,
                                                                  world.fails.id]})
    login("official").post(f"/cong-nhan/{c.id}/xa/{world.meets.id}/diem",
                           data={"points_TC2": "20"})
    page = steering.post(f"/cong-nhan/{c.id}/dang-ky", data={"commune": []},
                         follow_redirects=True).get_data(as_text=True)
    assert "Xã Hợp Thịnh đã bắt đầu lập hồ sơ" in page
    # Nothing was withdrawn: the untouched draft of the other commune is still there too.
    assert "Phường Đông Ngàn" in steering.get(f"/cong-nhan/?campaign={c.id}").get_data(
        as_text=True)
