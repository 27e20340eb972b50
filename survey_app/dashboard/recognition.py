"""The recognition figures beside today's headline: both counts against the target, and the
funnel registered → survey standard met → dossier passed → recognised, by grouping."""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.extensions import db
from survey_app.services.recognition.funnel import RecognitionFigures
from survey_app.services.recognition.funnel import recognition_figures
from survey_app.services.results.campaign import CampaignResults


@dataclass(frozen=True)
class FunnelRow:
    name: str
    registered: int
    survey_met: int
    passed: int
    recognised: int


def recognition_panel(results: CampaignResults) -> tuple[RecognitionFigures, list[FunnelRow]]:
    figures = recognition_figures(db.session, results)
    rows = [FunnelRow(results.groupings.get(f.grouping_id, "—"), f.registered, f.survey_met,
                      f.passed, f.recognised)
            for f in sorted(figures.groupings,
                            key=lambda f: results.groupings.get(f.grouping_id, "~"))]
    return figures, rows
