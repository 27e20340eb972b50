"""Reading an upload (services/bulk_import/files.py) stays within its bounds: a bomb or a
damaged file is refused with a code, before it is inflated or parsed, never with a traceback.

Memory is checked with tracemalloc (what a refusal allocates), never with a clock; the
bounds' cost on the largest files they let through is measured in bench/import_limits.py.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import struct
import tracemalloc
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook

from survey_app.services.bulk_import import files
from survey_app.services.bulk_import.files import UnreadableFile
from survey_app.services.bulk_import.files import read_table

MAX_ROWS = 2000
MB = 1024 * 1024
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />')


def refusal(data: bytes, name: str = "phieu.xlsx") -> UnreadableFile:
    with pytest.raises(UnreadableFile) as refused:
        read_table(name, data, MAX_ROWS)
    return refused.value


def workbook(rows: list[list] | None = None, shared_strings: bytes | None = None) -> bytes:
    """A real workbook; with ``shared_strings``, that part replaced and declared."""
    book = Workbook()
    for row in rows or [["ma_xa", "q_overall"], ["90001", "hai_long"]]:
        book.active.append(row)
    saved = io.BytesIO()
    book.save(saved)
    if shared_strings is None:
        return saved.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            z.writestr(item.filename, content)
        z.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with the directory saying that part ``name`` unpacks to ``size`` bytes."""
    encoded = name.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == encoded:
            return data[:at + 24] + struct.pack("<L", size) + data[at + 28:]
        at += 4
    raise AssertionError(f"{name} is not in the archive")


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if openpyxl is asked to read the workbook at all."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the workbook was read")
    monkeypatch.setattr(files, "load_workbook", refuse)


def peak_allocated(read) -> int:
    tracemalloc.start()
    with contextlib.suppress(UnreadableFile):
        read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_openpyxl_parses_uploads_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_sharedstrings_zip_bomb_is_refused_from_the_directory_before_anything_is_read(
        no_parsing, monkeypatch):
    # A workbook whose sharedStrings.xml says it unpacks to 400 MB (a real one is built in
    # bench/import_limits.py: 500 MB of strings in a 1.4 MB file).
    bomb = declare_size(workbook(shared_strings=b"<sst/>"), "xl/sharedStrings.xml", 400 * MB)
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *_a, **_k: pytest.fail("inflated"))
    refused = refusal(bomb)
    assert (refused.code, refused.params) == ("xlsx_too_large", {"max": 40})
    assert peak_allocated(lambda: read_table("bomb.xlsx", bomb, MAX_ROWS)) < MB


def test_a_part_that_inflates_far_more_than_a_spreadsheet_is_refused_by_its_ratio(no_parsing):
    # 4 MB of one repeated string: well within the size bound, 1000 times its packed size.
    bomb = workbook(shared_strings=b"<sst><si><t>" + b"a" * 4 * MB + b"</t></si></sst>")
    assert len(bomb) < 100_000
    assert refusal(bomb).code == "xlsx_too_large"


def test_an_entity_bomb_is_refused_by_defusedxml():
    entities = "".join(['<!ENTITY a0 "aaaaaaaaaa">', *(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))])
    laughs = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst><si><t>&a9;</t></si>'
              "</sst>").encode()
    data = workbook(shared_strings=laughs)
    assert refusal(data).code == "bad_xlsx"
    assert peak_allocated(lambda: read_table("laughs.xlsx", data, MAX_ROWS)) < 5 * MB


def test_more_strings_than_the_rows_allow_are_refused_before_openpyxl_reads_them(no_parsing):
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(MAX_ROWS * 15 + 1))
    refused = refusal(workbook(shared_strings=b"<sst>" + strings + b"</sst>"))
    assert (refused.code, refused.params) == ("xlsx_too_many_cells", {"rows": MAX_ROWS})


def test_an_archive_of_too_many_parts_is_refused_from_its_end_record(no_parsing):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(files.MAX_XLSX_MEMBERS + 1):
            archive.writestr(f"part{number}.xml", b"")
    assert refusal(out.getvalue()).code == "xlsx_too_many_parts"


@pytest.mark.parametrize("content", [b"junk<<<", b"", b"\x00" * 100,
                                     b'<Types xmlns="x"><Override PartName="/nope"/></Types>'])
def test_a_junk_content_types_part_is_a_damaged_workbook(content):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", content)
    assert refusal(out.getvalue()).code == "bad_xlsx"


