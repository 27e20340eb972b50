"""Recognition: registration, the commune's dossier, its review, the decision, the deadlines."""

from flask import Blueprint

bp = Blueprint("recognition", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static", url_prefix="/cong-nhan")

from survey_app.recognition import criteria  # noqa: E402,F401
from survey_app.recognition import views  # noqa: E402,F401
