"""The citizen's path: open a form from its token, answer, submit exactly once."""

import re
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import CollectionPoint
from survey_app.models import Response
from tests.fixtures.data import PKS05_ANSWERS
from tests.fixtures.data import a_closed_window


@pytest.fixture
def point(dummy_commune, open_campaign, create_point) -> CollectionPoint:
    return create_point(dummy_commune, "PKS05")


def form_fields(client, point) -> dict:
    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_form_page_shows_commune_and_questions_in_vietnamese(client, point):
    page = client.get(f"/f/{point.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "UBND Xã Hợp Thịnh" in html
    assert "Ông/bà nhận xét như thế nào về thái độ của công chức bộ phận một cửa?" in html
    assert 'name="submission_id"' in html


def test_valid_submission_is_stored_with_its_answers(client, point):
    fields = form_fields(client, point)
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    thanks = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "UBND Xã Hợp Thịnh" in thanks
    response = db.session.scalar(select(Response))
    assert response.submission_id == fields["submission_id"]
    assert response.satisfaction_answer == "hai_long"
    assert response.commune_id == point.commune_id
    stored = {a.question_id: a.value for a in db.session.scalars(select(Answer))}
    assert stored == PKS05_ANSWERS


def test_missing_required_answer_keeps_the_others_and_marks_the_question(client, point):
    fields = form_fields(client, point)
    answers = {**PKS05_ANSWERS}
    del answers["attitude"]
    reply = client.post(f"/f/{point.token}", data={**fields, **answers})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert re.search(r'id="q-attitude" class="[^"]*invalid', html)
    assert "Vui lòng trả lời câu hỏi này." in html
    assert 'value="nhanh_gon" checked' in html
    assert fields["submission_id"] in html
    assert count(Response) == 0


def test_conditional_answer_is_dropped_when_its_condition_does_not_hold(client, point):
    fields = form_fields(client, point)
    data = {**fields, **PKS05_ANSWERS, "wait_reason": "xu_ly_cham"}
    client.post(f"/f/{point.token}", data=data)
    questions = set(db.session.scalars(select(Answer.question_id)))
    assert "wait_reason" not in questions


def test_conditional_answer_is_kept_when_its_condition_holds(client, point):
    fields = form_fields(client, point)
    data = {**fields, **PKS05_ANSWERS, "wait_time": "cho_rat_lau",
            "wait_reason": ["xu_ly_cham", "qua_dong"]}
    assert client.post(f"/f/{point.token}", data=data).status_code == 303
    reasons = set(db.session.scalars(
        select(Answer.value).where(Answer.question_id == "wait_reason")))
    assert reasons == {"xu_ly_cham", "qua_dong"}


def test_resend_of_same_submission_is_thanked_and_not_stored_twice(client, point):
    data = {**form_fields(client, point), **PKS05_ANSWERS}
    first = client.post(f"/f/{point.token}", data=data)
    second = client.post(f"/f/{point.token}", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Response) == 1


def test_same_submission_id_with_other_answers_is_refused(client, point):
    fields = form_fields(client, point)
    client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    changed = {**fields, **PKS05_ANSWERS, "q_overall": "khong_hai_long"}
    reply = client.post(f"/f/{point.token}", data=changed)
    assert reply.status_code == 409
    assert db.session.scalar(select(Response.satisfaction_answer)) == "hai_long"
    assert count(Response) == 1


def test_unknown_token_gives_a_clear_404(client, app):
    reply = client.get("/f/khong-ton-tai")
    assert reply.status_code == 404
    assert "Không tìm thấy đường dẫn khảo sát" in reply.get_data(as_text=True)


def test_closed_campaign_gives_a_clear_page_and_stores_nothing(
    client, dummy_commune, create_campaign, create_point
):
    opens, closes = a_closed_window()
    create_campaign(opens_on=opens, closes_on=closes)
    point = create_point(dummy_commune, "PKS05")
    page = client.get(f"/f/{point.token}")
    assert page.status_code == 403
    assert "hiện không nhận ý kiến" in page.get_data(as_text=True)
    reply = client.post(f"/f/{point.token}", data={
        "submission_id": str(uuid.uuid4()), **PKS05_ANSWERS})
    assert reply.status_code == 403
    assert count(Response) == 0


def test_retired_form_gives_a_clear_page(client, point, published_forms):
    published_forms["PKS05"].is_retired = True
    db.session.commit()
    page = client.get(f"/f/{point.token}")
    assert page.status_code == 410
    assert "không còn được sử dụng" in page.get_data(as_text=True)


def test_opening_the_link_counts_a_scan(client, point):
    client.get(f"/f/{point.token}")
    client.get(f"/f/{point.token}")
    db.session.refresh(point)
    assert point.scan_count == 2


def test_invalid_submission_id_is_refused_without_losing_answers(client, point):
    fields = {**form_fields(client, point), "submission_id": "not-a-uuid"}
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 422
    assert 'value="hai_long" checked' in reply.get_data(as_text=True)
    assert count(Response) == 0
