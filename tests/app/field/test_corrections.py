"""Corrections and "không trả lời" through the field pages: the list of entered sheets, void
and correct with a reason, a refusal in Vietnamese after the window; a blank answer where the
form allows one through paper entry and the import, and the clear error where it does not."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from survey_app.clock import now_utc
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.services.corrections import corrections as service
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import take
from tests.app.field.test_entry import entry_url
from tests.app.field.test_entry import hidden_fields
from tests.app.field.test_imports import confirm
from tests.app.field.test_imports import csv_bytes
from tests.app.field.test_imports import problems
from tests.app.field.test_imports import row
from tests.app.field.test_imports import template_header
from tests.app.field.test_imports import upload
from tests.fixtures.data import PKS05_ANSWERS

REFUSED = ("attitude", "q_overall")


def responses() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def answered(response_id: int) -> set[str]:
    return set(db.session.scalars(select(Answer.question_id)
                                  .where(Answer.response_id == response_id)))


def type_sheet(client, world, forms, answers) -> int:
    url = entry_url(world, forms=forms)
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    reply = client.post(url, data={**fields, **answers})
    assert reply.status_code == 303, reply.get_data(as_text=True)
    return responses()[-1].id


# --- "không trả lời" --------------------------------------------------------------------------


def test_paper_entry_takes_no_answer_where_the_form_allows_it(
        field_world, surveyor, published_forms):
    page = surveyor.get(entry_url(field_world, forms=published_forms)).get_data(as_text=True)
    assert "Để trống nếu người được hỏi không trả lời" in page
    answers = {k: v for k, v in PKS05_ANSWERS.items() if k not in REFUSED}
    sheet = type_sheet(surveyor, field_world, published_forms, answers)
    assert answered(sheet) == set(answers)
    assert db.session.get(Response, sheet).satisfaction_answer is None


def test_a_citizens_qr_form_still_needs_every_required_answer(field_world, pks05):
    version = PublishedVersion.of(pks05.form.current_version())
    answers = {k: v for k, v in PKS05_ANSWERS.items() if k not in REFUSED}
    outcome = take(Submission(str(uuid.uuid4()), field_world.campaign.id, field_world.own.id,
                              Channel.qr, answers), version, lambda: unit_of_work(db.session))
    assert isinstance(outcome, AnswerErrors)
    assert set(outcome.errors) == set(REFUSED)


def test_import_reads_a_blank_cell_as_no_answer_where_allowed(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 1, attitude="", q_overall=""),
                              row(field_world.own, 2)])
    reply = upload(surveyor, pks05, body)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert confirm(surveyor, reply).status_code == 302
    first, second = responses()
    assert "attitude" not in answered(first.id)
    assert (first.satisfaction_answer, second.satisfaction_answer) == (None, "hai_long")


def test_import_refuses_a_blank_cell_where_no_answer_is_not_allowed(
        surveyor, field_world, strict_pks05):
    header = template_header(surveyor, strict_pks05)
    reply = upload(surveyor, strict_pks05, csv_bytes(header, [row(field_world.own, 1,
                                                                  attitude="")]))
    assert reply.status_code == 422
    [(number, column, message)] = problems(reply)
    assert (number, column.split(" · ")[1]) == ("2", "attitude")
    assert "bắt buộc" in message
    assert responses() == []


# --- The list, void and correct ---------------------------------------------------------------


def test_surveyor_voids_a_sheet_with_a_reason_and_sees_it_marked(
        field_world, surveyor, published_forms):
    sheet = type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
    listing = surveyor.get(f"/thuc-dia/phieu-da-nhap?campaign={field_world.campaign.id}")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert f'id="phieu-{sheet}"' in html
    assert "Hủy phiếu" in html
    assert "Sửa phiếu" in html
    refused = surveyor.post(f"/thuc-dia/phieu/{sheet}/huy", data={"reason": " "},
                            follow_redirects=True)
    assert "Hãy nói rõ lý do hủy hoặc sửa phiếu." in refused.get_data(as_text=True)
    assert responses()[0].superseded_at is None
    done = surveyor.post(f"/thuc-dia/phieu/{sheet}/huy", data={"reason": "Nhập trùng"},
                         follow_redirects=True)
    html = done.get_data(as_text=True)
    assert f"Đã hủy phiếu {sheet}" in html
    assert 'class="superseded"' in html
    assert "Nhập trùng" in html
    assert responses()[0].supersede_reason == "Nhập trùng"
    # No longer counted in the surveyor's own tally on the home page.
    home = surveyor.get(f"/thuc-dia/?campaign={field_world.campaign.id}")
    assert '<td class="num">0</td>' in home.get_data(as_text=True)


def test_correcting_prefills_the_answers_and_stores_a_new_sheet_in_place(
        field_world, surveyor, published_forms):
    sheet = type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
    form = surveyor.get(f"/thuc-dia/phieu/{sheet}/sua")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'value="hai_long" checked' in html
    assert 'value="lich_su_than_thien" checked' in html
    changed = {**PKS05_ANSWERS, "q_overall": "khong_hai_long"}
    no_reason = surveyor.post(f"/thuc-dia/phieu/{sheet}/sua", data=changed)
    assert no_reason.status_code == 422
    assert 'value="khong_hai_long" checked' in no_reason.get_data(as_text=True)
    done = surveyor.post(f"/thuc-dia/phieu/{sheet}/sua",
                         data={**changed, "reason": "Gõ nhầm câu 10"}, follow_redirects=True)
    original, new = responses()
    assert f"Đã thay phiếu {sheet} bằng phiếu {new.id}" in done.get_data(as_text=True)
    assert (original.replacement_id, new.satisfaction_answer) == (new.id, "khong_hai_long")
    assert new.received_at == original.received_at
    assert new.superseded_at is None


def test_another_organisations_surveyor_cannot_and_the_coordinator_can(
        field_world, surveyor, login, published_forms):
    sheet = type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
    farmer = login("farmer")
    assert f'id="phieu-{sheet}"' not in farmer.get("/thuc-dia/phieu-da-nhap").get_data(
        as_text=True)
    # Another organisation's sheet is out of scope, like any record: not found.
    assert farmer.post(f"/thuc-dia/phieu/{sheet}/huy", data={"reason": "Thử"}).status_code == 404
    assert farmer.get(f"/thuc-dia/phieu/{sheet}/sua").status_code == 404
    assert responses()[0].superseded_at is None
    coordinator = login("coordinator")
    listing = coordinator.get("/thuc-dia/phieu-da-nhap").get_data(as_text=True)
    assert f'id="phieu-{sheet}"' in listing
    coordinator.post(f"/thuc-dia/phieu/{sheet}/huy", data={"reason": "Phiếu trùng"})
    assert responses()[0].superseded_by_user_id == field_world.users["coordinator"].id
    assert login("official").get("/thuc-dia/phieu-da-nhap").status_code == 403


def test_after_the_window_the_refusal_is_in_vietnamese(field_world, surveyor, published_forms):
    sheet = type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
    with unit_of_work(db.session):
        db.session.get(Response, sheet).received_at = now_utc() - timedelta(days=8)
    listing = surveyor.get("/thuc-dia/phieu-da-nhap").get_data(as_text=True)
    assert "Hết hạn sửa" in listing
    assert f'href="/thuc-dia/phieu/{sheet}/sua"' not in listing
    reply = surveyor.post(f"/thuc-dia/phieu/{sheet}/huy", data={"reason": "Muộn"},
                          follow_redirects=True)
    assert "Đã hết thời hạn sửa phiếu này" in reply.get_data(as_text=True)
    assert surveyor.get(f"/thuc-dia/phieu/{sheet}/sua").status_code == 303


# --- Many sheets: pages, and finding one by its number ----------------------------------------


def sheets_page(client, **args):
    reply = client.get("/thuc-dia/phieu-da-nhap", query_string=args)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_a_long_list_pages_and_a_sheet_is_found_by_its_number(
        field_world, surveyor, login, published_forms, monkeypatch):
    monkeypatch.setattr(service, "PER_PAGE", 2)
    sheets = [type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
              for _ in range(5)]
    first = sheets_page(surveyor)
    assert "Phiếu 1–2 trên tổng số 5, mới nhất trước." in first
    assert "Trang 1 / 3" in first
    assert "Cũ hơn" in first
    assert "Mới hơn" not in first
    last = sheets_page(surveyor, campaign=field_world.campaign.id, page=3)
    assert f'id="phieu-{sheets[0]}"' in last
    assert "Phiếu 5–5" in last
    assert "Cũ hơn" not in last
    assert "Trang này không có phiếu nào." in sheets_page(surveyor, page=9)
    assert "Phiếu 1–2" in sheets_page(surveyor, page="hai")

    found = surveyor.get("/thuc-dia/phieu-da-nhap", query_string={"sheet": f" {sheets[1]} "})
    assert found.status_code == 303
    assert found.headers["Location"].endswith(
        f"?campaign={field_world.campaign.id}&page=2#phieu-{sheets[1]}")
    # Another organisation's sheet, no such sheet, a word: said plainly, nothing revealed.
    farmer = login("farmer")
    for sought in (str(sheets[1]), "999999", "<b>12</b>"):
        page = sheets_page(farmer, sheet=sought)
        assert "trong các phiếu bạn được sửa." in page
        assert "<b>12</b>" not in page


def test_after_voiding_an_old_sheet_the_list_opens_at_its_page(
        field_world, surveyor, published_forms, monkeypatch):
    monkeypatch.setattr(service, "PER_PAGE", 2)
    sheets = [type_sheet(surveyor, field_world, published_forms, PKS05_ANSWERS)
              for _ in range(5)]
    reply = surveyor.post(f"/thuc-dia/phieu/{sheets[0]}/huy", data={"reason": "Nhập trùng"})
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"&page=3#phieu-{sheets[0]}")
    page = surveyor.get(reply.headers["Location"]).get_data(as_text=True)
    assert f"Đã hủy phiếu {sheets[0]}" in page
    assert 'class="superseded"' in page
