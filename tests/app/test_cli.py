"""Command-line verbs: units import, forms publish, demo load. Each is safe to run twice."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import func
from sqlalchemy import select

from survey_app.clock import now_utc
from survey_app.demo import DEMO_PASSWORD
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.models import Campaign
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Grouping
from survey_app.models import Province
from survey_app.models import Response
from survey_app.services.catalogue.form_versions import DEFINITIONS
from survey_app.services.results.tallies import tally_drift
from tests.app.public.test_submit import PKS05_ANSWERS
from tests.app.public.test_submit import form_fields

PKS05 = DEFINITIONS / "pks05.v2.yaml"
NEW_QUESTION = "Ông/bà có được hướng dẫn ghi phiếu hẹn trả kết quả không?"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def invoke(runner, *args: str):
    return runner.invoke(args=[str(a) for a in args], catch_exceptions=False)


def pks05(tmp_path: Path, version: int = 3, name: str = "pks05.v3.yaml", edit=None) -> Path:
    """PKS05 as a province would republish it: the bundled file with a new version number."""
    data = yaml.safe_load(PKS05.read_text(encoding="utf-8"))
    data["version"] = version
    data["sections"][1]["questions"][2]["text"] = NEW_QUESTION
    if edit:
        edit(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- units ------------------------------------------------------------------------------------

def test_units_import_of_one_province_is_safe_to_rerun(runner):
    first = invoke(runner, "units", "import", "--province", "24")
    assert first.exit_code == 0
    assert "provinces added: 1, communes added: 99, updated: 0" in first.output
    again = invoke(runner, "units", "import", "--province", "24")
    assert "provinces added: 0, communes added: 0, updated: 0" in again.output
    assert count(Province) == 1
    assert count(Commune) == 99
    province = db.session.scalar(select(Province))
    assert (province.code, province.name) == ("24", "Bắc Ninh")
    names = set(db.session.scalars(select(Commune.name)))
    assert "Phường Bắc Giang" in names
    assert len(names) == 99


def test_units_import_corrects_a_renamed_commune(runner):
    invoke(runner, "units", "import", "--province", "24")
    commune = db.session.scalar(select(Commune).where(Commune.name == "Phường Bắc Giang"))
    commune.name = "Phường Cũ"
    db.session.commit()
    result = invoke(runner, "units", "import", "--province", "24")
    assert "communes added: 0, updated: 1" in result.output
    db.session.refresh(commune)
    assert commune.name == "Phường Bắc Giang"


def test_units_import_of_the_whole_country(runner):
    result = invoke(runner, "units", "import")
    assert "provinces added: 34, communes added: 3321" in result.output
    assert count(Province) == 34
    assert count(Commune) == 3321
    assert db.session.scalar(select(func.count(func.distinct(Commune.code)))) == 3321


def test_units_import_of_an_unknown_province_is_a_usage_error(runner):
    result = runner.invoke(args=["units", "import", "--province", "99"])
    assert result.exit_code == 2
    assert "Không có tỉnh nào mang mã 99" in result.output
    assert count(Province) == 0


# --- forms ------------------------------------------------------------------------------------

def test_forms_publish_bundled_publishes_all_seven_once(runner):
    result = invoke(runner, "forms", "publish", "--bundled")
    assert result.output.count(": published") == 7
    again = invoke(runner, "forms", "publish", "--bundled")
    assert again.output.count(": already published") == 7
    assert count(Form) == 7
    assert count(FormVersion) == 7


def test_forms_publish_a_new_version(runner, published_forms, tmp_path):
    db.session.commit()
    result = invoke(runner, "forms", "publish", pks05(tmp_path))
    assert result.output.strip() == "PKS05 v3: published"
    versions = db.session.scalars(
        select(FormVersion.version).where(FormVersion.form_id == published_forms["PKS05"].id)
    ).all()
    assert sorted(versions) == [2, 3]


def test_forms_publish_same_file_again_is_a_no_op(runner, published_forms, tmp_path):
    db.session.commit()
    path = pks05(tmp_path)
    invoke(runner, "forms", "publish", path)
    again = invoke(runner, "forms", "publish", path)
    assert again.exit_code == 0
    assert again.output.strip() == "PKS05 v3: already published"
    assert count(FormVersion) == 8


def test_forms_publish_same_version_with_other_content_is_refused(
    runner, published_forms, tmp_path
):
    db.session.commit()
    invoke(runner, "forms", "publish", pks05(tmp_path))

    def reword(data):
        data["intro"] = "Lời giới thiệu đã sửa."

    result = runner.invoke(args=["forms", "publish", str(pks05(tmp_path, edit=reword))])
    assert result.exit_code == 1
    assert "PKS05 phiên bản 3 đã được phát hành với nội dung khác" in result.output
    stored = db.session.scalar(select(FormVersion).where(FormVersion.version == 3))
    assert stored.definition["intro"] != "Lời giới thiệu đã sửa."


def test_forms_publish_an_older_version_is_refused(runner, published_forms, tmp_path):
    db.session.commit()
    invoke(runner, "forms", "publish", pks05(tmp_path, version=4, name="pks05.v4.yaml"))
    result = runner.invoke(args=["forms", "publish", str(pks05(tmp_path))])
    assert result.exit_code == 1
    assert "đã có phiên bản 4, mới hơn 3" in result.output
    assert count(FormVersion) == 8


def test_forms_publish_bad_file_prints_every_problem_and_stores_nothing(runner, tmp_path):
    def spoil(data):
        data["quarter"] = 7
        data["sections"][1]["questions"][0]["type"] = "slider"
        data["satisfaction"]["satisfied"] = ["tot"]

    path = pks05(tmp_path, edit=spoil)
    result = runner.invoke(args=["forms", "publish", str(PKS05), str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"{path}: quarter: quý phải là 1, 2, 3 hoặc 4",
        f"{path}: câu hỏi 'wait_time': loại câu hỏi 'slider' không hợp lệ "
        "(single_choice, multiple_choice, yes_no, rating, short_text, number)",
        # wait_time is gone, so the question that depended on it is reported too.
        f"{path}: câu hỏi 'wait_reason': show_if trỏ tới 'wait_time', không phải câu đứng trước",
        f"{path}: câu hỏi 'q_overall': mức hài lòng không có trong lựa chọn: ['tot']",
    ]
    # The good file given with it is not published either: one command, all or nothing.
    assert count(Form) == 0
    assert count(FormVersion) == 0


def test_forms_publish_needs_a_file(runner):
    result = runner.invoke(args=["forms", "publish"])
    assert result.exit_code == 2
    assert "give a definition file, or --bundled" in result.output


def test_new_version_shows_on_the_form_and_old_answers_keep_theirs(
    runner, client, dummy_commune, open_campaign, create_point, tmp_path
):
    point = create_point(dummy_commune, "PKS05")
    fields = form_fields(client, point)
    assert client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS}).status_code == 303
    first = db.session.scalar(select(Response))
    v1 = first.form_version_id

    invoke(runner, "forms", "publish", pks05(tmp_path))

    html = client.get(f"/f/{point.token}").get_data(as_text=True)
    assert NEW_QUESTION in html
    v2 = int(re.search(r'name="version_id" value="(\d+)"', html).group(1))
    assert v2 != v1
    db.session.expire_all()
    assert db.session.get(Response, first.id).form_version_id == v1
    assert db.session.get(FormVersion, v1).version == 2
    fields = form_fields(client, point)
    client.post(f"/f/{point.token}", data={**fields, **PKS05_ANSWERS})
    versions = db.session.scalars(select(Response.form_version_id).order_by(Response.id)).all()
    assert versions == [v1, v2]


# --- demo -------------------------------------------------------------------------------------

def test_demo_load_is_idempotent(runner):
    """Lai Châu (38 communes) rather than the default Bắc Ninh keeps the suite fast."""
    first = invoke(runner, "demo", "load", "--province", "12")
    assert first.exit_code == 0
    summary = re.search(r"Lai Châu: 38 communes, 266 collection points, (\d+) responses",
                        first.output)
    assert summary, first.output
    responses = int(summary.group(1))
    assert responses == count(Response) > 38 * 7 * 3
    answers = count(Answer)

    again = invoke(runner, "demo", "load", "--province", "12")
    assert f"Lai Châu: 38 communes, 266 collection points, {responses} responses" in again.output
    assert count(Response) == responses
    assert count(Answer) == answers
    assert count(Commune) == 38
    assert count(CollectionPoint) == 266
    assert count(Campaign) == 1
    assert count(Grouping) == 6
    assert count(FormVersion) == 7
    # Both outcomes are there, so every later page has something true to show.
    outcomes = set(db.session.scalars(select(Response.satisfaction_answer).distinct()))
    assert {"rat_hai_long", "hai_long"} & outcomes
    assert {"binh_thuong", "khong_hai_long"} & outcomes
    assert db.session.scalar(select(func.count()).select_from(Commune).where(
        Commune.grouping_id.is_(None))) == 0
    # A trend to show: received over the last ten weeks, and both roll-ups agree with a count.
    first_at, last_at = db.session.execute(
        select(func.min(Response.received_at), func.max(Response.received_at))).one()
    assert timedelta(weeks=9) < last_at - first_at <= timedelta(days=70)
    assert last_at <= now_utc()
    assert tally_drift(db.session) == 0


def test_demo_load_refuses_a_database_with_campaigns_it_did_not_make(runner, create_campaign):
    create_campaign(name="Khảo sát năm 2026")
    db.session.commit()
    result = runner.invoke(args=["demo", "load", "--province", "12"])
    assert result.exit_code == 1
    assert "Khảo sát năm 2026" in result.output
    assert "flask demo load" in result.output
    assert count(Campaign) == 1
    assert count(Commune) == 0  # refused before it loaded anything
    assert count(Response) == 0


def test_demo_load_says_loudly_that_its_passwords_are_public(runner):
    result = invoke(runner, "demo", "load", "--province", "12")
    assert result.exit_code == 0
    assert "WARNING" in result.stderr
    assert DEMO_PASSWORD in result.output
    assert db.session.scalars(select(Campaign.is_demo)).all() == [True]
