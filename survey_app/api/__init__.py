"""Read-only JSON: campaign summaries and per-commune results (documented in docs/API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from survey_app.api import views  # noqa: E402,F401
