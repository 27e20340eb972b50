"""Field work: the surveyor's home, fast paper entry, surveyor assignments and progress."""

from __future__ import annotations

import uuid
from functools import partial

from flask import Response as HttpResponse
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import func
from sqlalchemy import select
from wtforms import ValidationError

from forms import FormDefinition
from survey_app.access import role_required
from survey_app.clock import today_in_vietnam
from survey_app.collation import by_name
from survey_app.database import DatabaseBusy
from survey_app.database import unit_of_work
from survey_app.errors import busy_retry_after
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.offline import asset_url
from survey_app.inputs import BadJson
from survey_app.inputs import load_json
from survey_app.inputs import parse_id
from survey_app.messages import describe
from survey_app.models import Campaign
from survey_app.models import Channel
from survey_app.models import FormVersion
from survey_app.models import Organisation
from survey_app.models import Response
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.intake.paradata import entry_batch
from survey_app.services.intake.paradata import record_entry
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Conflict
from survey_app.services.intake.take import IdenticalResend
from survey_app.services.intake.take import Stored
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import choose_version
from survey_app.services.intake.take import take
from survey_app.services.intake.take import valid_submission_id
from survey_app.services.people.assignments import EntryTarget
from survey_app.services.people.assignments import assign_surveyor
from survey_app.services.people.assignments import campaign_communes
from survey_app.services.people.assignments import entry_targets
from survey_app.services.people.assignments import find_entry_target
from survey_app.services.people.assignments import manageable_surveyors
from survey_app.services.people.assignments import organisation_map
from survey_app.services.people.assignments import surveyor_communes
from survey_app.services.people.assignments import user_campaigns
from survey_app.services.results import coordination as coordination_service
from survey_app.services.results.progress import campaign_progress
from survey_app.services.results.progress import collected_counts
from survey_app.writes import attempt

#: A page's paradata beyond this is not paradata (a few hundred bytes per form are usual).
MAX_PARADATA_CHARS = 20_000
#: The channels a field worker enters responses under, by their URL spelling.
ENTRY_CHANNELS = {"giay": Channel.paper, "phong-van": Channel.field}


def chosen_campaign(campaigns: list[Campaign]) -> Campaign | None:
    """The campaign picked with ?campaign=, else the newest with a form open today."""
    wanted = request.args.get("campaign", type=int)
    for campaign in campaigns:
        if campaign.id == wanted:
            return campaign
    today = today_in_vietnam()
    open_now = [c for c in campaigns if any(cf.is_open_on(today) for cf in c.forms)]
    return (open_now or campaigns or [None])[0]


