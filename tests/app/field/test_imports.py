"""Bulk import: templates, the row-by-row check, the confirmed store, and files that are wrong."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date
from datetime import datetime
from datetime import timedelta

from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import ImportBatch
from survey_app.models import ImportRow
from survey_app.models import ImportStatus
from survey_app.models import Response
from tests.fixtures.data import PKS05_ANSWERS


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def template_header(client, campaign_form) -> list[str]:
    body = client.get(f"/thuc-dia/nhap-tep/mau/{campaign_form.id}.csv").data
    return next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def csv_bytes(header, rows, *, encoding="utf-8-sig", delimiter=",") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode(encoding)


def row(commune, number=None, **changes) -> dict:
    two_days_ago = today_in_vietnam() - timedelta(days=2)
    values = {"ma_xa": commune.code, "ngay_phong_van": two_days_ago.strftime("%d/%m/%Y")}
    if number is not None:
        values["ma_phieu"] = str(number)
    return {**values, **PKS05_ANSWERS, **changes}


def upload(client, campaign_form, body: bytes, name="phieu.csv"):
    """Upload a file and follow its check's job to the page it ends on (the tests' queue
    runs the job at once): the report, or the batch waiting for confirmation."""
    reply = client.post("/thuc-dia/nhap-tep", data={
        "campaign_form_id": str(campaign_form.id), "file": (io.BytesIO(body), name),
    }, content_type="multipart/form-data")
    if reply.status_code != 303:
        return reply
    job_page = client.get(reply.headers["Location"])
    assert job_page.status_code == 302, job_page.get_data(as_text=True)
    return client.get(job_page.headers["Location"])


def problems(reply) -> list[tuple[str, str, str]]:
    """(row, column, message) of each line of the report table."""
    html = reply.get_data(as_text=True)
    table = html.split('class="card import-report"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td class=\"num\">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>",
                       table)
    return [tuple(re.sub(r"&#34;|&#39;", "", cell) for cell in line) for line in cells]


def confirm(client, reply):
    """Confirm the batch on ``reply``'s page; the reply of the storing job's page."""
    batch_id = re.search(r"/nhap-tep/lo/(\d+)/luu", reply.get_data(as_text=True)).group(1)
    asked = client.post(f"/thuc-dia/nhap-tep/lo/{batch_id}/luu")
    assert asked.status_code == 303
    return client.get(asked.headers["Location"])


# --- Templates -----------------------------------------------------------------------------


def test_csv_template_has_ids_and_vietnamese_notes_row(surveyor, pks05):
    reply = surveyor.get(f"/thuc-dia/nhap-tep/mau/{pks05.id}.csv")
    assert reply.status_code == 200
    assert reply.data.startswith(codecs.BOM_UTF8)
    assert "PKS05_v2_mau_nhap.csv" in reply.headers["Content-Disposition"]
    header, notes = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert header[:3] == ["ma_xa", "ma_phieu", "ngay_phong_van"]
    assert "attitude" in header
    assert "q_overall" in header
    attitude = notes[header.index("attitude")]
    assert "Ông/bà nhận xét như thế nào về thái độ của công chức" in attitude
    assert attitude.endswith("* (để trống = không trả lời)")
    assert notes[0] == "Mã xã *"


def test_xlsx_template_has_dropdowns_and_an_instructions_sheet(surveyor, field_world, pks05):
    reply = surveyor.get(f"/thuc-dia/nhap-tep/mau/{pks05.id}.xlsx")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.data))
    data, guide = book.worksheets[0], book["Hướng dẫn"]
    assert [c.value for c in data[1]][:3] == ["ma_xa", "ma_phieu", "ngay_phong_van"]
    assert data["A2"].value == "Mã xã *"
    lists = [v.formula1 for v in data.data_validations.dataValidation]
    assert len(lists) >= 10
    guide_text = [[c for c in r if c] for r in guide.iter_rows(values_only=True)]
    overall = next(r for r in guide_text if r and r[0] == "q_overall")
    assert overall[:2] == ["q_overall", "14"]
    assert ["hai_long", "Hài lòng"] in guide_text
    assert [field_world.own.code, field_world.own.name] in guide_text
    assert all(field_world.other.code not in r for r in guide_text)


def test_guide_page_lists_answers_accepted(surveyor, pks05):
    html = surveyor.get(f"/thuc-dia/nhap-tep/huong-dan/{pks05.id}").get_data(as_text=True)
    assert "Lịch sự, thân thiện" in html
    assert "lich_su_than_thien" in html


# --- A good file ---------------------------------------------------------------------------


def test_good_file_is_checked_then_stored_once_and_reupload_stores_nothing(
        surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    own = field_world.own
    body = csv_bytes(header, [row(own, 1), row(own, 2, q_overall="binh_thuong"),
                              row(own, 3, gender="")])
    checked = upload(surveyor, pks05, body)
    assert checked.status_code == 200
    assert "Lưu 3 phiếu" in checked.get_data(as_text=True)
    assert count(Response) == 0

    stored = confirm(surveyor, checked)
    assert stored.status_code == 302
    assert "Đã lưu 3 phiếu" in surveyor.get(stored.headers["Location"]).get_data(as_text=True)
    responses = db.session.scalars(select(Response)).all()
    assert len(responses) == 3
    assert {r.channel for r in responses} == {Channel.import_}
    assert {r.entered_by_id for r in responses} == {field_world.users["surveyor"].id}
    assert sorted(r.satisfaction_answer for r in responses) == ["binh_thuong", "hai_long",
                                                               "hai_long"]
    imported = db.session.scalars(select(ImportRow).order_by(ImportRow.row_number)).all()
    assert [(r.row_number, r.reference) for r in imported] == [(2, "1"), (3, "2"), (4, "3")]
    assert imported[0].interviewed_on == today_in_vietnam() - timedelta(days=2)

    again = upload(surveyor, pks05, body)
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "đã được lưu từ trước" in html
    assert "luu" not in re.findall(r'action="[^"]*"', html)[-1]
    assert count(Response) == 3
    assert count(Answer) == sum(len(r.answers) for r in responses)
    batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [(b.status, b.stored_count, b.duplicate_count) for b in batches] == [
        (ImportStatus.stored, 3, 0), (ImportStatus.stored, 0, 3)]
    assert batches[0].file_sha256 == batches[1].file_sha256
    assert batches[0].pending is None


def test_confirming_twice_stores_once(surveyor, field_world, pks05):
    checked = upload(surveyor, pks05, csv_bytes(template_header(surveyor, pks05),
                                                [row(field_world.own, 7)]))
    confirm(surveyor, checked)
    confirm(surveyor, checked)
    assert count(Response) == 1


def test_rows_without_number_are_recognised_by_their_content(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own), row(field_world.own, attitude="binh_thuong")])
    confirm(surveyor, upload(surveyor, pks05, body))
    assert count(Response) == 2
    bigger = csv_bytes(header, [row(field_world.own), row(field_world.own, attitude="binh_thuong"),
                                row(field_world.own, skill="binh_thuong")])
    reply = upload(surveyor, pks05, bigger)
    assert "Lưu 1 phiếu" in reply.get_data(as_text=True)
    confirm(surveyor, reply)
    assert count(Response) == 3


def test_xlsx_with_labels_excel_dates_and_float_numbers(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    code = int(field_world.own.code)
    yesterday = datetime.combine(today_in_vietnam() - timedelta(days=1), datetime.min.time())
    labels = {**PKS05_ANSWERS, "attitude": "lịch sự,  THÂN THIỆN", "q_overall": "Rất hài lòng",
              "extra_payment_suggested": "Không", "wait_time": "nhanh-gon"}
    first = {**labels, "ma_xa": float(code), "ma_phieu": 1.0, "ngay_phong_van": yesterday}
    serial = (yesterday.date() - date(1899, 12, 30)).days
    second = {**labels, "ma_xa": str(code), "ma_phieu": 2, "ngay_phong_van": serial}
    for values in (first, second):
        sheet.append([values.get(column) for column in header])
    out = io.BytesIO()
    book.save(out)
    reply = upload(surveyor, pks05, out.getvalue(), name="phieu.xlsx")
    assert reply.status_code == 200, problems(reply)
    confirm(surveyor, reply)
    stored = db.session.scalars(select(Response)).all()
    assert [r.satisfaction_answer for r in stored] == ["rat_hai_long", "rat_hai_long"]
    answers = {(a.question_id, a.value) for a in db.session.scalars(select(Answer))}
    assert ("attitude", "lich_su_than_thien") in answers
    assert ("wait_time", "nhanh_gon") in answers
    dates = db.session.scalars(select(ImportRow.interviewed_on)).all()
    assert dates == [yesterday.date(), yesterday.date()]
    assert sorted(db.session.scalars(select(ImportRow.reference))) == ["1", "2"]


def test_semicolon_csv_from_vietnamese_excel_without_bom(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 1, q_overall="Hài lòng")], encoding="utf-8",
                     delimiter=";")
    reply = upload(surveyor, pks05, body)
    assert reply.status_code == 200, problems(reply)


def test_template_notes_row_is_skipped(surveyor, field_world, pks05):
    template = surveyor.get(f"/thuc-dia/nhap-tep/mau/{pks05.id}.csv").data
    header = template_header(surveyor, pks05)
    data_line = csv_bytes(header, [row(field_world.own, 1)], encoding="utf-8").split(b"\r\n")[1]
    reply = upload(surveyor, pks05, template + data_line + b"\r\n")
    assert reply.status_code == 200, problems(reply)
    assert "Lưu 1 phiếu" in reply.get_data(as_text=True)


# --- Broken files: a report, nothing stored ------------------------------------------------


def test_missing_and_unknown_columns_are_reported(surveyor, field_world, pks05):
    header = [c for c in template_header(surveyor, pks05) if c != "attitude"] + ["cau_la"]
    reply = upload(surveyor, pks05, csv_bytes(header, [row(field_world.own, 1)]))
    assert reply.status_code == 422
    found = problems(reply)
    assert any("Thiếu cột “attitude”" in message for _, _, message in found)
    assert any(column.endswith("cau_la") and "không có cột này" in message
               for _, column, message in found)
    assert count(Response) == 0
    assert db.session.scalar(select(ImportBatch.status)) is ImportStatus.rejected


def test_one_bad_row_rejects_the_whole_file_with_row_and_column(
        surveyor, field_world, strict_pks05):
    pks05 = strict_pks05
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 1), row(field_world.own, 2),
                              row(field_world.own, 3, attitude="tuyệt vời", skill="")])
    reply = upload(surveyor, pks05, body)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Chưa lưu phiếu nào" in html
    found = problems(reply)
    letter = chr(ord("A") + header.index("attitude"))
    assert ("4", f"{letter} · attitude") == found[0][:2]
    assert "“tuyệt vời” không phải là câu trả lời của câu này" in found[0][2]
    assert "Lịch sự, thân thiện (lich_su_than_thien)" in found[0][2]
    assert found[1][1].endswith("skill")
    assert "bắt buộc" in found[1][2]
    assert len(found) == 2
    assert count(Response) == 0
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.row_count, batch.rejected_count, batch.pending) == (3, 1, None)


def test_windows_1258_file_is_refused_with_advice(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    # What Excel's plain "CSV (Comma delimited)" writes on a Vietnamese Windows: Windows-1258,
    # where a tone mark is a separate character.
    body = csv_bytes(header, [row(field_world.own, 1, q_overall="Hài lo\u0300ng")],
                     encoding="cp1258")
    reply = upload(surveyor, pks05, body)
    assert reply.status_code == 422
    [(line, _, message)] = problems(reply)
    assert line == "2"
    assert "không ở dạng UTF-8" in message
    assert "CSV UTF-8" in message
    assert count(Response) == 0


def test_garbled_vietnamese_is_refused(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    text = csv_bytes(header, [row(field_world.own, 1, q_overall="Hài lòng")],
                     encoding="utf-8").decode("utf-8")
    garbled = text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    [(_, _, message)] = problems(upload(surveyor, pks05, garbled))
    assert "đã bị lỗi font" in message


def test_old_xls_and_broken_xlsx_are_refused(surveyor, pks05):
    [(_, _, old)] = problems(upload(surveyor, pks05, b"\xd0\xcf\x11\xe0" + b"\0" * 600, "a.xls"))
    assert ".xlsx" in old
    [(_, _, broken)] = problems(upload(surveyor, pks05, b"PK\x03\x04 nope", "a.xlsx"))
    assert "không mở được" in broken


def test_duplicates_within_the_file(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 5), row(field_world.own, 5, skill="binh_thuong"),
                              row(field_world.own), row(field_world.own)])
    found = problems(upload(surveyor, pks05, body))
    assert [(line, message.split(" ")[0]) for line, _, message in found] == [
        ("3", "Số"), ("5", "Dòng")]
    assert "cũng có ở dòng 2" in found[0][2]
    assert "trùng hệt dòng 4" in found[1][2]
    assert count(Response) == 0


def test_same_paper_number_with_other_answers_later_is_a_problem(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    confirm(surveyor, upload(surveyor, pks05, csv_bytes(header, [row(field_world.own, 9)])))
    changed = csv_bytes(header, [row(field_world.own, 9, q_overall="khong_hai_long")])
    [(line, _, message)] = problems(upload(surveyor, pks05, changed))
    assert line == "2"
    assert "đã được nhập với câu trả lời khác" in message
    assert db.session.scalar(select(Response.satisfaction_answer)) == "hai_long"


def test_commune_not_assigned_and_unknown_commune(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.other, 1), row(field_world.own, 2, ma_xa="99999")])
    found = problems(upload(surveyor, pks05, body))
    assert found[0][0] == "2"
    assert "Phường Đông Ngàn" in found[0][2]
    assert "không thuộc các xã bạn được giao" in found[0][2]
    assert found[1][0] == "3"
    assert "Không có xã nào mã “99999”" in found[1][2]
    assert count(Response) == 0


def test_dates_in_the_future_or_not_dates(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    tomorrow = (today_in_vietnam() + timedelta(days=1)).strftime("%d/%m/%Y")
    body = csv_bytes(header, [row(field_world.own, 1, ngay_phong_van=tomorrow),
                              row(field_world.own, 2, ngay_phong_van="hôm qua")])
    found = problems(upload(surveyor, pks05, body))
    assert "trong tương lai" in found[0][2]
    assert "không phải là ngày" in found[1][2]


def test_file_over_the_size_limit_gets_a_vietnamese_message(app, surveyor, pks05):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    reply = upload(surveyor, pks05, b"x" * 5000)
    assert reply.status_code == 413
    assert "Tệp lớn hơn" in reply.get_data(as_text=True)
    assert count(ImportBatch) == 0


def test_empty_file_and_no_file(surveyor, pks05):
    [(_, _, message)] = problems(upload(surveyor, pks05, b"  \r\n"))
    assert "Tệp trống" in message
    reply = surveyor.post("/thuc-dia/nhap-tep", data={"campaign_form_id": str(pks05.id)})
    assert reply.status_code == 422


# --- Who may import what -------------------------------------------------------------------


def test_forms_of_another_organisation_are_out_of_reach(field_world, login, pks05):
    farmer = login("farmer")
    assert farmer.get(f"/thuc-dia/nhap-tep/mau/{pks05.id}.csv").status_code == 404
    reply = upload(farmer, pks05, b"ma_xa\r\n")
    assert reply.status_code == 422
    assert count(ImportBatch) == 0


def test_official_may_not_import(field_world, login):
    official = login("official")
    assert official.get("/thuc-dia/nhap-tep").status_code == 403


def test_coordinator_imports_for_any_commune_of_its_organisation(field_world, login, pks05):
    coordinator = login("coordinator")
    header = template_header(coordinator, pks05)
    body = csv_bytes(header, [row(field_world.own, 1), row(field_world.other, 1)])
    confirm(coordinator, upload(coordinator, pks05, body))
    assert count(Response) == 2


def test_someone_else_cannot_confirm_or_see_my_check(field_world, login, surveyor, pks05):
    checked = upload(surveyor, pks05, csv_bytes(template_header(surveyor, pks05),
                                                [row(field_world.own, 1)]))
    batch_id = re.search(r"/nhap-tep/lo/(\d+)/luu", checked.get_data(as_text=True)).group(1)
    coordinator = login("coordinator")
    assert coordinator.get(f"/thuc-dia/nhap-tep/lo/{batch_id}").status_code == 404
    coordinator.post(f"/thuc-dia/nhap-tep/lo/{batch_id}/luu")
    assert count(Response) == 0


def test_cancelled_check_cannot_be_confirmed(surveyor, field_world, pks05):
    checked = upload(surveyor, pks05, csv_bytes(template_header(surveyor, pks05),
                                                [row(field_world.own, 1)]))
    batch_id = re.search(r"/nhap-tep/lo/(\d+)/luu", checked.get_data(as_text=True)).group(1)
    surveyor.post(f"/thuc-dia/nhap-tep/lo/{batch_id}/huy")
    reply = surveyor.post(f"/thuc-dia/nhap-tep/lo/{batch_id}/luu")
    assert "không thể xác nhận" in surveyor.get(reply.headers["Location"]).get_data(as_text=True)
    assert count(Response) == 0
    assert db.session.scalar(select(ImportBatch.pending)) is None


def test_interview_date_before_the_survey_opened(surveyor, field_world, pks05):
    header = template_header(surveyor, pks05)
    early = (pks05.opens_on - timedelta(days=3)).strftime("%d/%m/%Y")
    [(_, _, message)] = problems(upload(surveyor, pks05, csv_bytes(
        header, [row(field_world.own, 1, ngay_phong_van=early)])))
    assert pks05.opens_on.strftime("%d/%m/%Y") in message


def test_too_many_rows_is_refused_before_any_check(app, surveyor, field_world, pks05):
    app.config["IMPORT_MAX_ROWS"] = 2
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, n) for n in range(3)])
    [(_, _, message)] = problems(upload(surveyor, pks05, body))
    assert "Tệp có hơn 2 dòng" in message
    assert count(Response) == 0


def test_optional_question_columns_may_be_left_out(surveyor, field_world, pks05):
    optional = {"age_group", "gender", "procedure_field", "procedure_field_other", "wait_reason",
                "late_notified", "extra_payment_field"}
    header = [c for c in template_header(surveyor, pks05) if c not in optional]
    reply = upload(surveyor, pks05, csv_bytes(header, [row(field_world.own, 1)]))
    assert reply.status_code == 200, problems(reply)
    confirm(surveyor, reply)
    stored = {a.question_id for a in db.session.scalars(select(Answer))}
    assert stored == set(PKS05_ANSWERS) - optional
