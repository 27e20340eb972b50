"""The dashboard through the client: who sees what, filters, the commune page, the report."""

from __future__ import annotations

import gzip
import json
import re
from html import unescape

import pytest

from tests.fixtures.field import PASSWORD


@pytest.fixture
def as_user(results_world, login):
    return lambda name: login(name, PASSWORD)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def figures(html: str) -> dict[str, dict]:
    """The chart JSON of a page, by chart id (unescaped from the data attribute)."""
    return {
        match.group(1): json.loads(unescape(match.group(2)))
        for match in re.finditer(r'id="chart-(\w+)"[^>]*data-figure="([^"]*)"', html)
    }


def test_anonymous_visitors_are_sent_to_sign_in(client, results_world):
    response = client.get("/bang-dieu-khien/")
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]


def test_surveyors_do_not_read_results(as_user):
    page(as_user("surveyor"), "/bang-dieu-khien/", 403)


def test_steering_sees_the_province_against_the_target(as_user, results_world):
    html = page(as_user("steering"), "/bang-dieu-khien/")
    assert "1 / 3" in html
    assert "Cụm thi đua số 1" in html
    assert "Cụm thi đua số 2" in html
    for commune in ("Xã Hợp Thịnh", "Phường Đông Ngàn", "Xã Tam Sơn"):
        assert commune in html
    charts = figures(html)
    assert set(charts) == {"target", "status", "groupings", "samples", "heatmap"}
    assert charts["target"]["data"][0]["gauge"]["threshold"]["value"] == 60.0
    # Every chart sits beside or above a table with its numbers.
    assert html.count("<table") >= 4  # status, groupings, samples, communes
    assert "phiên bản 0" in html


def test_the_trend_arrives_after_the_page_or_on_its_own(as_user, results_world):
    client = as_user("steering")
    html = page(client, "/bang-dieu-khien/")
    source = unescape(re.search(r'data-src="([^"]+)"', html).group(1))
    fragment = page(client, source)
    assert "<html" not in fragment
    trend = figures(fragment)["trend"]
    assert [t["name"] for t in trend["data"]][:2] == ["Xã đạt chuẩn (%)", "Chỉ tiêu 60%"]
    assert "yaxis2" not in trend["layout"]  # one axis: the weekly responses are in the table
    assert "1 (33,3%)" in fragment
    full = page(client, "/bang-dieu-khien/xu-huong")
    assert "<html" in full
    assert "Số liệu đến ngày" in full
    grouping = page(as_user("grouping"), source)
    assert "1 (50,0%)" in grouping


