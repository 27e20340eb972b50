"""One minimum per commune and form: the progress page's "Needed" is the rulebook's, the
number the dashboard shows; a staff form's target never exceeds the commune's headcount."""

from __future__ import annotations

from analytics import Rulebook
from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.services.results.progress import campaign_progress
from survey_app.services.results.progress import minimum_and_target


def test_the_minimum_is_the_rulebooks_and_the_target_fits_the_staff(published_forms):
    commune = Commune(code="90001", name="Xã Thử", division_type="xã", staff_headcount=27)
    rules = Rulebook()
    assert minimum_and_target(rules, published_forms["PKS01"], commune, 30) == (
        rules.required_responses("PKS01", 27), 27)
    assert rules.required_responses("PKS01", 27) == 19
    assert minimum_and_target(rules, published_forms["PKS05"], commune, 30) == (30, 30)
    assert minimum_and_target(rules, published_forms["PKS05"], commune, 20) == (30, 30)


def test_the_progress_page_and_the_dashboard_agree(field_world, published_forms, login):
    field_world.own.staff_headcount = 27
    db.session.commit()
    progress = campaign_progress(db.session, field_world.users["steering"], field_world.campaign)
    cell = progress.cells[(field_world.own.id, published_forms["PKS01"].id)]
    assert (cell.minimum, cell.target) == (19, 27)
    page = login("steering").get("/thuc-dia/tien-do").get_data(as_text=True)
    assert "Cần có: 19" in page
