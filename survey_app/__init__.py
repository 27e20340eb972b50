"""The survey platform: ``create_app`` builds a configured Flask application."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask
from flask import has_request_context
from flask import request

from survey_app import logs
from survey_app import metrics
from survey_app import static_assets
from survey_app import web_security
from survey_app.config import Config
from survey_app.extensions import babel
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.extensions import login_manager
from survey_app.extensions import migrate

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
#: Parsed once: Flask-Babel parses a string from the selector on every request.
LOCALES = {code: Locale.parse(code) for code in ("vi", "en")}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults, SURVEY_* environment variables and ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("SURVEY")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/survey.db"
    web_security.init_app(app)
    static_assets.init_app(app)
    # Before the extensions: a request the rate limit refuses is still logged and counted.
    logs.init_app(app)
    metrics.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)

    from survey_app import database
    from survey_app import models  # noqa: F401  (the whole schema, for Alembic)
    from survey_app.services.intake import live_links
    from survey_app.services.intake import scan_counts

    with app.app_context():
        database.configure_engine(db.engine, app.config["DATABASE_BUSY_TIMEOUT_MS"])
        scan_counts.init_app(app, db.engine)
    live_links.init_app(app)
    from survey_app.services.results import kept

    kept.init_app(app)
    from survey_app import job_queue

    job_queue.init_app(app)

    from survey_app import admin
    from survey_app import api
    from survey_app import auth
    from survey_app import cli
    from survey_app import dashboard
    from survey_app import errors
    from survey_app import field
    from survey_app import input_guard
    from survey_app import jobs
    from survey_app import public
    from survey_app import recognition

    input_guard.register(app)  # before the blueprints: it changes what <int:...> matches
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(field.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(recognition.bp)
    app.register_blueprint(jobs.bp)
    errors.register(app)
    cli.register(app)
    register_template_helpers(app)
    return app


def instance_secret(path: Path) -> str:
    """This installation's own random key, made on first start and kept private."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def select_locale() -> Locale:
    """Vietnamese unless the user explicitly asked for another language with ?lang=; a
    command, outside any request, speaks Vietnamese too."""
    if not has_request_context():
        return LOCALES["vi"]
    return LOCALES.get(request.args.get("lang", "vi"), LOCALES["vi"])


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from survey_app.clock import vietnam_time_text
    from survey_app.menu import staff_menu

    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["staff_menu"] = staff_menu
    app.jinja_env.filters["vietnam_time"] = vietnam_time_text
