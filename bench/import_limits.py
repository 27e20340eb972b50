"""The memory an upload can make the import's reading take, and how soon a bomb is refused.

    .venv/bin/python bench/import_limits.py                 # bomb of 500 MB
    .venv/bin/python bench/import_limits.py --bomb-mb 2000

``read_table`` (services/bulk_import/files.py) is run in process, with no database, on:

- a zip bomb: an .xlsx whose sharedStrings.xml inflates to ``--bomb-mb`` MB (built here,
  which takes a while; the refusal does not);
- an entity bomb: a sharedStrings.xml of a few hundred bytes whose entities expand a billion
  times, which defusedxml refuses;
- an .xlsx unpacking to just under MAX_XLSX_UNPACKED of short strings, refused by their
  count;
- the largest files the bounds let through: the most shared strings allowed, filling
  MAX_XLSX_UNPACKED; the most cells allowed; a CSV of MAX_CONTENT_LENGTH bytes in the most
  cells IMPORT_MAX_ROWS rows of MAX_COLUMNS columns can hold;
- a real filled-in PKS05 workbook of IMPORT_MAX_ROWS rows, for scale.

For each: the seconds it took, the peak of Python's allocations while reading it
(tracemalloc, in a second run), and the outcome. Nothing leaves the process.
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from survey_app.config import Config  # noqa: E402
from survey_app.services.bulk_import import files  # noqa: E402

MB = 1024 * 1024
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />')


def workbook_with(shared_strings: bytes | None = None, writer=None) -> bytes:
    """A real one-sheet workbook, with its sharedStrings.xml replaced (or streamed)."""
    sheet = Workbook()
    sheet.active.append(["ma_xa", "q_overall"])
    sheet.active.append(["90001", "hai_long"])
    source = io.BytesIO()
    sheet.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "[Content_Types].xml":
                # openpyxl writes its strings inline: declare the part it will now read.
                content = content.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            target.writestr(item.filename, content)
        if writer is not None:
            with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                writer(stream)
        elif shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def zip_bomb(megabytes: int) -> bytes:
    block = (b"<si><t>" + b"a" * 1000 + b"</t></si>") * 1000

    def write(stream) -> None:
        stream.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range(megabytes * MB // len(block)):
            stream.write(block)
        stream.write(b"</sst>")

    return workbook_with(writer=write)


def entity_bomb() -> bytes:
    entities = ['<!ENTITY a0 "aaaaaaaaaa">'] + [
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)]
    xml = (f'<?xml version="1.0"?><!DOCTYPE sst [{"".join(entities)}]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           "<si><t>&a9;</t></si></sst>")
    return workbook_with(xml.encode())


def shared_strings(count: int, size: int) -> bytes:
    """A sharedStrings.xml of ``count`` distinct random strings in about ``size`` bytes
    (random, so they compress as little as real answers do)."""
    width = max(1, (size // count - 17) // 2)
    noise = random.Random(0)
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    items = b"".join(b"<si><t>%s</t></si>" % noise.randbytes(width).hex().encode()
                     for _ in range(count))
    return workbook_with(head + items + b"</sst>")


def wide_workbook(rows: int, columns: int) -> bytes:
    """``rows`` rows of ``columns`` numbers: as many cells as openpyxl will be given."""
    sheet = Workbook()
    for number in range(rows):
        sheet.active.append(list(range(number * columns, (number + 1) * columns)))
    out = io.BytesIO()
    sheet.save(out)
    return out.getvalue()


def widest_csv(max_bytes: int, rows: int, columns: int) -> bytes:
    """The most cells the row and column bounds allow, each as long as fills the size bound
    (one Python string each: sharing none)."""
    width = max_bytes // (rows * columns) - 1
    lines = [",".join(f"{row * columns + column:0{width}d}" for column in range(columns))
             for row in range(rows)]
    return "\n".join(lines).encode()[:max_bytes]


def filled_workbook(rows: int) -> bytes:
    sheet = Workbook()
    sheet.active.append(["ma_xa", "ma_phieu", "ngay_phong_van", "procedure_field_other",
                         "wait_time", "attitude", "q_overall"])
    for number in range(rows):
        sheet.active.append(["90001", str(number), "05/03/2026",
                             f"Ý kiến số {number}: thủ tục nhanh, cán bộ nhiệt tình", "nhanh_gon",
                             "Lịch sự, thân thiện", "Hài lòng"])
    out = io.BytesIO()
    sheet.save(out)
    return out.getvalue()


def read(name: str, data: bytes, max_rows: int) -> str:
    try:
        return f"read: {len(files.read_table(name, data, max_rows).rows)} rows"
    except files.UnreadableFile as refusal:
        return f"refused: {refusal.code}"


def measure(label: str, name: str, data: bytes, max_rows: int) -> None:
    """Timed without tracemalloc (it slows allocation several times), then traced."""
    started = time.perf_counter()
    outcome = read(name, data, max_rows)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    read(name, data, max_rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<48} {len(data) / MB:6.2f} MB {seconds:7.3f} s  peak {peak / MB:6.1f} MB  "
          f"{outcome}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bomb-mb", type=int, default=500)
    args = parser.parse_args()
    max_rows = Config.IMPORT_MAX_ROWS
    print(f"Python {platform.python_version()}, {platform.machine()}; IMPORT_MAX_ROWS "
          f"{max_rows}, MAX_CONTENT_LENGTH {Config.MAX_CONTENT_LENGTH / MB:g} MB, "
          f"MAX_XLSX_UNPACKED {files.MAX_XLSX_UNPACKED / MB:g} MB, MAX_COLUMNS "
          f"{files.MAX_COLUMNS}, MAX_CELL_CHARS {files.MAX_CELL_CHARS}, STRINGS_PER_ROW "
          f"{files.STRINGS_PER_ROW}, CELLS_PER_ROW {files.CELLS_PER_ROW}")
    print(f"building a {args.bomb_mb} MB zip bomb…", flush=True)
    bomb = zip_bomb(args.bomb_mb)
    measure(f"zip bomb ({args.bomb_mb} MB of sharedStrings)", "bomb.xlsx", bomb, max_rows)
    measure("entity bomb (10^10 characters)", "laughs.xlsx", entity_bomb(), max_rows)
    limit = files.MAX_XLSX_UNPACKED - 256 * 1024
    strings = max_rows * files.STRINGS_PER_ROW
    measure("xlsx: short strings filling MAX_XLSX_UNPACKED", "tiny.xlsx",
            shared_strings(limit // 25, limit), max_rows)
    measure(f"xlsx: the most strings allowed ({strings})", "strings.xlsx",
            shared_strings(strings, limit), max_rows)
    columns = files.CELLS_PER_ROW
    measure(f"xlsx: the most cells allowed ({max_rows} x {columns})", "cells.xlsx",
            wide_workbook(max_rows, columns), max_rows)
    measure("csv: MAX_CONTENT_LENGTH in the most cells", "wide.csv",
            widest_csv(Config.MAX_CONTENT_LENGTH, max_rows + 1, files.MAX_COLUMNS), max_rows)
    measure(f"xlsx: PKS05 filled in, {max_rows} rows", "pks05.xlsx", filled_workbook(max_rows),
            max_rows)


if __name__ == "__main__":
    main()
