"""A one-time password (handed out in bulk, or made up by an admin) is replaced first.

Until the account has chosen its own password, every page but this one and signing out sends
it here: the one-time password opens nothing else.
"""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from survey_app.auth import bp
from survey_app.auth.views import home_for
from survey_app.extensions import db
from survey_app.services.people.accounts import set_password
from survey_app.writes import attempt

#: What an account with a one-time password may still open.
ALLOWED = {"auth.first_password", "auth.logout", "static", "public.home"}


class FirstPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


@bp.before_app_request
def one_time_password_first():
    # Without a signed-in session (every citizen) there is no account to load.
    if "_user_id" not in session:
        return None
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ALLOWED):
        return redirect(url_for("auth.first_password"))
    return None


@bp.route("/dang-nhap/mat-khau-moi", methods=["GET", "POST"])
@login_required
def first_password():
    """Choose one's own password in place of the one-time one."""
    if not current_user.must_change_password:
        return redirect(home_for(current_user))
    form = FirstPasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if attempt(lambda: set_password(db.session, user, user, form.password.data)):
            # The session token changed with the password: sign in again under the new one.
            login_user(user)
            flash(_("Your password is saved. Welcome!"))
            return redirect(home_for(user))
    return render_template("auth/first_password.html", form=form)
