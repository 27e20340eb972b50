"""The public form page as a phone receives it: light, self-contained, labelled, in Vietnamese,
and the edges of the path: retired links, unknown tokens, a new version between GET and POST."""

from __future__ import annotations

import re
import unicodedata
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.models import CollectionPoint
from survey_app.models import Response
from survey_app.models import RetiredToken
from survey_app.services.catalogue.form_versions import DEFINITIONS
from survey_app.services.catalogue.form_versions import publish_form
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields

CODES = [f"PKS0{n}" for n in range(1, 8)]
#: The issue's budget for the first load of a form (HTML with its inline CSS and script).
FIRST_LOAD_BYTES = 30 * 1024


@pytest.fixture
def points(dummy_commune, open_campaign, create_point) -> dict[str, CollectionPoint]:
    return {code: create_point(dummy_commune, code) for code in CODES}


@pytest.fixture
def point(points) -> CollectionPoint:
    return points["PKS05"]


class Page(HTMLParser):
    """The elements of a page, each with its attributes and the chain of elements around it."""

    VOID = frozenset({"input", "meta", "link", "br", "img", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict, tuple]] = []
        self.first_child: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.stack:
            parent = self.stack[-1][1].get("id")
            if parent and parent not in self.first_child:
                self.first_child[parent] = tag
        self.elements.append((tag, attrs, tuple(self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def find(self, tag: str | None = None, **attrs) -> list[tuple[str, dict, tuple]]:
        return [e for e in self.elements if (tag is None or e[0] == tag)
                and all(e[1].get(k) == v for k, v in attrs.items())]


def definition_of(point):
    return point.form.current_version().parsed


@pytest.mark.parametrize("code", CODES)
def test_first_load_is_light_and_from_this_host_only(client, points, code):
    reply = client.get(f"/f/{points[code].token}")
    assert reply.status_code == 200
    body = reply.get_data()
    assert len(body) < FIRST_LOAD_BYTES, f"{code}: {len(body)} bytes"
    html = body.decode()
    # Nothing that makes the phone fetch a second file: no external URL, no stylesheet link,
    # no script file, no image, no font.
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html)
    assert not re.search(r"@import", html)
    page = Page(html)
    assert not page.find("link", rel="stylesheet")
    assert not [e for e in page.find("script") if "src" in e[1]]
    assert not page.find("img")


@pytest.mark.parametrize("code", CODES)
def test_every_question_has_a_label_or_a_legend(client, points, code):
    point = points[code]
    page = Page(client.get(f"/f/{point.token}").get_data(as_text=True))
    for question in definition_of(point).questions:
        [(tag, _, _)] = page.find(id=f"q-{question.id}")
        if tag == "fieldset":
            assert page.first_child[f"q-{question.id}"] == "legend", question.id
        else:
            assert page.find("label", **{"for": f"i-{question.id}"}), question.id
            assert page.find(id=f"i-{question.id}"), question.id
    # Every radio button and checkbox is inside its own label, so the whole row is the target.
    for _, attrs, around in page.find("input"):
        if attrs.get("type") in ("radio", "checkbox"):
            assert around[-1][0] == "label", attrs


def test_page_is_vietnamese_with_nfc_diacritics(client, point):
    reply = client.get(f"/f/{point.token}")
    assert reply.mimetype == "text/html"
    assert reply.mimetype_params["charset"] == "utf-8"
    html = reply.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert '<meta charset="utf-8">' in html
    assert unicodedata.is_normalized("NFC", html)
    for words in ("UBND Xã Hợp Thịnh", "Rất hài lòng", "Gửi phiếu",
                  "Thời gian giải quyết hồ sơ gần đây nhất của ông/bà như thế nào?"):
        assert words in html


def test_nfd_text_in_a_definition_is_shown_as_nfc(app, client, point, tmp_path):
    data = yaml.safe_load((DEFINITIONS / "pks05.v2.yaml").read_text(encoding="utf-8"))
    data["version"] = 3
    data["intro"] = unicodedata.normalize("NFD", "Phiếu không ghi tên, ý kiến được bảo mật.")
    path = tmp_path / "pks05.v3.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    publish_form(db.session, path)
    db.session.commit()
    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    assert "Phiếu không ghi tên, ý kiến được bảo mật." in html
    assert unicodedata.is_normalized("NFC", html)


def test_conditional_question_shows_its_condition_in_words(client, point):
    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    block = re.search(r'<fieldset id="q-wait_reason".*?</fieldset>', html, re.S).group(0)
    assert 'data-show-if="wait_time"' in block
    assert "Chỉ trả lời nếu ở câu 5 ông/bà chọn “Chờ đợi rất lâu”." in block


def test_no_raw_ip_address_is_stored(client, point):
    address, forwarded = "203.0.113.77", "198.51.100.23"
    fields = form_fields(client, point)
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS},
                        environ_base={"REMOTE_ADDR": address},
                        headers={"X-Forwarded-For": forwarded, "X-Real-IP": forwarded})
    assert reply.status_code == 303
    assert db.session.scalar(select(func.count(Response.id))) == 1
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
            for value in row:
                for ip in (address, forwarded):
                    assert ip not in str(value), f"{ip} stored in {table.name}"


