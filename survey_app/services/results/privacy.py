"""What a commune's own officials may take out of their commune's answers.

They know the commune's staff by name, and the few citizens who answered on a quiet week by
sight, so for them:
- a form whose definition says ``answered_by_commune_staff`` (PKS01) is never downloaded row
  by row: its figures stay on the dashboard, where no single answer shows;
- any other form's rows are downloaded only once at least ``MIN_RESPONDENTS`` responses are
  in scope, the same floor under which a question's distribution is suppressed for everyone
  (``analytics.distribution``).
Roles above the commune (grouping, steering, coordinators, admins) are not limited here.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.distribution import MIN_RESPONDENTS
from survey_app.domain_error import DomainError
from survey_app.models import Response
from survey_app.models import Role
from survey_app.services.results.campaign import CampaignFormInfo
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import end_of_day

#: The roles that read their own commune's answers.
COMMUNE_ROLES = (Role.commune_official,)


class ExportRefused(DomainError):
    pass


def check_row_export(session: Session, results: CampaignResults, form: CampaignFormInfo,
                     role: Role) -> None:
    """Refuse a row-level download of ``form`` that could point at a respondent.

    :raises ExportRefused: ``export_staff_form`` or ``export_too_few``.
    """
    if role not in COMMUNE_ROLES:
        return
    if form.definition is not None and form.definition.answered_by_commune_staff:
        raise ExportRefused("export_staff_form", form=form.code)
    rows = responses_in_scope(session, results, form)
    if 0 < rows < MIN_RESPONDENTS:
        raise ExportRefused("export_too_few", form=form.code, min=MIN_RESPONDENTS)


def responses_in_scope(session: Session, results: CampaignResults,
                       form: CampaignFormInfo) -> int:
    """The respondents the download would hold: flagged ones included, as the download has
    them; a sheet voided or replaced not (it is marked in the file, but it is no one more)."""
    query = select(func.count(Response.id)).where(
        Response.campaign_id == results.campaign.id, Response.form_id == form.form_id,
        Response.commune_id.in_(results.commune_ids), Response.standing())
    if results.until is not None:
        query = query.where(Response.received_at < end_of_day(results.until))
    return session.scalar(query) or 0
