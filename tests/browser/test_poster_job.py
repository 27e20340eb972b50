"""A province's posters as a job, in Chromium: the button, the progress bar moving (polled as
JSON), the download, and the same page without JavaScript (it refreshes itself)."""

from __future__ import annotations

import re
import time

import pypdfium2 as pdfium
import pytest

from survey_app.extensions import db
from survey_app.models import CollectionPoint
from survey_app.models import Role
from tests.fixtures.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]
FORMS = ("PKS01", "PKS02", "PKS03", "PKS04", "PKS05", "PKS06", "PKS07")
COMMUNES = 30


@pytest.fixture
def app_config(app_config, tmp_path):
    # A real worker, as `make run` starts it: a thread of the app, on a SQLite queue file.
    return {**app_config, "JOB_QUEUE": f"sqlite:///{tmp_path / 'job-queue.db'}",
            "JOB_WORKER_IN_PROCESS": True}


@pytest.fixture
def province(app, dummy_province, create_commune, published_forms, create_user):
    for _ in range(COMMUNES):
        commune = create_commune()
        db.session.add_all(CollectionPoint(commune_id=commune.id,
                                           form_id=published_forms[code].id) for code in FORMS)
    create_user("admin", Role.admin)
    db.session.commit()
    yield dummy_province
    app.extensions["job_queue"].consumer.stop(graceful=True)


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/dang-nhap")
    page.fill("#username", "admin")
    page.fill("#password", "correct horse battery")
    page.click("button[type=submit]")


def test_province_posters_job_shows_progress_then_offers_the_pdf(live_server, desktop,
                                                                 province, tmp_path):
    sign_in(desktop, live_server.url)
    desktop.goto(f"{live_server.url}/quan-tri/ma-qr/?province={province.id}")
    screenshot(desktop, "jobs-posters-ask")
    desktop.click("button[name=what][value=pdf]")
    desktop.wait_for_url("**/viec/*")
    # The bar moves while the page stays (JavaScript polls the job's JSON); read from the
    # page's text, as the site's CSP forbids the string evaluation wait_for_function uses.
    deadline = time.monotonic() + 120
    while True:
        found = re.match(r"(\d+) / (\d+)", desktop.locator("#job-count").inner_text())
        if found and 0 < int(found.group(1)) < int(found.group(2)):
            break
        assert time.monotonic() < deadline, "the bar never moved"
        time.sleep(0.1)
    assert "Đang vẽ áp phích" in desktop.locator("#job-stage").inner_text()
    screenshot(desktop, "jobs-posters-progress")
    link = desktop.locator("#job-download")
    link.wait_for(state="visible", timeout=300_000)
    assert desktop.locator("#job-status").inner_text() == "Đã xong"
    screenshot(desktop, "jobs-posters-done")
    with desktop.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("ap-phich-")
    assert path.suffix == ".pdf"
    assert len(pdfium.PdfDocument(path)) == COMMUNES * len(FORMS)


def test_job_page_without_javascript_refreshes_itself(live_server, browser, province):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  java_script_enabled=False)
    phone = context.new_page()
    try:
        sign_in(phone, live_server.url)
        phone.goto(f"{live_server.url}/quan-tri/ma-qr/?province={province.id}")
        phone.click("button[name=what][value=zip]")
        phone.wait_for_url("**/viec/*")
        assert phone.locator("progress#job-bar").count() == 1
        screenshot(phone, "jobs-zip-progress-phone-nojs")
        # No script: the page's own refresh brings the finished state.
        phone.locator("#job-download").wait_for(state="visible", timeout=300_000)
        screenshot(phone, "jobs-zip-done-phone-nojs")
        assert "ma-qr-" in phone.locator("#job-download").inner_text()
    finally:
        context.close()
