"""Import provinces and commune-level units from the official list in ``vietnam-provinces``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import Ward as OfficialWard

from survey_app.domain_error import DomainError
from survey_app.models import Commune
from survey_app.models import Province


@dataclass
class ImportReport:
    provinces_added: int = 0
    communes_added: int = 0
    communes_updated: int = 0


def import_units(session: Session, province_code: int | None = None) -> ImportReport:
    """Add or update units; running it again changes nothing that is already right.

    :raises DomainError: ``province_code`` is not an official province code.
    """
    officials = [p for p in OfficialProvince.iter_all()
                 if province_code is None or int(p.code) == province_code]
    if not officials:
        raise DomainError("unknown_province", code=province_code)
    report = ImportReport()
    provinces = {p.code: p for p in session.scalars(select(Province))}
    communes = {c.code: c for c in session.scalars(select(Commune))}
    wanted = {int(p.code) for p in officials}
    for official in officials:
        code = str(int(official.code))
        province = provinces.get(code)
        if province is None:
            province = Province(code=code)
            session.add(province)
            provinces[code] = province
            report.provinces_added += 1
        province.name = official.name
        province.division_type = official.division_type.value
    session.flush()
    for ward in OfficialWard.iter_all():
        if int(ward.province_code) not in wanted:
            continue
        code = str(int(ward.code))
        province = provinces[str(int(ward.province_code))]
        commune = communes.get(code)
        if commune is None:
            commune = Commune(code=code, province_id=province.id)
            session.add(commune)
            report.communes_added += 1
        elif (commune.name, commune.division_type) != (ward.name, ward.division_type.value):
            report.communes_updated += 1
        commune.name = ward.name
        commune.division_type = ward.division_type.value
        commune.province_id = province.id
    session.flush()
    return report
