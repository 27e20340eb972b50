"""Two-step sign-in: an administrator or steering account turns it on (or off) for itself; an
administrator turns it off for someone who lost the phone."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from survey_app.access import role_required
from survey_app.admin import bp
from survey_app.clock import now_utc
from survey_app.extensions import db
from survey_app.messages import text
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.people import two_factor
from survey_app.writes import attempt

#: The session key of the secret being set up, kept until the app's first code confirms it.
SETUP = "totp_setup"


class CodeForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"),
                       validators=[DataRequired(), Length(max=16)])


@bp.route("/mat-khau/hai-buoc", methods=["GET", "POST"])
@role_required(Role.steering)
def two_factor_setup():
    """Turn two-step sign-in on: scan the QR code, then confirm with the first code."""
    if current_user.totp_secret:
        return render_template("admin/two_factor.html", form=CodeForm(), setup=None)
    secret = session.setdefault(SETUP, two_factor.new_secret())
    form = CodeForm()
    if form.validate_on_submit() and attempt(lambda: two_factor.turn_on(
            db.session, current_user, secret, form.code.data, now_utc())):
        session.pop(SETUP, None)
        # The session token just changed: sign this browser in again under the new one.
        login_user(current_user._get_current_object())
        flash(_("Two-step sign-in is on. Other sessions have been signed out."))
        return redirect(url_for("admin.own_password"), code=303)
    uri = two_factor.setup_uri(secret, current_user.username, _("Friendly government survey"))
    return render_template("admin/two_factor.html", form=form, setup={
        "qr": two_factor.setup_qr_data_uri(uri), "key": secret})


@bp.post("/mat-khau/hai-buoc/tat")
@role_required(Role.steering)
def two_factor_off():
    """Turn one's own two-step sign-in off, with a current code."""
    form = CodeForm()
    if form.validate_on_submit() and attempt(lambda: two_factor.turn_off_own(
            db.session, current_user, form.code.data, now_utc())):
        flash(_("Two-step sign-in is off."))
        return redirect(url_for("admin.own_password"), code=303)
    if not form.code.data:
        flash(text("totp_wrong_code"), "error")
    return redirect(url_for("admin.two_factor_setup"), code=303)


@bp.post("/tai-khoan/<int:user_id>/hai-buoc/tat")
@role_required()
def account_two_factor_off(user_id: int):
    """An administrator turns someone's two-step sign-in off (a lost phone)."""
    user = db.session.get(User, user_id) or abort(404)
    if attempt(lambda: two_factor.turn_off(db.session, current_user, user)):
        flash(_("Two-step sign-in of %(username)s is off.", username=user.username))
    return redirect(url_for("admin.accounts"), code=303)
