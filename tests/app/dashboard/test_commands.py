"""The roll-up commands: check finds drift, rebuild repairs it."""

from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import ResponseTally


def test_check_then_rebuild(results_world, runner):
    assert runner.invoke(args=["results", "check"]).exit_code == 0
    db.session.execute(update(ResponseTally).values(responses=ResponseTally.responses + 2))
    db.session.commit()
    broken = runner.invoke(args=["results", "check"])
    assert broken.exit_code == 1
    assert "flask results rebuild" in broken.output
    rebuilt = runner.invoke(args=["results", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert runner.invoke(args=["results", "check"]).exit_code == 0
