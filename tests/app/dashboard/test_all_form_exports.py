"""Exports hold what they say: every form at once, and a workbook a reader can filter."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.audit import trail
from tests.fixtures.field import PASSWORD


@pytest.fixture
def as_user(results_world, login):
    return lambda name: login(name, PASSWORD)


def read_zip(response) -> dict[str, list[list[str]]]:
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                for name in archive.namelist()}


def test_all_forms_download_every_response_of_the_campaign(as_user, results_world):
    client = as_user("steering")
    reply = client.get("/bang-dieu-khien/xuat/phieu.csv")
    assert reply.status_code == 302
    assert "/xuat/phieu.zip" in reply.location
    reply = client.get(reply.location)
    assert "tat-ca-phieu" in reply.headers["Content-Disposition"]
    files = read_zip(reply)
    head = trail.head(db.session)
    assert files.pop("audit-head.txt") == [
        [f"Đầu chuỗi nhật ký thao tác khi lập tệp này: {head.seq} · {head.entry_hash}"]]
    assert reply.headers["X-Audit-Head"] == f"{head.seq} · {head.entry_hash}"
    prefix = f"ket-qua-dot-{results_world.campaign.id}-"
    assert all(name.startswith(prefix) and name.endswith(".csv") for name in files)
    forms = {name.removeprefix(prefix)[:5].upper(): table for name, table in files.items()}
    assert set(forms) == {"PKS01", "PKS05"}
    rows = sum(len(table) - 1 for table in forms.values())
    stored = db.session.scalar(select(func.count(Response.id)).where(
        Response.campaign_id == results_world.campaign.id))
    assert rows == stored == 15 + 47
    assert {row[4] for row in forms["PKS05"][1:]} == {"PKS05"}


def test_a_commune_official_gets_the_forms_they_may_take_out_and_a_note(as_user):
    files = read_zip(as_user("official").get("/bang-dieu-khien/xuat/phieu.zip"))
    names = sorted(files)
    assert [n for n in names if n.endswith(".csv")] == [n for n in names if "-pks05-" in n]
    note = next(table for name, table in files.items()
                if name.endswith(".txt") and name != "audit-head.txt")
    assert note[0][0].startswith("PKS01")


def test_the_picker_says_what_each_choice_downloads(as_user):
    html = as_user("steering").get("/bang-dieu-khien/").get_data(as_text=True)
    assert "Tất cả các phiếu: tệp ZIP, mỗi phiếu một tệp CSV" in html
    assert "Chỉ PKS05: một tệp CSV" in html


def test_the_workbook_filters_and_freezes_its_header_and_names_forms(as_user):
    reply = as_user("steering").get("/bang-dieu-khien/xuat/ket-qua.xlsx")
    book = load_workbook(io.BytesIO(reply.data))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A4"
        assert sheet.auto_filter.ref.startswith("A3:")
        assert int(sheet.auto_filter.ref.rsplit(":", 1)[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) \
            == sheet.max_row
    detail = book["Xã × phiếu"]
    assert [c.value for c in detail[3]][2:4] == ["Phiếu", "Tên phiếu"]
    titles = {row[2]: row[3] for row in detail.iter_rows(min_row=4, values_only=True)}
    assert titles["PKS05"]
    assert titles["PKS05"] != "PKS05"
