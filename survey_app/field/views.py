"""The field worker's home page."""

from flask import render_template

from survey_app.access import role_required
from survey_app.field import bp
from survey_app.models import Role


@bp.get("/")
@role_required(Role.coordinator, Role.surveyor)
def index():
    """Show what the signed-in surveyor or coordinator has to do."""
    return render_template("field/index.html")
