"""Accounts: admins manage everyone; a coordinator manages its own organisation's surveyors."""

from __future__ import annotations

import secrets

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_user
from flask_wtf import FlaskForm
from sqlalchemy import or_
from sqlalchemy import select
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional

from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.collation import by_name
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.inputs import parse_id
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Province
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.people.accounts import Scope
from survey_app.services.people.accounts import assignable_roles
from survey_app.services.people.accounts import create_account
from survey_app.services.people.accounts import ensure_organisations
from survey_app.services.people.accounts import manageable_users
from survey_app.services.people.accounts import normalise_username
from survey_app.services.people.accounts import set_enabled
from survey_app.services.people.accounts import set_password
from survey_app.services.people.accounts import update_account
from survey_app.services.people.two_factor import may_use as may_use_two_factor
from survey_app.writes import attempt

AREAS.append(("admin.accounts", _l("Accounts and roles")))

ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.steering: _l("Steering committee"),
    Role.grouping: _l("District or cluster"),
    Role.commune_official: _l("Commune official"),
    Role.coordinator: _l("Organisation coordinator"),
    Role.surveyor: _l("Surveyor"),
}
class NewPassword:
    """A password and its confirmation, shared by the account forms."""

    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", message=_l("The two passwords differ."))])


class AccountForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"))
    # The service checks that the units exist and fit the role.
    province_id = SelectField(_l("Province"), coerce=int, validate_choice=False, default=0)
    grouping_id = SelectField(_l("District or cluster"), coerce=int, validate_choice=False,
                              default=0)
    commune_id = SelectField(_l("Commune"), coerce=int, validate_choice=False, default=0)
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False,
                                  default=0)

    def scope(self) -> Scope:
        fields = ("province_id", "grouping_id", "commune_id", "organisation_id")
        return Scope(**{name: getattr(self, name).data or None for name in fields
                        if name in self})


class NewAccountForm(AccountForm, NewPassword):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])


class PasswordForm(FlaskForm, NewPassword):
    pass


class OwnPasswordForm(FlaskForm, NewPassword):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


def working_provinces() -> list[Province]:
    """Provinces that run a campaign (all of them when none does yet), for the unit lists."""
    running = select(Campaign.province_id)
    provinces = list(db.session.scalars(
        select(Province).where(Province.id.in_(running)).order_by(Province.name)))
    return provinces or list(db.session.scalars(select(Province).order_by(Province.name)))


def fill_choices(form: AccountForm, user: User | None = None) -> None:
    """Fill the role and unit lists; a coordinator's surveyors take its own role and scope."""
    if is_coordinator():
        for name in ("role", "province_id", "grouping_id", "commune_id", "organisation_id"):
            del form[name]
        return
    provinces = working_provinces()
    if user is not None and user.province and user.province not in provinces:
        provinces.append(user.province)
    ids = [p.id for p in provinces]
    none = [(0, "—")]
    # Administrator last, so that a hurried form never makes one by default.
    roles = sorted(assignable_roles(current_user), key=lambda r: r is Role.admin)
    form.role.choices = [(r.value, str(ROLE_LABELS[r])) for r in roles]
    form.province_id.choices = none + [(p.id, p.name) for p in provinces]
    form.grouping_id.choices = none + [
        (g.id, f"{g.name} · {g.province.name}") for g in db.session.scalars(
            select(Grouping).where(Grouping.province_id.in_(ids)).order_by(Grouping.name))]
    form.commune_id.choices = none + [
        (c.id, f"{c.name} · {c.province.name}") for c in by_name(db.session.scalars(
            select(Commune).where(or_(Commune.province_id.in_(ids),
                                      Commune.id == (user.commune_id if user else None)))),
            lambda c: c.name)]
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name))
    form.organisation_id.choices = none + [(o.id, o.name) for o in organisations]


def chosen_role(form: AccountForm) -> Role:
    return Role(form.role.data) if "role" in form else Role.surveyor


