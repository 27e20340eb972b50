"""Administrative units: provinces, an optional middle grouping, and commune-level units."""

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from survey_app.extensions import db


class Province(db.Model):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Official code from the national list (``vietnam-provinces``), e.g. "24".
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    division_type: Mapped[str] = mapped_column(String(40))

    groupings: Mapped[list["Grouping"]] = relationship(back_populates="province")
    communes: Mapped[list["Commune"]] = relationship(back_populates="province")


class Grouping(db.Model):
    """A district, or any cluster a province groups its communes by (plans predate 2025)."""

    __tablename__ = "groupings"
    __table_args__ = (UniqueConstraint("province_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    #: "district", "cluster", ... : shown to users, never branched on.
    kind: Mapped[str] = mapped_column(String(32), default="district")

    province: Mapped[Province] = relationship(back_populates="groupings")
    communes: Mapped[list["Commune"]] = relationship(back_populates="grouping")


class Commune(db.Model):
    """A commune-level unit: xã, phường or đặc khu."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    division_type: Mapped[str] = mapped_column(String(40))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)
    grouping_id: Mapped[int | None] = mapped_column(ForeignKey("groupings.id"), index=True)
    #: Cadres and civil servants on staff: PKS01's sample is a share of it.
    staff_headcount: Mapped[int | None]
    #: Residents: the sample-size helper's N for forms answered by citizens.
    population: Mapped[int | None]
    #: One-stop (một cửa) transactions in a year: N for forms answered after a visit.
    yearly_transactions: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    province: Mapped[Province] = relationship(back_populates="communes")
    grouping: Mapped[Grouping | None] = relationship(back_populates="communes")
    former_names: Mapped[list["CommuneFormerName"]] = relationship(
        back_populates="commune", order_by="CommuneFormerName.until", cascade="all, delete-orphan"
    )


class CommuneFormerName(db.Model):
    """A name a unit bore before a reform renamed it: in force on every day before ``until``.

    ``Commune.name`` is the name from the last ``until`` on; results of a campaign show the
    name in force when the campaign began (docs/UNITS.md).
    """

    __tablename__ = "commune_former_names"
    __table_args__ = (UniqueConstraint("commune_id", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The first day of the next name.
    until: Mapped[date]

    commune: Mapped[Commune] = relationship(back_populates="former_names")
