"""Evidence files: judged by content, size-limited, stored outside static, downloaded only by
those who may read the dossier."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.models import Evidence
from tests.app.recognition.conftest import PDF
from tests.app.recognition.conftest import PNG
from tests.fixtures.field import add_user


@pytest.fixture
def registered(world, login):
    steering = login("steering")
    steering.post(f"/cong-nhan/{world.campaign.id}/dang-ky",
                  data={"commune": [world.meets.id, world.fails.id]})
    return world


def attach(client, world, name: str, content: bytes, code: str = "TC1.1"):
    return client.post(f"/cong-nhan/{world.campaign.id}/xa/{world.meets.id}/minh-chung",
                       data={"code": code, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def stored() -> list[Evidence]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Evidence)))


def test_a_pdf_and_an_image_are_kept_outside_static_and_downloaded(registered, login, app):
    official = login("official")
    assert attach(official, registered, "Biên bản họp.pdf", PDF).status_code == 200
    assert attach(official, registered, "anh.PNG", PNG, "TC5").status_code == 200
    files = stored()
    assert [(f.file_name, f.content_type) for f in files] == [
        ("Biên bản họp.pdf", "application/pdf"), ("anh.PNG", "image/png")]
    folder = Path(app.config["RECOGNITION_EVIDENCE_DIR"])
    assert (folder / files[0].stored_name).read_bytes() == PDF
    assert Path(app.static_folder) not in (folder / files[0].stored_name).parents
    url = (f"/cong-nhan/{registered.campaign.id}/xa/{registered.meets.id}/minh-chung/"
           f"{files[0].id}")
    for who in ("official", "grouping", "steering"):
        response = login(who).get(url)
        assert response.status_code == 200, who
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_oversized_file_is_refused_and_nothing_kept(registered, login, app):
    big = PDF + b"0" * app.config["EVIDENCE_MAX_BYTES"]
    page = attach(login("official"), registered, "lon.pdf", big).get_data(as_text=True)
    assert "MB" in page
    assert stored() == []


@pytest.mark.parametrize(("name", "content"), [
    ("bao-cao.pdf", PNG),  # an image named as a PDF
    ("anh.jpg", PDF),  # a PDF named as a JPEG
    ("chay-toi.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # a Windows program named as a PDF
    ("trang.html", b"<html><script>alert(1)</script></html>"),  # not an accepted kind
])
def test_content_that_is_not_what_the_name_says_is_refused(registered, login, name, content):
    page = attach(login("official"), registered, name, content).get_data(as_text=True)
    assert 'class="flash error"' in page
    assert stored() == []


def test_a_download_outside_the_commune_scope_is_refused(registered, login):
    attach(login("official"), registered, "bien-ban.pdf", PDF)
    evidence = stored()[0]
    url = (f"/cong-nhan/{registered.campaign.id}/xa/{registered.meets.id}/minh-chung/"
           f"{evidence.id}")
    add_user("cluster2", registered.users["grouping"].role, grouping_id=registered.cluster2.id,
             province_id=registered.campaign.province_id)
    db.session.commit()
    for who in ("official2", "cluster2", "coordinator", "surveyor", "foreign"):
        assert login(who).get(url).status_code in (403, 404), who
    # Another commune's URL with this file's id: the file belongs to the other dossier.
    other = (f"/cong-nhan/{registered.campaign.id}/xa/{registered.fails.id}/minh-chung/"
             f"{evidence.id}")
    assert login("official2").get(other).status_code == 404


def test_only_the_commune_attaches_and_only_while_it_holds_the_dossier(registered, login):
    assert attach(login("official2"), registered, "x.pdf", PDF).status_code == 404
    assert attach(login("grouping"), registered, "x.pdf", PDF).status_code == 403
    assert stored() == []