def test_a_workbook_with_a_cell_past_the_columns_bound_is_refused():
    row = [None] * files.MAX_COLUMNS + ["x"]
    refused = refusal(workbook([["ma_xa"], row]))
    assert (refused.code, refused.params) == ("sheet_too_wide", {"max": files.MAX_COLUMNS})


def with_dimension(data: bytes, ref: bytes) -> bytes:
    """``data`` with its first sheet declaring the size ``ref``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"',
                                 content)
            target.writestr(item.filename, content)
    return out.getvalue()


def test_a_sheet_declaring_a_million_rows_is_read_for_the_rows_it_has():
    data = with_dimension(workbook(), b"A1:B1048576")
    table = read_table("phieu.xlsx", data, MAX_ROWS)
    assert [cells[:2] for _, cells in table.rows] == [["90001", "hai_long"]]


def test_a_sheet_declaring_every_column_is_refused_before_its_rows_are_padded():
    refused = refusal(with_dimension(workbook(), b"A1:XFD1048576"))
    assert refused.code == "sheet_too_wide"


def test_more_columns_than_a_spreadsheet_has_letters_for_is_refused_not_a_traceback():
    header = ",".join(f"c{n}" for n in range(18_300)).encode()
    refused = refusal(header + b"\n" + b"1," * 18_299 + b"1\n", "wide.csv")
    assert refused.code == "too_many_columns"


def test_a_cell_past_the_csv_modules_field_limit_is_refused_without_repeating_it():
    refused = refusal(b"ma_xa,b\n" + b"x" * 200_000 + b",2\n", "long.csv")
    assert (refused.code, refused.params) == ("cell_too_long",
                                              {"line": 2, "max": files.MAX_CELL_CHARS})


def test_a_cell_longer_than_any_answer_is_refused():
    refused = refusal(b"ma_xa,b\n1," + b"x" * (files.MAX_CELL_CHARS + 1) + b"\n", "long.csv")
    assert refused.params == {"line": 2, "max": files.MAX_CELL_CHARS}


def test_a_utf16_csv_with_an_odd_byte_count_is_refused_with_its_line():
    data = "ma_xa,b\r\n90001,x\r\n".encode("utf-16")[:-1]
    refused = refusal(data, "phieu.csv")
    assert (refused.code, refused.params) == ("not_utf16", {"line": 2})


def test_a_utf16_csv_with_half_a_surrogate_pair_is_refused():
    data = codecs.BOM_UTF16_LE + "ma_xa\n".encode("utf-16-le") + b"\x00\xd8" + b"a\x00"
    assert refusal(data, "phieu.csv").code == "not_utf16"


@pytest.mark.parametrize("cell", ["90001\x00", "a\x01b", "\x1b[31m", "x\x7f"])
def test_a_cell_with_a_control_character_is_refused_with_its_row(cell):
    refused = refusal(f"ma_xa,b\n1,2\n{cell},3\n".encode(), "phieu.csv")
    assert (refused.code, refused.params) == ("cell_characters", {"line": 3})


def test_a_sheet_of_a_million_empty_rows_is_refused_before_they_are_walked():
    rows = "\n".join(["ma_xa", "90001", *[","] * (MAX_ROWS * files.LINES_PER_ROW + 100)])
    assert refusal(rows.encode(), "phieu.csv").code == "too_many_lines"


def test_a_garbled_run_is_quoted_short():
    garbled = ("é" * 1000).encode().decode("cp1252").encode()  # "Ã©Ã©…", 2,000 characters
    refused = refusal(b"ma_xa\n" + garbled + b"\n", "phieu.csv")
    assert refused.code == "double_encoded"
    assert len(refused.params["sample"]) == files.SAMPLE_CHARS


def test_a_good_workbook_and_csv_are_still_read():
    rows = [["ma_xa", "ghi_chu"], ["90001", "Dòng 1\nDòng 2\tcột"]]
    for data, name in ((workbook(rows), "phieu.xlsx"),
                       ("ma_xa,ghi_chu\n90001,\"Dòng 1\nDòng 2\tcột\"\n".encode(), "p.csv")):
        table = read_table(name, data, MAX_ROWS)
        assert table.header == ["ma_xa", "ghi_chu"]
        assert [cells[1] for _, cells in table.rows] == ["Dòng 1\nDòng 2\tcột"]