def test_retired_point_explains_itself_with_410(client, point):
    point.retired_at = now_utc()
    db.session.commit()
    page = client.get(f"/f/{point.token}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Mã QR này không còn được sử dụng" in html
    assert "Xã Hợp Thịnh" in html
    reply = client.post(f"/f/{point.token}", data={**PKS05_ANSWERS,
                                                   "submission_id": str(uuid.uuid4())})
    assert reply.status_code == 410
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_replaced_token_explains_itself_with_410(client, point):
    db.session.add(RetiredToken(token="old-poster-token", point_id=point.id))
    db.session.commit()
    page = client.get("/f/old-poster-token")
    assert page.status_code == 410
    assert "PKS05" in page.get_data(as_text=True)
    assert "Mã QR này không còn được sử dụng" in page.get_data(as_text=True)


@pytest.mark.parametrize("token", ["khong-ton-tai", "x" * 65, "%C3%A1"])
def test_unknown_token_is_a_clear_404_on_every_page(client, points, token):
    for reply in (client.get(f"/f/{token}"), client.get(f"/f/{token}/cam-on"),
                  client.post(f"/f/{token}", data={**PKS05_ANSWERS,
                                                   "submission_id": str(uuid.uuid4())})):
        assert reply.status_code == 404
        assert "Không tìm thấy đường dẫn khảo sát" in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def republish_pks05(tmp_path: Path, edit) -> None:
    data = yaml.safe_load((DEFINITIONS / "pks05.v2.yaml").read_text(encoding="utf-8"))
    data["version"] = 3
    edit(data)
    path = tmp_path / "pks05.v3.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    publish_form(db.session, path)
    db.session.commit()


def test_answers_stay_on_the_version_the_page_was_rendered_with(client, point, tmp_path):
    fields = form_fields(client, point)
    v1 = point.form.current_version()
    assert fields["version_id"] == str(v1.id)

    def add_required_question(data):
        data["sections"][1]["questions"].append({
            "id": "queue_ticket", "type": "yes_no", "required": True,
            "text": "Ông/bà có được phát số thứ tự không?"})

    republish_pks05(tmp_path, add_required_question)
    assert point.form.current_version().version == 3
    # The page asked v1's questions: v2's new required question cannot be held against it.
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    assert reply.status_code == 303
    response = db.session.scalar(select(Response))
    assert response.form_version_id == v1.id
    # A fresh page asks v2 and needs its question.
    fresh = form_fields(client, point)
    assert fresh["version_id"] != str(v1.id)
    reply = client.post(f"/f/{point.token}", data={**fresh, **PKS05_ANSWERS})
    assert reply.status_code == 422
    assert 'id="q-queue_ticket"' in reply.get_data(as_text=True)


def test_version_of_another_form_is_not_used(client, points):
    point = points["PKS05"]
    fields = form_fields(client, point)
    other = points["PKS01"].form.current_version()
    reply = client.post(f"/f/{point.token}",
                        data={**fields, **PKS05_ANSWERS, "version_id": str(other.id)})
    assert reply.status_code == 303
    response = db.session.scalar(select(Response))
    assert response.form_version_id == point.form.current_version().id
    assert response.form_id == point.form_id


@pytest.mark.parametrize("version_id", ["", "abc", "999999", "-1"])
def test_missing_or_unknown_version_falls_back_to_the_current_one(client, point, version_id):
    fields = {**form_fields(client, point), "version_id": version_id}
    assert client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS}).status_code == 303
    response = db.session.scalar(select(Response))
    assert response.form_version_id == point.form.current_version().id


def test_thank_you_page_names_the_commune(client, point):
    fields = form_fields(client, point)
    reply = client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    thanks = client.get(reply.headers["Location"])
    assert thanks.status_code == 200
    html = thanks.get_data(as_text=True)
    assert "Cảm ơn" in html
    assert "UBND Xã Hợp Thịnh" in html


def test_validation_error_is_next_to_its_question_and_keeps_every_answer(client, point):
    fields = form_fields(client, point)
    answers = {**PKS05_ANSWERS, "wait_time": "cho_rat_lau", "wait_reason": ["qua_dong"],
               "procedure_field": "khac", "procedure_field_other": "Đăng ký kinh doanh"}
    del answers["q_overall"]
    reply = client.post(f"/f/{point.token}", data={**fields, **answers})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    block = re.search(r'<fieldset id="q-q_overall".*?</fieldset>', html, re.S).group(0)
    assert 'aria-describedby="e-q_overall"' in block
    assert "Vui lòng trả lời câu hỏi này." in block
    for qid, value in answers.items():
        if qid == "procedure_field_other":
            assert f">{value}</textarea>" in html
            continue
        for one in value if isinstance(value, list) else [value]:
            assert re.search(rf'name="{qid}" value="{one}" checked', html), qid
    assert html.count('class="err"') == 1
    # The message at the top links to the question to fix.
    assert '<a href="#q-q_overall">Câu 14</a>' in html
    assert html.index('role="alert"') < html.index("<h1>")
