"""Sign in and out. A session ends on the server: logout rotates the user's session token."""

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from sqlalchemy import select

from survey_app.auth import bp
from survey_app.auth.webforms import LoginForm
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.extensions import login_manager
from survey_app.models import User
from survey_app.services.people.accounts import record_sign_in

login_manager.login_view = "auth.login"
login_manager.login_message = None
# "strong" would sign officials out whenever a mobile network changes their address.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.session_token == session_token, User.is_enabled.is_(True))
    )


def username_key() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()


def home_for(user: User) -> str:
    """Where a user lands after signing in: the first area its role may open."""
    for endpoint in ("dashboard.index", "field.index", "admin.index"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("public.home")


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], key_func=username_key)
def login():
    """Sign a staff member in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.username == form.username.data.strip().lower())
        )
        if user is None or not user.is_enabled or not user.check_password(form.password.data):
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        with unit_of_work(db.session):
            record_sign_in(db.session, user.id)
        login_user(user)
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = home_for(user)
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    """Sign out everywhere: the old session cookie stops working on the server."""
    with unit_of_work(db.session):
        current_user.end_sessions()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
