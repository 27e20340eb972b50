"""Campaigns: make one (or copy last year's), its forms and windows, targets, points.

For administrators only. Every write is a service call in a unit of work; a refusal is
flashed in the user's words and nothing is saved.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField
from wtforms import DateField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Form
from survey_app.models import Province
from survey_app.services.audit.actions import Action
from survey_app.services.campaigns import campaigns as service
from survey_app.services.campaigns import windows
from survey_app.services.campaigns.points import make_points
from survey_app.services.campaigns.points import parse_counters
from survey_app.services.campaigns.targets import target_sheet
from survey_app.services.intake.live_links import cache as live_links
from survey_app.writes import attempt

AREAS.append(("admin.campaigns", _l("Campaigns")))

ALL_FORMS = "*"


class CampaignCreateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("e.g. \"Năm 2027\""))
    province = SelectField(_l("Province"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2199)])
    copy = BooleanField(_l("Copy the forms, windows and targets of the province's previous "
                           "campaign"))


class FormAddForm(FlaskForm):
    form_code = SelectField(_l("Form"), validators=[DataRequired()])
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on (inclusive)"), validators=[Optional()])
    sample_target = IntegerField(_l("Sample target per commune"), default=30,
                                 validators=[DataRequired(), NumberRange(1, service.MAX_TARGET)])


class FormChangeForm(FlaskForm):
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on (inclusive)"), validators=[DataRequired()])
    sample_target = IntegerField(_l("Sample target per commune"),
                                 validators=[DataRequired(), NumberRange(1, service.MAX_TARGET)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(),
                                                     Length(max=windows.MAX_REASON)])


class PointsForm(FlaskForm):
    counters = TextAreaField(_l("Communes with more than one counter (optional)"),
                             validators=[Length(max=20_000)],
                             description=_l("One line per commune: its code and its number "
                                            "of counters, e.g. \"25112, 2\"."))


def create_form() -> CampaignCreateForm:
    form = CampaignCreateForm()
    form.province.choices = [(p.id, p.name) for p in
                             db.session.scalars(select(Province).order_by(Province.name))]
    if form.year.data is None and request.method == "GET":
        form.year.data = today_in_vietnam().year
    return form


def add_form(campaign: Campaign) -> FormAddForm:
    form = FormAddForm()
    present = {cf.form_id for cf in campaign.forms}
    choices = [(f.code, f"{f.code} · {f.title}") for f in db.session.scalars(
        select(Form).where(Form.is_retired.is_(False)).order_by(Form.code))
        if f.id not in present]
    form.form_code.choices = (
        [(ALL_FORMS, _("Every form not yet added, in its quarter"))] if choices else []) + choices
    return form


def get_campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def get_campaign_form(campaign_form_id: int) -> CampaignForm:
    return db.session.get(CampaignForm, campaign_form_id) or abort(404)


def back_to(campaign_id: int, anchor: str | None = None):
    return redirect(url_for("admin.campaign", campaign_id=campaign_id, _anchor=anchor))


def flash_errors(form: FlaskForm) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


@bp.get("/dot-khao-sat/")
@role_required()
def campaigns():
    """Every campaign, newest year first, and the form to make a new one."""
    listed = db.session.scalars(select(Campaign).join(Province).order_by(
        Campaign.year.desc().nulls_last(), Province.name, Campaign.name)).all()
    return render_template("admin/campaigns/index.html", campaigns=listed,
                           today=today_in_vietnam(), form=create_form())


@bp.post("/dot-khao-sat/")
@role_required()
def campaign_create():
    """Make a campaign from scratch or as a copy of the province's previous one."""
    form = create_form()
    if not form.validate_on_submit():
        flash_errors(form)
        return render_template("admin/campaigns/index.html", form=form, today=today_in_vietnam(),
                               campaigns=db.session.scalars(select(Campaign)).all()), 400
    province = db.session.get(Province, form.province.data) or abort(404)
    make = service.copy_previous if form.copy.data else service.create_campaign
    campaign = attempt(lambda: make(db.session, name=form.name.data, province=province,
                                    year=form.year.data),
                       lambda made: service.record_change(
                           db.session, current_user, Action.CAMPAIGN_CREATED, made,
                           name=made.name, year=made.year, copied=bool(form.copy.data)))
    if campaign is None:
        return redirect(url_for("admin.campaigns"))
    flash(_("Campaign %(name)s created. Add its forms, then make its collection points.",
            name=campaign.name))
    return back_to(campaign.id)


