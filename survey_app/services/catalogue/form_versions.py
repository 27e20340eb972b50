"""Publish form definitions as new versions; answers stay tied to the version they used."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import FormDefinition
from forms import load_definition_file
from survey_app.domain_error import DomainError
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action

DEFINITIONS = Path(__file__).resolve().parents[3] / "forms" / "definitions"


class VersionClash(DomainError):
    """The file claims a version number that is taken, or older than the published one."""


@dataclass(frozen=True)
class Published:
    version: FormVersion
    created: bool


def publish_form(session: Session, path: str | Path, actor: User | None = None) -> Published:
    """Validate a definition file and store it as a new version of its form.

    Publishing the same content again is a no-op; the form page shows the highest version.

    :raises forms.DefinitionError: the file has problems (all are listed).
    :raises VersionClash: the version number is taken by different content.
    """
    return publish_definition(session, load_definition_file(path), actor)


def publish_definition(session: Session, definition: FormDefinition,
                       actor: User | None) -> Published:
    """Store a checked definition as a new version of its form (see ``publish_form``);
    ``actor`` None is the shell.

    :raises VersionClash: the version number is taken by different content, or is older.
    """
    data = definition.raw
    checksum = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    form = session.scalar(select(Form).where(Form.code == definition.code))
    if form is None:
        form = Form(code=definition.code, title=definition.title,
                    organisation=definition.organisation)
        session.add(form)
        session.flush()
    existing = session.scalar(
        select(FormVersion).where(FormVersion.form_id == form.id,
                                  FormVersion.version == definition.version)
    )
    if existing is not None:
        if existing.checksum != checksum:
            raise VersionClash("version_taken", form=definition.code,
                               version=definition.version)
        return Published(existing, created=False)
    latest = form.current_version()
    if latest is not None and latest.version > definition.version:
        raise VersionClash("version_older", form=definition.code, latest=latest.version,
                           version=definition.version)
    form.title = definition.title
    form.organisation = definition.organisation
    form.is_retired = False
    version = FormVersion(form_id=form.id, version=definition.version,
                          definition=json.loads(json.dumps(data, default=str)),
                          checksum=checksum)
    session.add(version)
    session.flush()
    trail.record(session, actor, Action.FORM_PUBLISHED, target=("form_version", version.id),
                 form=form.code, version=version.version, checksum=checksum)
    return Published(version, created=True)


def publish_bundled(session: Session, actor: User | None = None) -> list[Published]:
    """Publish every definition shipped in ``forms/definitions``, oldest version first
    (``actor`` None: the shell, the demo or a script)."""
    paths = sorted(DEFINITIONS.glob("*.yaml"), key=lambda p: (p.name.split(".")[0], p.name))
    return [publish_form(session, path, actor) for path in paths]
