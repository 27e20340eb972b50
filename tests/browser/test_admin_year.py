"""The admin's pages for a survey year (units, groupings, forms, accounts in bulk) and the
first sign-in with a one-time password, in headless Chromium at desktop and phone size.

Screenshots land in tests/artifacts/admin-*.png for a person to look at.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_dashboard import Watch
from tests.browser.test_dashboard import failures  # noqa: F401 (a fixture)
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

PKS05 = Path(__file__).resolve().parents[2] / "forms" / "definitions" / "pks05.v2.yaml"


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attach(page, data: bytes, name: str) -> None:
    page.set_input_files("input[type=file]", files=[{
        "name": name, "mimeType": "application/octet-stream", "buffer": data}])


class Watched(Watch):
    """A report of a refused file answers 422 on purpose: that, and nothing else, may fail."""

    def assert_clean(self, *reports: str) -> None:
        assert set(self.failures) <= {"/favicon.ico", *reports}
        unexpected = [m for m in self.console if not m.startswith("Failed to load resource")]
        assert unexpected == []
        assert self.hosts == {"127.0.0.1"}


@pytest.fixture(params=["desktop", "phone"])
def size(request):
    return request.param, request.getfixturevalue(request.param)


def test_the_units_pages(field_world, published_forms, live_server, size, failures):  # noqa: F811
    name, page = size
    watch = Watched(page, failures)
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/quan-tri/don-vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đơn vị và số liệu")
    expect(page.get_by_role("cell", name="Xã Hợp Thịnh")).to_be_visible()
    screenshot(page, f"admin-units-{name}")

    attach(page, xlsx([["ma_xa", "so_can_bo", "dan_so"], [field_world.own.code, 25, 12000],
                       ["77777", "mười", None], [field_world.own.code, 3, None]]),
           "so_lieu.xlsx")
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    expect(page.locator(".import-report")).to_contain_text("Không có xã nào")
    screenshot(page, f"admin-units-report-{name}")

    page.goto(f"{base}/quan-tri/don-vi/{field_world.own.id}")
    page.fill("input[name=staff_headcount]", "24")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu")
    page.goto(f"{base}/quan-tri/don-vi/{field_world.own.id}")
    page.fill("input[name=name]", "Phường Hợp Thịnh")
    page.get_by_role("button", name="Đổi tên").click()
    expect(page.locator("h1")).to_contain_text("Phường Hợp Thịnh")
    screenshot(page, f"admin-unit-edit-{name}")

    page.goto(f"{base}/quan-tri/nhom-don-vi")
    page.fill("input[name=code]", "HUYEN1")
    page.fill("input[name=name]", "Huyện Tiên Du")
    page.get_by_role("button", name="Tạo").click()
    expect(page.locator("h1")).to_contain_text("Huyện Tiên Du")
    page.get_by_label("Phường Đông Ngàn").check()
    screenshot(page, f"admin-grouping-edit-{name}")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("cell", name="Huyện Tiên Du")).to_be_visible()
    screenshot(page, f"admin-groupings-{name}")
    watch.assert_clean("/quan-tri/don-vi/so-lieu")


def test_the_forms_pages(field_world, published_forms, live_server, size, failures):  # noqa: F811
    name, page = size
    watch = Watched(page, failures)
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/quan-tri/bieu-mau")
    expect(page.locator("#form-PKS05")).to_contain_text("Năm 2026")
    screenshot(page, f"admin-forms-{name}")

    broken = PKS05.read_bytes().replace(b"version: 2\n", b"version: 3\n", 1).replace(
        b"type: single_choice", b"type: one_choice", 1)
    attach(page, broken, "pks05.v3.yaml")
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator(".import-report")).to_contain_text("one_choice")
    screenshot(page, f"admin-form-check-problems-{name}")

    page.goto(f"{base}/quan-tri/bieu-mau")
    attach(page, PKS05.read_bytes().replace(b"version: 2\n", b"version: 3\n", 1),
           "pks05.v3.yaml")
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("h2.status-meets")).to_contain_text("PKS05")
    screenshot(page, f"admin-form-check-ready-{name}")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Xem trước như trên điện thoại của người dân").click()
    preview = opened.value
    expect(preview.locator("#q-q_overall")).to_be_visible()
    expect(preview.get_by_role("button", name="Gửi phiếu · xem trước")).to_be_disabled()
    screenshot(preview, f"admin-form-preview-{name}")
    preview.close()
    page.get_by_role("button", name="Ban hành phiên bản này").click()
    expect(page.locator(".flash")).to_contain_text("Đã ban hành PKS05 phiên bản 3")
    watch.assert_clean("/quan-tri/bieu-mau/kiem-tra")


def test_accounts_in_bulk_and_the_first_sign_in(field_world, live_server, size,
                                                failures):  # noqa: F811
    name, page = size
    watch = Watched(page, failures)
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/quan-tri/tai-khoan/nhap")
    header = ["ten_dang_nhap", "ho_ten", "vai_tro", "ma_tinh", "ma_nhom", "ma_xa", "to_chuc"]
    attach(page, xlsx([header, ["moi.mot", "Người Một", "surveyor", "24", None, None,
                                "hoi_khong_co"],
                       ["moi.mot", "Người Hai", "giam_doc", "24", None, None, None]]),
           "nguoi.xlsx")
    page.get_by_role("button", name="Kiểm tra và tạo tài khoản").click()
    expect(page.locator(".import-report")).to_contain_text("moi.mot")
    screenshot(page, f"admin-people-report-{name}")

    attach(page, xlsx([header, ["moi.mot", "Người Một", "Ban chỉ đạo", "24", None, None,
                                None]]), "nguoi.xlsx")
    with page.expect_download() as download:
        page.get_by_role("button", name="Kiểm tra và tạo tài khoản").click()
    assert download.value.suggested_filename.startswith("mat_khau_mot_lan_")
    data = Path(download.value.path()).read_bytes()
    row = next(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=3,
                                                                       values_only=True))
    assert row[0] == "moi.mot"
    one_time = row[4]

    page.context.clear_cookies()
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", "moi.mot")
    page.fill("#password", one_time)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}/dang-nhap/mat-khau-moi")
    screenshot(page, f"auth-first-password-{name}")
    page.fill("#password", "Mat khau rieng cua toi 2026")
    page.fill("#confirm", "Mat khau rieng cua toi 2026")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page).to_have_url(f"{base}/bang-dieu-khien/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.assert_clean("/quan-tri/tai-khoan/nhap")

