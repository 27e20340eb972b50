"""What a commune's officials see of their own commune's answers, against a written table.

Every reader × every form × communes with many, exactly five and fewer than five responses:
- the row-level CSV: a form answered by the commune's own staff (PKS01, by its definition)
  never goes to that commune's officials; another form's rows only from five responses up;
  every other role gets the rows;
- the distributions (dashboard page and API): a question answered by fewer than five people is
  hidden, and the page says so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Commune
from survey_app.models import Role
from survey_app.services.results import privacy
from survey_app.services.results.campaign import campaign_results
from survey_app.services.results.campaign import load_forms
from tests.fixtures.field import PASSWORD
from tests.fixtures.field import add_user

ROWS, STAFF_FORM, TOO_FEW = "rows", "refused: staff form", "refused: too few"
FORMS = ("PKS01", "PKS05")
#: reader → what the CSV of each form gives (PKS01, PKS05). ``meets``: PKS01 8, PKS05 30;
#: ``fails``: PKS01 7, PKS05 exactly 5; ``small``: no PKS01, PKS05 3.
EXPECTED: dict[str, tuple[str, str]] = {
    "admin": (ROWS, ROWS),
    "steering": (ROWS, ROWS),
    "grouping": (ROWS, ROWS),
    "coordinator": (ROWS, ROWS),
    "official": (STAFF_FORM, ROWS),
    "official_fails": (STAFF_FORM, ROWS),
    "official_small": (STAFF_FORM, TOO_FEW),
}
#: Rows each reader's PKS01 and PKS05 downloads hold when it gets them.
ROW_COUNTS = {"admin": (15, 50), "steering": (15, 50), "grouping": (15, 35),
              "coordinator": (15, 50), "official": (8, 30), "official_fails": (7, 5)}


@pytest.fixture
def world(results_world, create_commune, add_responses):
    small = create_commune("Xã Ít Phiếu", grouping=results_world.cluster2)
    add_responses(results_world.campaign, small, results_world.forms["PKS05"], {"hai_long": 3})
    province = {"province_id": results_world.campaign.province_id}
    add_user("official_fails", Role.commune_official, commune_id=results_world.fails.id,
             **province)
    add_user("official_small", Role.commune_official, commune_id=small.id, **province)
    db.session.commit()
    return results_world, small


def test_row_downloads_follow_the_table(world, login):
    campaign = world[0].campaign.id
    wrong = []
    for reader, outcomes in EXPECTED.items():
        client = login(reader, PASSWORD)
        for form, expected in zip(FORMS, outcomes, strict=True):
            reply = client.get(
                f"/bang-dieu-khien/xuat/phieu.csv?campaign={campaign}&form={form}&lang=en")
            if reply.status_code == 200:
                rows = len(list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))) - 1
                got = ROWS
                if rows != ROW_COUNTS[reader][FORMS.index(form)]:
                    got = f"rows ({rows})"
            elif reply.status_code == 302:
                got = refusal(client, reply.headers["Location"])
            else:
                got = f"status {reply.status_code}"
            if got != expected:
                wrong.append(f"{reader} {form}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def refusal(client, location: str) -> str:
    """Which refusal the page the download sent the reader back to shows."""
    page = client.get(location, follow_redirects=True).get_data(as_text=True)
    staff = "are not downloaded row by row" in page
    few = "has fewer than 5 responses here" in page
    return STAFF_FORM if staff and not few else TOO_FEW if few and not staff else "unclear"


def test_a_refused_download_says_why_in_the_users_language(world, login):
    client = login("official_small", PASSWORD)
    reply = client.get("/bang-dieu-khien/xuat/phieu.csv?form=PKS05&lang=en",
                       follow_redirects=True)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "PKS05 has fewer than 5 responses here" in page
    reply = client.get("/bang-dieu-khien/xuat/phieu.csv?form=PKS01&lang=en",
                       follow_redirects=True)
    assert "come from the commune&#39;s own staff" in reply.get_data(as_text=True)


def test_the_distributions_of_a_small_commune_are_hidden_saying_so(world, login):
    results_world, small = world
    client = login("official_small", PASSWORD)
    page = client.get(f"/bang-dieu-khien/xa/{small.id}?form=PKS05&lang=en").get_data(
        as_text=True)
    assert "Hidden: fewer than 5 answers." in page
    assert "Nhanh gọn" not in page  # no option of any question is listed
    reply = client.get(f"/api/v1/campaigns/{results_world.campaign.id}/communes/{small.id}")
    questions = reply.get_json()["questions"]["PKS05"]
    answered = [q for q in questions if q["respondents"]]
    assert answered
    assert all(q["suppressed"] and q["options"] == [] for q in answered)


def test_five_respondents_show_their_distribution(world, login):
    results_world, _small = world
    client = login("official_fails", PASSWORD)
    reply = client.get(f"/api/v1/campaigns/{results_world.campaign.id}/communes/"
                       f"{results_world.fails.id}")
    overall = next(q for q in reply.get_json()["questions"]["PKS05"]
                   if q["question"] == "q_overall")
    assert overall["respondents"] == 5
    assert not overall["suppressed"]
    assert {o["value"]: o["count"] for o in overall["options"]}["hai_long"] == 5


def test_the_staff_form_is_known_from_its_definition_not_its_code(world):
    """A province's own staff survey, under another code, is protected the same way."""
    results_world, _small = world
    only = select(Commune.id).where(Commune.id == results_world.meets.id)
    results = campaign_results(db.session, results_world.campaign, only)
    forms = {f.code: f for f in load_forms(db.session, results_world.campaign)}
    pks05 = forms["PKS05"]
    privacy.check_row_export(db.session, results, pks05, Role.commune_official)
    staff_pks05 = replace(pks05, definition=replace(pks05.definition,
                                                    answered_by_commune_staff=True))
    with pytest.raises(privacy.ExportRefused) as refused:
        privacy.check_row_export(db.session, results, staff_pks05, Role.commune_official)
    assert refused.value.code == "export_staff_form"
    assert forms["PKS01"].definition.answered_by_commune_staff
    privacy.check_row_export(db.session, results, forms["PKS01"], Role.grouping)

