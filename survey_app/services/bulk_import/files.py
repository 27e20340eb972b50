"""Read an uploaded CSV or XLSX into rows of cells, and write the blank templates.

Reading knows nothing about forms: it turns bytes into a header and numbered rows, or says
in a code why it cannot (``UnreadableFile``), so the check in ``services.imports`` works the
same on both formats.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from openpyxl import Workbook
from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from survey_app.domain_error import DomainError

Cell = str | int | float | date | datetime | None

#: The start of every XLSX (a zip archive) and of the old binary XLS format.
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
#: A run of two or more characters that cp1252 turns back into valid UTF-8: what Vietnamese
#: text looks like after UTF-8 bytes were read as Windows-1252 and saved again ("Hà»" …).
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


class UnreadableFile(DomainError):
    """The file cannot be read as a table; ``code`` and ``params`` say why."""


@dataclass
class Table:
    header: list[str]
    header_row: int
    #: (row number as the spreadsheet shows it, cells) for every non-empty row after the header.
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 27 → AB."""
    return get_column_letter(index + 1)


def read_table(file_name: str, data: bytes, max_rows: int) -> Table:
    """Read ``data`` as XLSX or CSV, chosen by its first bytes, then by its name.

    :raises UnreadableFile: empty, old XLS, broken XLSX, not UTF-8, mojibake, too many rows.
    """
    if not data.strip():
        raise UnreadableFile("empty")
    name = file_name.lower()
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise UnreadableFile("old_xls")
    if data.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        records = xlsx_records(data)
    else:
        records = csv_records(decode_csv(data))
    return table_from(records, max_rows)


def table_from(records: Iterable[list[Cell]], max_rows: int) -> Table:
    table: Table | None = None
    for number, cells in enumerate(records, start=1):
        if all(cell is None for cell in cells):
            continue
        if table is None:
            table = Table([header_name(cell) for cell in cells], number)
            continue
        if len(table.rows) >= max_rows:
            raise UnreadableFile("too_many_rows", max=max_rows)
        table.rows.append((number, cells))
    if table is None:
        raise UnreadableFile("empty")
    return table


def header_name(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff").lower()


def decode_csv(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or UTF-16 with BOM.

    Anything else is refused rather than guessed: Windows-1258 and Windows-1252 cannot be told
    apart reliably, and a wrong guess stores garbled Vietnamese.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("not_utf8", line=data[: exc.start].count(b"\n") + 1) from None
    garbled = double_encoded(text)
    if garbled:
        raise UnreadableFile("double_encoded", line=garbled[0], sample=garbled[1])
    return unicodedata.normalize("NFC", text)


def double_encoded(text: str) -> tuple[int, str] | None:
    """Where ``text`` shows UTF-8 read as Windows-1252: (line, garbled text), else None."""
    for match in _NON_ASCII_RUN.finditer(text):
        run = match.group()
        try:
            repaired = run.encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        if repaired != run:
            return text.count("\n", 0, match.start()) + 1, run
    return None


def csv_records(text: str) -> Iterator[list[Cell]]:
    first_line = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale separates with ";" (the decimal mark is ","); "Unicode
    # text" exports use tabs.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell.strip() or None for cell in record]


def xlsx_records(data: bytes) -> Iterator[list[Cell]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise UnreadableFile("bad_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [xlsx_cell(value) for value in row]
    finally:
        workbook.close()


def xlsx_cell(value: object) -> Cell:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value.strip())
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float | date | datetime) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class TemplateColumn:
    id: str
    #: The Vietnamese heading written under the id, in the notes row.
    note: str
    #: For an XLSX drop-down: the allowed entries, shown by label.
    choices: tuple[str, ...] = ()
    #: Store the column as text in XLSX, so codes such as "09001" keep their zeros.
    as_text: bool = False
    width: int = 18


def csv_template(columns: list[TemplateColumn]) -> bytes:
    """A CSV with the ids and the notes row, in UTF-8 with BOM so Excel shows Vietnamese."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.id for column in columns])
    writer.writerow([column.note for column in columns])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


HEADER_FILL = PatternFill("solid", fgColor="8B0000")
NOTES_FILL = PatternFill("solid", fgColor="F0ECE4")


def xlsx_template(
    sheet_title: str,
    columns: list[TemplateColumn],
    guide_title: str,
    guide: list[list[str]],
    max_rows: int,
) -> bytes:
    """A workbook: the data sheet (ids, notes row, drop-downs) and a guide sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append([column.id for column in columns])
    sheet.append([column.note for column in columns])
    for index, column in enumerate(columns):
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        sheet[f"{letter}1"].font = Font(bold=True, color="FFFFFF")
        sheet[f"{letter}1"].fill = HEADER_FILL
        sheet[f"{letter}2"].alignment = Alignment(wrap_text=True, vertical="top")
        sheet[f"{letter}2"].fill = NOTES_FILL
        if column.as_text:
            # A column style: Excel gives it to every cell typed into the column.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.row_dimensions[2].height = 90
    sheet.freeze_panes = "B3"
    add_dropdowns(workbook, sheet, columns, max_rows)

    notes = workbook.create_sheet(guide_title)
    for row in guide:
        notes.append(row)
    for letter, width in zip("ABCDEFG", (14, 8, 60, 18, 14, 24, 50), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def add_dropdowns(workbook: Workbook, sheet, columns: list[TemplateColumn], max_rows: int) -> None:
    """Offer each choice column's labels in a drop-down, listed on a hidden sheet.

    A warning, not a stop: the import also accepts option values, which the list does not show.
    """
    lists = workbook.create_sheet("_lists")
    lists.sheet_state = "hidden"
    list_column = 0
    for index, column in enumerate(columns):
        if not column.choices:
            continue
        list_column += 1
        source = get_column_letter(list_column)
        for row, choice in enumerate(column.choices, start=1):
            lists[f"{source}{row}"] = choice
        rule = DataValidation(
            type="list",
            formula1=f"'_lists'!${source}$1:${source}${len(column.choices)}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
        )
        letter = column_letter(index)
        rule.add(f"{letter}3:{letter}{max_rows + 2}")
        sheet.add_data_validation(rule)
