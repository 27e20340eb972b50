"""Administration: units, forms, campaigns, collection points and posters, accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/quan-tri")

#: (endpoint, label) of each administration area, shown on the admin home page.
#: A module of admin views appends its own entry when it is imported.
AREAS: list[tuple[str, object]] = []

from survey_app.admin import accounts  # noqa: E402,F401
from survey_app.admin import assignments  # noqa: E402,F401
from survey_app.admin import audit  # noqa: E402,F401
from survey_app.admin import campaigns  # noqa: E402,F401
from survey_app.admin import forms  # noqa: E402,F401
from survey_app.admin import integrity_rules  # noqa: E402,F401
from survey_app.admin import people_import  # noqa: E402,F401
from survey_app.admin import points  # noqa: E402,F401
from survey_app.admin import poster_jobs  # noqa: E402,F401
from survey_app.admin import rulebooks  # noqa: E402,F401
from survey_app.admin import two_factor  # noqa: E402,F401
from survey_app.admin import units  # noqa: E402,F401
from survey_app.admin import views  # noqa: E402,F401