def own_campaign(campaign_id: int) -> Campaign:
    """The campaign, if it belongs to the user's province (any, for an admin); else 404."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if current_user.role is not Role.admin and campaign.province_id != current_user.province_id:
        abort(404)
    return campaign


@bp.get("/")
@role_required(Role.coordinator, Role.surveyor)
def index():
    """Show what the signed-in surveyor or coordinator has to do in the chosen campaign."""
    campaigns = user_campaigns(db.session, current_user)
    campaign = chosen_campaign(campaigns)
    targets: list[EntryTarget] = []
    counts: dict = {}
    mine: dict = {}
    if campaign is not None:
        targets = entry_targets(db.session, current_user, campaign, today_in_vietnam())
        counts = collected_counts(db.session, campaign, sorted({t.commune.id for t in targets}))
        mine = entered_by_me(campaign)
    return render_template("field/index.html", campaigns=campaigns, campaign=campaign,
                           targets=targets, counts=counts, mine=mine, links=home_links(campaign))


def home_links(campaign: Campaign | None) -> list[tuple[str, str, str]]:
    """(url, title, hint) of the other field pages this user may open."""
    query = {"campaign": campaign.id} if campaign else {}
    links = [
        ("field.imports", {}, _("Import paper forms from a file"),
         _("Upload a filled-in CSV or Excel template; it is checked row by row first.")),
        ("field.offline", {}, _("Offline forms"),
         _("Install the forms on a phone and fill them in without a network.")),
        ("field.sheets", query, _("Sheets entered"),
         _("Void a sheet entered in error, or correct it, with a reason.")),
    ]
    if current_user.role is not Role.surveyor:
        links = [
            ("field.assignments", query, _("Surveyors and their communes"),
             _("Choose which communes each surveyor covers.")),
            ("admin.accounts", {}, _("Surveyor accounts"),
             _("Create accounts, reset passwords, disable an account.")),
            ("field.progress", query, _("Progress"),
             _("Responses collected against the sample target.")),
            *links,
        ]
    return [(url_for(endpoint, **args), title, hint) for endpoint, args, title, hint in links
            if endpoint in current_app.view_functions]


def entered_by_me(campaign: Campaign) -> dict[tuple[int, int], int]:
    rows = db.session.execute(
        select(Response.commune_id, Response.form_id, func.count(Response.id))
        .where(Response.campaign_id == campaign.id, Response.entered_by_id == current_user.id,
               Response.standing())
        .group_by(Response.commune_id, Response.form_id)
    )
    return {(c, f): n for c, f, n in rows}


ENTRY_URL = "/chien-dich/<int:campaign_id>/xa/<int:commune_id>/phieu/<int:form_id>"


def entry_target(campaign_id: int, commune_id: int, form_id: int) -> EntryTarget:
    """The (commune, form) pair if the user may enter it today; 403 otherwise."""
    campaign = own_campaign(campaign_id)
    target = find_entry_target(db.session, current_user, campaign, commune_id, form_id,
                               today_in_vietnam())
    if target is None:
        abort(403)
    return target


def render_entry(target: EntryTarget, version: FormVersion, *, saved: int, channel: str,
                 batch: str, answers=None, errors=None, submission_id=None, alert=None,
                 status=200):
    mine = db.session.scalar(
        select(func.count(Response.id)).where(
            Response.campaign_id == target.campaign_form.campaign_id,
            Response.commune_id == target.commune.id, Response.form_id == target.form.id,
            Response.entered_by_id == current_user.id, Response.standing())
    )
    return render_template(
        "field/entry.html", target=target, version=version, definition=version.parsed,
        saved=saved, channel=channel, channels=ENTRY_CHANNELS, mine=mine, batch=batch,
        paradata_script=asset_url("paradata.js"),
        last=request.args.get("last", type=int),
        answers=answers or {},
        errors={qid: describe(error) for qid, error in (errors or {}).items()},
        submission_id=submission_id or str(uuid.uuid4()), alert=alert,
    ), status


def entry_channel(value: str | None) -> str:
    return value if value in ENTRY_CHANNELS else "giay"


@bp.get(ENTRY_URL)
@role_required(Role.coordinator, Role.surveyor)
def entry(campaign_id: int, commune_id: int, form_id: int):
    """Show a blank form to type one paper sheet, with the count saved in this batch."""
    target = entry_target(campaign_id, commune_id, form_id)
    version = target.form.current_version()
    if version is None or target.form.is_retired:
        abort(404)
    # A batch is one sitting at the entry page: it begins without ?batch= and goes on as
    # long as the page carries its id from sheet to sheet.
    return render_entry(target, version, saved=max(request.args.get("saved", 0, type=int), 0),
                        channel=entry_channel(request.args.get("channel")),
                        batch=entry_batch(request.args.get("batch")))


@bp.post(ENTRY_URL)
@csrf.exempt
@role_required(Role.coordinator, Role.surveyor)
def entry_submit(campaign_id: int, commune_id: int, form_id: int):
    """Store one typed sheet and show the next blank one; a resend is not stored twice."""
    target = entry_target(campaign_id, commune_id, form_id)
    current = target.form.current_version()
    version = choose_version(db.session, target.form.id, request.form.get("version_id"),
                             current) or abort(404)
    saved = max(request.form.get("saved", 0, type=int), 0)
    channel = entry_channel(request.form.get("channel"))
    batch = entry_batch(request.form.get("batch"))
    raw = {q.id: request.form.getlist(q.id) for q in version.parsed.questions}
    submission_id = valid_submission_id(request.form.get("submission_id"))
    again = partial(render_entry, target, version, saved=saved, channel=channel, batch=batch,
                    answers=raw)
    try:
        # Checked here rather than by CSRFProtect so that a sheet typed on a page left open
        # too long comes back with its answers instead of being lost.
        if current_app.config["WTF_CSRF_ENABLED"]:
            validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return again(submission_id=submission_id, status=400, alert=_(
            "The page had expired. The answers are kept: press Save sheet again."))
    submission = Submission(
        submission_id=submission_id, campaign_id=campaign_id, commune_id=commune_id,
        channel=ENTRY_CHANNELS[channel], answers=raw, entered_by_id=current_user.id)
    try:
        outcome = take(submission, version, lambda: unit_of_work(db.session))
    except DatabaseBusy:
        page, status = again(submission_id=submission_id, status=503, alert=_(
            "The system is very busy right now. The answers are kept: wait a moment, then "
            "press Save sheet again."))
        return page, status, {"Retry-After": busy_retry_after()}
    if isinstance(outcome, Conflict):
        return again(status=409, alert=_(
            "This sheet was already saved with other answers; the saved one is unchanged. "
            "Check the answers below and press Save to store them as a new sheet."))
    if not isinstance(outcome, Stored | IdenticalResend):
        errors = outcome.errors if isinstance(outcome, AnswerErrors) else {}
        return again(errors=errors, submission_id=submission_id, status=422, alert=_(
            "Some answers need your attention. They are marked below."))
    if isinstance(outcome, Stored):
        keep_paradata(outcome.response_id, ENTRY_CHANNELS[channel], batch, version.parsed)
    # A resend of the same sheet (double Enter, a retry) is this sheet: count it once.
    return redirect(url_for("field.entry", campaign_id=campaign_id, commune_id=commune_id,
                            form_id=form_id, saved=saved + 1, channel=channel, batch=batch,
                            last=outcome.response_id), code=303)


def keep_paradata(response_id: int, channel: Channel, batch: str,
                  definition: FormDefinition) -> None:
    """A newly stored sheet's paradata, in a unit of work of its own after the sheet's: a
    paper sheet's batch and typist, an interview's timings from the page. A busy database
    loses the paradata, never the sheet (already stored)."""
    try:
        with unit_of_work(db.session):
            record_entry(db.session, response_id, channel, batch, current_user.id,
                         parse_paradata(request.form.get("paradata")), definition)
    except DatabaseBusy:
        current_app.logger.warning("paradata of response %s not stored: busy", response_id)


def parse_paradata(text: str | None):
    """The page's paradata field as JSON, or None (malformed is as good as absent)."""
    if not text or len(text) > MAX_PARADATA_CHARS:
        return None
    try:
        return load_json(text, max_depth=3)
    except BadJson:
        return None


