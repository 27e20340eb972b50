"""Field work by the mass organisations: assignments, paper entry, bulk import, offline app."""

from flask import Blueprint

bp = Blueprint("field", __name__, template_folder="templates", url_prefix="/thuc-dia")

# Each module of views registers its routes on ``bp`` when imported.
from survey_app.field import corrections  # noqa: E402,F401
from survey_app.field import import_jobs  # noqa: E402,F401
from survey_app.field import imports  # noqa: E402,F401
from survey_app.field import offline  # noqa: E402,F401
from survey_app.field import quality  # noqa: E402,F401
from survey_app.field import views  # noqa: E402,F401
