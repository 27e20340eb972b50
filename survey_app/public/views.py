"""The citizen's side: open a form from a QR link, answer it, get thanked."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from flask import Response
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import TooManyRequests
from wtforms.validators import ValidationError

from forms import validate_answers
from survey_app.database import begin_counter_write
from survey_app.database import start_writing
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.models import CampaignForm
from survey_app.models import Channel
from survey_app.models import CollectionPoint
from survey_app.models import FormVersion
from survey_app.public import bp
from survey_app.public.messages import describe
from survey_app.services.points import count_scan
from survey_app.services.points import find_point
from survey_app.services.points import today_in_vietnam
from survey_app.services.submissions import SubmissionConflict
from survey_app.services.submissions import current_opening
from survey_app.services.submissions import store_response
from survey_app.services.submissions import valid_submission_id


def notice(title: str, text: str, status: int) -> tuple[str, int]:
    return render_template("public/notice.html", title=title, text=text), status


def unavailable(token: str) -> tuple[str, int]:
    """The page for a token that opens no live point, whether it never existed or was retired."""
    retired = find_point(db.session, token).retired
    if retired is None:
        return notice(
            _("Survey link not found"),
            _("This link does not open any survey. Please check the address or scan the QR "
              "code posted at the commune's one-stop counter again."),
            404,
        )
    return render_template("public/retired.html", commune=retired.commune, form=retired.form), 410


@dataclass(frozen=True)
class Opening:
    """What a live point takes answers on today."""

    version: FormVersion
    campaign_form: CampaignForm


def open_for_answers(point: CollectionPoint) -> Opening | tuple[str, int]:
    """The version and campaign form this point takes answers on today, or the page saying why
    it takes none."""
    version, campaign_form = (None, None) if point.form.is_retired else current_opening(
        db.session, point.commune, point.form_id, today_in_vietnam())
    if version is None:
        return notice(
            _("This form is no longer in use"),
            _("Form %(code)s is no longer used for surveys. Thank you for your interest.",
              code=point.form.code),
            410,
        )
    if campaign_form is None:
        return notice(
            _("The survey is not open"),
            _("Form %(code)s of %(commune)s is not taking answers at the moment. Please come "
              "back during the survey period announced by the commune.",
              code=point.form.code, commune=point.commune.name),
            403,
        )
    return Opening(version, campaign_form)


#: The questions of a blank form, rendered once per version and language: a version never
#: changes after publishing, and this is most of the work of showing a form.
_BLANK_QUESTIONS: dict[tuple[int, str, str], Markup] = {}


def render_questions(version: FormVersion, answers: dict, errors: dict) -> Markup:
    """The form's questions as HTML, with the answers and error messages given."""

    def render() -> Markup:
        html = render_template("public/_questions.html", definition=version.parsed,
                               answers=answers, errors=errors)
        return Markup(html)  # noqa: S704  (autoescaped template output)

    if answers or errors:
        return render()
    key = (version.id, version.checksum, str(get_locale()))
    if key not in _BLANK_QUESTIONS:
        _BLANK_QUESTIONS[key] = render()
    return _BLANK_QUESTIONS[key]


def render_form(point, version, *, answers=None, errors=None, submission_id=None, status=200,
                alert=None):
    errors = {qid: describe(error) for qid, error in (errors or {}).items()}
    return render_template(
        "public/form.html",
        point=point,
        version=version,
        definition=version.parsed,
        questions=render_questions(version, answers or {}, errors),
        errors=errors,
        submission_id=submission_id or str(uuid.uuid4()),
        opened_at=int(time.time()),
        alert=alert,
    ), status


@bp.get("/f/<token>")
def form(token: str):
    """Show the current version of the form behind a QR token."""
    try:
        begin_counter_write(db.session())
        count_scan(db.session, token)
        db.session.commit()
    except OperationalError:
        # A database too busy to count a scan must not keep the citizen from the form.
        db.session.rollback()
    point = find_point(db.session, token).point
    if point is None:
        return unavailable(token)
    opening = open_for_answers(point)
    if not isinstance(opening, Opening):
        return opening
    return render_form(point, opening.version)