@bp.get("/dot-khao-sat/<int:campaign_id>")
@role_required()
def campaign(campaign_id: int):
    """A campaign: its forms, which are open today and their answers; changes; points."""
    campaign = get_campaign(campaign_id)
    today = today_in_vietnam()
    states = service.campaign_forms(db.session, campaign, today)
    presets = {}
    if campaign.year is not None:
        presets = {code: service.quarter_window(code, campaign.year) for code in service.QUARTERS}
    return render_template(
        "admin/campaigns/campaign.html", campaign=campaign, states=states, today=today,
        add=add_form(campaign), presets=presets, reason_form=ReasonForm(),
        points_form=PointsForm(),
        changes=sorted((c for s in states for c in s.campaign_form.window_changes),
                       key=lambda c: c.changed_at, reverse=True),
    )


@bp.post("/dot-khao-sat/<int:campaign_id>/phieu")
@role_required()
def campaign_form_add(campaign_id: int):
    """Add a form (or every form, each in its quarter) to the campaign."""
    campaign = get_campaign(campaign_id)
    form = add_form(campaign)
    if not form.validate_on_submit():
        flash_errors(form)
        return back_to(campaign.id)
    target = form.sample_target.data
    if form.form_code.data == ALL_FORMS:
        chosen = list(db.session.scalars(select(Form).order_by(Form.code)))
        added = attempt(lambda: service.add_forms_by_quarter(db.session, campaign, chosen,
                                                             sample_target=target),
                        lambda made: service.record_change(
                            db.session, current_user, Action.CAMPAIGN_FORMS_ADDED, campaign,
                            forms=[cf.form.code for cf in made], sample_target=target))
        if added is not None:
            flash(_("%(count)s forms added, each in its quarter.", count=len(added)))
        return back_to(campaign.id)
    chosen_form = db.session.scalar(select(Form).where(Form.code == form.form_code.data))
    window = (form.opens_on.data, form.closes_on.data)
    if None in window:
        preset = service.quarter_window(chosen_form.code, campaign.year or today_in_vietnam().year)
        if preset is None:
            flash(_("%(form)s has no quarter in the programme: give its dates.",
                    form=chosen_form.code), "error")
            return back_to(campaign.id)
        window = (form.opens_on.data or preset[0], form.closes_on.data or preset[1])
    added = attempt(lambda: service.add_form(db.session, campaign, chosen_form,
                                             opens_on=window[0], closes_on=window[1],
                                             sample_target=target),
                    lambda made: service.record_change(
                        db.session, current_user, Action.CAMPAIGN_FORMS_ADDED, campaign, made))
    if added is not None:
        live_links().clear()
        flash(_("%(form)s added to the campaign.", form=chosen_form.code))
    return back_to(campaign.id, f"form-{added.id}" if added else None)


@bp.post("/dot-khao-sat/phieu/<int:campaign_form_id>")
@role_required()
def campaign_form_save(campaign_form_id: int):
    """Change a form's window or sample target."""
    campaign_form = get_campaign_form(campaign_form_id)
    form = FormChangeForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif attempt(lambda: service.change_form(
            db.session, campaign_form, opens_on=form.opens_on.data,
            closes_on=form.closes_on.data, sample_target=form.sample_target.data) or True,
            lambda _made: service.record_change(db.session, current_user,
                                                Action.CAMPAIGN_FORM_CHANGED,
                                                campaign_form.campaign, campaign_form)):
        live_links().clear()
        flash(_("%(form)s saved.", form=campaign_form.form.code))
    return back_to(campaign_form.campaign_id, f"form-{campaign_form.id}")


@bp.post("/dot-khao-sat/phieu/<int:campaign_form_id>/xoa")
@role_required()
def campaign_form_remove(campaign_form_id: int):
    """Take a form out of the campaign; refused once it has answers."""
    campaign_form = get_campaign_form(campaign_form_id)
    campaign_id, code = campaign_form.campaign_id, campaign_form.form.code
    campaign = campaign_form.campaign
    if attempt(lambda: service.remove_form(db.session, campaign_form) or True,
               lambda _made: service.record_change(db.session, current_user,
                                                   Action.CAMPAIGN_FORM_REMOVED, campaign,
                                                   form=code)):
        live_links().clear()
        flash(_("%(form)s removed from the campaign.", form=code))
    return back_to(campaign_id)


