"""Read an uploaded CSV or XLSX into rows of cells, and write the blank templates.

Reading knows nothing about forms: it turns bytes into a header and numbered rows, or says
in a code why it cannot (``UnreadableFile``), so the check in ``services.imports`` works the
same on both formats.

An upload is untrusted, and bounded before it is read. An XLSX is a zip archive: its
directory must declare at most ``MAX_XLSX_MEMBERS`` parts unpacking to at most
``MAX_XLSX_UNPACKED`` bytes, at most ``MAX_XLSX_RATIO`` times their packed size, or it is
refused without inflating a byte (zipfile never inflates a part past its declared size, so
the declaration bounds what reading can take). Its parts are then counted, one at a time,
for the shared strings and cells openpyxl would build objects for (50-80 µs each):
``STRINGS_PER_ROW`` and ``CELLS_PER_ROW`` per row the import takes. Only then does openpyxl
read it, parsing its XML through defusedxml (no entity expansion). Every cell, in either
format, is at most ``MAX_CELL_CHARS`` long, holds no control character, and sits in the first
``MAX_COLUMNS`` columns. bench/import_limits.py measures the memory this holds a reading to.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from openpyxl import DEFUSEDXML
from openpyxl import Workbook
from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from survey_app.domain_error import DomainError
from survey_app.inputs import is_clean

if not DEFUSEDXML:
    # Without it openpyxl parses uploads with the standard library's XML, which expands
    # entities: a few kilobytes of sharedStrings.xml would become gigabytes in memory.
    raise ImportError("reading uploads needs defusedxml (and OPENPYXL_DEFUSEDXML unset)")

Cell = str | int | float | date | datetime | None

#: The start of every XLSX (a zip archive) and of the old binary XLS format.
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
#: A run of two or more characters that cp1252 turns back into valid UTF-8: what Vietnamese
#: text looks like after UTF-8 bytes were read as Windows-1252 and saved again ("Hà»" …).
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
#: The bounds of an XLSX archive, read from its directory before anything is inflated. A
#: filled-in template has about a dozen parts and unpacks to twenty times its size at most
#: (20,000 PKS05 rows: 0.9 MB packed, 14 MB unpacked).
MAX_XLSX_MEMBERS = 100
MAX_XLSX_UNPACKED = 40 * 1024 * 1024
MAX_XLSX_RATIO = 100
#: Below this, whatever the ratio, an archive unpacks to nothing worth refusing.
RATIO_FROM = 1024 * 1024
#: Per row the import takes: a filled-in template has a few distinct texts and at most a
#: few dozen cells (styled empty ones included) a row.
STRINGS_PER_ROW = 15
CELLS_PER_ROW = 30
#: A shared string and a cell element, with or without a namespace prefix; other parts'
#: elements (<c:chart>, <color>) do not match.
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
#: Twice the longest answer a question takes (max_length is at most 2000): a longer cell is
#: no answer, and a report never repeats more than this of a cell back.
MAX_CELL_CHARS = 4000
#: Templates have a few dozen columns; past this a sheet is no filled-in template.
MAX_COLUMNS = 200
#: Rows, blank ones included, per row the import may hold: a sheet declaring a million
#: empty rows is refused before they are walked through.
LINES_PER_ROW = 10
#: How much of a garbled run a report quotes.
SAMPLE_CHARS = 40
_EOCD = struct.Struct("<4s4H2LH")


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
        records = xlsx_records(data, max_rows)
    else:
        records = csv_records(decode_csv(data))
    return table_from(records, max_rows)


def table_from(records: Iterable[list[Cell]], max_rows: int) -> Table:
    table: Table | None = None
    max_lines = max_rows * LINES_PER_ROW + 100
    for number, cells in enumerate(records, start=1):
        if number > max_lines:
            raise UnreadableFile("too_many_lines", max=max_lines)
        # list.count, not a loop: a sheet's rows may be thousands of empty cells wide.
        if cells.count(None) == len(cells):
            continue
        cells = bounded_cells(number, cells)
        if table is None:
            table = Table([header_name(cell) for cell in cells], number)
            continue
        if len(table.rows) >= max_rows:
            raise UnreadableFile("too_many_rows", max=max_rows)
        table.rows.append((number, cells))
    if table is None:
        raise UnreadableFile("empty")
    return table


def bounded_cells(line: int, cells: list[Cell]) -> list[Cell]:
    """The row's first MAX_COLUMNS cells, up to its last value, once every cell is known to
    be one we can store (the row has a value: the caller skipped empty rows).

    :raises UnreadableFile: a value past MAX_COLUMNS, a cell too long or with a control
        character (a NUL, which PostgreSQL refuses; a lone surrogate, which cannot be stored).
    """
    beyond = cells[MAX_COLUMNS:]
    if beyond.count(None) != len(beyond):
        raise UnreadableFile("too_many_columns", line=line, max=MAX_COLUMNS)
    cells = list(cells[:MAX_COLUMNS])
    while cells[-1] is None:  # an XLSX row comes padded to the column bound
        cells.pop()
    for cell in cells:
        if isinstance(cell, str):
            if len(cell) > MAX_CELL_CHARS:
                raise UnreadableFile("cell_too_long", line=line, max=MAX_CELL_CHARS)
            if not is_clean(cell):
                raise UnreadableFile("cell_characters", line=line)
    return cells


def header_name(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff").lower()


def decode_csv(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or UTF-16 with BOM.

    Anything else is refused rather than guessed: Windows-1258 and Windows-1252 cannot be told
    apart reliably, and a wrong guess stores garbled Vietnamese.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            # An odd byte count, or half of a surrogate pair: a damaged or cut-off file.
            raise UnreadableFile("not_utf16", line=text_lines(data[: exc.start], "utf-16")
                                 ) from None
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
            return text.count("\n", 0, match.start()) + 1, run[:SAMPLE_CHARS]
    return None


def text_lines(data: bytes, encoding: str) -> int:
    """The line number the end of ``data`` (cut where decoding failed) is on."""
    return data.decode(encoding, errors="replace").count("\n") + 1


def csv_records(text: str) -> Iterator[list[Cell]]:
    first_line = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale separates with ";" (the decimal mark is ","); "Unicode
    # text" exports use tabs.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            yield [cell.strip() or None for cell in record]
    except csv.Error:
        # The csv module's own limit (131,072 characters in a field) is the only error
        # it raises on text read with newline="": a cell far too long.
        raise UnreadableFile("cell_too_long", line=reader.line_num, max=MAX_CELL_CHARS
                             ) from None


def xlsx_records(data: bytes, max_rows: int) -> Iterator[list[Cell]]:
    check_archive(data, max_rows)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            if (sheet.max_column or 0) > MAX_COLUMNS:
                raise UnreadableFile("sheet_too_wide", max=MAX_COLUMNS)
            # openpyxl pads every row to the sheet's declared size ("A1:XFD1048576" is a
            # billion cells): forget it, and never read past the column bound, so the work
            # follows the cells the sheet holds. A sheet that declares no size and hides a
            # value past column MAX_COLUMNS + 1 is hand-made; that value is not read.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
                yield [xlsx_cell(value) for value in row]
        finally:
            workbook.close()
    except UnreadableFile:
        raise
    except Exception:
        # openpyxl trusts the archive's parts: a damaged or hand-made one fails in whatever
        # way the part it breaks does (a ParseError for junk XML, defusedxml's refusal of
        # entities, a KeyError for a missing part, an OverflowError for a date past 9999…).
        # To the uploader each means the same: this is no workbook we can read.
        raise UnreadableFile("bad_xlsx") from None


def check_archive(data: bytes, max_rows: int) -> None:
    """Refuse an archive whose directory declares too many parts or too many bytes, or whose
    parts hold more strings or cells than ``max_rows`` rows of a template.

    The directory's entry count is read first, so a directory of a million entries is
    refused before zipfile builds an object for each; then the directory, then each part.
    """
    if declared_members(data) > MAX_XLSX_MEMBERS:
        raise UnreadableFile("xlsx_too_many_parts", max=MAX_XLSX_MEMBERS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            check_sizes(members)
            strings_left, cells_left = max_rows * STRINGS_PER_ROW, max_rows * CELLS_PER_ROW
            for member in members:
                # Any part may be the one [Content_Types].xml names as the strings or a sheet.
                content = archive.read(member)
                strings_left -= occurrences(_SHARED_STRING, content, strings_left + 1)
                cells_left -= occurrences(_CELL, content, cells_left + 1)
                if strings_left < 0 or cells_left < 0:
                    raise UnreadableFile("xlsx_too_many_cells", rows=max_rows)
    except UnreadableFile:
        raise
    except Exception:
        # A directory or part zipfile cannot read: cut, a wrong CRC, encrypted, an unknown
        # compression. To the uploader each is a damaged workbook.
        raise UnreadableFile("bad_xlsx") from None


def check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_XLSX_MEMBERS:
        raise UnreadableFile("xlsx_too_many_parts", max=MAX_XLSX_MEMBERS)
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > MAX_XLSX_UNPACKED or (unpacked > RATIO_FROM
                                        and unpacked > MAX_XLSX_RATIO * packed):
        raise UnreadableFile("xlsx_too_large", max=MAX_XLSX_UNPACKED // (1024 * 1024))


def occurrences(pattern: re.Pattern[bytes], content: bytes, most: int) -> int:
    """How often ``pattern`` occurs in ``content``, counting no further than ``most``: a
    loop, so the count costs no memory however many matches there are."""
    found = 0
    for found, _match in enumerate(pattern.finditer(content), start=1):
        if found >= most:
            break
    return found


def declared_members(data: bytes) -> int:
    """The entry count in the archive's end record (0 if there is none: zipfile then says
    the archive is broken). 0xFFFF means a ZIP64 archive, larger than any workbook here."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + _EOCD.size:
        return 0
    return _EOCD.unpack_from(data, end)[4]


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
