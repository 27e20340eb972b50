"""Assignment lists and the QR pages list communes in Vietnamese order, not by code point."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.collection_points.points import commune_summaries
from survey_app.services.people.assignments import campaign_communes

NAMES = ["Phường Yên Dũng", "Phường Trạm Lộ", "Phường Tân An", "Phường Đa Mai"]
EXPECTED = ["Phường Đa Mai", "Phường Tân An", "Phường Trạm Lộ", "Phường Yên Dũng"]


def test_assignment_and_qr_lists_follow_vietnamese_collation(app, create_commune,
                                                             create_campaign, published_forms):
    for name in NAMES:
        create_commune(name)
    campaign = create_campaign(codes=["PKS05"])
    assert [c.name for c in campaign_communes(db.session, campaign)] == EXPECTED
    summaries = commune_summaries(db.session, select(Commune.id))
    assert [s.commune.name for s in summaries] == EXPECTED
