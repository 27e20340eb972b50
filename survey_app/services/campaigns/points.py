"""A campaign's collection points in bulk: one per commune and form, plus extra counters.

Running it again makes nothing twice: a live point with the same commune, form and counter
label is kept (and the partial unique index behind ``create_point`` stops a second one
made at the same moment).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Campaign
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models.collection_points import label_key
from survey_app.services.campaigns.campaigns import CampaignError
from survey_app.services.collection_points.points import create_point

#: A commune rarely has more counters than this; more is a typing slip.
MAX_COUNTERS = 20


def counter_label(number: int) -> str | None:
    """The first counter has no label (its poster reads as the commune's); others "Quầy n"."""
    return None if number == 1 else f"Quầy {number}"


@dataclass(frozen=True)
class PointsReport:
    created: int
    kept: int
    communes: int
    forms: int


def make_points(session: Session, campaign: Campaign,
                counters: Mapping[str, int] | None = None) -> PointsReport:
    """Make the campaign's missing points in its province's active communes.

    ``counters`` maps a commune's code to its number of one-stop counters (1 when absent);
    each counter gets a point for every form of the campaign.

    :raises CampaignError: the campaign has no form, a code is not one of the province's
        communes, or a number of counters is out of range.
    """
    counters = dict(counters or {})
    forms = [cf.form for cf in campaign.forms if not cf.form.is_retired]
    if not forms:
        raise CampaignError("campaign_without_forms")
    communes = list(session.scalars(
        select(Commune).where(Commune.province_id == campaign.province_id,
                              Commune.is_active.is_(True)).order_by(Commune.code)))
    known = {c.code for c in communes}
    for code, number in counters.items():
        if code not in known:
            raise CampaignError("counter_unknown_commune", code=code)
        if not 1 <= number <= MAX_COUNTERS:
            raise CampaignError("counter_count_invalid", code=code, max=MAX_COUNTERS)
    live = {tuple(row) for row in session.execute(
        select(CollectionPoint.commune_id, CollectionPoint.form_id, CollectionPoint.label_key)
        .join(Commune).where(Commune.province_id == campaign.province_id,
                             CollectionPoint.retired_at.is_(None)))}
    created = kept = 0
    for commune in communes:
        for number in range(1, counters.get(commune.code, 1) + 1):
            label = counter_label(number)
            for form in forms:
                if (commune.id, form.id, label_key(label)) in live:
                    kept += 1
                    continue
                create_point(session, commune, form, label)
                created += 1
    return PointsReport(created, kept, len(communes), len(forms))


def parse_counters(text: str) -> dict[str, int]:
    """Lines of "commune code, number of counters" (a comma, semicolon, space or tab between).

    :raises CampaignError: a line that is not a code and a whole number.
    """
    counters: dict[str, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace(",", " ").replace(";", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[1].isascii() or not parts[1].isdigit():
            raise CampaignError("counter_line_invalid", line=number)
        counters[parts[0]] = int(parts[1])
    return counters
