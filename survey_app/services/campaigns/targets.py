"""The sample-size helper: each commune's suggested target, from its figures.

The figures are the commune's own (staff headcount, population, yearly one-stop
transactions); a commune without the figure a form needs gets no suggestion, and the page
says so. What the administrator saves is the form's target per commune.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.sample_size import POPULATION
from analytics.sample_size import STAFF
from analytics.sample_size import TRANSACTIONS
from analytics.sample_size import Suggestion
from analytics.sample_size import middle
from analytics.sample_size import suggest
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Commune


def commune_figures(commune: Commune) -> dict[str, int | None]:
    """A commune's figures by basis. Population and yearly transactions are read when the
    units' figures are kept (the unit-figures migration adds the columns); until then they
    are missing, like any figure not yet entered."""
    return {STAFF: commune.staff_headcount,
            POPULATION: getattr(commune, POPULATION, None),
            TRANSACTIONS: getattr(commune, TRANSACTIONS, None)}


@dataclass(frozen=True)
class CommuneRow:
    commune: Commune
    suggestions: dict[int, Suggestion]


@dataclass(frozen=True)
class FormColumn:
    campaign_form: CampaignForm
    #: The median of the communes' suggestions, offered as the form's target; None when
    #: no commune has the figure.
    proposed: int | None
    missing: int


@dataclass(frozen=True)
class TargetSheet:
    forms: list[FormColumn]
    communes: list[CommuneRow]


def target_sheet(session: Session, campaign: Campaign,
                 figures: dict[int, dict[str, int | None]] | None = None) -> TargetSheet:
    """Suggestions for every active commune of the province and every form of the campaign.

    ``figures`` (commune id → figures) replaces what the communes hold, for a test or a
    what-if; by default each commune's own figures are used.
    """
    communes = list(session.scalars(
        select(Commune).where(Commune.province_id == campaign.province_id,
                              Commune.is_active.is_(True)).order_by(Commune.name)))
    forms = sorted(campaign.forms, key=lambda cf: cf.form.code)
    rows = []
    for commune in communes:
        own = (figures or {}).get(commune.id) or commune_figures(commune)
        rows.append(CommuneRow(commune, {cf.id: suggest(cf.form.code, own) for cf in forms}))
    columns = []
    for cf in forms:
        targets = [r.suggestions[cf.id].target for r in rows
                   if r.suggestions[cf.id].target is not None]
        columns.append(FormColumn(cf, middle(targets), len(rows) - len(targets)))
    return TargetSheet(columns, rows)
