"""Who runs which form where, and what a field worker may enter.

The programme table in DOMAIN.md gives each form an organisation (the definition's
``organisation``); a campaign stores only the communes where the province chose another one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.collation import by_name
from survey_app.domain_error import DomainError
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Organisation
from survey_app.models import OrganisationAssignment
from survey_app.models import Role
from survey_app.models import SurveyorAssignment
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action


class AssignmentError(DomainError):
    """An assignment the actor may not make."""


#: (form id, commune id) → organisation id
OrganisationMap = dict[tuple[int, int], int]


@dataclass(frozen=True)
class EntryTarget:
    """A commune and a form a field worker may enter responses for, in one campaign."""

    commune: Commune
    campaign_form: CampaignForm

    @property
    def form(self) -> Form:
        return self.campaign_form.form


def campaign_communes(session: Session, campaign: Campaign) -> list[Commune]:
    """The active communes of the campaign's province, by name."""
    return by_name(session.scalars(
        select(Commune)
        .where(Commune.province_id == campaign.province_id, Commune.is_active.is_(True))
    ), lambda c: c.name)


def default_organisations(session: Session) -> dict[int, int]:
    """Form id → id of the organisation the programme table gives it."""
    rows = session.execute(
        select(Form.id, Organisation.id).join(Organisation, Organisation.code == Form.organisation)
    )
    return dict(rows.all())


def organisation_map(session: Session, campaign: Campaign) -> OrganisationMap:
    """Which organisation runs each campaign form in each commune (defaults plus changes)."""
    defaults = default_organisations(session)
    form_ids = [cf.form_id for cf in campaign.forms]
    communes = session.scalars(
        select(Commune.id).where(Commune.province_id == campaign.province_id)
    ).all()
    result = {
        (form_id, commune_id): defaults[form_id]
        for form_id in form_ids if form_id in defaults
        for commune_id in communes
    }
    overrides = session.execute(
        select(OrganisationAssignment.form_id, OrganisationAssignment.commune_id,
               OrganisationAssignment.organisation_id)
        .where(OrganisationAssignment.campaign_id == campaign.id)
    )
    for form_id, commune_id, organisation_id in overrides:
        result[(form_id, commune_id)] = organisation_id
    return result


def set_organisation(
    session: Session, campaign: Campaign, form: Form, commune_ids: Iterable[int],
    organisation: Organisation,
) -> int:
    """Let ``organisation`` run ``form`` in these communes; return how many changed hands.

    :raises AssignmentError: a commune outside the campaign's province, or a form it lacks.
    """
    if form.id not in {cf.form_id for cf in campaign.forms}:
        raise AssignmentError("form_not_in_campaign")
    wanted = communes_of_province(session, campaign, commune_ids)
    current = organisation_map(session, campaign)
    changed = [c for c in wanted if current.get((form.id, c)) != organisation.id]
    scope = (OrganisationAssignment.campaign_id == campaign.id,
             OrganisationAssignment.form_id == form.id)
    session.execute(delete(OrganisationAssignment).where(
        *scope, OrganisationAssignment.commune_id.in_(wanted)))
    if default_organisations(session).get(form.id) != organisation.id:
        session.add_all(
            OrganisationAssignment(campaign_id=campaign.id, form_id=form.id, commune_id=c,
                                   organisation_id=organisation.id)
            for c in sorted(wanted)
        )
    session.flush()
    return len(changed)


def reset_organisations(session: Session, campaign: Campaign) -> int:
    """Go back to the programme table for every form of ``campaign``; return rows removed."""
    result = session.execute(
        delete(OrganisationAssignment).where(OrganisationAssignment.campaign_id == campaign.id))
    session.flush()
    return result.rowcount or 0


def manageable_surveyors(actor: User):
    """A SELECT of the surveyors ``actor`` may assign: its own organisation's, for coordinators."""
    query = select(User).where(User.role == Role.surveyor).order_by(User.full_name)
    if actor.role is Role.admin:
        return query
    if actor.role is Role.coordinator:
        return query.where(User.organisation_id == actor.organisation_id,
                           User.province_id == actor.province_id)
    return query.where(User.id.is_(None))


