"""Unit figures: the workbook is checked row by row, stored whole or not at all; PKS01's
minimum follows the stored headcount; a renamed or merged unit keeps its history."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.access import visible_commune_ids
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.catalogue.groupings import assign_communes
from survey_app.services.catalogue.groupings import create_grouping
from survey_app.services.catalogue.unit_figures import UnitError
from survey_app.services.catalogue.unit_figures import figures_template
from survey_app.services.catalogue.unit_figures import import_figures
from survey_app.services.catalogue.unit_names import merge_commune
from survey_app.services.catalogue.unit_names import rename_commune
from survey_app.services.results.campaign import campaign_results

HEADER = ["ma_xa", "ten_xa", "so_can_bo", "dan_so", "giao_dich_nam", "ma_nhom"]


def workbook(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(name: str, data: bytes):
    with unit_of_work(db.session):
        return import_figures(db.session, name, data, 2000)


def figures(commune: Commune) -> tuple:
    db.session.refresh(commune)
    return (commune.staff_headcount, commune.population, commune.yearly_transactions,
            commune.grouping_id)


@pytest.fixture
def two(create_commune, groupings):
    return create_commune("Xã Một", staff_headcount=20), create_commune("Xã Hai")


def test_a_clean_workbook_is_stored(two, groupings):
    one, other = two
    report = run("so_lieu.xlsx", workbook([
        [one.code, "Xã Một", 25, "12.500", 3400, "cum1"],
        [other.code, None, None, 8000, None, None],
    ]))
    assert report.clean
    assert report.row_count == 2
    assert report.changed == 2
    assert figures(one) == (25, 12500, 3400, groupings[0].id)
    assert figures(other) == (None, 8000, None, None)


def test_a_column_left_out_leaves_its_figure(two):
    one, _other = two
    report = run("so_lieu.csv", f"ma_xa,dan_so\n{one.code},900\n".encode())
    assert report.clean
    assert figures(one)[:2] == (20, 900)


def test_the_template_round_trips(two, dummy_province):
    one, other = two
    data = figures_template(db.session, dummy_province, 2000)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:6]) == HEADER
    assert {row[0] for row in rows[2:]} == {one.code, other.code}
    report = run("mau.xlsx", data)
    assert report.clean
    assert report.changed == 0


BROKEN = {
    "wrong columns": (lambda one, two: workbook([[one, 1]], header=["ma_xa", "nhan_vien"]),
                      [(1, "sheet_column_unknown")]),
    "no commune column": (lambda one, two: workbook([[1]], header=["so_can_bo"]),
                          [(1, "column_missing")]),
    "unknown code and bad figures": (
        lambda one, two: workbook([["99999", None, 5], [one, None, "mười"],
                                   [one, None, -3, 2.5], [two, None, 1, None, None, "KHONG"]]),
        [(2, "import_unknown_commune"), (3, "figure_invalid"), (4, "commune_repeated"),
         (4, "figure_invalid"), (4, "figure_invalid"), (5, "grouping_unknown")]),
    "bad encoding": (lambda one, two: f"ma_xa,ten_xa\n{one},Đông Ngàn\n".encode("cp1258"),
                     [(2, "not_utf8")]),
    "not a workbook": (lambda one, two: b"PK\x03\x04garbage", [(None, "bad_xlsx")]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_gets_a_row_by_row_report_and_stores_nothing(two, case):
    one, other = two
    make, expected = BROKEN[case]
    data = make(one.code, other.code)
    # The valid first data row must not be stored either.
    before = figures(one), figures(other)
    name = "so_lieu.csv" if case == "bad encoding" else "so_lieu.xlsx"
    report = run(name, data)
    assert not report.clean
    assert [(p.row, p.code) for p in report.problems] == expected
    assert (figures(one), figures(other)) == before


def test_one_bad_row_keeps_every_good_row_out(two):
    one, other = two
    report = run("so_lieu.xlsx", workbook([[one.code, None, 99], [other.code, None, "x"]]))
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (3, "C · so_can_bo", "figure_invalid")]
    assert figures(one)[0] == 20


def test_pks01_minimum_follows_the_stored_headcount(results_world, app):
    admin = results_world.users["admin"]

    def required() -> int:
        results = campaign_results(db.session, results_world.campaign,
                                   visible_commune_ids(admin))
        return next(r.required for r in results.evaluation.results
                    if r.commune_id == results_world.meets.id and r.form_code == "PKS01")

    assert required() == 7  # 70% of 10
    run("so_lieu.xlsx", workbook([[results_world.meets.code, None, 40]]))
    assert required() == 28
    run("so_lieu.xlsx", workbook([[results_world.meets.code, None, None]]))
    assert required() == 30  # unknown headcount: the rulebook's default minimum


def test_a_renamed_unit_keeps_its_old_name_in_earlier_campaigns(results_world, create_campaign):
    admin = results_world.users["admin"]
    meets = results_world.meets
    reform = today_in_vietnam() + timedelta(days=60)
    with unit_of_work(db.session):
        rename_commune(db.session, meets, "Phường Hợp Thịnh", reform)
    later = create_campaign(codes=["PKS05"], name="Năm 2027", opens_on=reform,
                            closes_on=reform + timedelta(days=30))

    def name_in(campaign) -> str:
        results = campaign_results(db.session, campaign, visible_commune_ids(admin))
        return next(c.name for c in results.communes if c.id == meets.id)

    assert name_in(results_world.campaign) == "Xã Hợp Thịnh"
    assert name_in(later) == "Phường Hợp Thịnh"
    with pytest.raises(UnitError) as refused:
        rename_commune(db.session, meets, "Phường Mới", reform - timedelta(days=1))
    assert refused.value.code == "rename_before_last"


def test_a_merged_unit_still_counts_in_the_campaigns_it_answered(results_world,
                                                                 create_campaign):
    admin = results_world.users["admin"]
    with unit_of_work(db.session):
        merge_commune(db.session, results_world.fails)
    later = create_campaign(codes=["PKS05"], name="Năm 2027")
    earlier = campaign_results(db.session, results_world.campaign, visible_commune_ids(admin))
    assert results_world.fails.id in {c.id for c in earlier.communes}
    fresh = campaign_results(db.session, later, visible_commune_ids(admin))
    assert results_world.fails.id not in {c.id for c in fresh.communes}


def test_groupings_are_created_and_given_communes(two, dummy_province):
    one, other = two
    with unit_of_work(db.session):
        cluster = create_grouping(db.session, dummy_province.id, "CUM9", "Cụm 9", "cluster")
        assert assign_communes(db.session, cluster, [one.id, other.id]) == 2
    with unit_of_work(db.session):
        assert assign_communes(db.session, cluster, [one.id]) == 1
    assert set(db.session.scalars(select(Commune.id).where(
        Commune.grouping_id == cluster.id))) == {one.id}
    with pytest.raises(UnitError) as refused:
        create_grouping(db.session, dummy_province.id, "cum9", "Khác", "district")
    assert refused.value.code == "grouping_code_taken"


def test_the_response_export_names_a_renamed_unit_as_it_was(results_world):
    from survey_app.services.results.exports import responses_csv

    admin = results_world.users["admin"]
    with unit_of_work(db.session):
        rename_commune(db.session, results_world.meets, "Phường Hợp Thịnh",
                       today_in_vietnam() + timedelta(days=1))
    results = campaign_results(db.session, results_world.campaign, visible_commune_ids(admin))
    pks05 = next(f for f in results.forms if f.code == "PKS05")
    text = "".join(responses_csv(db.session, results, pks05, include_text=False,
                                     include_reasons=True))
    assert "Xã Hợp Thịnh" in text
    assert "Phường Hợp Thịnh" not in text
