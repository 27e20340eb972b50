"""Field work through the client: the surveyor's home, paper entry, assignments, progress."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.models import SurveyorAssignment
from survey_app.services.intake.store import store_response
from survey_app.services.people.assignments import AssignmentError
from survey_app.services.people.assignments import assign_surveyor
from survey_app.services.people.assignments import organisation_map
from survey_app.services.people.assignments import set_organisation
from survey_app.services.results.progress import campaign_progress
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.fixtures.data import a_closed_window


def entry_url(world, commune=None, code="PKS05", forms=None) -> str:
    form = forms[code]
    commune = commune or world.own
    return f"/thuc-dia/chien-dich/{world.campaign.id}/xa/{commune.id}/phieu/{form.id}"


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html))


def stored(**where) -> int:
    db.session.expire_all()
    query = select(func.count(Response.id))
    for name, value in where.items():
        query = query.where(getattr(Response, name) == value)
    return db.session.scalar(query)




def test_home_lists_the_assigned_commune_with_the_organisations_forms_only(
        field_world, surveyor, published_forms):
    html = surveyor.get("/thuc-dia/").get_data(as_text=True)
    assert "Xã Hợp Thịnh" in html
    assert "Phường Đông Ngàn" not in html
    assert entry_url(field_world, code="PKS04", forms=published_forms) in html
    assert entry_url(field_world, code="PKS05", forms=published_forms) in html
    assert entry_url(field_world, code="PKS03", forms=published_forms) not in html


def test_a_typed_sheet_is_stored_as_paper_with_who_entered_it(
        field_world, surveyor, published_forms):
    url = entry_url(field_world, forms=published_forms)
    page = surveyor.get(url)
    assert page.status_code == 200
    fields = hidden_fields(page.get_data(as_text=True))
    assert fields["channel"] == "giay"
    assert fields["saved"] == "0"
    reply = surveyor.post(url, data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    assert "saved=1" in reply.headers["Location"]
    response = db.session.scalar(select(Response))
    assert response.channel is Channel.paper
    assert response.entered_by_id == field_world.users["surveyor"].id
    assert response.commune_id == field_world.own.id
    assert response.collection_point_id is None
    following = surveyor.get(reply.headers["Location"]).get_data(as_text=True)
    assert 'id="saved-count">1<' in following
    assert hidden_fields(following)["submission_id"] != fields["submission_id"]
    assert "\" checked" not in following


def test_a_double_submit_stores_one_response_and_counts_it_once(
        field_world, surveyor, published_forms):
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url + "?saved=4").get_data(as_text=True))
    first = surveyor.post(url, data={**fields, **PKS05_ANSWERS})
    second = surveyor.post(url, data={**fields, **PKS05_ANSWERS})
    assert first.status_code == second.status_code == 303
    assert "saved=5" in first.headers["Location"]
    assert "saved=5" in second.headers["Location"]
    assert stored() == 1


def test_the_same_sheet_id_with_other_answers_is_refused_and_the_answers_kept(
        field_world, surveyor, published_forms):
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url).get_data(as_text=True))
    surveyor.post(url, data={**fields, **PKS05_ANSWERS})
    changed = {**PKS05_ANSWERS, "q_overall": "khong_hai_long"}
    reply = surveyor.post(url, data={**fields, **changed})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 409
    assert 'value="khong_hai_long" checked' in html
    assert hidden_fields(html)["submission_id"] != fields["submission_id"]
    assert stored() == 1


def test_a_field_interview_is_recorded_as_such(field_world, surveyor, published_forms):
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url + "?channel=phong-van").get_data(as_text=True))
    assert fields["channel"] == "phong-van"
    surveyor.post(url, data={**fields, **PKS05_ANSWERS})
    assert stored(channel=Channel.field) == 1


def test_invalid_answers_show_the_public_forms_messages_and_keep_the_answers(
        field_world, surveyor, published_forms, strict_pks05):
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url + "?saved=2").get_data(as_text=True))
    answers = {**PKS05_ANSWERS, "gender": "robot"}
    del answers["attitude"]
    reply = surveyor.post(url, data={**fields, **answers})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert 'class="q invalid" id="q-attitude"' in html
    assert "Vui lòng trả lời câu hỏi này." in html
    assert "Vui lòng chọn một trong các phương án đã cho." in html
    assert 'value="nhanh_gon" checked' in html
    assert hidden_fields(html)["submission_id"] == fields["submission_id"]
    assert hidden_fields(html)["saved"] == "2"
    assert stored() == 0


@pytest.mark.parametrize(("commune", "code"), [("other", "PKS05"), ("own", "PKS03")])
def test_a_commune_or_form_not_assigned_cannot_be_entered(
        field_world, surveyor, published_forms, commune, code):
    url = entry_url(field_world, getattr(field_world, commune), code, published_forms)
    assert surveyor.get(url).status_code == 403
    fields = {"submission_id": str(uuid.uuid4()), "saved": "0", "channel": "giay"}
    assert surveyor.post(url, data={**fields, **PKS05_ANSWERS}).status_code == 403
    assert stored() == 0


def test_a_closed_form_cannot_be_entered(field_world, surveyor, published_forms):
    for campaign_form in field_world.campaign.forms:
        campaign_form.opens_on, campaign_form.closes_on = a_closed_window()
    db.session.commit()
    assert surveyor.get(entry_url(field_world, forms=published_forms)).status_code == 403


@pytest.mark.parametrize("username", ["official", "steering", "grouping"])
def test_readers_cannot_enter_responses(field_world, login, published_forms, username):
    client = login(username)
    url = entry_url(field_world, forms=published_forms)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"submission_id": str(uuid.uuid4()),
                                  **PKS05_ANSWERS}).status_code == 403
    assert stored() == 0


def test_the_coordinator_enters_for_any_commune_its_organisation_runs(
        field_world, login, published_forms):
    coordinator = login("coordinator")
    url = entry_url(field_world, field_world.other, "PKS04", published_forms)
    assert coordinator.get(url).status_code == 200
    assert coordinator.get(entry_url(field_world, field_world.other, "PKS06",
                                     published_forms)).status_code == 403


def test_giving_a_form_to_another_organisation_moves_who_may_enter_it(
        field_world, login, published_forms):
    set_organisation(db.session, field_world.campaign, published_forms["PKS05"],
                     [field_world.own.id], field_world.farmers)
    db.session.commit()
    url = entry_url(field_world, forms=published_forms)
    assert login("surveyor").get(url).status_code == 403
    assert login("farmer").get(url).status_code == 200
    runs = organisation_map(db.session, field_world.campaign)
    assert runs[(published_forms["PKS05"].id, field_world.other.id)] == field_world.youth.id


def test_going_back_to_the_programme_table_stores_no_row(field_world, published_forms):
    from survey_app.models import OrganisationAssignment

    pks05 = published_forms["PKS05"]
    set_organisation(db.session, field_world.campaign, pks05, [field_world.own.id],
                     field_world.farmers)
    set_organisation(db.session, field_world.campaign, pks05, [field_world.own.id],
                     field_world.youth)
    assert db.session.scalar(select(func.count(OrganisationAssignment.id))) == 0


def test_the_admin_changes_who_runs_a_form_through_the_page(
        field_world, login, published_forms):
    admin = login("admin")
    page = admin.get(f"/quan-tri/phan-cong?campaign={field_world.campaign.id}")
    assert page.status_code == 200
    assert "Đoàn Thanh niên" in page.get_data(as_text=True)
    reply = admin.post(f"/quan-tri/phan-cong/{field_world.campaign.id}", data={
        "form_id": published_forms["PKS05"].id, "organisation_id": field_world.farmers.id,
        "all_communes": "1"})
    assert reply.status_code == 303
    runs = organisation_map(db.session, field_world.campaign)
    pks05 = published_forms["PKS05"].id
    assert {runs[(pks05, c.id)] for c in (field_world.own, field_world.other)} == {
        field_world.farmers.id}
    admin.post(f"/quan-tri/phan-cong/{field_world.campaign.id}/mac-dinh")
    assert organisation_map(db.session, field_world.campaign)[(pks05, field_world.own.id)] == \
        field_world.youth.id


def test_the_coordinator_assigns_its_own_surveyors_only(field_world, login):
    coordinator = login("coordinator")
    campaign = field_world.campaign
    listing = coordinator.get("/thuc-dia/phan-cong").get_data(as_text=True)
    assert "Surveyor" in listing
    assert "Farmer" not in listing
    surveyor = field_world.users["surveyor"]
    url = f"/thuc-dia/phan-cong/{campaign.id}/nguoi/{surveyor.id}"
    reply = coordinator.post(url, data={"commune_id": [field_world.other.id]})
    assert reply.status_code == 303
    db.session.expire_all()
    assert set(db.session.scalars(select(SurveyorAssignment.commune_id).where(
        SurveyorAssignment.user_id == surveyor.id))) == {field_world.other.id}
    farmer = field_world.users["farmer"]
    assert coordinator.get(f"/thuc-dia/phan-cong/{campaign.id}/nguoi/{farmer.id}"
                           ).status_code == 404
    assert coordinator.post(f"/thuc-dia/phan-cong/{campaign.id}/nguoi/{farmer.id}",
                            data={"commune_id": [field_world.other.id]}).status_code == 404


def test_a_surveyor_cannot_be_given_a_commune_of_another_province(
        field_world, create_user, published_forms):
    from survey_app.models import Commune
    from survey_app.models import Province

    far = Province(code="01", name="Hà Nội", division_type="thành phố")
    db.session.add(far)
    db.session.flush()
    commune = Commune(code="00001", name="Phường Ba Đình", division_type="phường",
                      province_id=far.id)
    db.session.add(commune)
    db.session.flush()
    with pytest.raises(AssignmentError):
        assign_surveyor(db.session, field_world.users["coordinator"], field_world.campaign,
                        field_world.users["surveyor"], [commune.id])


def add_responses(world, forms, commune, code, count, channel=Channel.qr):
    version = forms[code].current_version()
    for _ in range(count):
        store_response(db.session, submission_id=str(uuid.uuid4()),
                       campaign_id=world.campaign.id, commune_id=commune.id, version=version,
                       answers=dict(PKS05_ANSWERS) if code == "PKS05" else {},
                       channel=channel)
    db.session.commit()


def test_progress_counts_each_commune_and_form_against_the_target(
        field_world, published_forms):
    add_responses(field_world, published_forms, field_world.own, "PKS05", 30)
    add_responses(field_world, published_forms, field_world.other, "PKS05", 4, Channel.paper)
    result = campaign_progress(db.session, field_world.users["coordinator"], field_world.campaign)
    assert {f.code for f in result.forms} == {"PKS04", "PKS05"}
    pks05 = published_forms["PKS05"].id
    own = result.cells[(field_world.own.id, pks05)]
    assert (own.collected, own.by_field, own.target, own.reached) == (30, 0, 30, True)
    other = result.cells[(field_world.other.id, pks05)]
    assert (other.collected, other.by_field, other.reached) == (4, 4, False)
    line = next(line for line in result.lines if line.form.id == pks05)
    assert (line.communes, line.reached, line.collected, line.counted, line.target) == (
        2, 1, 34, 34, 60)


def test_progress_is_scoped_to_the_readers_communes(field_world, published_forms, login):
    add_responses(field_world, published_forms, field_world.own, "PKS05", 3)
    add_responses(field_world, published_forms, field_world.other, "PKS05", 7)
    official = campaign_progress(db.session, field_world.users["official"], field_world.campaign)
    assert {c.id for c in official.communes} == {field_world.own.id}
    steering = campaign_progress(db.session, field_world.users["steering"], field_world.campaign)
    assert len(steering.forms) == 7
    assert len(steering.communes) == 2
    page = login("official").get("/thuc-dia/tien-do").get_data(as_text=True)
    assert "3 / 30" in page
    assert "7 / 30" not in page
    assert "Phường Đông Ngàn" not in page
    coordinator = login("coordinator").get("/thuc-dia/tien-do").get_data(as_text=True)
    assert "PKS04" in coordinator
    assert "PKS06" not in coordinator
    assert login("surveyor").get("/thuc-dia/tien-do").status_code == 403


def test_an_expired_page_keeps_the_typed_answers_and_saves_on_the_next_press(
        app, field_world, surveyor, published_forms):
    app.config["WTF_CSRF_ENABLED"] = True
    url = entry_url(field_world, forms=published_forms)
    fields = hidden_fields(surveyor.get(url).get_data(as_text=True))
    expired = surveyor.post(url, data={**fields, **PKS05_ANSWERS, "csrf_token": "stale"})
    html = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert 'value="lich_su_than_thien" checked' in html
    assert stored() == 0
    again = hidden_fields(html)
    assert again["submission_id"] == fields["submission_id"]
    assert surveyor.post(url, data={**again, **PKS05_ANSWERS}).status_code == 303
    assert stored() == 1
