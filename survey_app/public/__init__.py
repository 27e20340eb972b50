from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

from survey_app.public import health  # noqa: E402,F401
from survey_app.public import views  # noqa: E402,F401