def managed_user(user_id: int) -> User:
    user = db.session.scalar(manageable_users(current_user).where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def is_coordinator() -> bool:
    return current_user.role is Role.coordinator


@bp.get("/tai-khoan")
@role_required(Role.coordinator)
def accounts():
    """List the accounts the signed-in user manages, with filters."""
    query = manageable_users(current_user)
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    organisation_id = request.args.get("organisation", type=parse_id)
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    text = request.args.get("q", "").strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(User.username.ilike(like), User.full_name.ilike(like)))
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    return render_template("admin/accounts.html", users=list(db.session.scalars(query)),
                           roles=ROLE_LABELS, organisations=organisations, role=role,
                           organisation_id=organisation_id, text=text)


@bp.route("/tai-khoan/moi", methods=["GET", "POST"])
@role_required(Role.coordinator)
def account_new():
    """Create an account with its role and scope (a surveyor, for a coordinator)."""
    if not is_coordinator():
        with unit_of_work(db.session):
            ensure_organisations(db.session)
    form = NewAccountForm()
    fill_choices(form)
    if form.validate_on_submit():
        password = form.password.data or generated_password()
        generated = None if form.password.data else password
        if attempt(lambda: create_account(
                db.session, current_user, username=form.username.data,
                full_name=form.full_name.data, role=chosen_role(form), password=password,
                scope=form.scope(), one_time=generated is not None)):
            flash(_("Account %(username)s created.",
                    username=normalise_username(form.username.data)))
            if generated:
                flash(_("Its password, shown only now: %(password)s", password=generated))
            return redirect(url_for("admin.accounts"), code=303)
    return render_template("admin/account_form.html", form=form, user=None,
                           coordinator=is_coordinator())


@bp.route("/tai-khoan/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.coordinator)
def account_edit(user_id: int):
    """Change an account's name, role and scope."""
    user = managed_user(user_id)
    form = AccountForm(obj=user if request.method == "GET" else None)
    fill_choices(form, user)
    if request.method == "GET" and not is_coordinator():
        form.role.data = user.role.value
        for name in ("province_id", "grouping_id", "commune_id", "organisation_id"):
            getattr(form, name).data = getattr(user, name) or 0
    if form.validate_on_submit() and attempt(lambda: update_account(
            db.session, current_user, managed_user(user_id), full_name=form.full_name.data,
            role=chosen_role(form), scope=form.scope())):
        flash(_("Account %(username)s saved.", username=user.username))
        return redirect(url_for("admin.accounts"), code=303)
    return render_template("admin/account_form.html", form=form, user=user,
                           coordinator=is_coordinator())


@bp.post("/tai-khoan/<int:user_id>/trang-thai")
@role_required(Role.coordinator)
def account_status(user_id: int):
    """Enable or disable an account; disabling signs it out everywhere at once."""
    enabled = request.form.get("enabled") == "1"
    user = managed_user(user_id)
    if attempt(lambda: set_enabled(db.session, current_user, managed_user(user_id), enabled)):
        flash(_("Account %(username)s enabled.", username=user.username) if enabled else
              _("Account %(username)s disabled and signed out.", username=user.username))
    return redirect(url_for("admin.accounts"), code=303)


@bp.route("/tai-khoan/<int:user_id>/mat-khau", methods=["GET", "POST"])
@role_required(Role.coordinator)
def account_password(user_id: int):
    """Give an account a new password (typed, or made up and shown once)."""
    user = managed_user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        password = form.password.data or generated_password()
        if attempt(lambda: set_password(db.session, current_user, managed_user(user_id),
                                        password, one_time=not form.password.data)):
            flash(_("New password of %(username)s saved; its sessions have ended.",
                    username=user.username))
            if not form.password.data:
                flash(_("The new password, shown only now: %(password)s", password=password))
            return redirect(url_for("admin.accounts"), code=303)
    return render_template("admin/account_password.html", form=form, user=user)


@bp.route("/mat-khau", methods=["GET", "POST"])
@role_required(*Role)
def own_password():
    """Change one's own password; every other session of the account ends."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            flash(_("The current password is wrong."), "error")
        elif not form.password.data:
            flash(_("Please type the new password."), "error")
        elif attempt(lambda: set_password(db.session, current_user, current_user,
                                          form.password.data)):
            # The token just changed: sign this browser in again under the new one.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other sessions have been signed out."))
            return redirect(url_for("admin.own_password"), code=303)
    return render_template("admin/own_password.html", form=form,
                           two_factor=may_use_two_factor(current_user))


def generated_password() -> str:
    """A random password easy to read out: three groups of four letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