def surveyor_communes(session: Session, campaign: Campaign, surveyor: User) -> set[int]:
    return set(session.scalars(
        select(SurveyorAssignment.commune_id).where(
            SurveyorAssignment.campaign_id == campaign.id,
            SurveyorAssignment.user_id == surveyor.id)
    ))


def assign_surveyor(
    session: Session, actor: User, campaign: Campaign, surveyor: User, commune_ids: Iterable[int]
) -> User:
    """Make ``commune_ids`` the communes ``surveyor`` covers in ``campaign``.

    :raises AssignmentError: the actor may not manage this surveyor, or a commune is outside
        the campaign's province.
    """
    if session.scalar(manageable_surveyors(actor).where(User.id == surveyor.id)) is None:
        raise AssignmentError("not_your_surveyor")
    if surveyor.province_id not in (None, campaign.province_id):
        raise AssignmentError("campaign_outside_province")
    wanted = communes_of_province(session, campaign, commune_ids)
    current = surveyor_communes(session, campaign, surveyor)
    session.execute(delete(SurveyorAssignment).where(
        SurveyorAssignment.campaign_id == campaign.id,
        SurveyorAssignment.user_id == surveyor.id,
        SurveyorAssignment.commune_id.in_(current - wanted)))
    session.add_all(
        SurveyorAssignment(campaign_id=campaign.id, user_id=surveyor.id, commune_id=c,
                           assigned_by_id=actor.id)
        for c in sorted(wanted - current)
    )
    session.flush()
    trail.record(session, actor, Action.SURVEYOR_ASSIGNED, target=("user", surveyor.id),
                 province_id=campaign.province_id, campaign_id=campaign.id,
                 surveyor=surveyor.username, added=sorted(wanted - current),
                 removed=sorted(current - wanted))
    return surveyor



def communes_of_province(session: Session, campaign: Campaign, commune_ids) -> set[int]:
    """The chosen communes, if every one lies in the campaign's province.

    :raises AssignmentError: one does not.
    """
    wanted = set(commune_ids)
    valid = set(session.scalars(
        select(Commune.id).where(Commune.id.in_(wanted),
                                 Commune.province_id == campaign.province_id)
    ))
    if wanted - valid:
        raise AssignmentError("commune_outside_province")
    return wanted


def user_campaigns(session: Session, user: User) -> list[Campaign]:
    """The campaigns of the user's province (every campaign for an admin), newest first."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if user.role is not Role.admin:
        query = query.where(Campaign.province_id == user.province_id)
    return list(session.scalars(query))


def entry_targets(
    session: Session, user: User, campaign: Campaign, today: date
) -> list[EntryTarget]:
    """The (commune, form) pairs ``user`` may enter responses for today, by commune and form.

    A surveyor: its assigned communes, for the forms its organisation runs there. A
    coordinator: every commune of the province where its organisation runs the form. An
    admin: everything. Only forms open today count.
    """
    if user.role not in (Role.admin, Role.coordinator, Role.surveyor):
        return []
    if user.role is not Role.admin and campaign.province_id != user.province_id:
        return []
    open_forms = {cf.form_id: cf for cf in campaign.forms if cf.is_open_on(today)}
    if not open_forms:
        return []
    communes = campaign_communes(session, campaign)
    if user.role is Role.surveyor:
        assigned = surveyor_communes(session, campaign, user)
        communes = [c for c in communes if c.id in assigned]
    runs = organisation_map(session, campaign)
    targets = []
    for commune in communes:
        for form_id, campaign_form in sorted(open_forms.items(),
                                             key=lambda item: item[1].form.code):
            if user.role is Role.admin or runs.get((form_id, commune.id)) == user.organisation_id:
                targets.append(EntryTarget(commune, campaign_form))
    return targets


def find_entry_target(
    session: Session, user: User, campaign: Campaign, commune_id: int, form_id: int, today: date
) -> EntryTarget | None:
    """The target if ``user`` may enter this form for this commune today, else None."""
    for target in entry_targets(session, user, campaign, today):
        if target.commune.id == commune_id and target.form.id == form_id:
            return target
    return None