@bp.post("/dot-khao-sat/phieu/<int:campaign_form_id>/mo")
@role_required()
def campaign_form_open(campaign_form_id: int):
    """Open a form from today, before its planned day, with a reason."""
    campaign_form = get_campaign_form(campaign_form_id)
    reason = ReasonForm()
    if attempt(lambda: windows.open_now(db.session, campaign_form, today=today_in_vietnam(),
                                        reason=reason.reason.data or "",
                                        user_id=current_user.id) or True,
               lambda _made: service.record_change(
                   db.session, current_user, Action.CAMPAIGN_FORM_OPENED,
                   campaign_form.campaign, campaign_form, reason=reason.reason.data)):
        live_links().clear()
        flash(_("%(form)s is open from today.", form=campaign_form.form.code))
    return back_to(campaign_form.campaign_id, f"form-{campaign_form.id}")


@bp.post("/dot-khao-sat/phieu/<int:campaign_form_id>/dong")
@role_required()
def campaign_form_close(campaign_form_id: int):
    """Close a form before its planned day, with a reason."""
    campaign_form = get_campaign_form(campaign_form_id)
    reason = ReasonForm()
    today = today_in_vietnam()
    last = attempt(lambda: windows.close_now(db.session, campaign_form, today=today,
                                             reason=reason.reason.data or "",
                                             user_id=current_user.id),
                   lambda _last: service.record_change(
                       db.session, current_user, Action.CAMPAIGN_FORM_CLOSED,
                       campaign_form.campaign, campaign_form, reason=reason.reason.data))
    if last is not None:
        # This worker forgets its cached links now; others within LIVE_LINK_CACHE_SECONDS.
        live_links().clear()
        if last >= today:
            flash(_("%(form)s received answers today: it takes answers until the end of today "
                    "and is closed from tomorrow.", form=campaign_form.form.code))
        else:
            flash(_("%(form)s is closed.", form=campaign_form.form.code))
    return back_to(campaign_form.campaign_id, f"form-{campaign_form.id}")


@bp.get("/dot-khao-sat/<int:campaign_id>/co-mau")
@role_required()
def campaign_targets(campaign_id: int):
    """The sample-size helper: each commune's suggested target for each form."""
    campaign = get_campaign(campaign_id)
    return render_template("admin/campaigns/targets.html", campaign=campaign,
                           sheet=target_sheet(db.session, campaign), form=FlaskForm())


@bp.post("/dot-khao-sat/<int:campaign_id>/co-mau")
@role_required()
def campaign_targets_save(campaign_id: int):
    """Save the targets the administrator chose on the helper's page."""
    campaign = get_campaign(campaign_id)
    chosen = {}
    for campaign_form in campaign.forms:
        raw = (request.form.get(f"target-{campaign_form.id}") or "").strip()
        if not raw:
            continue
        if not raw.isascii() or not raw.isdigit():
            flash(_("%(form)s: the target must be a whole number.",
                    form=campaign_form.form.code), "error")
            return redirect(url_for("admin.campaign_targets", campaign_id=campaign.id))
        chosen[campaign_form] = int(raw)

    def save() -> int:
        for campaign_form, target in chosen.items():
            service.change_form(db.session, campaign_form, opens_on=campaign_form.opens_on,
                                closes_on=campaign_form.closes_on, sample_target=target)
        return len(chosen)

    saved = attempt(save, lambda _count: service.record_change(
        db.session, current_user, Action.CAMPAIGN_TARGETS_SET, campaign,
        targets={cf.form.code: target for cf, target in chosen.items()}))
    if saved is not None:
        flash(_("Targets saved for %(count)s forms.", count=saved))
        return back_to(campaign.id)
    return redirect(url_for("admin.campaign_targets", campaign_id=campaign.id))


@bp.post("/dot-khao-sat/<int:campaign_id>/diem-thu-thap")
@role_required()
def campaign_points(campaign_id: int):
    """Make the campaign's missing collection points; its posters are then printed."""
    campaign = get_campaign(campaign_id)
    form = PointsForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return back_to(campaign.id, "points")
    report = attempt(lambda: make_points(db.session, campaign,
                                         parse_counters(form.counters.data or "")),
                     lambda made: service.record_change(
                         db.session, current_user, Action.POINTS_CREATED, campaign,
                         created=made.created, kept=made.kept))
    if report is not None:
        flash(_("%(created)s collection points made, %(kept)s already there, in %(communes)s "
                "communes for %(forms)s forms. Print their posters below.",
                created=report.created, kept=report.kept, communes=report.communes,
                forms=report.forms))
    return back_to(campaign.id, "points")

