"""Forms from the admin pages: check an uploaded definition, list versions and their use, retire.

An upload is untrusted text: it is bounded (size, UTF-8, no YAML anchors or aliases, whose
expansion could make a small file walk like a huge one) before the loader, which reports
every problem with its place (question id, option) as codes ``messages`` words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import yaml
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import DefinitionError
from forms import FormDefinition
from forms import load_definition
from forms.loader import FILE
from forms.loader import Problem
from survey_app.domain_error import DomainError
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Response

#: The bundled definitions are 5–15 KB; a form ten times longer is still no burden.
MAX_DEFINITION_BYTES = 200 * 1024


class FormAdminError(DomainError):
    """A change to a form refused."""


def read_definition(source: str, data: bytes) -> tuple[FormDefinition | None, list[Problem]]:
    """The definition in an uploaded file, or None and every problem the loader finds."""
    if len(data) > MAX_DEFINITION_BYTES:
        return None, [Problem(source, FILE, "definition_too_large",
                              {"max": MAX_DEFINITION_BYTES // 1024})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(source, FILE, "file_unreadable", {"error": f"UTF-8: {exc.reason}"})]
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                return None, [Problem(source, FILE, "yaml_aliases", {})]
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [Problem(source, FILE, "yaml_invalid", {"error": str(exc)})]
    try:
        return load_definition(parsed, source=source), []
    except DefinitionError as error:
        return None, error.problems


@dataclass(frozen=True)
class VersionUse:
    version: FormVersion
    answers: int
    #: The version new answers are given on (the newest).
    is_current: bool


@dataclass(frozen=True)
class FormUse:
    form: Form
    versions: list[VersionUse]
    #: (campaign name, opens, closes) of every campaign that runs the form.
    campaigns: list[tuple[str, date, date]]

    @property
    def answers(self) -> int:
        return sum(v.answers for v in self.versions)


def forms_in_use(session: Session) -> list[FormUse]:
    """Every form, its versions with their answers, and the campaigns that run it."""
    answers = dict(session.execute(
        select(Response.form_version_id, func.count(Response.id))
        .group_by(Response.form_version_id)).all())
    campaigns: dict[int, list[tuple[str, date, date]]] = {}
    for form_id, name, opens, closes in session.execute(
        select(CampaignForm.form_id, Campaign.name, CampaignForm.opens_on, CampaignForm.closes_on)
        .join(Campaign, Campaign.id == CampaignForm.campaign_id)
        .order_by(CampaignForm.opens_on.desc())
    ):
        campaigns.setdefault(form_id, []).append((name, opens, closes))
    versions: dict[int, list[FormVersion]] = {}
    for version in session.scalars(select(FormVersion).order_by(FormVersion.version.desc())):
        versions.setdefault(version.form_id, []).append(version)
    result = []
    for form in session.scalars(select(Form).order_by(Form.code)):
        mine = versions.get(form.id, [])
        result.append(FormUse(form, [VersionUse(v, answers.get(v.id, 0), i == 0)
                                     for i, v in enumerate(mine)],
                              campaigns.get(form.id, [])))
    return result


def set_retired(session: Session, form: Form, retired: bool) -> Form:
    """Retire a form (its links say so and take nothing; its answers stay) or bring it back.

    :raises FormAdminError: ``form_has_no_version`` when bringing back a form never published.
    """
    if not retired and form.current_version() is None:
        raise FormAdminError("form_has_no_version", form=form.code)
    form.is_retired = retired
    session.flush()
    return form
