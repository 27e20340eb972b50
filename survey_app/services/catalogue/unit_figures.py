"""A commune's figures (staff headcount, population, yearly one-stop transactions) and grouping.

Edited one commune at a time or imported from a workbook. The import is checked row by row
first; a file with any problem changes nothing, a clean one is applied whole, in the
caller's unit of work. An empty cell clears a figure (it is not known); a column left out of
the file leaves that figure as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain_error import DomainError
from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Province
from survey_app.services.bulk_import.files import TemplateColumn
from survey_app.services.bulk_import.files import xlsx_template
from survey_app.services.bulk_import.imports import Problem
from survey_app.services.bulk_import.sheets import MAX_FIGURE
from survey_app.services.bulk_import.sheets import SheetCheck
from survey_app.services.bulk_import.sheets import SheetColumn

COMMUNE = "ma_xa"
NAME = "ten_xa"
STAFF = "so_can_bo"
POPULATION = "dan_so"
TRANSACTIONS = "giao_dich_nam"
GROUPING = "ma_nhom"
#: Column id → Commune attribute, for the three figures.
FIGURES = {STAFF: "staff_headcount", POPULATION: "population",
           TRANSACTIONS: "yearly_transactions"}
COLUMNS = [SheetColumn(COMMUNE, required=True), SheetColumn(NAME), SheetColumn(STAFF),
           SheetColumn(POPULATION), SheetColumn(TRANSACTIONS), SheetColumn(GROUPING)]


class UnitError(DomainError):
    """A change to a unit, its figures or a grouping that cannot be made."""


def template_columns() -> list[TemplateColumn]:
    return [
        TemplateColumn(COMMUNE, _("Commune code *"), as_text=True, width=12),
        TemplateColumn(NAME, _("Commune name (for reading only; not imported)"), width=30),
        TemplateColumn(STAFF, _("Cadres and civil servants on staff (PKS01's sample is a share "
                                "of it)"), width=20),
        TemplateColumn(POPULATION, _("Population"), width=16),
        TemplateColumn(TRANSACTIONS, _("One-stop transactions in a year"), width=20),
        TemplateColumn(GROUPING, _("Grouping code (district or cluster)"), as_text=True,
                       width=18),
    ]


def figures_template(session: Session, province: Province, max_rows: int) -> bytes:
    """The workbook of a province's communes with their figures as they are now."""
    groupings = list(session.scalars(
        select(Grouping).where(Grouping.province_id == province.id).order_by(Grouping.code)))
    guide = [[province.name], []]
    guide += [[line] for line in (
        _("One row per commune, from row 3. Keep rows 1 and 2."),
        _("ma_xa is required. The other columns may be left out: a column that is not in the "
          "file leaves that figure unchanged; an empty cell means the figure is not known."),
        _("Figures are whole numbers; 1.234 and 1,234 both mean one thousand two hundred and "
          "thirty-four."),
        _("ma_nhom: the code of one of the groupings below, or empty for none."),
        _("Nothing is stored unless every row is correct."),
    )]
    guide += [[], [_("Grouping code"), "", _("Grouping")]]
    guide += [[g.code, "", f"{g.name} ({g.kind})"] for g in groupings]
    data = xlsx_template(_("Figures"), template_columns(), _("Instructions"), guide, max_rows)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    codes = {g.id: g.code for g in groupings}
    for commune in session.scalars(
        select(Commune).where(Commune.province_id == province.id, Commune.is_active.is_(True))
        .order_by(Commune.name, Commune.code)
    ):
        sheet.append([commune.code, commune.name, commune.staff_headcount, commune.population,
                      commune.yearly_transactions, codes.get(commune.grouping_id)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class FigureRow:
    row: int
    commune: Commune
    #: Commune attribute → new value (None clears it), only for the columns in the file.
    values: dict[str, int | None]


@dataclass
class FiguresReport:
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0
    rejected_count: int = 0
    #: Communes whose figures or grouping the file changes (after ``apply_figures``).
    changed: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems


def check_figures(session: Session, file_name: str, data: bytes,
                  max_rows: int) -> tuple[FiguresReport, list[FigureRow]]:
    """Check every row of an upload; read the database, change nothing."""
    check = SheetCheck(COLUMNS, template_columns(), "figures")
    rows = check.read(file_name, data, max_rows)
    communes = {c.code: c for c in session.scalars(select(Commune))}
    groupings: dict[tuple[int, str], Grouping] = {
        (g.province_id, g.code.casefold()): g for g in session.scalars(select(Grouping))}
    seen: dict[int, int] = {}
    checked: list[FigureRow] = []
    for number, cells in rows:
        before = len(check.problems)
        code = check.text(cells, COMMUNE)
        commune = None
        if code is None:
            check.problem(number, COMMUNE, "commune_empty")
        else:
            commune = communes.get(code) or (communes.get(code.lstrip("0"))
                                            if code.isdigit() else None)
            if commune is None:
                check.problem(number, COMMUNE, "import_unknown_commune", code=code)
            elif commune.id in seen:
                check.problem(number, COMMUNE, "commune_repeated", code=code,
                              row=seen[commune.id])
            else:
                seen[commune.id] = number
        values: dict[str, int | None] = {}
        for column_id, attribute in FIGURES.items():
            if check.has(column_id):
                values[attribute] = check.whole_number(number, cells, column_id)
        if check.has(GROUPING):
            grouping_code = check.text(cells, GROUPING)
            values["grouping_id"] = None
            if grouping_code is not None and commune is not None:
                grouping = groupings.get((commune.province_id, grouping_code.casefold()))
                if grouping is None:
                    check.problem(number, GROUPING, "grouping_unknown", code=grouping_code,
                                  province=commune.province.name)
                else:
                    values["grouping_id"] = grouping.id
        if len(check.problems) == before and commune is not None:
            checked.append(FigureRow(number, commune, values))
    report = FiguresReport(check.sorted_problems(), len(rows), len(check.bad_rows))
    return report, checked


def import_figures(session: Session, file_name: str, data: bytes,
                   max_rows: int) -> FiguresReport:
    """Check an upload and, only when every row is right, apply it."""
    report, rows = check_figures(session, file_name, data, max_rows)
    if report.clean:
        for row in rows:
            changed = False
            for attribute, value in row.values.items():
                if getattr(row.commune, attribute) != value:
                    setattr(row.commune, attribute, value)
                    changed = True
            report.changed += changed
        session.flush()
    return report


#: A figure's name on the unit's page, for a refusal.
FIGURE_LABELS = {STAFF: _l("Cadres and civil servants on staff"), POPULATION: _l("Population"),
                 TRANSACTIONS: _l("One-stop transactions a year")}


def checked_figure(value: int | None, column: str) -> int | None:
    if value is not None and not 0 <= value <= MAX_FIGURE:
        raise UnitError("figure_out_of_range", name=str(FIGURE_LABELS[column]), max=MAX_FIGURE)
    return value


def update_commune(session: Session, commune: Commune, *, staff_headcount: int | None,
                   population: int | None, yearly_transactions: int | None,
                   grouping_id: int | None) -> Commune:
    """Set one commune's figures and grouping (None: not known, or no grouping).

    :raises UnitError: ``figure_out_of_range``, ``grouping_other_province``.
    """
    commune.staff_headcount = checked_figure(staff_headcount, STAFF)
    commune.population = checked_figure(population, POPULATION)
    commune.yearly_transactions = checked_figure(yearly_transactions, TRANSACTIONS)
    if grouping_id is not None:
        grouping = session.get(Grouping, grouping_id)
        if grouping is None or grouping.province_id != commune.province_id:
            raise UnitError("grouping_other_province")
    commune.grouping_id = grouping_id
    session.flush()
    return commune
