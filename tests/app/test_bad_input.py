"""One test per input that used to end in a 5xx (or was stored when it should not be): each
now gets a 4xx in Vietnamese, and nothing is written. On SQLite and PostgreSQL alike
(PostgreSQL refuses NUL in text and ids past 32 bits, SQLite ids past 64 bits).

The fuzz tests in tests/fuzz look for more of the same.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import CollectionPoint
from survey_app.models import ImportBatch
from survey_app.models import Response
from tests.app.field.test_imports import csv_bytes
from tests.app.field.test_imports import row
from tests.app.field.test_imports import template_header
from tests.app.field.test_imports import upload
from tests.app.field.test_sync import send
from tests.app.field.test_sync import submission
from tests.fixtures.data import PKS05_ANSWERS
from tests.fixtures.field import PASSWORD
from tests.services.test_import_files import declare_size
from tests.services.test_import_files import workbook

UNSTORABLE = "ký tự không lưu được"


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def point(field_world, create_point) -> CollectionPoint:
    return create_point(field_world.own, "PKS05")


def form_fields(client, point) -> dict:
    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    return {**dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html)),
            "submission_id": str(uuid.uuid4())}


@pytest.fixture
def steering(results_world, login):
    return login("steering", PASSWORD)


# --- Ids past the integer range, and "²" --------------------------------------------------


def test_a_version_id_past_32_bits_on_the_public_form_is_the_current_version(client, point):
    reply = client.post(f"/f/{point.token}", data={**form_fields(client, point),
                                                  **PKS05_ANSWERS, "version_id": "2147483648"})
    assert reply.status_code == 303
    assert db.session.scalar(select(Response.form_version_id)) == \
        point.form.current_version().id


@pytest.mark.parametrize("commune_id", ["2147483648", "9223372036854775808"])
def test_a_commune_id_past_32_bits_in_a_path_is_not_found(steering, commune_id):
    reply = steering.get(f"/bang-dieu-khien/xa/{commune_id}")
    assert reply.status_code == 404
    assert "Trang bạn yêu cầu không tồn tại" in reply.get_data(as_text=True)


def test_an_api_path_id_past_32_bits_is_a_json_404(steering, results_world):
    reply = steering.get(f"/api/v1/campaigns/{results_world.campaign.id}/communes/"
                         "99999999999999999999")
    assert reply.status_code == 404
    assert reply.json["error"]["code"] == 404


@pytest.mark.parametrize("name", ["grouping", "campaign", "rulebook"])
def test_a_dashboard_id_past_64_bits_is_not_found(steering, name):
    assert steering.get(f"/bang-dieu-khien/?{name}=99999999999999999999").status_code == 404


def test_superscript_two_is_no_number_anywhere(steering, results_world, login, runner):
    summary = f"/api/v1/campaigns/{results_world.campaign.id}/summary"
    assert steering.get("/bang-dieu-khien/?grouping=²").status_code == 404
    api = steering.get(f"{summary}?grouping=²")
    assert api.status_code == 400
    assert api.json["error"]["message"] == "grouping phải là số nguyên."
    assert steering.get(f"{summary}?grouping=99999999999999999999").status_code == 404
    admin = login("admin", PASSWORD)
    assert admin.get("/quan-tri/bo-quy-tac?scope=²").status_code == 404
    for option in ("--province", "--commune"):
        args = ["--province", "24", option, "²"] if option == "--commune" else [option, "²"]
        result = runner.invoke(args=["qr", "posters", *args, "--base-url", "https://x.vn",
                                     "--out", "/tmp/never-written.pdf"])
        assert result.exit_code == 2, result.output
        assert "no " in result.output


def test_a_date_past_any_survey_is_refused_on_the_dashboard_and_the_api(steering,
                                                                        results_world):
    for page in ("/bang-dieu-khien/", "/bang-dieu-khien/bao-cao", "/bang-dieu-khien/xu-huong",
                 "/bang-dieu-khien/xuat/phieu.csv", "/bang-dieu-khien/xuat/ket-qua.xlsx"):
        assert steering.get(f"{page}?until=9999-12-31").status_code == 404, page
    reply = steering.get(f"/api/v1/campaigns/{results_world.campaign.id}/summary"
                         "?until=9999-12-31")
    assert reply.status_code == 400
    assert reply.json["error"]["message"] == (
        "until phải là một ngày (YYYY-MM-DD) từ 2000-01-01 đến 2199-12-31.")


# --- NUL, control characters, lone surrogates -----------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f"])
def test_a_control_character_in_a_public_answer_gets_the_form_again_with_answers_kept(
        client, point, bad):
    fields = {**form_fields(client, point), **PKS05_ANSWERS, "procedure_field": "khac",
              "procedure_field_other": f"Cấp{bad} đổi giấy tờ"}
    reply = client.post(f"/f/{point.token}", data=fields)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert UNSTORABLE in html
    assert "Cấp đổi giấy tờ" in html
    assert 'value="nhanh_gon" checked' in html
    assert fields["submission_id"] in html
    assert count(Response) == 0
    again = client.post(f"/f/{point.token}", data={**fields,
                                                  "procedure_field_other": "Cấp đổi giấy tờ"})
    assert again.status_code == 303
    assert db.session.scalar(select(Answer.value).where(
        Answer.question_id == "procedure_field_other")) == "Cấp đổi giấy tờ"


@pytest.mark.parametrize("path", ["/f/%00", "/f/%1b", "/f/ab%00cd/cam-on"])
def test_a_token_with_a_nul_is_a_link_that_opens_nothing(client, point, path):
    replies = [client.get(path)]
    if not path.endswith("/cam-on"):
        replies.append(client.post(path, data=PKS05_ANSWERS))
    for reply in replies:
        assert reply.status_code == 404
        assert "Không tìm thấy" in reply.get_data(as_text=True)
    assert count(Response) == 0


def test_a_nul_in_the_username_at_sign_in_is_a_400_in_vietnamese(client, field_world):
    reply = client.post("/dang-nhap", data={"username": "surveyor\x00", "password": PASSWORD})
    assert reply.status_code == 400
    assert UNSTORABLE in reply.get_data(as_text=True)


def test_a_control_character_in_a_dashboard_parameter_is_a_400(steering):
    reply = steering.get("/bang-dieu-khien/?form=PKS05%01")
    assert reply.status_code == 400
    assert UNSTORABLE in reply.get_data(as_text=True)


def test_a_nul_in_an_imported_commune_code_is_reported_with_its_row(surveyor, field_world,
                                                                    pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 1),
                              row(field_world.own, 2, ma_xa=field_world.own.code + "\x00")])
    reply = upload(surveyor, pks05, body)
    assert reply.status_code == 422
    assert "Dòng 3 có ký tự không lưu được" in reply.get_data(as_text=True)
    assert count(Response) == 0


def test_a_nul_in_an_uploaded_file_name_is_dropped_from_the_label(surveyor, field_world, pks05):
    body = csv_bytes(template_header(surveyor, pks05), [row(field_world.own, 1)])
    reply = upload(surveyor, pks05, body, name="phi\x00eu.csv")
    assert reply.status_code == 200
    assert db.session.scalar(select(ImportBatch.file_name)) == "phieu.csv"


def test_a_lone_surrogate_or_nul_in_a_synced_response_refuses_that_response_only(
        surveyor, field_world, pks05):
    good = submission(field_world, pks05)
    items = [submission(field_world, pks05, answers={
        **PKS05_ANSWERS, "procedure_field": "khac", "procedure_field_other": text})
        for text in ("x\ud800", "x\x00", "x\x01")]
    reply = surveyor.post("/thuc-dia/dong-bo", data=json.dumps({"submissions": [*items, good]}),
                          content_type="application/json")
    results = reply.json["results"]
    assert [r["code"] for r in results] == [422, 422, 422, 201]
    assert UNSTORABLE in results[0]["errors"]["_"]
    assert db.session.scalar(select(Response.submission_id)) == good["submission_id"]
    assert count(Response) == 1


# --- The offline sync's JSON ----------------------------------------------------------------


def test_a_list_where_an_id_belongs_refuses_that_response(surveyor, field_world, pks05):
    results = send(surveyor, submission(field_world, pks05, version_id=[5]),
                   submission(field_world, pks05, campaign_form_id={"id": pks05.id}),
                   submission(field_world, pks05, commune_id=[field_world.own.id])).json
    assert [r["code"] for r in results["results"]] == [422, 403, 403]
    assert count(Response) == 0


@pytest.mark.parametrize("body", ['{"submissions":' + "[" * 1000 + "]" * 1000 + "}",
                                  "[" * 100_000, "[1, 2]", '"submissions"', "null", "5",
                                  '{"submissions": {"a": 1}}', '{"submissions": [NaN]}'])
def test_deep_or_odd_json_gets_a_json_400(surveyor, field_world, body):
    reply = surveyor.post("/thuc-dia/dong-bo", data=body, content_type="application/json")
    assert reply.status_code == 400
    assert reply.json == {"error": "bad_request", "message": "Không xử lý được yêu cầu."}
    assert count(Response) == 0


# --- The file import ------------------------------------------------------------------------


def test_a_utf16_csv_with_an_odd_byte_count_is_reported(surveyor, field_world, pks05):
    body = csv_bytes(template_header(surveyor, pks05), [row(field_world.own, 1)],
                     encoding="utf-16")[:-1]
    reply = upload(surveyor, pks05, body)
    assert reply.status_code == 422
    assert "UTF-16 nhưng bị hỏng" in reply.get_data(as_text=True)


def test_a_200000_character_cell_is_reported_without_being_repeated(surveyor, field_world,
                                                                    pks05):
    header = template_header(surveyor, pks05)
    body = csv_bytes(header, [row(field_world.own, 1, procedure_field_other="x" * 200_000)])
    reply = upload(surveyor, pks05, body)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "dài quá 4000 ký tự" in html
    assert "x" * 1000 not in html


def test_more_columns_than_letters_is_reported(surveyor, pks05):
    header = ",".join(f"c{n}" for n in range(18_300)).encode()
    reply = upload(surveyor, pks05, header + b"\n" + b"1," * 18_299 + b"1\n")
    assert reply.status_code == 422
    assert "vượt quá cột thứ 200" in reply.get_data(as_text=True)


def test_a_junk_content_types_part_is_reported(surveyor, pks05):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "junk<<<")
    reply = upload(surveyor, pks05, out.getvalue(), name="phieu.xlsx")
    assert reply.status_code == 422
    assert "không mở được" in reply.get_data(as_text=True)


def test_a_zip_bomb_upload_is_reported(surveyor, pks05):
    bomb = declare_size(workbook(shared_strings=b"<sst/>"), "xl/sharedStrings.xml", 500 << 20)
    reply = upload(surveyor, pks05, bomb, name="phieu.xlsx")
    assert reply.status_code == 422
    assert "lớn hơn 40 MB" in reply.get_data(as_text=True)
    assert count(Response) == 0
