"""Citizens' suggestions reach the commune's officials and the committee: anonymous (the
week only, nothing else of the respondent), searchable, downloadable."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC
from datetime import datetime

import pytest

from survey_app.extensions import db
from tests.fixtures.field import PASSWORD
from tests.fixtures.results import FREE_TEXT

#: Received on a Thursday afternoon, Vietnam time: the page shows only that week's Monday.
THURSDAY = datetime(2026, 3, 12, 8, 30, tzinfo=UTC)


@pytest.fixture
def world(results_world, add_responses):
    add_responses(results_world.campaign, results_world.fails, results_world.forms["PKS05"],
                  {"hai_long": 1}, received_at=THURSDAY,
                  extra={"procedure_field": "khac", "procedure_field_other": "Cần thêm ghế chờ"})
    db.session.commit()
    return results_world


def page(client, url: str, status: int = 200) -> str:
    reply = client.get(url)
    assert reply.status_code == status
    return reply.get_data(as_text=True)


def test_the_committee_reads_every_suggestion_with_its_week_only(world, login):
    html = page(login("steering", PASSWORD), "/bang-dieu-khien/gop-y")
    assert "Cần thêm ghế chờ" in html
    assert "HYPERLINK" in html
    assert "<script>alert" not in html  # escaped
    row = re.search(r"<tr><td>([^<]+)</td><td>Phường Đông Ngàn</td>", html)
    assert row.group(1) == "09/03/2026"  # the Monday, not the 12th
    assert "12/03/2026" not in html
    assert "15:30" not in html


def test_search_with_and_without_marks(world, login):
    client = login("steering", PASSWORD)
    assert "Cần thêm ghế chờ" in page(client, "/bang-dieu-khien/gop-y?q=ghe+cho")
    assert "Cần thêm ghế chờ" in page(client, "/bang-dieu-khien/gop-y?q=gh%E1%BA%BF")
    assert "Cần thêm ghế chờ" in page(client, "/bang-dieu-khien/gop-y?q=dong+ngan")
    none = page(client, "/bang-dieu-khien/gop-y?q=ghe+ngoi")
    assert "Cần thêm ghế chờ" not in none
    assert "Không có góp ý nào khớp" in none


def test_an_official_reads_their_own_commune_on_its_page(world, login):
    client = login("official", PASSWORD)  # Xã Hợp Thịnh
    html = page(client, "/bang-dieu-khien/gop-y")
    assert "HYPERLINK" in html
    assert "Cần thêm ghế chờ" not in html  # another commune's
    commune = page(client, f"/bang-dieu-khien/xa/{world.meets.id}", 200)
    assert "Góp ý của người dân" in commune
    assert "HYPERLINK" in commune


def test_other_roles_do_not_read_suggestions(world, login):
    for user in ("grouping", "coordinator", "surveyor"):
        page(login(user, PASSWORD), "/bang-dieu-khien/gop-y", 403)
        page(login(user, PASSWORD), "/bang-dieu-khien/gop-y.csv", 403)


def test_the_download_holds_the_suggestions_alone_and_defused(world, login):
    reply = login("steering", PASSWORD).get("/bang-dieu-khien/gop-y.csv?q=hyperlink")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0] == ["Tuần từ ngày", "Xã", "Phiếu", "Câu hỏi", "Góp ý"]
    assert len(rows) == 2
    assert rows[1][1] == "Xã Hợp Thịnh"
    assert rows[1][4] == "'" + FREE_TEXT
