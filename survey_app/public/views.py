"""The citizen's side: open a form from a QR link, answer it, get thanked."""

from __future__ import annotations

import secrets
import time
import uuid

from flask import Response
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from flask_wtf.csrf import validate_csrf
from limits import parse as parse_limit
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import TooManyRequests
from wtforms.validators import ValidationError

from forms import validate_answers
from survey_app.database import write_transaction
from survey_app.errors import retry_after
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.models import Channel
from survey_app.models import CollectionPoint
from survey_app.public import bp
from survey_app.public.messages import describe
from survey_app.services import live_links
from survey_app.services.live_links import LiveLink
from survey_app.services.live_links import PublishedVersion
from survey_app.services.live_links import live_link
from survey_app.services.live_links import version_of_form
from survey_app.services.points import Lookup
from survey_app.services.points import find_point
from survey_app.services.points import today_in_vietnam
from survey_app.services.scan_counts import record_scan
from survey_app.services.submissions import SubmissionConflict
from survey_app.services.submissions import current_opening
from survey_app.services.submissions import store_response
from survey_app.services.submissions import valid_submission_id


def notice(title: str, text: str, status: int) -> tuple[str, int]:
    return render_template("public/notice.html", title=title, text=text), status


def unavailable(found: Lookup) -> tuple[str, int]:
    """The page for a token that opens no live point, whether it never existed or was retired."""
    retired = found.retired
    if retired is None:
        return notice(
            _("Survey link not found"),
            _("This link does not open any survey. Please check the address or scan the QR "
              "code posted at the commune's one-stop counter again."),
            404,
        )
    return render_template("public/retired.html", commune=retired.commune, form=retired.form), 410


def not_open(point: CollectionPoint) -> tuple[str, int]:
    """The page for a live point whose form takes no answers today, saying why."""
    version = None if point.form.is_retired else current_opening(
        db.session, point.commune, point.form_id, today_in_vietnam())[0]
    if version is None:
        return notice(
            _("This form is no longer in use"),
            _("Form %(code)s is no longer used for surveys. Thank you for your interest.",
              code=point.form.code),
            410,
        )
    return notice(
        _("The survey is not open"),
        _("Form %(code)s of %(commune)s is not taking answers at the moment. Please come "
          "back during the survey period announced by the commune.",
          code=point.form.code, commune=point.commune.name),
        403,
    )


def explain(found: Lookup) -> tuple[str, int]:
    """Why a token takes no answers: unknown, retired, or its form closed today."""
    return unavailable(found) if found.point is None else not_open(found.point)


def open_link(token: str) -> LiveLink | None:
    return live_link(db.session, token, today_in_vietnam())


def render_questions(version: PublishedVersion, answers: dict, errors: dict) -> Markup:
    """The form's questions as HTML, with the answers and error messages given."""
    html = render_template("public/_questions.html", definition=version.parsed,
                           answers=answers, errors=errors)
    return Markup(html)  # noqa: S704  (autoescaped template output)


def render_form(link: LiveLink, version: PublishedVersion, *, answers=None, errors=None,
                submission_id=None, status=200, alert=None, csrf_token=None, opened_at=None):
    errors = {qid: describe(error) for qid, error in (errors or {}).items()}
    return render_template(
        "public/form.html",
        link=link,
        version=version,
        definition=version.parsed,
        questions=render_questions(version, answers or {}, errors),
        errors=errors,
        csrf_token=csrf_token or generate_csrf(),
        submission_id=submission_id or str(uuid.uuid4()),
        opened_at=opened_at or int(time.time()),
        alert=alert,
    ), status


#: Stand-ins for what differs between two openings of the same blank form: the page is
#: rendered once per link and language with these in it, and each opening fills them in.
_BLANKS = {name: f"blank{secrets.token_hex(12)}" for name in ("csrf", "submission", "opened")}


def blank_form(link: LiveLink) -> str:
    """A blank form for ``link``: the cached page with a new CSRF token, submission id and
    opening time. The same HTML render_form gives, without rendering it every time."""
    page = live_links.cache().page(link, str(get_locale()), lambda: render_form(
        link, link.version, csrf_token=_BLANKS["csrf"], submission_id=_BLANKS["submission"],
        opened_at=_BLANKS["opened"])[0])
    return (page.replace(_BLANKS["csrf"], generate_csrf())
            .replace(_BLANKS["submission"], str(uuid.uuid4()))
            .replace(_BLANKS["opened"], str(int(time.time()))))


@bp.get("/f/<token>")
def form(token: str):
    """Show the current version of the form behind a QR token."""
    link = open_link(token)
    if link is not None:
        record_scan(link.point_id)
        return blank_form(link)
    found = find_point(db.session, token)
    if found.point is not None:
        record_scan(found.point.id)
    return explain(found)


