"""The figures: built from results, serialisable, with the target and thresholds drawn."""

import json
from datetime import date
from fractions import Fraction

from analytics import CommuneInfo
from analytics import FormSpec
from analytics import Rulebook
from analytics import charts
from analytics.trend import WeeklyCount
from analytics.trend import weekly_by_form
from analytics.trend import weekly_trend
from tests.oracle import Tally
from tests.oracle import count_samples
from tests.oracle import evaluate

FORMS = [FormSpec("PKS05", sample_target=40, versions={1: frozenset({"hai_long"})}),
         FormSpec("PKS07", versions={2: frozenset({"hai_long"})})]
COMMUNES = [CommuneInfo(1, "1", "Xã A", 1), CommuneInfo(2, "2", "Xã B", 2)]
TALLIES = [Tally(1, "PKS05", 1, "hai_long", False, 30), Tally(1, "PKS07", 2, "hai_long", False, 25),
           Tally(1, "PKS07", 2, "khong", False, 5), Tally(2, "PKS05", 1, "khong", False, 3)]
WORDS = charts.Words()


def weekly(tallies, week=date(2026, 11, 2)) -> list[WeeklyCount]:
    counts = count_samples(tallies, FORMS, Rulebook())
    return [WeeklyCount(week, commune_id, code, count)
            for (commune_id, code), count in counts.items()]


def evaluation():
    return evaluate(COMMUNES, FORMS, TALLIES, Rulebook(target_deadline=date(2026, 12, 31)))


def as_json(figure) -> dict:
    return json.loads(charts.to_json(figure))


def test_the_bullet_shows_the_share_against_the_target():
    figure = as_json(charts.target_bullet(evaluation().overall, WORDS))
    indicator = figure["data"][0]
    assert indicator["value"] == 50.0
    assert indicator["gauge"]["threshold"]["value"] == 60.0
    assert indicator["gauge"]["shape"] == "bullet"
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        "<b>Target 60%</b>", " <b>50,0%</b> "]


def test_status_and_grouping_bars_carry_the_counts():
    ev = evaluation()
    status = as_json(charts.status_bars(ev.overall, WORDS))
    assert status["data"][0]["x"] == [1, 0, 1]
    groups = as_json(charts.grouping_bars(ev.groupings, {1: "Cụm 1", 2: "Cụm 2"}, WORDS))
    assert [trace["name"] for trace in groups["data"]] == [WORDS.meets, WORDS.does_not_meet,
                                                           WORDS.not_enough_data]
    assert groups["layout"]["shapes"][0]["x0"] == 60.0


def test_heat_cells_colour_by_margin_and_grey_without_enough_responses():
    results = {(r.commune_id, r.form_code): r for r in evaluation().results}
    passing = charts.heat_cell(results[1, "PKS05"], WORDS)
    assert passing.margin == 20.0
    assert passing.text == "100%"
    insufficient = charts.heat_cell(results[2, "PKS05"], WORDS)
    assert insufficient.margin is None
    assert insufficient.text == "n=3/30"
    figure = as_json(charts.heatmap(["Xã A"], ["PKS05"], [[passing]], WORDS, ["Cụm 1"]))
    assert figure["data"][1]["y"] == [["Cụm 1"], ["Xã A"]]


def test_grouping_heat_cell_is_the_share_of_communes_passing():
    results = [r for r in evaluation().results if r.form_code == "PKS05"]
    cell = charts.grouping_heat_cell(results, Fraction(3, 5), WORDS)
    assert cell.text == "50%"
    assert cell.margin == -10.0


def test_trend_extends_to_the_deadline():
    points = weekly_trend(weekly(TALLIES), COMMUNES, FORMS, Rulebook())
    figure = as_json(charts.trend_lines(points, Fraction(3, 5), date(2026, 12, 31), WORDS))
    target_line = next(t for t in figure["data"] if t["name"].startswith(WORDS.target))
    assert target_line["y"] == [60.0, 60.0]
    assert target_line["x"][-1].startswith("2026-12-31")


def test_form_rates_and_form_trend_build():
    ev = evaluation()
    mine = [r for r in ev.results if r.commune_id == 1]
    figure = as_json(charts.form_rates(mine, WORDS))
    assert figure["data"][0]["y"] == [100.0, 83.3]
    weeks = weekly_by_form(weekly([t for t in TALLIES if t.commune_id == 1]), FORMS)
    trend = as_json(charts.form_trend(weeks, Fraction(4, 5), WORDS))
    assert [t["name"] for t in trend["data"]] == ["PKS05", "PKS07"]
