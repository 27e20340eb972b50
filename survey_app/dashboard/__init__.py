"""The steering committee's dashboard: who meets the standard, where, why not, and when."""

from flask import Blueprint

from survey_app.compression import gzip_response

bp = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static", url_prefix="/bang-dieu-khien")
bp.after_request(gzip_response)

from survey_app.dashboard import channels  # noqa: E402,F401
from survey_app.dashboard import export_jobs  # noqa: E402,F401
from survey_app.dashboard import integrity  # noqa: E402,F401
from survey_app.dashboard import suggestion_views  # noqa: E402,F401
from survey_app.dashboard import views  # noqa: E402,F401
