"""A campaign's points in bulk (idempotent, extra counters) and the sample-size helper."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import CollectionPoint
from survey_app.services.campaigns import campaigns as service
from survey_app.services.campaigns.campaigns import CampaignError
from survey_app.services.campaigns.points import make_points
from survey_app.services.campaigns.points import parse_counters
from survey_app.services.campaigns.targets import target_sheet


@pytest.fixture
def campaign(dummy_province, published_forms, create_commune):
    create_commune("Xã Một", staff_headcount=25)
    create_commune("Xã Hai")
    with unit_of_work(db.session):
        made = service.create_campaign(db.session, name="Năm 2026", province=dummy_province,
                                       year=2026)
        for code in ("PKS01", "PKS05"):
            service.add_form(db.session, made, published_forms[code],
                             opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31),
                             sample_target=30)
    return made


def live_points() -> list[tuple[str, str, str | None]]:
    return sorted((tuple(row) for row in db.session.execute(
        select(CollectionPoint.commune_id, CollectionPoint.form_id, CollectionPoint.label)
        .where(CollectionPoint.retired_at.is_(None)))), key=str)


def test_one_point_per_commune_and_form_and_nothing_twice(campaign, create_commune):
    second = campaign.province.communes[1].code
    with unit_of_work(db.session):
        report = make_points(db.session, campaign, {second: 2})
    assert (report.created, report.kept, report.communes, report.forms) == (6, 0, 2, 2)
    made = live_points()
    with unit_of_work(db.session):
        again = make_points(db.session, campaign, {second: 2})
    assert (again.created, again.kept) == (0, 6)
    assert live_points() == made
    labels = db.session.scalars(select(CollectionPoint.label).where(
        CollectionPoint.label.is_not(None))).all()
    assert labels == ["Quầy 2", "Quầy 2"]


def test_a_new_commune_gets_its_points_on_the_next_run(campaign, create_commune):
    with unit_of_work(db.session):
        make_points(db.session, campaign)
    create_commune("Xã Mới")
    with unit_of_work(db.session):
        report = make_points(db.session, campaign)
    assert (report.created, report.kept) == (2, 4)


def test_bad_counters_store_nothing(campaign):
    with pytest.raises(CampaignError) as caught, unit_of_work(db.session):
        make_points(db.session, campaign, {"99999": 2})
    assert caught.value.code == "counter_unknown_commune"
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == 0
    with pytest.raises(CampaignError) as caught:
        parse_counters("25112, 2\nxã hai")
    assert caught.value.params == {"line": 2}
    assert parse_counters("25112, 2\n\n25113;3\n 25114\t1 ") == {
        "25112": 2, "25113": 3, "25114": 1}


def test_a_campaign_without_forms_makes_no_points(dummy_province, create_commune):
    create_commune()
    with unit_of_work(db.session):
        empty = service.create_campaign(db.session, name="Trống", province=dummy_province,
                                        year=2026)
    with pytest.raises(CampaignError, match="campaign_without_forms"), unit_of_work(db.session):
        make_points(db.session, empty)


def test_helper_suggests_from_figures_and_says_when_they_are_missing(campaign):
    sheet = target_sheet(db.session, campaign)
    pks01, _pks05 = (col.campaign_form for col in sheet.forms)
    rows = {row.commune.name: row for row in sheet.communes}
    assert rows["Xã Một"].suggestions[pks01.id].target == 24  # 25 staff
    assert rows["Xã Hai"].suggestions[pks01.id].target is None
    assert sheet.forms[0].proposed == 24
    assert sheet.forms[0].missing == 1
    assert sheet.forms[1].proposed is None  # no commune has its transactions yet


def test_helper_takes_figures_as_inputs(campaign):
    one, two = sorted(campaign.province.communes, key=lambda c: c.name)[:2]
    figures = {one.id: {"yearly_transactions": 4_000}, two.id: {"yearly_transactions": 400}}
    sheet = target_sheet(db.session, campaign, figures)
    column = sheet.forms[1]
    assert column.campaign_form.form.code == "PKS05"
    assert sorted(r.suggestions[column.campaign_form.id].target for r in sheet.communes) == [
        200, 364]
    assert column.proposed == 364
