"""A province whose recognition rules ask for PKS05 (the results world's campaign has no PKS07),
with an official for each of two communes."""

from __future__ import annotations

import pytest

from survey_app.extensions import db
from survey_app.models import Role
from tests.fixtures.field import add_user

CRITERIA_YAML = """
recognition:
  pass: {total_min: 80, criterion_min_percent: 50, form: PKS05, form_min_percent: 80}
  satisfaction: {criterion: TC5, mode: proportional}
"""
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "RECOGNITION_EVIDENCE_DIR": str(tmp_path / "evidence"),
            "EVIDENCE_MAX_BYTES": 64 * 1024}


@pytest.fixture
def world(results_world):
    results_world.users["official2"] = add_user(
        "official2", Role.commune_official, commune_id=results_world.fails.id,
        province_id=results_world.campaign.province_id)
    db.session.commit()
    return results_world


def load_criteria(client, province_id: int, text: str = CRITERIA_YAML):
    from io import BytesIO

    return client.post("/cong-nhan/bo-tieu-chi", data={
        "scope": str(province_id), "note": "Quyết định 1211/QĐ-UBND",
        "file": (BytesIO(text.encode()), "tieu-chi.yaml")}, content_type="multipart/form-data")
