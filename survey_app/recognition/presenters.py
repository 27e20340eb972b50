"""What the recognition pages show: points, rates, states, events and reasons in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.recognition import number_text
from analytics.rulebook import percent_text
from survey_app.clock import VIETNAM
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Dossier
from survey_app.models import DossierState
from survey_app.services.recognition import dossiers
from survey_app.services.recognition.deadlines import Standing

STATE_LABELS = {
    DossierState.draft: _l("Draft"), DossierState.submitted: _l("Submitted"),
    DossierState.reviewed: _l("Reviewed"), DossierState.approved: _l("Approved"),
    DossierState.rejected: _l("Rejected"), DossierState.returned: _l("Returned to the commune"),
}
EVENT_LABELS = {
    "registered": _l("Registered"), "saved": _l("Scores saved"),
    "evidence": _l("Evidence attached"), "submitted": _l("Submitted"),
    "accepted": _l("Accepted by the reviewer"), "returned": _l("Returned to the commune"),
    "adjusted": _l("Score changed"), "approved": _l("Approved by the province"),
    "rejected": _l("Rejected by the province"), "recognised": _l("Recognised by decision"),
}
STANDING_LABELS = {
    Standing.on_time: _l("Sent on time"), Standing.sent_late: _l("Sent late"),
    Standing.due: _l("Not yet due"), Standing.late: _l("Late"),
}
KIND_LABELS = {"six_month": _l("Six-month report"), "year": _l("Yearly report"),
               "dossier": _l("Recognition dossier")}


def points(value: Fraction | None) -> str:
    if value is None:
        return "–"
    return number_text(Fraction(value)).replace(".", ",")


def rate(value: Fraction | None) -> str:
    return "–" if value is None else percent_text(value).replace(".", ",") + "%"


def state_label(state: DossierState) -> str:
    return str(STATE_LABELS[state])


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def standing_label(standing: Standing) -> str:
    return str(STANDING_LABELS[standing])


def deadline_kinds() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in KIND_LABELS.items()]


def vn_time(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""


def reason_text(reason: str) -> str:
    """An assessment's reason code in words."""
    kind, _sep, code = reason.partition(":")
    texts = {
        "total_low": _("the total is below the pass mark"),
        "criterion_low": _("%(code)s is below half of its maximum", code=code),
        "form_low": _("the required form's satisfaction is below its threshold"),
        "form_missing": _("the required form has not enough valid responses"),
        "unscored": _("%(code)s has no score", code=code),
    }
    return texts.get(kind, reason)


@dataclass(frozen=True)
class DossierRow:
    commune: Commune
    dossier: Dossier
    total: Fraction
    passes: bool


def dossier_rows(session: Session, campaign: Campaign, commune_ids: list[int]) -> list[DossierRow]:
    found_all = list(session.scalars(
        select(Dossier).join(Commune, Dossier.commune_id == Commune.id)
        .where(Dossier.campaign_id == campaign.id, Dossier.commune_id.in_(commune_ids))
        .order_by(Commune.name, Commune.code)))
    # One read of the survey results for every dossier the commune still holds.
    live = [d.commune_id for d in found_all if dossiers.needs_live_survey(d)]
    parts = dossiers.survey_parts(session, campaign, live) if live else {}
    rows = []
    for found in found_all:
        seen = dossiers.view(session, found, parts.get(found.commune_id))
        rows.append(DossierRow(found.commune, found, seen.assessment.total,
                               seen.assessment.passes))
    return rows
