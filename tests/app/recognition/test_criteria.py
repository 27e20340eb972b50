"""A province loads its own criteria: a bad file is reported line by line and nothing saved;
a good one becomes the next rulebook version and the survey rules stay as they were."""

from __future__ import annotations

from survey_app.extensions import db
from survey_app.models import RulebookVersion
from survey_app.services.results.rulebooks import rulebook_for
from tests.app.recognition.conftest import load_criteria

OWN = """
recognition:
  target_base: registered
  pass: {total_min: 75, criterion_min_percent: 40, form: PKS07, form_min_percent: 75}
  satisfaction: {criterion: HL, mode: all_or_nothing}
  criteria:
    - {code: DC, title: "Dân chủ cơ sở", max: 30,
       items: [{code: DC.1, title: "Công khai", max: 15},
               {code: DC.2, title: "Đối thoại", max: 15}]}
    - {code: CCHC, title: "Cải cách hành chính", max: 40}
    - {code: HL, title: "Sự hài lòng", max: 30}
"""
BAD = """
recognition:
  satisfaction: {criterion: HL, mode: doan}
  criteria:
    - {code: DC, title: "Dân chủ cơ sở", max: 30,
       items: [{code: DC.1, title: "Công khai", max: 10}]}
"""


def versions() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(RulebookVersion))


def test_a_bad_file_is_reported_and_nothing_saved(world, login):
    admin = login("admin")
    response = load_criteria(admin, world.campaign.province_id, BAD)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "satisfaction.mode: phải là một trong: proportional, all_or_nothing" in page
    assert "criteria[1].items: tổng điểm các nội dung con là 10" in page
    assert "satisfaction.criterion: không có tiêu chí nào mang mã HL" in page
    assert versions() == 0
    broken = load_criteria(admin, world.campaign.province_id, "recognition: [a, {")
    assert "không đúng cú pháp YAML" in broken.get_data(as_text=True)
    assert versions() == 0


def test_a_good_file_is_the_next_version_and_keeps_the_survey_rules(world, login):
    admin = login("admin")
    assert load_criteria(admin, world.campaign.province_id, OWN).status_code == 303
    rules = rulebook_for(db.session, world.campaign.province_id).rules
    assert [c.code for c in rules.recognition.criteria] == ["DC", "CCHC", "HL"]
    assert rules.recognition.target_base == "registered"
    assert rules.threshold * 100 == 80
    download = admin.get(f"/cong-nhan/bo-tieu-chi.yaml?scope={world.campaign.province_id}")
    assert "Cải cách hành chính" in download.get_data(as_text=True)
    # Saving the survey rules on the rulebook page keeps the loaded criteria.
    page = admin.get(f"/quan-tri/bo-quy-tac?scope={world.campaign.province_id}")
    assert page.status_code == 200
    rules_form = {"scope": str(world.campaign.province_id), "target_percent": "60",
                  "threshold_percent": "85", "min_responses": "30", "note": "Ngưỡng mới",
                  **{f"satisfied_{code}": ["rat_hai_long", "hai_long"]
                     for code in ("PKS01", "PKS02", "PKS03", "PKS04", "PKS05", "PKS06",
                                  "PKS07")}}
    saved = admin.post("/quan-tri/bo-quy-tac", data=rules_form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[-3000:]
    assert rulebook_for(db.session, world.campaign.province_id).rules.threshold * 100 == 85
    kept = rulebook_for(db.session, world.campaign.province_id).rules.recognition
    assert [c.code for c in kept.criteria] == ["DC", "CCHC", "HL"]
