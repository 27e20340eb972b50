"""Error pages: plain, in the user's language, never a traceback."""

import time

from flask import Flask
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import TooManyRequests

from survey_app.database import DatabaseBusy
from survey_app.domain_error import DomainError
from survey_app.extensions import limiter
from survey_app.input_guard import BadInput
from survey_app.messages import describe


def retry_after(error: TooManyRequests) -> int:
    """Seconds until the rate limit this request broke lets it through again."""
    if isinstance(error.retry_after, int):
        return error.retry_after
    limit = limiter.current_limit
    if limit is None:
        return 60
    # Flask-Limiter rounds reset_at up a second past the window; a client never waits
    # longer than the window itself.
    return min(limit.limit.get_expiry(), max(1, limit.reset_at - int(time.time())))


def busy_retry_after() -> str:
    return str(current_app.config["BUSY_RETRY_AFTER_SECONDS"])


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    @app.errorhandler(DatabaseBusy)
    @app.errorhandler(OperationalError)
    def database_busy(error: DatabaseBusy | OperationalError):
        """Every write path's answer to a database that stayed busy: nothing was written, so
        the same request may simply be sent again."""
        app.logger.warning("database busy: %s", error.__cause__ or error)
        text = _("The system is very busy right now and nothing was saved. Please wait a "
                 "moment and try again.")
        headers = {"Retry-After": busy_retry_after()}
        if wants_json():
            return jsonify(error="busy", message=text), 503, headers
        page = render_template("errors/error.html", title=_("Please try again"), text=text)
        return page, 503, headers

    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        """A refusal no view turned into its own page (a unique index's, typically)."""
        text = describe(error)
        if wants_json():
            return jsonify(error=error.code, message=text), 409
        return render_template("errors/error.html", title=_("Please try again"), text=text), 409

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template(
            "errors/error.html",
            title=_("Please try again"),
            text=_("The page had expired. Go back, reload the page and send it again."),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        texts = {
            403: _("You do not have access to this page."),
            404: _("The page you asked for does not exist."),
            405: _("This action is not allowed here."),
            409: _("This was already done with different content."),
            413: _("The file is too large."),
            429: _("Too many requests. Please wait a minute and try again."),
        }
        text = texts.get(error.code or 500, _("The request could not be handled."))
        if isinstance(error, BadInput):
            text = error.description
        headers = {"Retry-After": str(retry_after(error))} if error.code == 429 else {}
        if request.path.startswith("/api/"):
            # A URL no API route matches (an id past 32 bits, a typo): the API's own shape.
            return jsonify({"error": {"code": error.code, "message": text}}), error.code, headers
        if isinstance(error, BadInput) and wants_json():
            return jsonify(error="bad_input", message=text), 400
        page = render_template("errors/error.html", title=f"{error.code}", text=text)
        return page, error.code, headers

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("unhandled error")
        return render_template(
            "errors/error.html",
            title=_("Something went wrong"),
            text=_("The system could not complete your request. Nothing you sent was "
                   "half-stored. Please try again in a moment."),
        ), 500