@bp.post("/f/<token>")
@csrf.exempt
@limiter.limit(lambda: current_app.config["PUBLIC_SUBMIT_LIMIT"])
def submit(token: str):
    """Store one citizen's answers; a resend of the same submission is thanked, not stored."""
    point = find_point(db.session, token).point
    if point is None:
        return unavailable(token)
    opening = open_for_answers(point)
    if not isinstance(opening, Opening):
        return opening
    version = submitted_version(point, opening.version)
    definition = version.parsed
    raw = {q.id: request.form.getlist(q.id) for q in definition.questions}
    submission_id = valid_submission_id(request.form.get("submission_id"))
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # An expired page on a slow phone: keep every answer and ask for one more tap.
        return render_form(point, version, answers=raw, submission_id=submission_id, status=400,
                           alert=_("Your session expired. Your answers are kept: please press "
                                   "Send again."))
    result = validate_answers(definition, raw)
    if not result.ok or submission_id is None:
        return render_form(point, version, answers=raw, errors=result.errors,
                           submission_id=submission_id, status=422,
                           alert=_("Some answers need your attention. They are marked below."))
    # Checked: now take the write lock, for the insert alone. The unique submission id, not
    # the reads above, is what keeps a resend from being stored twice.
    try:
        start_writing(db.session())
        store_response(
            db.session,
            submission_id=submission_id,
            campaign_id=opening.campaign_form.campaign_id,
            commune_id=point.commune_id,
            version=version,
            answers=result.answers,
            channel=Channel.qr,
            collection_point_id=point.id,
            duration_seconds=elapsed_seconds(request.form.get("opened_at")),
        )
        db.session.commit()
    except SubmissionConflict:
        db.session.rollback()
        return notice(
            _("This form was already sent"),
            _("These answers were already sent with different content, so they were not "
              "stored again. To answer once more, please open the form from the QR code again."),
            409,
        )
    except OperationalError:
        # The database stayed busy past its timeout (or the connection dropped): nothing was
        # stored, and the same submission id makes one more tap safe. The page is made from
        # what is already loaded, before the rollback expires it: the database is not asked.
        current_app.logger.exception("submission not stored, database unavailable")
        page, status = render_form(point, version, answers=raw, submission_id=submission_id,
                                   status=503, alert=_("The system is very busy right now. "
                                                       "Your answers are kept: please wait a "
                                                       "moment, then press Send again."))
        db.session.rollback()
        return page, status, {"Retry-After": "5"}
    return redirect(url_for("public.thanks", token=token), code=303)


@bp.errorhandler(TooManyRequests)
def too_many_requests(error: TooManyRequests):
    """Over the submit limit (many people on one commune Wi-Fi): keep the answers on the page."""
    token = (request.view_args or {}).get("token")
    point = find_point(db.session, token).point if token and request.method == "POST" else None
    opening = open_for_answers(point) if point is not None else None
    if not isinstance(opening, Opening):
        return notice(_("Please wait a moment"),
                      _("Too many requests. Please wait a minute and try again."), 429)
    version = submitted_version(point, opening.version)
    raw = {q.id: request.form.getlist(q.id) for q in version.parsed.questions}
    return render_form(point, version, answers=raw, status=429,
                       submission_id=valid_submission_id(request.form.get("submission_id")),
                       alert=_("Many answers are arriving from your network right now. Your "
                               "answers are kept: please wait a minute, then press Send again."))


def submitted_version(point: CollectionPoint, current: FormVersion) -> FormVersion:
    """The version the page was rendered with, so answers stay tied to the questions asked."""
    wanted = request.form.get("version_id", type=int)
    if wanted and wanted != current.id:
        version = db.session.scalar(
            select(FormVersion).where(FormVersion.id == wanted,
                                      FormVersion.form_id == point.form_id)
        )
        if version is not None:
            return version
    return current


def elapsed_seconds(opened_at: str | None) -> int | None:
    try:
        seconds = int(time.time()) - int(opened_at or "")
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 7 * 24 * 3600 else None


@bp.get("/f/<token>/cam-on")
def thanks(token: str):
    """Thank the citizen in the commune's name."""
    found = find_point(db.session, token)
    point = found.point or found.retired
    if point is None:
        return unavailable(token)
    return render_template("public/thanks.html", point=point)


@bp.get("/")
def home():
    """A plain landing page: citizens arrive by QR code, staff go to sign in."""
    return render_template("public/home.html")


@bp.get("/healthz")
def health() -> Response:
    db.session.execute(select(1))
    return Response("ok", mimetype="text/plain")
