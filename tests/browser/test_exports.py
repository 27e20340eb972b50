"""The committee downloads every export from the dashboard in Chromium and reads each back."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests.browser.test_dashboard import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.live]


def download(page, click) -> Path:
    """Ask for an export (a background job: its page offers the file once made), download
    it, and go back to the dashboard for the next one."""
    back = page.url
    click()
    page.wait_for_selector("#job-download:visible")
    with page.expect_download() as info:
        page.locator("#job-download").click()
    path = Path(info.value.path())
    page.goto(back)
    return path


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_every_export_downloads_and_reads_back(results_world, live_server, desktop):
    stored = db.session.scalar(select(func.count(Response.id)).where(
        Response.campaign_id == results_world.campaign.id))
    sign_in(desktop, live_server.url, "steering")
    def button():
        desktop.get_by_role("button", name="Tải phiếu trả lời").click()

    book = load_workbook(io.BytesIO(download(desktop, desktop.get_by_role(
        "button", name="Tải kết quả (Excel)").click).read_bytes()))
    assert len(list(book["Các xã"].iter_rows(min_row=4))) == 3

    desktop.get_by_label("Phiếu trả lời cần tải").select_option(
        label="Tất cả các phiếu: tệp ZIP, mỗi phiếu một tệp CSV")
    with zipfile.ZipFile(download(desktop, button)) as archive:
        tables = {name: csv_rows(archive.read(name)) for name in archive.namelist()}
    head = tables.pop("audit-head.txt")  # the audit trail's head, beside the tables
    assert head[0][0].startswith("Đầu chuỗi nhật ký thao tác khi lập tệp này: ")
    assert len(tables) == 2
    assert sum(len(rows) - 1 for rows in tables.values()) == stored

    single = 0
    for code in ("PKS01", "PKS05"):
        desktop.get_by_label("Phiếu trả lời cần tải").select_option(code)
        rows = csv_rows(download(desktop, button).read_bytes())
        assert {row[4] for row in rows[1:]} == {code}
        single += len(rows) - 1
    assert single == stored
