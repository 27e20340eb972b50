"""Forms from the admin pages: the loader's report with question ids, a preview that stores
nothing, publishing, retiring (its links say so, its answers stay), versions and answers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Response
from tests.fixtures.field import PASSWORD

PKS05 = Path(__file__).resolve().parents[3] / "forms" / "definitions" / "pks05.v2.yaml"
BROKEN = """\
code: PKS05
version: 9
title: Thử
respondents: Người dân
organisation: youth_union
quarter: 3
intro: Xin chào
satisfaction:
  question: q_overall
  satisfied: [hai_long]
sections:
  - id: a
    title: Phần A
    questions:
      - id: q_overall
        type: single_choice
        text: Hài lòng?
        required: true
        options:
          - {value: hai_long, label: Hài lòng}
      - id: wait
        type: single_choice
        text: Chờ lâu?
        requried: true
        options:
          - {value: a, label: A}
          - {value: a, label: B}
"""


def version_two() -> bytes:
    return PKS05.read_bytes().replace(b"version: 2\n", b"version: 3\n", 1)


def versions() -> int:
    return db.session.scalar(select(func.count(FormVersion.id)))


def check(client, data: bytes, name: str = "pks05.v3.yaml"):
    return client.post("/quan-tri/bieu-mau/kiem-tra", data={"file": (io.BytesIO(data), name)})


@pytest.fixture
def admin(field_world, login):
    return login("admin", PASSWORD)


def test_only_the_admin_manages_forms(field_world, login):
    for name in ("steering", "coordinator", "official"):
        client = login(name, PASSWORD)
        assert client.get("/quan-tri/bieu-mau").status_code == 403
        assert check(client, version_two()).status_code == 403
        assert client.post("/quan-tri/bieu-mau/dang", data={
            "definition": version_two().decode()}).status_code == 403


def test_a_broken_definition_lists_every_problem_with_its_question(admin):
    before = versions()
    response = check(admin, BROKEN.encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<code>q_overall</code>" in page
    assert "<code>wait</code>" in page
    assert "requried" in page  # the misspelt key, named
    assert "bị trùng" in page  # the repeated option value, in Vietnamese
    assert versions() == before


@pytest.mark.parametrize(("data", "words"), [
    (b"a: &x [1]\nb: *x\n", "&amp; và *"),
    ("code: PKS05\ntitle: Đông\n".encode("cp1258"), "UTF-8"),
    (b"code: [unclosed\n", "YAML"),
])
def test_an_unsafe_or_unreadable_file_is_refused_before_the_loader(admin, data, words):
    response = check(admin, data)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)


def test_check_preview_publish(admin, field_world):
    before = versions()
    response = check(admin, version_two())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "PKS05" in page
    text = version_two().decode()
    preview = admin.post("/quan-tri/bieu-mau/xem-truoc", data={"name": "x.yaml",
                                                               "definition": text})
    assert preview.status_code == 200
    shown = preview.get_data(as_text=True)
    assert 'id="q-q_overall"' in shown
    assert 'name="csrf_token"' not in shown.split("<main>")[1]  # nothing to send
    assert versions() == before
    published = admin.post("/quan-tri/bieu-mau/dang", data={"name": "x.yaml",
                                                            "definition": text})
    assert published.status_code == 303
    assert versions() == before + 1
    listing = admin.get("/quan-tri/bieu-mau").get_data(as_text=True)
    assert "Năm 2026" in listing  # the campaign that runs it
    again = admin.post("/quan-tri/bieu-mau/dang", data={"name": "x.yaml", "definition": text})
    assert again.status_code == 303
    assert versions() == before + 1


def test_a_published_version_is_previewed(admin, published_forms):
    version = published_forms["PKS01"].current_version()
    response = admin.get(f"/quan-tri/bieu-mau/phien-ban/{version.id}/xem-truoc")
    assert response.status_code == 200
    assert version.parsed.questions[0].text in response.get_data(as_text=True)


def test_a_retired_form_says_so_on_its_links_and_keeps_its_answers(
        admin, field_world, create_point, published_forms, client):
    point = create_point(field_world.own, "PKS05")
    assert client.get(f"/f/{point.token}").status_code == 200
    form = published_forms["PKS05"]
    answers = db.session.scalar(select(func.count(Response.id)))
    response = admin.post(f"/quan-tri/bieu-mau/{form.id}/ngung", data={"retired": "1"})
    assert response.status_code == 303
    gone = client.get(f"/f/{point.token}")
    assert gone.status_code == 410
    assert "không còn" in gone.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == answers
    admin.post(f"/quan-tri/bieu-mau/{form.id}/ngung", data={"retired": "0"})
    db.session.expire_all()
    assert not db.session.get(Form, form.id).is_retired
    assert client.get(f"/f/{point.token}").status_code == 200


def test_flask_forms_retire_and_list(published_forms, runner):
    db.session.commit()
    result = runner.invoke(args=["forms", "retire", "pks03"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Form).where(Form.code == "PKS03")).is_retired
    listing = runner.invoke(args=["forms", "list"])
    assert "PKS03 (retired)" in listing.output
    assert "v2 (current): 0 answers" in listing.output
    assert runner.invoke(args=["forms", "retire", "PKS03", "--undo"]).exit_code == 0
    assert runner.invoke(args=["forms", "retire", "PKS09"]).exit_code == 1
