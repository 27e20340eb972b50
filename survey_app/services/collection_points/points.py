"""Collection points: find what a public token opens, make, rotate and retire points."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask import url_for
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from survey_app.clock import now_utc
from survey_app.collation import by_name
from survey_app.domain_error import DomainError
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Response
from survey_app.models import RetiredToken
from survey_app.models.collection_points import label_key
from survey_app.models.collection_points import new_token
from survey_app.models.collection_points import typed_token


@dataclass(frozen=True)
class Lookup:
    point: CollectionPoint | None
    retired: CollectionPoint | None = None


# Built once: this runs on every opening of a link that is not in the live-link cache.
_POINT_BY_TOKEN = (
    select(CollectionPoint)
    # The public form shows the commune and its province: load them in the same query.
    .options(joinedload(CollectionPoint.commune).joinedload(Commune.province),
             joinedload(CollectionPoint.form))
    .where(CollectionPoint.token == bindparam("token"))
)


def find_point(session: Session, token: str) -> Lookup:
    """The live point behind ``token``, or the retired point it used to open.

    The token is matched as given, then as typed from a poster (capitals, dashes and
    look-alike letters forgiven).
    """
    if len(token) > 64:
        return Lookup(None)
    found = Lookup(None)
    for spelling in _spellings(token):
        found = _find_exact(session, spelling)
        if found.point is not None or found.retired is not None:
            break
    return found


def _spellings(token: str) -> list[str]:
    typed = typed_token(token)
    return [token] if typed in (None, token) else [token, typed]


def _find_exact(session: Session, token: str) -> Lookup:
    point = session.scalar(_POINT_BY_TOKEN, {"token": token})
    if point is not None and point.retired_at is None:
        return Lookup(point)
    if point is not None:
        return Lookup(None, retired=point)
    old = session.get(RetiredToken, token)
    return Lookup(None, retired=old.point if old else None)


def public_link(token: str) -> str:
    """The absolute link a poster prints for ``token``.

    It starts with PUBLIC_BASE_URL when set (production must set it: a poster outlives the
    address an administrator happened to use), else with the current request's host.

    :raises RuntimeError: neither is available (a command run without a base URL).
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for("public.form", token=token, _external=True)
    path = current_app.url_map.bind("localhost").build("public.form", {"token": token})
    return base.rstrip("/") + path


class PointError(DomainError):
    """A change to collection points that cannot be made."""


def create_point(session: Session, commune: Commune, form: Form,
                 label: str | None = None) -> CollectionPoint:
    """Open a new point for ``form`` at ``commune``, with a fresh token.

    :raises PointError: the form is retired, or a live point has the same form and label.
    """
    label = (label or "").strip() or None
    if form.is_retired:
        raise PointError("form_retired", form=form.code)
    same = select(CollectionPoint.id).where(
        CollectionPoint.commune_id == commune.id, CollectionPoint.form_id == form.id,
        CollectionPoint.retired_at.is_(None), CollectionPoint.label_key == label_key(label),
    )
    if session.scalar(same) is not None:
        raise PointError("point_exists", commune=commune.name, form=form.code)
    point = CollectionPoint(commune_id=commune.id, form_id=form.id, label=label,
                            token=unused_token(session))
    session.add(point)
    session.flush()
    return point


def rotate_token(session: Session, point: CollectionPoint) -> str:
    """Give ``point`` a new token; the old one opens the "no longer in use" page from now on.

    :raises PointError: the point is retired.
    """
    if point.retired_at is not None:
        raise PointError("point_retired")
    old = point.token
    session.add(RetiredToken(token=old, point_id=point.id))
    point.token = unused_token(session)
    session.flush()
    return old


def retire_point(session: Session, point: CollectionPoint) -> None:
    """Stop ``point`` taking answers; its link opens the "no longer in use" page."""
    if point.retired_at is None:
        point.retired_at = now_utc()
        session.flush()


def unused_token(session: Session) -> str:
    """A new token that no point, live or retired, has ever had."""
    while True:
        token = new_token()
        taken = session.scalar(select(CollectionPoint.id).where(CollectionPoint.token == token))
        if taken is None and session.get(RetiredToken, token) is None:
            return token


@dataclass(frozen=True)
class PointStats:
    """A point with how often its link was opened and how many answers came through it."""

    point: CollectionPoint
    scans: int
    responses: int


def point_stats(session: Session, commune_id: int, visible: Select) -> list[PointStats]:
    """Every point of a commune the user may see, live ones first, with scans and responses."""
    counts = dict(session.execute(
        select(Response.collection_point_id, func.count())
        .where(Response.commune_id == commune_id, Response.commune_id.in_(visible),
               Response.standing())
        .group_by(Response.collection_point_id)
    ).all())
    points = session.scalars(
        select(CollectionPoint)
        .join(Form)
        .options(joinedload(CollectionPoint.form))
        .where(CollectionPoint.commune_id == commune_id, CollectionPoint.commune_id.in_(visible))
        .order_by(CollectionPoint.retired_at.is_not(None), Form.code, CollectionPoint.label,
                  CollectionPoint.id)
    )
    return [PointStats(p, p.scan_count, counts.get(p.id, 0)) for p in points]


@dataclass(frozen=True)
class CommuneSummary:
    """A commune's live points, and the scans and responses of all its points."""

    commune: Commune
    points: int
    scans: int
    responses: int


def commune_summaries(session: Session, communes: Select) -> list[CommuneSummary]:
    """One summary per commune whose id ``communes`` selects, by grouping then name."""
    # Scans, like responses, count every point the commune has had, retired ones included.
    live = (
        select(CollectionPoint.commune_id,
               func.count(case((CollectionPoint.retired_at.is_(None), 1))).label("points"),
               func.sum(CollectionPoint.scan_count).label("scans"))
        .where(CollectionPoint.commune_id.in_(communes))
        .group_by(CollectionPoint.commune_id)
    ).subquery()
    answered = (
        select(Response.commune_id, func.count().label("responses"))
        .where(Response.collection_point_id.is_not(None), Response.commune_id.in_(communes),
               Response.standing())
        .group_by(Response.commune_id)
    ).subquery()
    rows = session.execute(
        select(Commune, live.c.points, live.c.scans, answered.c.responses)
        .outerjoin(live, live.c.commune_id == Commune.id)
        .outerjoin(answered, answered.c.commune_id == Commune.id)
        .where(Commune.id.in_(communes))
    )
    summaries = by_name((CommuneSummary(c, points or 0, scans or 0, responses or 0)
                         for c, points, scans, responses in rows), lambda s: s.commune.name)
    return sorted(summaries, key=lambda s: (s.commune.grouping_id is None,
                                            s.commune.grouping_id or 0))
