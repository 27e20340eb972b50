"""Field progress: responses collected per organisation, form and commune against the target."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import Rulebook
from survey_app.access import visible_commune_ids
from survey_app.collation import by_name
from survey_app.models import Campaign
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Organisation
from survey_app.models import Response
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.people.assignments import organisation_map
from survey_app.services.results.rulebooks import rulebook_for

FIELD_CHANNELS = (Channel.field, Channel.paper, Channel.import_)


@dataclass(frozen=True)
class Cell:
    """One commune's progress on one form."""

    organisation_id: int
    collected: int  #: valid (unflagged) responses, every channel
    by_field: int  #: of which entered by field workers (interview, paper, import)
    target: int
    #: The valid responses the rulebook in force needs before the commune's rate counts:
    #: the same number as the dashboard's "Needed" (one source: ``minimum_and_target``).
    minimum: int = 0

    @property
    def reached(self) -> bool:
        return self.collected >= self.target

    @property
    def share(self) -> float:
        return min(self.collected / self.target, 1.0) if self.target else 1.0


@dataclass
class Line:
    """An organisation's progress on one form across the communes in view."""

    organisation: Organisation
    form: Form
    communes: int = 0
    reached: int = 0
    collected: int = 0
    by_field: int = 0
    target: int = 0
    #: Responses counted towards the target: a commune's surplus does not fill another's gap.
    counted: int = 0

    @property
    def share(self) -> float:
        return self.counted / self.target if self.target else 1.0


@dataclass
class Progress:
    forms: list[Form]
    communes: list[Commune]
    organisations: list[Organisation]
    #: (commune id, form id) → cell, only for pairs in view
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)


def campaign_progress(
    session: Session, user: User, campaign: Campaign, organisation_id: int | None = None
) -> Progress:
    """Progress of ``campaign`` in the communes ``user`` may read.

    Coordinators and surveyors see only the pairs their own organisation runs; others may
    narrow the view to one organisation.
    """
    if user.role in (Role.coordinator, Role.surveyor):
        organisation_id = user.organisation_id
    runs = organisation_map(session, campaign)
    targets = {cf.form_id: cf.sample_target for cf in campaign.forms}
    rules = rulebook_for(session, campaign.province_id).rules
    forms = sorted((cf.form for cf in campaign.forms), key=lambda f: f.code)
    communes = by_name(session.scalars(
        select(Commune)
        .where(Commune.province_id == campaign.province_id, Commune.is_active.is_(True),
               Commune.id.in_(visible_commune_ids(user)))
    ), lambda c: c.name)
    counts = collected_counts(session, campaign, [c.id for c in communes])
    cells = {}
    for commune in communes:
        for form in forms:
            org = runs.get((form.id, commune.id))
            if org is None or (organisation_id and org != organisation_id):
                continue
            collected, by_field = counts.get((commune.id, form.id), (0, 0))
            minimum, target = minimum_and_target(rules, form, commune, targets[form.id])
            cells[(commune.id, form.id)] = Cell(org, collected, by_field, target, minimum)
    organisations = {o.id: o for o in session.scalars(select(Organisation))}
    in_view = {c.organisation_id for c in cells.values()}
    return Progress(
        forms=[f for f in forms if any((c.id, f.id) in cells for c in communes)],
        communes=[c for c in communes if any((c.id, f.id) in cells for f in forms)],
        organisations=by_name((organisations[o] for o in in_view), lambda o: o.name),
        cells=cells,
        lines=summarise(cells, {f.id: f for f in forms}, organisations),
    )


def minimum_and_target(rules: Rulebook, form: Form, commune: Commune,
                       sample_target: int) -> tuple[int, int]:
    """The rulebook's minimum for the commune, and what to collect: the campaign's sample
    target, never below the minimum, and for a form the commune's own staff answer (PKS01)
    never above its headcount, which no effort can exceed."""
    minimum = rules.required_responses(form.code, commune.staff_headcount)
    version = form.current_version()
    staff_form = version is not None and version.parsed.answered_by_commune_staff
    if staff_form and commune.staff_headcount:
        sample_target = min(sample_target, commune.staff_headcount)
    return minimum, max(minimum, sample_target)


def collected_counts(
    session: Session, campaign: Campaign, commune_ids: list[int]
) -> dict[tuple[int, int], tuple[int, int]]:
    """(commune id, form id) → (valid responses, of which from field channels)."""
    if not commune_ids:
        return {}
    by_field = func.sum(case((Response.channel.in_(FIELD_CHANNELS), 1), else_=0))
    rows = session.execute(
        select(Response.commune_id, Response.form_id, func.count(Response.id), by_field)
        .where(Response.campaign_id == campaign.id, Response.is_flagged.is_(False),
               Response.standing(), Response.commune_id.in_(commune_ids))
        .group_by(Response.commune_id, Response.form_id)
    )
    return {(c, f): (int(n), int(fld or 0)) for c, f, n, fld in rows}


def summarise(
    cells: dict[tuple[int, int], Cell], forms: dict[int, Form],
    organisations: dict[int, Organisation],
) -> list[Line]:
    lines: dict[tuple[int, int], Line] = {}
    for (_commune_id, form_id), cell in cells.items():
        key = (cell.organisation_id, form_id)
        if key not in lines:
            lines[key] = Line(organisations[cell.organisation_id], forms[form_id])
        line = lines[key]
        line.communes += 1
        line.reached += cell.reached
        line.collected += cell.collected
        line.by_field += cell.by_field
        line.target += cell.target
        line.counted += min(cell.collected, cell.target)
    return sorted(lines.values(), key=lambda line: (line.form.code, line.organisation.name))
