"""The campaign pages: make or copy a campaign, add forms, change windows, open and close
early with a reason, the sample-size helper, points in bulk; refusals in Vietnamese."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import CollectionPoint
from survey_app.models import Role
from survey_app.models import WindowChange


@pytest.fixture
def admin(client, create_user, dummy_province, published_forms):
    db.session.commit()
    create_user("quantri", Role.admin)
    reply = client.post("/dang-nhap", data={"username": "quantri",
                                            "password": "correct horse battery"})
    assert reply.status_code == 302
    return client


def page(client, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def create(client, province, name="Năm 2026", year=2026, copy=False):
    data = {"name": name, "province": province.id, "year": year}
    if copy:
        data["copy"] = "y"
    return client.post("/quan-tri/dot-khao-sat/", data=data, follow_redirects=True)


def test_admin_makes_a_campaign_adds_every_form_by_quarter(admin, dummy_province):
    assert "Chưa có đợt khảo sát nào" in page(admin, "/quan-tri/dot-khao-sat/")
    reply = create(admin, dummy_province)
    assert reply.status_code == 200
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.name, campaign.year) == ("Năm 2026", 2026)
    reply = admin.post(f"/quan-tri/dot-khao-sat/{campaign.id}/phieu",
                       data={"form_code": "*", "sample_target": "35"}, follow_redirects=True)
    text = reply.get_data(as_text=True)
    assert "7" in text
    windows = {cf.form.code: (cf.opens_on, cf.closes_on, cf.sample_target)
               for cf in db.session.scalars(select(CampaignForm))}
    assert windows["PKS03"] == (date(2026, 4, 1), date(2026, 6, 30), 35)
    assert "01/07/2026 – 30/09/2026" in text


def test_a_name_already_used_is_refused_in_vietnamese(admin, dummy_province):
    create(admin, dummy_province)
    text = create(admin, dummy_province).get_data(as_text=True)
    assert "đã có đợt khảo sát tên Năm 2026" in text
    assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_copy_of_last_year(admin, dummy_province, published_forms):
    create(admin, dummy_province, "Năm 2025", 2025)
    old = db.session.scalar(select(Campaign))
    admin.post(f"/quan-tri/dot-khao-sat/{old.id}/phieu",
               data={"form_code": "PKS05", "opens_on": "2025-08-01", "closes_on": "2025-08-31",
                     "sample_target": "60"})
    text = create(admin, dummy_province, "Năm 2026", 2026, copy=True).get_data(as_text=True)
    assert "01/08/2026 – 31/08/2026" in text
    new = db.session.scalar(select(Campaign).where(Campaign.year == 2026))
    assert [(cf.form.code, cf.sample_target) for cf in new.forms] == [("PKS05", 60)]
    text = create(admin, dummy_province, "Năm 2024", 2024, copy=True).get_data(as_text=True)
    assert "không có đợt khảo sát nào trước năm 2024" in text


@pytest.fixture
def running(admin, dummy_province, dummy_commune, add_responses, published_forms):
    """A campaign whose PKS05 is open today with one answer, and PKS06 opening later."""
    create(admin, dummy_province, "Năm nay", today_in_vietnam().year)
    campaign = db.session.scalar(select(Campaign))
    today = today_in_vietnam()
    for code, opens, closes in (("PKS05", today - timedelta(days=3), today + timedelta(days=30)),
                                ("PKS06", today + timedelta(days=5), today + timedelta(days=40))):
        admin.post(f"/quan-tri/dot-khao-sat/{campaign.id}/phieu",
                   data={"form_code": code, "opens_on": opens.isoformat(),
                         "closes_on": closes.isoformat(), "sample_target": "30"})
    add_responses(campaign, dummy_commune, published_forms["PKS05"], {"hai_long": 1})
    db.session.commit()
    forms = {cf.form.code: cf for cf in campaign.forms}
    return campaign, forms




def test_refusals_that_would_strand_answers(admin, running):
    _campaign, forms = running
    pks05 = forms["PKS05"]
    reply = admin.post(f"/quan-tri/dot-khao-sat/phieu/{pks05.id}/xoa", follow_redirects=True)
    assert "Không thể bỏ PKS05" in reply.get_data(as_text=True)
    tomorrow = today_in_vietnam() + timedelta(days=1)
    reply = admin.post(f"/quan-tri/dot-khao-sat/phieu/{pks05.id}",
                       data={"opens_on": tomorrow.isoformat(),
                             "closes_on": (tomorrow + timedelta(days=9)).isoformat(),
                             "sample_target": "30"}, follow_redirects=True)
    assert "ngoài khoảng thời gian" in reply.get_data(as_text=True)
    db.session.refresh(pks05)
    assert pks05.opens_on < tomorrow
    assert db.session.scalar(select(func.count(CampaignForm.id))) == 2


def test_open_and_close_early_with_a_reason_shown(admin, running):
    _campaign, forms = running
    pks06 = forms["PKS06"]
    reply = admin.post(f"/quan-tri/dot-khao-sat/phieu/{pks06.id}/mo", data={"reason": ""},
                       follow_redirects=True)
    assert "Hãy nêu lý do" in reply.get_data(as_text=True)
    reply = admin.post(f"/quan-tri/dot-khao-sat/phieu/{pks06.id}/mo",
                       data={"reason": "Huyện đề nghị mở sớm"}, follow_redirects=True)
    db.session.refresh(pks06)
    assert pks06.opens_on == today_in_vietnam()
    reply = admin.post(f"/quan-tri/dot-khao-sat/phieu/{pks06.id}/dong",
                       data={"reason": "Nhầm ngày"}, follow_redirects=True)
    text = reply.get_data(as_text=True)
    assert "Huyện đề nghị mở sớm" in text
    assert "Nhầm ngày" in text
    assert db.session.scalar(select(func.count(WindowChange.id))) == 2


def test_targets_helper_degrades_without_figures_and_saves(admin, running, dummy_commune):
    campaign, forms = running
    text = page(admin, f"/quan-tri/dot-khao-sat/{campaign.id}/co-mau")
    assert "chưa có số liệu" in text
    reply = admin.post(f"/quan-tri/dot-khao-sat/{campaign.id}/co-mau",
                       data={f"target-{forms['PKS05'].id}": "120"}, follow_redirects=True)
    assert reply.status_code == 200
    db.session.refresh(forms["PKS05"])
    assert forms["PKS05"].sample_target == 120
    reply = admin.post(f"/quan-tri/dot-khao-sat/{campaign.id}/co-mau",
                       data={f"target-{forms['PKS05'].id}": "mười"}, follow_redirects=True)
    assert "số nguyên" in reply.get_data(as_text=True)


def test_points_in_bulk_then_posters(admin, running, dummy_commune):
    campaign, _forms = running
    url = f"/quan-tri/dot-khao-sat/{campaign.id}/diem-thu-thap"
    reply = admin.post(url, data={"counters": f"{dummy_commune.code}, 2"}, follow_redirects=True)
    assert reply.status_code == 200
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 4
    admin.post(url, data={"counters": f"{dummy_commune.code}, 2"})
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 4
    reply = admin.post(url, data={"counters": "00000, 2"}, follow_redirects=True)
    assert "00000" in reply.get_data(as_text=True)
    # The campaign page asks for a form's posters as a job (run at once in the tests).
    job = admin.post("/quan-tri/ma-qr/chuan-bi", data={
        "province": campaign.province_id, "form": "PKS05", "what": "pdf"})
    assert job.status_code == 303
    done = admin.get(job.headers["Location"] + "/tep")
    assert done.status_code == 200
    assert done.data.startswith(b"%PDF")


def test_campaign_page_shows_open_forms_and_answers(admin, running):
    campaign, _forms = running
    text = page(admin, f"/quan-tri/dot-khao-sat/{campaign.id}")
    assert "1 trên 2 phiếu đang mở" in text
