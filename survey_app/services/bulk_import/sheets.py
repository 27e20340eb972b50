"""The row-by-row check of a plain table (unit figures, people): columns known in advance.

The response import checks against a form; these tables have fixed columns. Reading goes
through ``files.read_table`` (its bounds: archive sizes, encodings, cells), and a problem is
the import's ``Problem``, worded by ``messages.describe_import_problem``, so every report of
a file looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.services.bulk_import.files import Cell
from survey_app.services.bulk_import.files import Table
from survey_app.services.bulk_import.files import TemplateColumn
from survey_app.services.bulk_import.files import UnreadableFile
from survey_app.services.bulk_import.files import column_letter
from survey_app.services.bulk_import.files import read_table
from survey_app.services.bulk_import.imports import Problem
from survey_app.services.bulk_import.imports import cell_text

#: A figure above this is a typing slip (a commune of more than ten million people).
MAX_FIGURE = 10_000_000


@dataclass(frozen=True)
class SheetColumn:
    id: str
    required: bool = False


class SheetCheck:
    """Collect the problems of one upload; never raises them."""

    def __init__(self, columns: list[SheetColumn], template: list[TemplateColumn],
                 what: str) -> None:
        self.columns = {column.id: column for column in columns}
        self.notes = [column.note for column in template]
        #: Names the table in "column_unknown" ("unit figures", "accounts").
        self.what = what
        self.problems: list[Problem] = []
        self.positions: dict[str, int] = {}
        self.header_row = 1

    def problem(self, row: int | None, column_id: str | None, code: str, /,
                **params: object) -> None:
        column = (f"{column_letter(self.positions[column_id])} · {column_id}"
                  if column_id in self.positions else column_id)
        self.problems.append(Problem(row, column, code, params))

    def read(self, file_name: str, data: bytes, max_rows: int) -> list[tuple[int, list[Cell]]]:
        """The data rows (the template's notes row left out); [] with a problem if unusable."""
        try:
            table = read_table(file_name, data, max_rows)
        except UnreadableFile as exc:
            self.problem(exc.params.get("line"), None, exc.code, **exc.params)
            return []
        if not self.check_header(table):
            return []
        rows = [(number, cells) for number, cells in table.rows if not self.is_notes_row(cells)]
        if not rows:
            self.problem(None, None, "no_rows")
        return rows

    def check_header(self, table: Table) -> bool:
        self.header_row = table.header_row
        for index, name in enumerate(table.header):
            if not name:
                continue
            place = f"{column_letter(index)} · {name}"
            if name in self.positions:
                self.problems.append(Problem(table.header_row, place, "column_repeated", {
                    "name": name, "other": column_letter(self.positions[name])}))
            elif name not in self.columns:
                self.problems.append(Problem(table.header_row, place, "sheet_column_unknown", {
                    "name": name, "allowed": ", ".join(self.columns)}))
            else:
                self.positions[name] = index
        for column in self.columns.values():
            if column.required and column.id not in self.positions:
                self.problems.append(Problem(table.header_row, column.id, "column_missing",
                                             {"name": column.id}))
        return not self.problems

    def is_notes_row(self, cells: list[Cell]) -> bool:
        texts = [cell_text(cell) for cell in cells]
        return bool(texts) and texts[0] == self.notes[0] if self.notes else False

    def has(self, column_id: str) -> bool:
        return column_id in self.positions

    def text(self, cells: list[Cell], column_id: str) -> str | None:
        index = self.positions.get(column_id)
        return cell_text(cells[index]) if index is not None and index < len(cells) else None

    def whole_number(self, number: int, cells: list[Cell], column_id: str) -> int | None:
        """A count from 0 to MAX_FIGURE, or None for an empty cell (or with a problem)."""
        index = self.positions.get(column_id)
        raw = cells[index] if index is not None and index < len(cells) else None
        text = self.text(cells, column_id)
        if text is None:
            return None
        if isinstance(raw, float) or (isinstance(raw, int) and raw < 0):
            # Only a fraction or a negative number is still a float or below 0 here.
            self.problem(number, column_id, "figure_invalid", value=text)
            return None
        # Thousands written the Vietnamese way (1.234) or the English way (1,234).
        cleaned = text.replace(".", "").replace(",", "").replace(" ", "").replace("\u00a0", "")
        if not (cleaned.isascii() and cleaned.isdigit()):
            self.problem(number, column_id, "figure_invalid", value=text)
            return None
        value = int(cleaned)
        if value > MAX_FIGURE:
            self.problem(number, column_id, "figure_too_large", value=text, max=MAX_FIGURE)
            return None
        return value

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.row is not None and p.row != self.header_row}

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row or 0, p.column or ""))
