"""The forms a field worker may enter today, each with its communes: for import and offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from survey_app.models import CampaignForm
from survey_app.models import Commune
from survey_app.models import FormVersion
from survey_app.models import User
from survey_app.services.people.assignments import entry_targets
from survey_app.services.people.assignments import user_campaigns


@dataclass(frozen=True)
class EntryForm:
    """One open campaign form, its current version and the communes the user covers for it."""

    campaign_form: CampaignForm
    version: FormVersion
    communes: tuple[Commune, ...]

    @property
    def commune_ids(self) -> set[int]:
        return {commune.id for commune in self.communes}


def entry_forms(session: Session, user: User, today: date) -> list[EntryForm]:
    """Every form ``user`` may enter responses for today, by form code.

    The scoping rules (assigned communes, the organisation that runs the form) are those of
    ``services.assignments.entry_targets``; this only groups its pairs by form.
    """
    grouped: dict[int, tuple[CampaignForm, list[Commune]]] = {}
    for campaign in user_campaigns(session, user):
        for target in entry_targets(session, user, campaign, today):
            entry = grouped.setdefault(target.campaign_form.id, (target.campaign_form, []))
            entry[1].append(target.commune)
    forms = []
    for campaign_form, communes in grouped.values():
        version = campaign_form.form.current_version()
        if version is None or campaign_form.form.is_retired:
            continue
        communes.sort(key=lambda commune: commune.name)
        forms.append(EntryForm(campaign_form, version, tuple(communes)))
    forms.sort(key=lambda entry: (entry.campaign_form.form.code, entry.campaign_form.id))
    return forms


def find_entry_form(
    session: Session, user: User, campaign_form_id: int, today: date
) -> EntryForm | None:
    """The entry form for this campaign form if ``user`` may enter it today, else None."""
    for entry in entry_forms(session, user, today):
        if entry.campaign_form.id == campaign_form_id:
            return entry
    return None
