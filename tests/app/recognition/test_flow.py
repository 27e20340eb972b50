"""Two communes' dossiers through the pages, from registration to the chairman's decision:
one recognised, one rejected after a return; then the dashboard's headline and funnel."""

from __future__ import annotations

import io
import json
import re

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import Dossier
from survey_app.models import DossierState
from survey_app.services.audit import trail
from tests.app.recognition.conftest import PDF
from tests.app.recognition.conftest import load_criteria

FULL = {"TC1.1": "9", "TC1.2": "9", "TC2": "22", "TC3.1": "9", "TC3.2": "9", "TC4.1": "7",
        "TC4.2": "7,5"}


def scores(values: dict[str, str]) -> dict[str, str]:
    data = {f"points_{code}": v for code, v in values.items()}
    data.update({f"note_{code}": f"Ghi chú {code}" for code in values})
    return data


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def state(campaign_id: int, commune_id: int) -> DossierState:
    db.session.expire_all()
    return db.session.scalar(db.select(Dossier.state).where(
        Dossier.campaign_id == campaign_id, Dossier.commune_id == commune_id))


def test_two_dossiers_from_draft_to_decision(world, login):
    c, meets, fails = world.campaign, world.meets, world.fails
    base = f"/cong-nhan/{c.id}"
    admin, steering, grouping = login("admin"), login("steering"), login("grouping")
    official, official2 = login("official"), login("official2")

    assert load_criteria(admin, c.province_id).status_code == 303
    assert "PKS05" in page(admin, f"/cong-nhan/bo-tieu-chi?scope={c.province_id}")

    # The committee registers two of the three communes.
    response = steering.post(f"{base}/dang-ky", data={"commune": [meets.id, fails.id]})
    assert response.status_code == 303
    listing = page(steering, f"/cong-nhan/?campaign={c.id}")
    assert "Xã Hợp Thịnh" in listing
    assert "Phường Đông Ngàn" in listing

    # Xã Hợp Thịnh: scores, a PDF, submit. Its survey part is 20 × (7/8 + 24/30) / 2 = 16.75.
    own = f"{base}/xa/{meets.id}"
    assert official.post(f"{own}/diem", data=scores(FULL)).status_code == 303
    upload = official.post(f"{own}/minh-chung", data={
        "code": "TC2", "file": (io.BytesIO(PDF), "bien-ban.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 303
    html = page(official, own)
    assert "16,75" in html
    assert "bien-ban.pdf" in html
    official.post(f"{own}/nop")
    assert state(c.id, meets.id) is DossierState.submitted
    frozen = db.session.scalar(db.select(Dossier).where(Dossier.commune_id == meets.id))
    assert (frozen.rulebook_version, str(frozen.survey_points)) == (1, "16.75")
    assert frozen.rulebook_version_id is not None
    assert frozen.survey_rates == {"PKS01": "87.5", "PKS05": "80"}
    assert official.post(f"{own}/diem", data=scores(FULL)).status_code == 303  # refused
    assert state(c.id, meets.id) is DossierState.submitted

    # The cluster accepts; the province lowers one score with a reason, then approves.
    grouping.post(f"{own}/tham-dinh", data={"action": "accept"})
    assert state(c.id, meets.id) is DossierState.reviewed
    steering.post(f"{own}/dieu-chinh", data={"code": "TC2", "points": "20",
                                              "reason": "Thiếu biên bản quý IV"})
    steering.post(f"{own}/tham-dinh", data={"action": "approve"})
    assert state(c.id, meets.id) is DossierState.approved
    html = page(steering, own)
    assert "Thiếu biên bản quý IV" in html
    assert "87,25" in html

    # Phường Đông Ngàn: full marks typed, but its survey part (7,14) is below half of 20.
    other = f"{base}/xa/{fails.id}"
    official2.post(f"{other}/diem", data=scores(FULL))
    official2.post(f"{other}/nop")
    grouping.post(f"{other}/tham-dinh", data={"action": "return"})  # no reason: refused
    assert state(c.id, fails.id) is DossierState.submitted
    grouping.post(f"{other}/tham-dinh", data={"action": "return",
                                              "reason": "Bổ sung minh chứng"})
    assert state(c.id, fails.id) is DossierState.returned
    official2.post(f"{other}/nop")
    grouping.post(f"{other}/tham-dinh", data={"action": "accept"})
    steering.post(f"{other}/tham-dinh", data={"action": "approve"})  # does not pass: refused
    assert state(c.id, fails.id) is DossierState.reviewed
    steering.post(f"{other}/tham-dinh", data={"action": "reject",
                                              "reason": "Tiêu chí 5 dưới 50%"})
    assert state(c.id, fails.id) is DossierState.rejected
    steps = page(steering, other)
    for words in ("Bổ sung minh chứng", "Tiêu chí 5 dưới 50%", "Grouping", "Steering",
                  "Official2"):
        assert words in steps

    # The decision recognises the approved commune only.
    steering.post(f"{base}/quyet-dinh", data={
        "number": "123/QĐ-UBND", "decided_on": "2026-12-05", "signer_title": "Chủ tịch",
        "signer_name": "Nguyễn Văn An"})
    decision = page(steering, f"{base}/quyet-dinh")
    assert "123/QĐ-UBND" in decision
    assert "Xã Hợp Thịnh" in decision
    assert "Phường Đông Ngàn" not in decision
    assert steering.get(f"{base}/quyet-dinh/phu-luc.pdf").data.startswith(b"%PDF")
    assert steering.get(f"{base}/quyet-dinh/phu-luc.xlsx").data.startswith(b"PK")

    # The dashboard: 1 of 3 communes meets the survey standard; 1 of 3 is recognised.
    board = page(steering, f"/bang-dieu-khien/?campaign={c.id}")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", board))
    assert "1 / 3 communes meet the survey standard" in text or \
        "1 / 3 xã đạt chuẩn khảo sát" in text
    funnel = re.search(r'class="compact funnel".*?</table>', board, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", funnel, re.S)]
    rows = {cells[i]: cells[i + 1:i + 5] for i in range(5, len(cells), 5)}
    assert rows["Cụm thi đua số 1"] == ["2", "1", "1", "1"]
    assert rows["Cụm thi đua số 2"] == ["0", "0", "0", "0"]
    assert list(rows.values())[-1] == ["2", "1", "1", "1"]

    # Every step is in the audit trail too, with who took it.
    steps = [(e.actor_name, json.loads(e.details)["step"]) for e in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "dossier_step")
        .order_by(AuditEntry.seq))]
    for step in (("official", "submitted"), ("grouping", "accepted"), ("steering", "approved"),
                 ("steering", "recognised"), ("steering", "rejected")):
        assert step in steps, step
    assert trail.verify(db.session).holds


def saved_points(campaign_id: int, commune_id: int) -> dict[str, str]:
    db.session.expire_all()
    dossier = db.session.scalar(db.select(Dossier).where(
        Dossier.campaign_id == campaign_id, Dossier.commune_id == commune_id))
    return {s.code: str(s.points) for s in dossier.scores}


def test_bad_scores_are_refused_whole_and_nothing_is_half_written(world, login):
    c, meets = world.campaign, world.meets
    login("steering").post(f"/cong-nhan/{c.id}/dang-ky", data={"commune": [meets.id]})
    official = login("official")
    url = f"/cong-nhan/{c.id}/xa/{meets.id}/diem"
    official.post(url, data={"points_TC2": "20"})
    for bad, words in (("26", "tối đa 25 điểm"), ("abc", "tối đa hai chữ số"),
                       ("7,125", "tối đa hai chữ số"), ("-1", "tối đa hai chữ số")):
        page = official.post(url, data={"points_TC1.1": "5", "points_TC2": bad},
                             follow_redirects=True).get_data(as_text=True)
        assert words in page, bad
        assert saved_points(c.id, meets.id) == {"TC2": "20.00"}
    long_note = official.post(url, data={"points_TC2": "21", "note_TC2": "x" * 2001},
                              follow_redirects=True).get_data(as_text=True)
    assert "2000" in long_note
    assert saved_points(c.id, meets.id) == {"TC2": "20.00"}
    # The satisfaction criterion is never typed: a value sent for it is ignored.
    official.post(url, data={"points_TC5": "20", "points_TC2": "21"})
    assert saved_points(c.id, meets.id) == {"TC2": "21.00"}
