"""Groupings of a province's communes: districts, emulation clusters (cụm thi đua) and the like."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.services.catalogue.unit_figures import UnitError

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
#: What the pages offer; the column takes any short word, shown and never branched on.
KINDS = ("district", "cluster")


def grouping_fields(code: str, name: str, kind: str) -> tuple[str, str, str]:
    code, name, kind = code.strip(), " ".join(name.split()), kind.strip()
    if not CODE.match(code):
        raise UnitError("grouping_code_invalid")
    if not name or len(name) > 120:
        raise UnitError("grouping_name_invalid")
    if kind not in KINDS:
        raise UnitError("grouping_kind_invalid")
    return code, name, kind


def create_grouping(session: Session, province_id: int, code: str, name: str,
                    kind: str) -> Grouping:
    """:raises UnitError: a bad code, name or kind, or a code the province already uses."""
    code, name, kind = grouping_fields(code, name, kind)
    taken = session.scalar(select(Grouping.id).where(
        Grouping.province_id == province_id, func.lower(Grouping.code) == code.lower()))
    if taken is not None:
        raise UnitError("grouping_code_taken", code=code)
    grouping = Grouping(province_id=province_id, code=code, name=name, kind=kind)
    session.add(grouping)
    session.flush()
    return grouping


def rename_grouping(session: Session, grouping: Grouping, name: str, kind: str) -> None:
    """A new name or kind; the code, which files refer to, stays."""
    _code, grouping.name, grouping.kind = grouping_fields(grouping.code, name, kind)
    session.flush()


def assign_communes(session: Session, grouping: Grouping, commune_ids: list[int]) -> int:
    """Make exactly ``commune_ids`` the grouping's communes; how many communes changed.

    A commune taken from another grouping leaves it; one left out leaves this grouping.

    :raises UnitError: ``grouping_other_province`` for a commune of another province.
    """
    wanted = set(commune_ids)
    if wanted:
        provinces = set(session.scalars(
            select(Commune.province_id).where(Commune.id.in_(wanted)).distinct()))
        found = session.scalar(select(func.count()).where(Commune.id.in_(wanted)))
        if provinces != {grouping.province_id} or found != len(wanted):
            raise UnitError("grouping_other_province")
    current = set(session.scalars(select(Commune.id).where(Commune.grouping_id == grouping.id)))
    leaving, joining = current - wanted, wanted - current
    if leaving:
        session.execute(update(Commune).where(Commune.id.in_(leaving)).values(grouping_id=None))
    if joining:
        session.execute(update(Commune).where(Commune.id.in_(joining))
                        .values(grouping_id=grouping.id))
    session.expire_all()
    return len(leaving) + len(joining)