@limiter.request_filter
def counted_in_the_view() -> bool:
    """The public pages count their limit themselves (``count_submit``): Flask-Limiter's
    per-request bookkeeping cost a citizen's submission as much as the count itself."""
    return request.blueprint == bp.name


def count_submit() -> None:
    """Count one submission against PUBLIC_SUBMIT_LIMIT for the sender's network address, in
    the limiter's own storage (Redis in production, shared by every worker and server).

    :raises TooManyRequests: over the limit, saying when to retry.
    """
    if not limiter.enabled:
        return
    item = parse_limit(current_app.config["PUBLIC_SUBMIT_LIMIT"])
    keys = ("public-submit", get_remote_address())
    if not limiter.limiter.hit(item, *keys):
        reset = limiter.limiter.get_window_stats(item, *keys).reset_time
        raise TooManyRequests(retry_after=max(1, int(reset - time.time())))


@bp.post("/f/<token>")
@csrf.exempt
def submit(token: str):
    """Store one citizen's answers; a resend of the same submission is thanked, not stored."""
    count_submit()
    link = open_link(token)
    if link is None:
        return explain(find_point(db.session, token))
    version = version_of_form(db.session, link, request.form.get("version_id", type=int))
    definition = version.parsed
    raw = {q.id: request.form.getlist(q.id) for q in definition.questions}
    submission_id = valid_submission_id(request.form.get("submission_id"))
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # An expired page on a slow phone: keep every answer and ask for one more tap.
        return render_form(link, version, answers=raw, submission_id=submission_id, status=400,
                           alert=_("Your session expired. Your answers are kept: please press "
                                   "Send again."))
    result = validate_answers(definition, raw)
    if not result.ok or submission_id is None:
        return render_form(link, version, answers=raw, errors=result.errors,
                           submission_id=submission_id, status=422,
                           alert=_("Some answers need your attention. They are marked below."))
    # Checked: now write, in a transaction of its own that takes the write lock for the
    # insert alone. The unique submission id, not any read before it, is what keeps a resend
    # from being stored twice.
    try:
        with write_transaction(db.engine) as connection:
            store_response(
                connection,
                submission_id=submission_id,
                campaign_id=link.campaign_id,
                commune_id=link.commune_id,
                version=version,
                answers=result.answers,
                channel=Channel.qr,
                collection_point_id=link.point_id,
                duration_seconds=elapsed_seconds(request.form.get("opened_at")),
            )
    except SubmissionConflict:
        return notice(
            _("This form was already sent"),
            _("These answers were already sent with different content, so they were not "
              "stored again. To answer once more, please open the form from the QR code again."),
            409,
        )
    except OperationalError:
        # The database stayed busy past its timeout (or the connection dropped): nothing was
        # stored, and the same submission id makes one more tap safe.
        current_app.logger.exception("submission not stored, database unavailable")
        page, status = render_form(link, version, answers=raw, submission_id=submission_id,
                                   status=503, alert=_("The system is very busy right now. "
                                                       "Your answers are kept: please wait a "
                                                       "moment, then press Send again."))
        return page, status, {"Retry-After": "5"}
    return redirect(url_for("public.thanks", token=token), code=303)


@bp.errorhandler(TooManyRequests)
def too_many_requests(error: TooManyRequests):
    """Over the submit limit (many people on one commune Wi-Fi): keep the answers on the page."""
    token = (request.view_args or {}).get("token")
    link = open_link(token) if token and request.method == "POST" else None
    retry = {"Retry-After": str(retry_after(error))}
    if link is None:
        return (*notice(_("Please wait a moment"),
                        _("Too many requests. Please wait a minute and try again."), 429), retry)
    version = version_of_form(db.session, link, request.form.get("version_id", type=int))
    raw = {q.id: request.form.getlist(q.id) for q in version.parsed.questions}
    page, status = render_form(
        link, version, answers=raw, status=429,
        submission_id=valid_submission_id(request.form.get("submission_id")),
        alert=_("Many answers are arriving from your network right now. Your answers are "
                "kept: please wait a minute, then press Send again."))
    return page, status, retry


def elapsed_seconds(opened_at: str | None) -> int | None:
    try:
        seconds = int(time.time()) - int(opened_at or "")
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 7 * 24 * 3600 else None


@bp.get("/f/<token>/cam-on")
def thanks(token: str):
    """Thank the citizen in the commune's name."""
    link = open_link(token)
    if link is not None:
        return render_template("public/thanks.html", commune_name=link.commune_name,
                               form_code=link.form_code)
    found = find_point(db.session, token)
    point = found.point or found.retired
    if point is None:
        return unavailable(found)
    return render_template("public/thanks.html", commune_name=point.commune.name,
                           form_code=point.form.code)


@bp.get("/")
def home():
    """A plain landing page: citizens arrive by QR code, staff go to sign in."""
    return render_template("public/home.html")


@bp.get("/healthz")
def health() -> Response:
    db.session.execute(select(1))
    return Response("ok", mimetype="text/plain")
