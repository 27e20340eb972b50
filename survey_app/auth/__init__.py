from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from survey_app.auth import first_password  # noqa: E402,F401
from survey_app.auth import home  # noqa: E402,F401
from survey_app.auth import views  # noqa: E402,F401
