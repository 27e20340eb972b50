"""A province's first year without the demo: from an empty migrated database to an answer on
the dashboard, through the shell and the admin pages only (docs/SETUP.md, step by step).

Nothing here writes a model directly: what the test reads from the database it only checks.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from flask import g
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Response
from tests.fixtures.data import PKS05_ANSWERS
from tests.fixtures.field import StaffClient

PROVINCE = "12"  # Lai Châu: a real province small enough for a test
PASSWORD = "một mật khẩu dài cho quản trị 2026"


def shell(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_province_runs_its_first_campaign_without_the_demo(app, runner, tmp_path):
    assert db.session.scalar(select(func.count(Commune.id))) == 0  # an empty database

    # 1. The shell: units, forms, the first administrator.
    assert "communes added" in shell(runner, "units", "import", "--province", PROVINCE)
    assert "PKS05 v2: published" in shell(runner, "forms", "publish", "--bundled")
    shell(runner, "users", "create", "quantri", "--role", "admin", "--name", "Quản trị tỉnh",
          "--password", PASSWORD)
    # The communes' figures: the template, filled in as a province's office would, imported.
    template = tmp_path / "so-lieu.xlsx"
    shell(runner, "units", "figures", "template", PROVINCE, str(template))
    book = load_workbook(template)
    sheet = book.active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    staff, population = header.index("so_can_bo"), header.index("dan_so")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value and str(row[0].value).isdigit():
            row[staff].value, row[population].value = 22, 9_500
    book.save(template)
    shell(runner, "units", "figures", "import", str(template))
    assert db.session.scalar(select(func.count(Commune.id)).where(
        Commune.staff_headcount == 22)) == db.session.scalar(select(func.count(Commune.id)))

    # 2. The admin pages: sign in, lands on the admin home.
    admin = StaffClient(app, app.response_class, use_cookies=True)
    reply = admin.post("/dang-nhap", data={"username": "quantri", "password": PASSWORD},
                       follow_redirects=True)
    assert reply.request.path == "/quan-tri/"
    assert "Đợt khảo sát" in reply.get_data(as_text=True)

    # 3. A campaign for next year, every form in its quarter.
    year = today_in_vietnam().year + 1
    province_id = re.search(r'<option value="(\d+)"',
                            admin.get("/quan-tri/dot-khao-sat/").get_data(as_text=True))[1]
    reply = admin.post("/quan-tri/dot-khao-sat/", data={
        "name": f"Năm {year}", "province": province_id, "year": str(year)})
    assert reply.status_code == 302
    campaign_url = reply.headers["Location"]
    campaign_id = int(campaign_url.rstrip("/").rsplit("/", 1)[1])
    reply = admin.post(f"{campaign_url}/phieu", data={"form_code": "*", "sample_target": "30"},
                       follow_redirects=True)
    assert f"01/07/{year} – 30/09/{year}" in reply.get_data(as_text=True)

    # 4. PKS05 opened early, today, with its reason kept.
    html = reply.get_data(as_text=True)
    forms = {code: int(cf_id) for cf_id, code in re.findall(
        r'<div class="form" id="form-(\d+)">\s*<h3>(PKS0\d)', html)}
    assert sorted(forms) == [f"PKS0{n}" for n in range(1, 8)]
    reply = admin.post(f"/quan-tri/dot-khao-sat/phieu/{forms['PKS05']}/mo",
                       data={"reason": "Tỉnh khảo sát thử trước quý III"}, follow_redirects=True)
    html = reply.get_data(as_text=True)
    assert "Tỉnh khảo sát thử trước quý III" in html
    assert "1 trên 7 phiếu đang mở" in html
    assert "OPEN PKS05" in shell(runner, "campaigns", "list")

    # 5. The points, in bulk, twice: nothing made twice.
    reply = admin.post(f"{campaign_url}/diem-thu-thap", data={"counters": ""},
                       follow_redirects=True)
    communes = db.session.scalar(select(func.count(Commune.id)))
    assert f"Đã tạo {communes * 7} điểm thu phiếu" in reply.get_data(as_text=True)
    assert "0 points made" in shell(runner, "campaigns", "points", str(campaign_id))
    assert db.session.scalar(select(func.count(CollectionPoint.id))) == communes * 7

    # 6. The posters: a PDF from the page, the QR images and links from the shell.
    job = admin.post("/quan-tri/ma-qr/chuan-bi",
                     data={"province": province_id, "form": "PKS05", "what": "pdf"})
    assert job.status_code == 303
    poster = admin.get(job.headers["Location"] + "/tep")
    assert poster.status_code == 200
    assert poster.data.startswith(b"%PDF")
    bundle = tmp_path / "ma-qr.zip"
    shell(runner, "qr", "posters", "--province", PROVINCE, "--form", "PKS05", "--zip",
          "--out", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        links = list(csv.reader(io.StringIO(archive.read("links.csv").decode("utf-8-sig"))))
    link = next(cell for cell in links[1] if "/f/" in cell)
    path = "/f/" + link.split("/f/", 1)[1]

    # 7. A citizen answers through the QR link.
    citizen = app.test_client()
    # The test's requests share one app context: forget the admin's CSRF token held in g.
    g.pop("csrf_token", None)
    page = citizen.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    reply = citizen.post(path, data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    assert db.session.scalar(select(func.count(Response.id))) == 1

    # 8. The dashboard shows it.
    dashboard = admin.get(f"/bang-dieu-khien/?campaign={campaign_id}").get_data(as_text=True)
    assert re.search(r"<strong>PKS05</strong></td>.*?<td class=\"num\">1 / ", dashboard, re.S)
    export = admin.get(f"/bang-dieu-khien/xuat/phieu.csv?campaign={campaign_id}&form=PKS05")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2  # a header and the answer

    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.year == year
    assert not campaign.is_demo
    assert next(cf for cf in campaign.forms
                if cf.form.code == "PKS05").opens_on == today_in_vietnam()
