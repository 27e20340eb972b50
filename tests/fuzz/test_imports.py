"""The file import under random files: a report page, never a 5xx; a check stores no response,
and a confirmed good file stores whole. See tests/fuzz/__init__.py."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile

import pytest
from hypothesis import event
from hypothesis import given
from hypothesis import strategies as st

from tests.app.field.test_imports import csv_bytes
from tests.app.field.test_imports import row
from tests.app.field.test_imports import template_header
from tests.app.field.test_imports import upload
from tests.fuzz import assert_no_server_error
from tests.fuzz import assert_whole
from tests.fuzz import counts
from tests.fuzz import fuzz_settings
from tests.fuzz import nasty_text

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-cut", "cp1258"]


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-cut":
        return text.encode("utf-16")[:-1]  # an odd byte count: a file cut short
    return text.encode(encoding, errors="replace")


@st.composite
def csv_files(draw, header: list[str], commune) -> bytes:
    """A filled-in template with some columns, cells and the encoding made wrong."""
    columns = list(header)
    if draw(st.booleans()):
        columns = draw(st.lists(st.one_of(st.sampled_from(header), nasty_text(12)),
                                min_size=1, max_size=len(header) + 2))
    rows = []
    for number in range(draw(st.integers(0, 4))):
        values = row(commune, number)
        if draw(st.integers(0, 2)) == 1:  # a third of the rows get a few cells changed
            for column in draw(st.sets(st.sampled_from(columns), min_size=1, max_size=3)):
                values[column] = draw(nasty_text(60))
        rows.append(values)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return encode(out.getvalue(), draw(st.sampled_from(ENCODINGS)))


@pytest.fixture
def header(surveyor, pks05) -> list[str]:
    return template_header(surveyor, pks05)


@pytest.fixture
def xlsx_template(surveyor, pks05) -> bytes:
    return surveyor.get(f"/thuc-dia/nhap-tep/mau/{pks05.id}.xlsx").data


#: A file name as a browser sends it: a line break, quote or backslash in it is escaped,
#: and the test client would send it raw, breaking the request's own framing.
NAME = st.one_of(st.just("phieu.csv"), nasty_text(30).map(lambda name: re.sub(r'[\r\n"\\]',
                                                                            "", name)))


@fuzz_settings(50)
@given(data=st.data(), name=NAME)
def test_random_csv_files_get_a_report(surveyor, field_world, pks05, header, data, name):
    body = data.draw(csv_files(header, field_world.own))
    before = counts()
    reply = upload(surveyor, pks05, body, name)
    assert_no_server_error(reply)
    assert reply.status_code in (200, 422)
    after = counts()
    assert_whole(before, after, 0)
    # A check is recorded, unless no file came with a name.
    assert after.batches - before.batches == (1 if name else 0)
    found = re.search(r"/nhap-tep/lo/(\d+)/luu", reply.get_data(as_text=True))
    event("checked without problems" if found else f"HTTP {reply.status_code}")
    if found:  # a file with no problem: confirming it stores every row, whole
        confirmed = surveyor.post(f"/thuc-dia/nhap-tep/lo/{found.group(1)}/luu")
        assert_no_server_error(confirmed)
        assert_whole(after, counts(), counts().responses - after.responses)


@fuzz_settings(40)
@given(data=st.data())
def test_damaged_workbooks_get_a_report(surveyor, pks05, xlsx_template, data):
    body = data.draw(st.one_of(
        # Bytes changed or cut anywhere in a real workbook.
        st.tuples(st.integers(0, len(xlsx_template) - 1), st.binary(max_size=16)).map(
            lambda cut: xlsx_template[:cut[0]] + cut[1] + xlsx_template[cut[0] + 16:]),
        # One part of a real workbook replaced with junk (the parts are XML openpyxl trusts).
        st.tuples(st.sampled_from(parts(xlsx_template)), st.binary(max_size=200)).map(
            lambda swap: with_part(xlsx_template, *swap)),
    ))
    before = counts()
    reply = upload(surveyor, pks05, body, "phieu.xlsx")
    assert_no_server_error(reply)
    assert reply.status_code in (200, 422)
    assert_whole(before, counts(), 0)


def parts(workbook: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.namelist()


def with_part(workbook: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name
                            else source.read(item.filename))
    return out.getvalue()


def test_the_fuzzed_csv_starts_from_a_file_that_is_stored(surveyor, field_world, pks05, header):
    """The strategies above mutate a file the import takes, so most of what they make is
    nearly right: this is that file, unmutated."""
    body = csv_bytes(header, [row(field_world.own, 1)], encoding="utf-8")
    reply = upload(surveyor, pks05, body)
    assert re.search(r"/nhap-tep/lo/(\d+)/luu", reply.get_data(as_text=True))
    assert codecs.BOM_UTF8 not in body
