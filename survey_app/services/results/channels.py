"""QR against field for a campaign's communes in scope: the counts per channel, compared in
``analytics.channels``. Flagged responses are left out on both sides, as in every figure."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import case
from sqlalchemy.orm import Session

from analytics.channels import ChannelCount
from analytics.channels import ChannelGap
from analytics.channels import compare
from survey_app.models import Channel
from survey_app.models import Response
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import count_source


@dataclass(frozen=True)
class ChannelReport:
    gaps: list[ChannelGap]
    margin: Fraction
    #: The province's (scope's) QR rate per form: the centre of each funnel.
    qr_rates: dict[str, Fraction | None]


def channel_report(session: Session, results: CampaignResults, margin: Fraction
                   ) -> ChannelReport:
    """Per commune and form, QR responses against those of every field channel (interviews,
    paper sheets, imports); one GROUP BY over the campaign's responses."""
    codes = results.form_ids
    if not codes:
        return ChannelReport([], margin, {})
    is_qr = case((Response.channel == Channel.qr, True), else_=False).label("is_qr")
    query = count_source(results.campaign.id, results.commune_ids, list(codes), results.until,
                         results.pairs, Response.commune_id, Response.form_id, is_qr)
    sides: dict[tuple[int, str], dict[bool, ChannelCount]] = {}
    for commune_id, form_id, qr, valid, satisfied, _flagged, _unanswered in session.execute(
            query):
        sides.setdefault((commune_id, codes[form_id]), {})[bool(qr)] = ChannelCount(
            int(satisfied), int(valid))
    empty = ChannelCount(0, 0)
    counts = {key: (side.get(True, empty), side.get(False, empty))
              for key, side in sides.items()}
    totals = {}
    for code in codes.values():
        satisfied = sum(qr.satisfied for (_c, f), (qr, _f) in counts.items() if f == code)
        valid = sum(qr.valid for (_c, f), (qr, _f) in counts.items() if f == code)
        totals[code] = Fraction(satisfied, valid) if valid else None
    return ChannelReport(compare(counts, margin), margin, totals)
