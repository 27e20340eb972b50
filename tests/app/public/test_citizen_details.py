"""The citizen's small things: the thank-you page leads on to the counter's other forms, a
follow-up question carries no required star before it applies, one wording for the time a
form takes, and an icon for the browser's tab."""

from __future__ import annotations

import re

from survey_app.services.catalogue.form_versions import DEFINITIONS
from survey_app.services.collection_points.posters import PosterTexts


def test_the_thank_you_page_links_the_other_forms_of_the_same_counter(
        client, dummy_commune, open_campaign, create_point):
    here = create_point(dummy_commune, "PKS05", label="Quầy 1")
    same = create_point(dummy_commune, "PKS07", label="Quầy 1")
    create_point(dummy_commune, "PKS02", label="Quầy 2")  # another counter
    html = client.get(f"/f/{here.token}/cam-on").get_data(as_text=True)
    assert "Các phiếu khác tại quầy này" in html
    links = re.findall(r'<a href="/f/([^"]+)">(PKS0\d)', html)
    assert links == [(same.token, "PKS07")]


def test_a_lone_form_thanks_without_a_list(client, dummy_commune, open_campaign, create_point):
    here = create_point(dummy_commune, "PKS05")
    html = client.get(f"/f/{here.token}/cam-on").get_data(as_text=True)
    assert "Các phiếu khác" not in html


def test_a_follow_up_question_shows_no_required_star_until_it_applies(
        client, dummy_commune, open_campaign, create_point):
    point = create_point(dummy_commune, "PKS05")
    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    follow_up = html[html.index('id="q-late_notified"'):]
    follow_up = follow_up[:follow_up.index("</fieldset>")]
    assert 'class="req" aria-label="bắt buộc" hidden>' in follow_up
    assert "Chỉ trả lời nếu" in follow_up
    plain = html[html.index('id="q-processing_time"'):]
    assert 'class="req" aria-label="bắt buộc">' in plain[:plain.index("</legend>")]


def test_the_poster_says_what_the_form_says_about_time(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        footer = PosterTexts.current().footer
    assert "khoảng một phút" in footer
    for path in DEFINITIONS.glob("*.yaml"):
        assert "khoảng một phút" in path.read_text(encoding="utf-8"), path.name


def test_the_browser_gets_an_icon(client):
    reply = client.get("/favicon.ico")
    assert reply.status_code == 200
    assert reply.mimetype == "image/vnd.microsoft.icon"
    assert reply.data[:4] == b"\x00\x00\x01\x00"
    assert "max-age" in reply.headers["Cache-Control"]
