"""The administration home page; each area adds its own module of views."""

from flask import render_template

from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp


@bp.get("/")
@role_required()
def index():
    """List the administration areas."""
    return render_template("admin/index.html", admin_areas=AREAS)
