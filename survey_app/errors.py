"""Error pages: plain, in the user's language, never a traceback."""

import time

from flask import Flask
from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import TooManyRequests

from survey_app.extensions import limiter


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


def register(app: Flask) -> None:
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
        page = render_template("errors/error.html", title=f"{error.code}", text=text)
        if error.code == 429:
            return page, 429, {"Retry-After": str(retry_after(error))}
        return page, error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("unhandled error")
        return render_template(
            "errors/error.html",
            title=_("Something went wrong"),
            text=_("The system could not complete your request. Nothing you sent was "
                   "half-stored. Please try again in a moment."),
        ), 500
