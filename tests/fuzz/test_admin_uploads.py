"""The admin's uploads (unit figures, people, form definitions) under random files: a report
or a download, never a 5xx, and a refused file changes nothing. See tests/fuzz/__init__.py."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.models import FormVersion
from survey_app.models import User
from tests.fixtures.field import PASSWORD
from tests.fuzz import assert_no_server_error
from tests.fuzz import fuzz_settings
from tests.fuzz import nasty_text

FIGURES = ["ma_xa", "ten_xa", "so_can_bo", "dan_so", "giao_dich_nam", "ma_nhom"]
PEOPLE = ["ten_dang_nhap", "ho_ten", "vai_tro", "ma_tinh", "ma_nhom", "ma_xa", "to_chuc"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1258"]
NAME = nasty_text(30).map(lambda name: re.sub(r'[\r\n"\\]', "", name) or "tep.csv")


@st.composite
def tables(draw, header: list[str], codes: list[str]) -> bytes:
    columns = list(header)
    if draw(st.booleans()):
        columns = draw(st.lists(st.one_of(st.sampled_from(header), nasty_text(12)),
                                min_size=1, max_size=len(header) + 2))
    cell = st.one_of(st.sampled_from(codes), st.integers(-5, 10**8).map(str), nasty_text(30),
                     st.just(""))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(columns)
    for _ in range(draw(st.integers(0, 4))):
        writer.writerow([draw(cell) for _ in columns])
    return out.getvalue().encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@pytest.fixture
def admin(field_world, login):
    return login("admin", PASSWORD)


def figures() -> list[tuple]:
    return list(db.session.execute(select(
        Commune.id, Commune.staff_headcount, Commune.population, Commune.yearly_transactions,
        Commune.grouping_id).order_by(Commune.id)))


@fuzz_settings(40)
@given(data=st.data(), name=NAME)
def test_random_figure_files(admin, field_world, data, name):
    body = data.draw(tables(FIGURES, [field_world.own.code, field_world.other.code, "CUM1"]))
    before = figures()
    reply = admin.post("/quan-tri/don-vi/so-lieu", data={"file": (io.BytesIO(body), name)})
    assert_no_server_error(reply)
    db.session.expire_all()
    if reply.status_code == 422:
        assert figures() == before


@fuzz_settings(40)
@given(data=st.data(), name=NAME)
def test_random_people_files(admin, field_world, data, name):
    body = data.draw(tables(PEOPLE, ["24", "surveyor", "steering", "youth_union",
                                     field_world.own.code, "CUM1"]))
    before = db.session.scalar(select(func.count(User.id)))
    reply = admin.post("/quan-tri/tai-khoan/nhap", data={"file": (io.BytesIO(body), name)})
    assert_no_server_error(reply)
    db.session.expire_all()
    if reply.status_code != 200:
        assert db.session.scalar(select(func.count(User.id))) == before


@fuzz_settings(40)
@given(text=st.one_of(nasty_text(300, surrogates=False),
                      st.recursive(st.one_of(st.none(), st.booleans(), st.integers(),
                                             nasty_text(20)),
                                   lambda inner: st.one_of(
                                       st.lists(inner, max_size=4),
                                       st.dictionaries(nasty_text(10), inner, max_size=4)),
                                   max_leaves=20).map(repr)))
def test_random_definitions(admin, published_forms, text):
    before = db.session.scalar(select(func.count(FormVersion.id)))
    reply = admin.post("/quan-tri/bieu-mau/kiem-tra", data={
        "file": (io.BytesIO(text.encode("utf-8", errors="replace")), "form.yaml")})
    assert_no_server_error(reply)
    assert db.session.scalar(select(func.count(FormVersion.id))) == before
