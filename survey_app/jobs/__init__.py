"""Staff's background jobs: a job's progress page, its JSON for polling, its file."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, template_folder="templates", url_prefix="/viec")

from survey_app.jobs import views  # noqa: E402,F401
