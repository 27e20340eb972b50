"""Sign in and out. A session ends on the server: logout rotates the user's session token.

An account with two-step sign-in gives its password, then a code from its authenticator app:
between the two the session holds only a pending sign-in (no user), which lasts a few minutes.
"""

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
from survey_app.auth.home import may_open
from survey_app.auth.home import start_page
from survey_app.auth.redirects import same_site_path
from survey_app.auth.webforms import CodeForm
from survey_app.auth.webforms import LoginForm
from survey_app.clock import now_utc
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.extensions import login_manager
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.people.accounts import record_failed_sign_in
from survey_app.services.people.accounts import record_sign_in
from survey_app.services.people.sign_in import authenticate
from survey_app.services.people.two_factor import check_code
from survey_app.writes import attempt

login_manager.login_view = "auth.login"
login_manager.login_message = None
# "strong" would sign officials out whenever a mobile network changes their address.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.session_token == session_token, User.is_enabled.is_(True))
    )


#: The session key of a sign-in waiting for its code, and how long it waits.
PENDING = "pending_sign_in"
PENDING_SECONDS = 300


def username_key() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()


def pending_key() -> str:
    """Code guesses are counted per account too, from whichever address they come."""
    return "login-code:" + str((session.get(PENDING) or {}).get("token", ""))


def home_for(user: User, wanted: str = "") -> str:
    """Where ``user`` goes after signing in: the page it asked for if its role may open
    it, else its role's start page."""
    target = same_site_path(wanted)
    return target if target and may_open(user, target) else start_page(user)


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], key_func=username_key)
def login():
    """Sign a staff member in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data, form.password.data)
        if user is None:
            attempt(lambda: record_failed_sign_in(db.session, form.username.data))
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        target = home_for(user, request.args.get("next", ""))
        session.clear()
        if user.totp_secret:
            session[PENDING] = {"token": user.session_token, "next": target,
                                "until": now_utc().timestamp() + PENDING_SECONDS}
            return redirect(url_for("auth.code"))
        return signed_in(user, target)
    return render_template("auth/login.html", form=form)


@bp.route("/dang-nhap/ma", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], key_func=pending_key)
def code():
    """The second step: the code from the authenticator app of an account that has one."""
    pending = session.get(PENDING) or {}
    user = None
    if pending.get("until", 0) > now_utc().timestamp():
        user = db.session.scalar(select(User).where(
            User.session_token == pending.get("token"), User.is_enabled.is_(True)))
    if user is None or not user.totp_secret:
        session.pop(PENDING, None)
        flash(_("Please sign in again."), "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if attempt(lambda: check_code(db.session, user, form.code.data, now_utc())):
            session.pop(PENDING)
            return signed_in(user, pending["next"])
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form)


def signed_in(user: User, target: str):
    with unit_of_work(db.session):
        record_sign_in(db.session, user)
    login_user(user)
    return redirect(target)


@bp.post("/dang-xuat")
@login_required
def logout():
    """Sign out everywhere: the old session cookie stops working on the server."""
    with unit_of_work(db.session):
        current_user.end_sessions()
        trail.record(db.session, current_user, Action.SIGN_OUT,
                     target=("user", current_user.id))
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
