"""Demo data: one real province, an open campaign, and plausible responses.

Responses are drawn with a fixed seed so that every run gives the same figures. Each commune
gets a "service quality" that tilts its answers towards the better options, so the demo shows
communes that meet the standard, communes that do not, and communes without enough data.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import FormDefinition
from forms import validate_answers
from forms.question_types import NUMBER
from survey_app.clock import now_utc
from survey_app.domain_error import DomainError
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Channel
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Province
from survey_app.models import Response
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.catalogue.form_versions import publish_bundled
from survey_app.services.catalogue.units import import_units
from survey_app.services.intake.store import NewResponse
from survey_app.services.intake.store import store_responses
from survey_app.services.people.accounts import Scope
from survey_app.services.people.accounts import create_account
from survey_app.services.people.accounts import ensure_organisations
from survey_app.services.people.assignments import assign_surveyor

CLUSTERS = 6


@dataclass
class DemoReport:
    province: str
    communes: int
    points: int
    responses: int
    #: (username, password, role) of the demo accounts
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


# Demo answers need to be repeatable, not unpredictable.
# ruff: noqa: S311


def load_demo(session: Session, province_code: int, year: int, seed: int = 2026) -> DemoReport:
    """Load units, forms, a campaign for ``year``, collection points and responses.

    Safe to run twice: what exists is kept, and responses are only added to an empty campaign.

    :raises DemoRefused: the database holds a campaign the demo did not make: its accounts,
        with their public password, must never reach real data.
    """
    refuse_real_data(session)
    import_units(session, province_code)
    publish_bundled(session)
    province = session.scalar(select(Province).where(Province.code == str(province_code)))
    communes = list(session.scalars(
        select(Commune).where(Commune.province_id == province.id).order_by(Commune.code)
    ))
    assign_clusters(session, province, communes)
    campaign = ensure_campaign(session, province, year)
    points = ensure_points(session, communes)
    responses = session.scalar(
        select(func.count(Response.id)).where(Response.campaign_id == campaign.id)
    )
    if not responses:
        responses = add_responses(session, campaign, communes, points, random.Random(seed))
    accounts = ensure_demo_accounts(session, province, campaign, communes)
    return DemoReport(province.name, len(communes), len(points), responses, accounts)


class DemoRefused(DomainError):
    pass


def refuse_real_data(session: Session) -> None:
    names = list(session.scalars(
        select(Campaign.name).where(Campaign.is_demo.is_(False)).order_by(Campaign.id)))
    if names:
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        raise DemoRefused("demo_foreign_campaigns", names=shown)


def assign_clusters(session: Session, province: Province, communes: list[Commune]) -> None:
    """Group communes into emulation clusters (cụm thi đua), as provinces do after 2025."""
    groupings = []
    for number in range(1, CLUSTERS + 1):
        code = f"CUM{number}"
        grouping = session.scalar(
            select(Grouping).where(Grouping.province_id == province.id, Grouping.code == code)
        )
        if grouping is None:
            grouping = Grouping(province_id=province.id, code=code, name=f"Cụm thi đua số {number}",
                                kind="cluster")
            session.add(grouping)
        groupings.append(grouping)
    session.flush()
    for index, commune in enumerate(communes):
        if commune.grouping_id is None:
            commune.grouping_id = groupings[index * CLUSTERS // len(communes)].id
        if commune.staff_headcount is None:
            commune.staff_headcount = 18 + (int(commune.code) % 13)


def ensure_campaign(session: Session, province: Province, year: int) -> Campaign:
    name = f"Năm {year}"
    campaign = session.scalar(
        select(Campaign).where(Campaign.province_id == province.id, Campaign.name == name,
                               Campaign.is_demo.is_(True))
    )
    if campaign is None:
        campaign = Campaign(name=name, province_id=province.id, is_demo=True, year=year)
        session.add(campaign)
        # The programme runs forms by quarter; the demo keeps all of them open all year so
        # that every form can be tried today.
        for form in session.scalars(select(Form).order_by(Form.code)):
            campaign.forms.append(CampaignForm(
                form_id=form.id, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31),
                sample_target=30,
            ))
        session.flush()
    return campaign


def ensure_points(session: Session, communes: list[Commune]) -> dict[tuple[int, int], int]:
    """One collection point per (commune, form), as posted at the one-stop counter."""
    existing = {
        (p.commune_id, p.form_id): p.id
        for p in session.scalars(select(CollectionPoint).where(CollectionPoint.label.is_(None)))
    }
    for form in session.scalars(select(Form)):
        for commune in communes:
            if (commune.id, form.id) not in existing:
                point = CollectionPoint(commune_id=commune.id, form_id=form.id)
                session.add(point)
                session.flush()
                existing[(commune.id, form.id)] = point.id
    return existing


def add_responses(session, campaign, communes, points, rng: random.Random) -> int:
    """Responses for every commune and form, received over the last ten weeks (the demo has
    a trend), stored a form at a time as the file import stores them."""
    now = now_utc()
    qr_answers: dict[int, int] = {}
    versions = [(cf.form, cf.form.current_version()) for cf in campaign.forms]
    batches: dict[int, list[NewResponse]] = {version.id: [] for _, version in versions}
    for index, commune in enumerate(communes):
        quality = rng.choice([0.55, 0.7, 0.8, 0.9, 0.95])
        # A third of the communes have too few answers yet: the demo must show that state too.
        few = index % 3 == 2
        for form, version in versions:
            count = rng.randint(3, 20) if few else rng.randint(30, 45)
            definition = version.parsed
            for _ in range(count):
                answers = plausible_answers(definition, quality, rng)
                channel = rng.choice([Channel.qr, Channel.qr, Channel.field, Channel.paper])
                # Only a QR answer comes through a collection point.
                point_id = points.get((commune.id, form.id)) if channel is Channel.qr else None
                if point_id is not None:
                    qr_answers[point_id] = qr_answers.get(point_id, 0) + 1
                batches[version.id].append(NewResponse(
                    submission_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    campaign_id=campaign.id, commune_id=commune.id, answers=answers,
                    channel=channel, collection_point_id=point_id,
                    duration_seconds=rng.randint(40, 300),
                    received_at=now - timedelta(days=rng.uniform(0, 70))))
    for _, version in versions:
        store_responses(session, version, batches[version.id])
    # Some people scan and leave without answering: scans run ahead of QR answers.
    for point in session.scalars(select(CollectionPoint)):
        answered = qr_answers.get(point.id, 0)
        point.scan_count = answered + round(answered * rng.uniform(0.1, 0.6))
    session.flush()
    return sum(len(batch) for batch in batches.values())


def plausible_answers(definition: FormDefinition, quality: float, rng: random.Random) -> dict:
    """Answers that lean to the best options with probability ``quality``."""
    raw: dict[str, object] = {}
    for question in definition.questions:
        if not question.required and rng.random() < 0.3:
            continue
        kind = question.kind
        if kind.fixed_options:
            # Not listed best first: yes is the good answer on some items and the bad one on
            # others (bribery).
            raw[question.id] = rng.choice(question.option_values)
        elif kind.multiple:
            raw[question.id] = rng.sample(question.option_values, k=rng.randint(1, 2))
        elif kind.has_options:
            values = question.option_values
            best = rng.random() < quality
            raw[question.id] = values[0] if best else rng.choice(values[1:])
        elif kind.scale:
            raw[question.id] = question.scale[-1] if rng.random() < quality else rng.choice(
                question.scale)
        elif kind.answer == NUMBER:
            raw[question.id] = int(question.min or 0) + rng.randint(0, 3)
    return validate_answers(definition, raw).answers


#: Every demo account's password; printed by ``flask demo load`` and in README.md.
DEMO_PASSWORD = "demo-khaosat-2026"  # noqa: S105  (public on purpose: demo only)


def ensure_demo_accounts(
    session: Session, province: Province, campaign: Campaign, communes: list[Commune]
) -> list[tuple[str, str, str]]:
    """One account per role, scoped to the demo province; existing accounts are kept.

    The surveyor and its coordinator are Youth Union members; the surveyor covers the first
    three communes of cluster 1, the commune official the first of them.
    """
    ensure_organisations(session)
    youth = session.scalar(select(Organisation).where(Organisation.code == "youth_union"))
    cluster = session.scalar(select(Grouping).where(Grouping.province_id == province.id,
                                                    Grouping.code == "CUM1"))
    covered = sorted((c for c in communes if c.grouping_id == cluster.id),
                     key=lambda c: c.name)[:3]
    wanted = [
        ("admin", "Quản trị hệ thống", Role.admin, Scope()),
        ("bancd", "Ban Chỉ đạo tỉnh", Role.steering, Scope(province_id=province.id)),
        ("cum1", "Cụm thi đua số 1", Role.grouping, Scope(grouping_id=cluster.id)),
        ("canboxa", f"Cán bộ {covered[0].name}", Role.commune_official,
         Scope(commune_id=covered[0].id)),
        ("dieuphoi", "Điều phối Đoàn Thanh niên", Role.coordinator,
         Scope(province_id=province.id, organisation_id=youth.id)),
        ("dieutravien", "Điều tra viên Đoàn Thanh niên", Role.surveyor,
         Scope(province_id=province.id, organisation_id=youth.id)),
    ]
    accounts = []
    for username, full_name, role, scope in wanted:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_account(session, None, username=username, full_name=full_name,
                                  role=role, password=DEMO_PASSWORD, scope=scope)
        accounts.append((username, DEMO_PASSWORD, role.value))
    surveyor = session.scalar(select(User).where(User.username == "dieutravien"))
    admin = session.scalar(select(User).where(User.username == "admin"))
    if surveyor.role is Role.surveyor:
        assign_surveyor(session, admin, campaign, surveyor, [c.id for c in covered])
    return accounts
