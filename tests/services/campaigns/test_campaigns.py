"""Campaign services: make, copy, forms and windows, early opening and closing, strandings."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import select

from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.models import WindowChange
from survey_app.services.campaigns import campaigns as service
from survey_app.services.campaigns import windows
from survey_app.services.campaigns.campaigns import CampaignError


@pytest.fixture
def campaign(dummy_province, published_forms) -> Campaign:
    db.session.commit()  # a unit of work starts a transaction of its own
    with unit_of_work(db.session):
        made = service.create_campaign(db.session, name="Năm 2026", province=dummy_province,
                                       year=2026)
    return made


def refused(code: str, change) -> CampaignError:
    with pytest.raises(CampaignError) as caught, unit_of_work(db.session):
        change()
    assert caught.value.code == code
    return caught.value


def test_quarter_presets_follow_the_programme():
    assert service.quarter_window("PKS01", 2027) == (date(2027, 1, 1), date(2027, 3, 31))
    assert service.quarter_window("PKS04", 2027) == (date(2027, 4, 1), date(2027, 6, 30))
    assert service.quarter_window("PKS07", 2027) == (date(2027, 7, 1), date(2027, 9, 30))
    assert service.quarter_window("PKS99", 2027) is None


def test_every_form_added_in_its_quarter(campaign, published_forms):
    with unit_of_work(db.session):
        added = service.add_forms_by_quarter(db.session, campaign,
                                             list(published_forms.values()), sample_target=40)
    assert len(added) == 7
    windows_by_code = {cf.form.code: (cf.opens_on, cf.closes_on, cf.sample_target)
                       for cf in campaign.forms}
    assert windows_by_code["PKS02"] == (date(2026, 1, 1), date(2026, 3, 31), 40)
    assert windows_by_code["PKS05"] == (date(2026, 7, 1), date(2026, 9, 30), 40)
    with unit_of_work(db.session):  # again: nothing twice
        assert service.add_forms_by_quarter(db.session, campaign,
                                            list(published_forms.values()),
                                            sample_target=40) == []


def test_names_years_and_windows_are_checked(campaign, dummy_province, published_forms):
    refused("campaign_name_taken", lambda: service.create_campaign(
        db.session, name="năm  2026", province=dummy_province, year=2026))
    refused("campaign_name_missing", lambda: service.create_campaign(
        db.session, name="  ", province=dummy_province, year=2026))
    refused("campaign_year_invalid", lambda: service.create_campaign(
        db.session, name="X", province=dummy_province, year=1999))
    refused("window_backwards", lambda: service.add_form(
        db.session, campaign, published_forms["PKS05"], opens_on=date(2026, 5, 2),
        closes_on=date(2026, 5, 1), sample_target=30))
    refused("target_invalid", lambda: service.add_form(
        db.session, campaign, published_forms["PKS05"], opens_on=date(2026, 5, 1),
        closes_on=date(2026, 5, 2), sample_target=0))
    assert campaign.forms == []


def test_copy_of_last_year_moves_windows_and_keeps_targets(campaign, dummy_province,
                                                           published_forms):
    with unit_of_work(db.session):
        service.add_form(db.session, campaign, published_forms["PKS01"],
                         opens_on=date(2026, 2, 1), closes_on=date(2026, 2, 28),
                         sample_target=25)
    with unit_of_work(db.session):
        copy = service.copy_previous(db.session, dummy_province, name="Năm 2027", year=2027)
    (only,) = copy.forms
    assert (only.form.code, only.opens_on, only.closes_on, only.sample_target) == (
        "PKS01", date(2027, 2, 1), date(2027, 2, 28), 25)
    assert copy.year == 2027
    error = refused("no_campaign_to_copy", lambda: service.copy_previous(
        db.session, dummy_province, name="Năm 2025", year=2025))
    assert "2025" in describe(error)


def test_leap_day_moves_to_the_28th():
    assert service.moved(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_windows_of_one_form_may_not_overlap_in_a_province(campaign, dummy_province,
                                                           published_forms):
    with unit_of_work(db.session):
        service.add_form(db.session, campaign, published_forms["PKS05"],
                         opens_on=date(2026, 7, 1), closes_on=date(2026, 9, 30), sample_target=30)
        other = service.create_campaign(db.session, name="Đợt bổ sung", province=dummy_province,
                                        year=2026)
    refused("window_overlaps", lambda: service.add_form(
        db.session, other, published_forms["PKS05"], opens_on=date(2026, 9, 1),
        closes_on=date(2026, 10, 31), sample_target=30))


def answered(add_responses, campaign, commune, form, day: date) -> None:
    add_responses(campaign, commune, form, {"hai_long": 1},
                  received_at=datetime(day.year, day.month, day.day, 3, tzinfo=UTC))
    db.session.commit()


def test_changes_that_would_strand_answers_are_refused(campaign, published_forms,
                                                       dummy_commune, add_responses):
    form = published_forms["PKS05"]
    with unit_of_work(db.session):
        cf = service.add_form(db.session, campaign, form, opens_on=date(2026, 7, 1),
                              closes_on=date(2026, 9, 30), sample_target=30)
    answered(add_responses, campaign, dummy_commune, form, date(2026, 7, 10))
    answered(add_responses, campaign, dummy_commune, form, date(2026, 8, 20))
    error = refused("window_strands_answers", lambda: service.change_form(
        db.session, cf, opens_on=date(2026, 7, 15), closes_on=date(2026, 9, 30),
        sample_target=30))
    assert "10/07/2026" in describe(error)
    assert "20/08/2026" in describe(error)
    refused("window_strands_answers", lambda: service.change_form(
        db.session, cf, opens_on=date(2026, 7, 1), closes_on=date(2026, 8, 19),
        sample_target=30))
    error = refused("campaign_form_has_answers", lambda: service.remove_form(db.session, cf))
    assert "2" in describe(error)
    db.session.refresh(cf)
    assert (cf.opens_on, cf.closes_on) == (date(2026, 7, 1), date(2026, 9, 30))
    with unit_of_work(db.session):  # moving within what the answers allow is fine
        service.change_form(db.session, cf, opens_on=date(2026, 7, 10),
                            closes_on=date(2026, 8, 20), sample_target=50)
    assert cf.sample_target == 50


def test_a_form_without_answers_is_removed(campaign, published_forms):
    with unit_of_work(db.session):
        cf = service.add_form(db.session, campaign, published_forms["PKS06"],
                              opens_on=date(2026, 7, 1), closes_on=date(2026, 9, 30),
                              sample_target=30)
    with unit_of_work(db.session):
        service.remove_form(db.session, cf)
    assert campaign.forms == []


def test_open_and_close_early_need_and_keep_a_reason(campaign, published_forms, create_user,
                                                     dummy_commune, add_responses):
    from survey_app.models import Role

    admin = create_user("quantri", Role.admin)
    with unit_of_work(db.session):
        cf = service.add_form(db.session, campaign, published_forms["PKS05"],
                              opens_on=date(2026, 7, 1), closes_on=date(2026, 9, 30),
                              sample_target=30)
    today = date(2026, 6, 20)
    refused("reason_missing", lambda: windows.open_now(db.session, cf, today=today,
                                                       reason="  ", user_id=admin.id))
    with unit_of_work(db.session):
        windows.open_now(db.session, cf, today=today, reason="Tỉnh yêu cầu khảo sát sớm",
                         user_id=admin.id)
    assert cf.opens_on == today
    refused("form_already_open", lambda: windows.open_now(db.session, cf, today=today,
                                                          reason="x", user_id=admin.id))
    answered(add_responses, campaign, dummy_commune, published_forms["PKS05"], date(2026, 8, 1))
    with unit_of_work(db.session):
        last = windows.close_now(db.session, cf, today=date(2026, 8, 1), reason="Đủ mẫu",
                                 user_id=admin.id)
    # An answer came in today: it stays inside, the form closes from tomorrow.
    assert last == cf.closes_on == date(2026, 8, 1)
    refused("form_not_open", lambda: windows.close_now(db.session, cf, today=date(2026, 8, 2),
                                                       reason="x", user_id=admin.id))
    changes = db.session.scalars(select(WindowChange).order_by(WindowChange.id)).all()
    assert [(c.action, c.reason, c.opens_on_before, c.closes_on_before, c.changed_by_id)
            for c in changes] == [
        ("open", "Tỉnh yêu cầu khảo sát sớm", date(2026, 7, 1), date(2026, 9, 30), admin.id),
        ("close", "Đủ mẫu", date(2026, 6, 20), date(2026, 9, 30), admin.id)]


def test_close_early_without_answers_today_closes_yesterday(campaign, published_forms):
    with unit_of_work(db.session):
        cf = service.add_form(db.session, campaign, published_forms["PKS03"],
                              opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30),
                              sample_target=30)
        last = windows.close_now(db.session, cf, today=date(2026, 5, 10), reason="Sáp nhập xã",
                                 user_id=None)
    assert last == date(2026, 5, 9)
    assert not cf.is_open_on(date(2026, 5, 10))


def test_campaign_page_counts_answers_and_open_forms(campaign, published_forms, dummy_commune,
                                                     add_responses):
    with unit_of_work(db.session):
        service.add_forms_by_quarter(db.session, campaign, list(published_forms.values()),
                                     sample_target=30)
    answered(add_responses, campaign, dummy_commune, published_forms["PKS05"], date(2026, 7, 3))
    states = {s.campaign_form.form.code: s for s in
              service.campaign_forms(db.session, campaign, date(2026, 7, 3))}
    assert [code for code, s in states.items() if s.open_today] == ["PKS05", "PKS06", "PKS07"]
    assert states["PKS05"].responses == 1
    assert states["PKS01"].responses == 0