def test_plotly_js_is_served_by_the_app(client, results_world, as_user):
    html = page(as_user("steering"), "/bang-dieu-khien/")
    # dashboard.js asks for it once the page has loaded.
    src = re.search(r'data-plotly="([^"]*)"', html).group(1)
    assert src.startswith("/bang-dieu-khien/")
    plain = client.get(src)
    assert plain.status_code == 200
    assert plain.mimetype == "text/javascript"
    assert b"plotly.js" in plain.data[:2000]
    zipped = client.get(src, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert "cdn" not in html.lower()


def test_a_grouping_sees_its_communes_only(as_user):
    html = page(as_user("grouping"), "/bang-dieu-khien/")
    assert "Xã Hợp Thịnh" in html
    assert "Phường Đông Ngàn" in html
    assert "Xã Tam Sơn" not in html
    assert "1 / 2" in html


def test_filters_narrow_the_view(as_user, results_world):
    client = as_user("steering")
    html = page(client, f"/bang-dieu-khien/?grouping={results_world.cluster2.id}&form=PKS05")
    assert "Xã Tam Sơn" in html
    assert "Xã Hợp Thịnh" not in html
    assert figures(html)["heatmap"]["data"][0]["x"] == ["PKS05"]
    page(client, f"/bang-dieu-khien/?campaign={results_world.foreign_campaign.id}", 404)
    page(client, "/bang-dieu-khien/?grouping=999", 404)
    page(client, "/bang-dieu-khien/?form=PKS07", 404)
    page(client, "/bang-dieu-khien/?rulebook=999", 404)
    page(client, "/bang-dieu-khien/?until=hôm-nay", 404)


def test_a_commune_official_lands_on_its_own_commune(as_user, results_world):
    client = as_user("official")
    response = client.get("/bang-dieu-khien/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bang-dieu-khien/xa/{results_world.meets.id}")
    html = page(client, response.headers["Location"])
    assert "Xã Hợp Thịnh" in html
    assert "Đạt chuẩn" in html


@pytest.mark.parametrize(("user", "commune", "status"), [
    ("official", "meets", 200), ("official", "fails", 404), ("grouping", "fails", 200),
    ("grouping", "nodata", 404), ("steering", "nodata", 200), ("steering", "foreign", 404),
    ("coordinator", "nodata", 200), ("foreign", "meets", 404), ("admin", "foreign", 200),
])
def test_the_commune_page_is_scoped(as_user, results_world, user, commune, status):
    target = getattr(results_world, commune)
    campaign = (results_world.foreign_campaign if commune == "foreign"
                else results_world.campaign)
    page(as_user(user), f"/bang-dieu-khien/xa/{target.id}?campaign={campaign.id}", status)


def test_the_commune_page_explains_its_status(as_user, results_world):
    client = as_user("steering")
    html = page(client, f"/bang-dieu-khien/xa/{results_world.fails.id}")
    assert "Chưa đạt" in html
    assert "PKS01" in html
    html = page(client, f"/bang-dieu-khien/xa/{results_world.nodata.id}")
    assert "Chưa đủ dữ liệu" in html
    assert "Flagged" not in html
    assert set(figures(html)) == {"forms", "trend"}


def test_free_text_only_for_the_committee_and_the_communes_officials(as_user, results_world):
    url = f"/bang-dieu-khien/xa/{results_world.meets.id}?form=PKS05"
    for user in ("steering", "official"):
        html = page(as_user(user), url)
        assert "=HYPERLINK" in html
        assert "<script>alert(1)</script>" not in html  # escaped, never markup
    for user in ("grouping", "coordinator"):
        assert "HYPERLINK" not in page(as_user(user), url)


def test_small_answer_groups_are_hidden(as_user, results_world):
    html = page(as_user("steering"), f"/bang-dieu-khien/xa/{results_world.meets.id}?form=PKS05")
    # One respondent named a procedure field: hidden; 30 answered the overall question.
    assert "Ẩn: có dưới 5 người trả lời." in html
    assert "30 người trả lời" in html


def test_the_report_is_printable_and_dated(as_user, results_world):
    client = as_user("steering")
    # A date past the campaign is brought back to today, never printed as if reached.
    html = page(client, "/bang-dieu-khien/bao-cao?kind=six_month&until=2100-06-30")
    assert "30/06/2100" not in html
    assert "BÁO CÁO" in html
    assert "Xã Tam Sơn" in html
    assert "data-print" in html
    assert "<div class=\"plot\"" not in html
    page(client, "/bang-dieu-khien/bao-cao?kind=monthly", 404)


def test_the_report_of_a_past_date_counts_nothing_after_it(as_user):
    # Before the campaign: moved to its first day, where nothing was received yet, and said
    # so instead of a bare "0 communes meet the standard".
    html = page(as_user("steering"), "/bang-dieu-khien/bao-cao?kind=year&until=2000-12-31")
    assert "nằm ngoài thời gian đợt khảo sát" in html
    assert "CẢNH BÁO" in html
    assert "Đến hết ngày" in html
    assert "chưa nhận được phiếu khảo sát nào của 3 xã" in html


def test_the_commune_page_chooses_its_form_where_the_answers_are(as_user, results_world):
    """The menu at the top holds what applies to the whole page (campaign, rulebook, date);
    the form is chosen above "How people answered", the one section it changes, and a form's
    row in the table leads there. The chosen form survives a change of date."""
    client = as_user("official")
    commune = results_world.meets.id
    html = page(client, f"/bang-dieu-khien/xa/{commune}?form=PKS05")
    top = html.split('class="filters noprint"', 1)[1].split("</form>", 1)[0]
    assert '<select name="form"' not in top
    assert '<input type="hidden" name="form" value="PKS05">' in top
    answers = html.split('id="answers"', 1)[1]
    assert 'aria-labelledby="answers-form"' in answers
    assert re.search(r'href="[^"]*form=PKS05[^"]*" aria-current="page">PKS05', answers)
    assert f"/bang-dieu-khien/xa/{commune}?" in html
    assert re.search(r'form=PKS01[^"]*#answers"', html)
