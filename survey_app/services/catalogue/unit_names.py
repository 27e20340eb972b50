"""A unit's names through reforms: results of a campaign show the name in force when it began.

A reform that renames a commune keeps its row (and so its responses, points and accounts);
the old name is kept as a ``CommuneFormerName`` in force before the day the new one took
effect. A unit merged into another is made inactive, never deleted: its earlier campaigns
still count it under its own name. Why this design: docs/UNITS.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Commune
from survey_app.models import CommuneFormerName
from survey_app.services.catalogue.unit_figures import UnitError


def rename_commune(session: Session, commune: Commune, new_name: str, from_day: date) -> Commune:
    """Give ``commune`` a new name from ``from_day`` on, keeping the old one for the days before.

    :raises UnitError: ``rename_same`` (nothing to change), ``rename_name_invalid``,
        ``rename_before_last`` (a later rename is already recorded).
    """
    new_name = " ".join(new_name.split())
    if not new_name or len(new_name) > 120:
        raise UnitError("rename_name_invalid")
    if new_name == commune.name:
        raise UnitError("rename_same", name=new_name)
    last = session.scalar(select(CommuneFormerName.until).where(
        CommuneFormerName.commune_id == commune.id).order_by(CommuneFormerName.until.desc())
        .limit(1))
    if last is not None and from_day <= last:
        raise UnitError("rename_before_last", day=last)
    session.add(CommuneFormerName(commune_id=commune.id, name=commune.name, until=from_day))
    commune.name = new_name
    session.flush()
    return commune


def names_on(session: Session, commune_ids: Iterable[int], day: date) -> dict[int, str]:
    """The former names of these communes that were in force on ``day`` (others: their name).

    For each commune, the earliest former name still in force after ``day``.
    """
    ids = list(commune_ids)
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        for commune_id, name in session.execute(
            select(CommuneFormerName.commune_id, CommuneFormerName.name)
            .where(CommuneFormerName.commune_id.in_(ids[start:start + 500]),
                   CommuneFormerName.until > day)
            .order_by(CommuneFormerName.until.desc())
        ):
            found[commune_id] = name  # the earliest ``until`` comes last and wins
    return found


def merge_commune(session: Session, commune: Commune) -> Commune:
    """Take a commune out of new campaigns (merged into another); its history stays."""
    commune.is_active = False
    session.flush()
    return commune