@bp.get("/phan-cong")
@role_required(Role.coordinator)
def assignments():
    """List the organisation's surveyors and the communes each covers in the campaign."""
    campaigns = user_campaigns(db.session, current_user)
    campaign = chosen_campaign(campaigns)
    surveyors = list(db.session.scalars(manageable_surveyors(current_user)))
    covered = {}
    if campaign is not None:
        communes = {c.id: c for c in campaign_communes(db.session, campaign)}
        for surveyor in surveyors:
            ids = surveyor_communes(db.session, campaign, surveyor)
            covered[surveyor.id] = by_name((communes[i] for i in ids if i in communes),
                                           lambda c: c.name)
    return render_template("field/assignments.html", campaigns=campaigns, campaign=campaign,
                           surveyors=surveyors, covered=covered)


def manageable_surveyor(user_id: int) -> User:
    surveyor = db.session.scalar(manageable_surveyors(current_user).where(User.id == user_id))
    if surveyor is None:
        abort(404)
    return surveyor


@bp.route("/phan-cong/<int:campaign_id>/nguoi/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.coordinator)
def assign(campaign_id: int, user_id: int):
    """Choose the communes one surveyor covers in a campaign."""
    campaign = own_campaign(campaign_id)
    surveyor = manageable_surveyor(user_id)
    if request.method == "POST" and attempt(lambda: assign_surveyor(
            db.session, current_user, own_campaign(campaign_id), manageable_surveyor(user_id),
            request.form.getlist("commune_id", type=parse_id))):
        flash(_("Assignments of %(name)s saved.", name=surveyor.full_name))
        return redirect(url_for("field.assignments", campaign=campaign.id), code=303)
    communes = campaign_communes(db.session, campaign)
    runs = organisation_map(db.session, campaign)
    own_forms = {
        commune.id: sorted(cf.form.code for cf in campaign.forms
                           if runs.get((cf.form_id, commune.id)) == surveyor.organisation_id)
        for commune in communes
    }
    return render_template(
        "field/assign.html", campaign=campaign, surveyor=surveyor, communes=communes,
        own_forms=own_forms, chosen=surveyor_communes(db.session, campaign, surveyor),
    )


@bp.get("/tien-do")
@role_required(Role.steering, Role.grouping, Role.commune_official, Role.coordinator)
def progress():
    """Show responses collected against the sample target, per organisation, form and commune."""
    campaigns = user_campaigns(db.session, current_user)
    campaign = chosen_campaign(campaigns)
    organisation_id = request.args.get("organisation", type=parse_id)
    result = None
    if campaign is not None:
        result = campaign_progress(db.session, current_user, campaign, organisation_id)
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    return render_template("field/progress.html", campaigns=campaigns, campaign=campaign,
                           progress=result, organisations=organisations,
                           organisation_id=organisation_id)


@bp.get("/dieu-phoi")
@role_required(Role.coordinator)
def coordination():
    """Each surveyor's and commune's progress against the targets, the communes without a
    surveyor, who is behind and how many days are left; sortable and downloadable."""
    campaigns = user_campaigns(db.session, current_user)
    campaign = chosen_campaign(campaigns)
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    view = (coordination_service.coordination(db.session, current_user, campaign,
                                              today_in_vietnam(), sort, descending)
            if campaign is not None else None)
    if view is not None and request.args.get("format") == "csv":
        return HttpResponse("".join(coordination_service.coordination_csv(view)),
                        mimetype="text/csv", headers={
                            "Content-Disposition":
                                f'attachment; filename="dieu-phoi-dot-{campaign.id}.csv"',
                            "Cache-Control": "no-store"})
    return render_template("field/coordination.html", campaigns=campaigns, campaign=campaign,
                           view=view, sort=sort, descending=descending)
