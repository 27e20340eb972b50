"""The dashboard's recognition figures: registered → survey standard met → dossier passed →
recognised, for the communes the dashboard shows, by grouping."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import Status
from analytics.recognition import CommuneStage
from analytics.recognition import Funnel
from analytics.recognition import funnel
from analytics.recognition import funnel_by_grouping
from survey_app.models import Dossier
from survey_app.models import DossierState
from survey_app.models import Registration
from survey_app.services.results.campaign import CampaignResults


@dataclass(frozen=True)
class RecognitionFigures:
    overall: Funnel
    groupings: tuple[Funnel, ...]


def recognition_figures(session: Session, results: CampaignResults) -> RecognitionFigures:
    """The funnel over the communes in ``results`` (already scoped to the reader)."""
    campaign_id = results.campaign.id
    registered = set(session.scalars(select(Registration.commune_id).where(
        Registration.campaign_id == campaign_id,
        Registration.commune_id.in_(results.commune_ids))))
    dossiers = dict(session.execute(select(Dossier.commune_id, Dossier).where(
        Dossier.campaign_id == campaign_id, Dossier.commune_id.in_(results.commune_ids))
    ).all())
    stages = []
    for status in results.evaluation.statuses:
        dossier = dossiers.get(status.commune.id)
        stages.append(CommuneStage(
            status.commune.grouping_id, status.commune.id in registered,
            status.status is Status.meets,
            dossier is not None and dossier.state is DossierState.approved,
            dossier is not None and dossier.decision_id is not None))
    rules = results.rulebook.rules
    base = rules.recognition.target_base
    return RecognitionFigures(funnel(stages, rules.target_share, base),
                              tuple(funnel_by_grouping(stages, rules.target_share, base)))
