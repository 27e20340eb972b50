"""The overview's commune table: Vietnamese order, search, filters, sort and pages, all by
query parameters (no script needed)."""

from __future__ import annotations

import re

import pytest

from survey_app.dashboard.commune_table import PAGE_SIZE
from survey_app.extensions import db
from survey_app.models import Commune
from tests.fixtures.field import PASSWORD

ISSUE_NAMES = ["Phường Trạm Lộ", "Phường Tân An", "Phường Yên Dũng", "Phường Đa Mai"]


@pytest.fixture
def client(results_world, create_commune, add_responses, login):
    for name in ISSUE_NAMES:
        commune = create_commune(name, grouping=results_world.cluster2)
        add_responses(results_world.campaign, commune, results_world.forms["PKS05"],
                      {"hai_long": 3})
    db.session.commit()
    return login("steering", PASSWORD)


def names(html: str) -> list[str]:
    table = html[html.index('id="bang-xa"'):]
    return re.findall(r'<a class="commune" href="[^"]+">([^<]+)</a>', table)


def get(client, query: str = "") -> str:
    reply = client.get(f"/bang-dieu-khien/?{query}")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_names_sort_in_vietnamese_order(client):
    listed = names(get(client, "sort=name"))
    assert listed.index("Phường Tân An") < listed.index("Phường Trạm Lộ")
    assert listed.index("Phường Đa Mai") < listed.index("Phường Yên Dũng")
    assert listed == ["Phường Đa Mai", "Phường Đông Ngàn", "Phường Tân An", "Phường Trạm Lộ",
                      "Phường Yên Dũng", "Xã Hợp Thịnh", "Xã Tam Sơn"]
    assert names(get(client, "sort=name&dir=desc")) == listed[::-1]


def test_search_with_and_without_marks(client):
    assert names(get(client, "q=tan+an")) == ["Phường Tân An"]
    assert names(get(client, "q=T%C3%A2n+An")) == ["Phường Tân An"]
    assert names(get(client, "q=dong+ngan")) == ["Phường Đông Ngàn"]
    html = get(client, "q=kh%C3%B4ng+c%C3%B3")
    assert names(html) == []
    assert "Không có xã nào khớp" in html


def test_filters_by_status_grouping_and_failing_form(client, results_world):
    assert names(get(client, "status=meets")) == ["Xã Hợp Thịnh"]
    assert names(get(client, "failing=PKS01")) == ["Phường Đông Ngàn"]
    in_cluster1 = names(get(client, f"grouping={results_world.cluster1.id}"))
    assert sorted(in_cluster1) == ["Phường Đông Ngàn", "Xã Hợp Thịnh"]
    # A form or status the campaign does not know is ignored, not an error.
    assert len(names(get(client, "failing=PKS99&status=nope&sort=zzz&page=x"))) == 7


def test_sort_by_a_form_and_by_status(client):
    by_rate = names(get(client, "sort=PKS05&dir=desc"))
    assert by_rate[0] == "Phường Đông Ngàn"  # 5 of 5 satisfied
    by_status = names(get(client, "sort=status"))
    assert by_status[0] == "Xã Hợp Thịnh"
    html = get(client, "sort=status")
    assert 'aria-sort="ascending"' in html


def test_the_table_comes_in_pages(results_world, create_commune, login):
    for n in range(PAGE_SIZE + 5):
        create_commune(f"Xã Số {n + 1}", grouping=results_world.cluster2)
    client = login("steering", PASSWORD)
    first = get(client)
    assert len(names(first)) == PAGE_SIZE
    assert 'rel="next"' in first
    second = names(get(client, "page=2"))
    assert len(second) == PAGE_SIZE + 5 + 3 - PAGE_SIZE
    assert not set(second) & set(names(first))
    assert len(names(get(client, "page=99"))) == len(second)  # past the end: the last page


def test_the_page_stays_small_however_many_communes(results_world, dummy_province, login):
    db.session.add_all([Commune(code=f"8{n:04d}", name=f"Xã Rộng Lớn {n}", division_type="xã",
                                province_id=dummy_province.id,
                                grouping_id=results_world.cluster2.id) for n in range(600)])
    db.session.commit()
    client = login("steering", PASSWORD)
    html = get(client)
    assert len(names(html)) == PAGE_SIZE
    assert len(html.encode()) < 300_000
    # What a browser is sent: the page gzipped (static files it keeps from the first visit).
    sent = client.get("/bang-dieu-khien/", headers={"Accept-Encoding": "gzip"})
    assert sent.headers["Content-Encoding"] == "gzip"
    assert len(sent.data) < 40_000
