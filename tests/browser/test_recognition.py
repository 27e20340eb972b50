"""Recognition in headless Chromium: the committee registers, the commune scores and attaches
evidence on a phone, the cluster accepts, the province approves and records the decision, and
the dashboard shows both figures. Screenshots land in tests/artifacts/ (recognition-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analytics import Rulebook
from analytics.recognition import RecognitionRules
from survey_app.extensions import db
from survey_app.services.results.rulebooks import save_rulebook
from tests.app.recognition.conftest import PDF
from tests.browser.test_dashboard import sign_in
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

SCORES = {"TC1.1": "9", "TC1.2": "9", "TC2": "22", "TC3.1": "9", "TC3.2": "9", "TC4.1": "7",
          "TC4.2": "7,5"}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "RECOGNITION_EVIDENCE_DIR": str(tmp_path / "evidence")}


@pytest.fixture
def world(results_world):
    # The results world's campaign runs PKS01 and PKS05: the province's rule asks for PKS05.
    save_rulebook(db.session, results_world.campaign.province_id,
                  Rulebook(recognition=RecognitionRules(pass_form="PKS05")), "Kế hoạch 2026",
                  None)
    db.session.commit()
    return results_world


def fresh(browser, size: tuple[int, int], mobile: bool = False):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  locale="vi-VN", is_mobile=mobile, has_touch=mobile,
                                  device_scale_factor=2 if mobile else 1)
    return context, context.new_page()


def test_a_dossier_from_registration_to_the_dashboard(world, live_server, browser, tmp_path):
    base = live_server.url
    campaign = world.campaign
    dossier_url = f"{base}/cong-nhan/{campaign.id}/xa/{world.meets.id}"

    context, page = fresh(browser, (1366, 768))
    sign_in(page, base, "steering")
    page.goto(f"{base}/cong-nhan/")
    page.get_by_label("Xã Hợp Thịnh").check()
    page.get_by_label("Phường Đông Ngàn").check()
    page.get_by_role("button", name="Lưu đăng ký").click()
    expect(page.get_by_text("Đã lưu đăng ký: thêm 2, rút 0.")).to_be_visible()
    screenshot(page, "recognition-1-registration")
    context.close()

    context, phone = fresh(browser, (360, 740), mobile=True)
    sign_in(phone, base, "official")
    phone.goto(f"{base}/cong-nhan/")
    expect(phone).to_have_url(dossier_url)
    for code, value in SCORES.items():
        phone.fill(f"input[name='points_{code}']", value)
    phone.fill("textarea[name='note_TC2']", "Bộ phận một cửa giải quyết đúng hạn 98% hồ sơ")
    phone.get_by_role("button", name="Lưu điểm và ghi chú").click()
    expect(phone.get_by_text("Đã lưu điểm.")).to_be_visible()
    evidence = tmp_path / "Biên bản kiểm tra.pdf"
    evidence.write_bytes(PDF)
    phone.select_option("select[name='code']", "TC2")
    phone.set_input_files("input[name='file']", str(evidence))
    phone.get_by_role("button", name="Đính kèm", exact=True).click()
    expect(phone.get_by_text("Đã đính kèm tệp.")).to_be_visible()
    expect(phone.get_by_role("link", name="Biên bản kiểm tra.pdf")).to_be_visible()
    screenshot(phone, "recognition-2-self-assessment-phone")
    phone.get_by_role("button", name="Nộp hồ sơ").click()
    expect(phone.get_by_text("Đã nộp hồ sơ để thẩm định.")).to_be_visible()
    screenshot(phone, "recognition-3-submitted-phone")
    context.close()

    context, page = fresh(browser, (1366, 768))
    sign_in(page, base, "grouping")
    page.goto(dossier_url)
    page.locator("textarea[name='reason']").scroll_into_view_if_needed()
    screenshot(page, "recognition-4a-review-form")
    page.get_by_role("button", name="Chấp nhận").click()
    expect(page.get_by_text("Trạng thái hồ sơ: Đã thẩm định.")).to_be_visible()
    screenshot(page, "recognition-4-reviewed")
    context.close()

    context, page = fresh(browser, (1366, 768))
    sign_in(page, base, "steering")
    page.goto(dossier_url)
    page.select_option("select[name='code']", "TC2")
    page.fill("input[name='points']", "20")
    page.fill("input[name='reason']", "Thiếu biên bản quý IV")
    page.get_by_role("button", name="Điều chỉnh điểm").click()
    expect(page.get_by_text("Đã điều chỉnh điểm; lý do đã được ghi lại.")).to_be_visible()
    page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.get_by_text("Trạng thái hồ sơ: Đã duyệt.")).to_be_visible()
    screenshot(page, "recognition-5-approved")

    page.goto(f"{base}/cong-nhan/{campaign.id}/quyet-dinh")
    page.fill("input[name='number']", "123/QĐ-UBND")
    page.fill("input[name='signer_name']", "Nguyễn Văn An")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text("Đã ghi nhận quyết định")).to_be_visible()
    screenshot(page, "recognition-6-decision")

    page.goto(f"{base}/cong-nhan/{campaign.id}/han-bao-cao")
    page.select_option("select[name='kind']", "six_month")
    page.fill("input[name='title']", "Báo cáo 6 tháng")
    page.fill("input[name='due_on']", "2026-05-10")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_text("Quá hạn: Phường Đông Ngàn, Xã Hợp Thịnh")).to_be_visible()
    screenshot(page, "recognition-7-deadlines")

    page.goto(f"{base}/bang-dieu-khien/?campaign={campaign.id}")
    expect(page.locator("#recognition")).to_be_visible()
    expect(page.get_by_text("1 / 3 xã được công nhận")).to_be_visible()
    page.locator("#recognition").scroll_into_view_if_needed()
    screenshot(page, "recognition-8-dashboard")
    context.close()


def test_a_criteria_file_with_mistakes_is_reported(world, live_server, browser, tmp_path):
    context, page = fresh(browser, (1366, 768))
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/cong-nhan/bo-tieu-chi?scope={world.campaign.province_id}")
    expect(page.get_by_text("Cải cách hành chính")).to_be_visible()
    bad = tmp_path / "tieu-chi.yaml"
    bad.write_text("recognition:\n  satisfaction: {mode: doan}\n  criteria:\n"
                   "    - {code: TC1, title: Dân chủ, max: 20, items: [{code: a, title: b, "
                   "max: 5}]}\n", encoding="utf-8")
    page.set_input_files("input[name='file']", str(bad))
    page.fill("input[name='note']", "Thử bộ tiêu chí")
    page.get_by_role("button", name="Nạp thành phiên bản tiếp theo").click()
    expect(page.get_by_text("Bộ tiêu chí chưa được lưu:")).to_be_visible()
    screenshot(page, "recognition-0-criteria-problems")
    context.close()
