"""Flask extensions, created unbound and initialised in the app factory."""

import flask_limiter
from flask import request
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from survey_app.orm import Base


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, whose check before each request skips the citizen's pages: they count
    their one limit themselves (``rate_limits.hit``), and that check cost each of a
    citizen's two requests a tenth of a millisecond to find it had nothing to do."""

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if in_middleware and request.blueprint == "public":
            return
        super()._check_request_limit(callable_name, in_middleware)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)
