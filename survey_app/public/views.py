"""The citizen's side: open a form from a QR link, answer it, get thanked."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

from flask import Response
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import TooManyRequests
from wtforms.validators import ValidationError

from survey_app.clock import today_in_vietnam
from survey_app.database import DatabaseBusy
from survey_app.database import write_transaction
from survey_app.errors import busy_retry_after
from survey_app.errors import retry_after
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.extensions import limiter
from survey_app.inputs import cleaned
from survey_app.inputs import is_clean
from survey_app.models import Channel
from survey_app.public import bp
from survey_app.public.pages import blank_form
from survey_app.public.pages import explain
from survey_app.public.pages import notice
from survey_app.public.pages import render_form
from survey_app.public.pages import unavailable
from survey_app.rate_limits import hit
from survey_app.services.collection_points.points import Lookup
from survey_app.services.collection_points.points import find_point
from survey_app.services.intake.counter_links import other_forms_here
from survey_app.services.intake.live_links import LiveLink
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.live_links import live_link
from survey_app.services.intake.scan_counts import record_scan
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Conflict
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import choose_version
from survey_app.services.intake.take import take
from survey_app.services.intake.take import valid_submission_id

#: A kept answer is shown again at most this long: longer than any question allows, so the
#: answer still reads as too long, and a page never echoes megabytes back.
MAX_KEPT_ANSWER = 10_000


def open_link(token: str) -> LiveLink | None:
    return live_link(db.session, token, today_in_vietnam())


@bp.before_request
def refuse_impossible_token():
    """A token with a NUL or another control character opens nothing (no token has one):
    say so before a query sees it (PostgreSQL refuses NUL in text)."""
    token = (request.view_args or {}).get("token")
    if isinstance(token, str) and not is_clean(token):
        return unavailable(Lookup(None))
    return None


def answers_sent(version: PublishedVersion) -> tuple[dict[str, list[str]], bool]:
    """The answers in the request, and whether characters that cannot be stored (a NUL,
    another control character) had to be taken out of them."""
    raw = {q.id: request.form.getlist(q.id) for q in version.parsed.questions}
    unclean = not all(is_clean(value) for values in raw.values() for value in values)
    return {qid: [cleaned(value) for value in values] for qid, values in raw.items()}, unclean


def kept(answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """The answers as the form shows them again."""
    return {qid: [value[:MAX_KEPT_ANSWER] for value in values] for qid, values in answers.items()}


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
    """The public pages count their limit themselves (``rate_limits.hit``)."""
    return request.blueprint == bp.name


@bp.post("/f/<token>")
@csrf.exempt
def submit(token: str):
    """Store one citizen's answers; a resend of the same submission is thanked, not stored."""
    hit(current_app.config["PUBLIC_SUBMIT_LIMIT"], "public-submit", get_remote_address())
    link = open_link(token)
    if link is None:
        return explain(find_point(db.session, token))
    version = choose_version(db.session, link.version.form_id, request.form.get("version_id"),
                             link.version)
    raw, unclean = answers_sent(version)
    submission_id = valid_submission_id(request.form.get("submission_id"))
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # An expired page on a slow phone: keep every answer and ask for one more tap.
        return render_form(link, version, answers=kept(raw), submission_id=submission_id,
                           status=400, alert=_("Your session expired. Your answers are kept: "
                                               "please press Send again."))
    if unclean:
        return render_form(link, version, answers=kept(raw), submission_id=submission_id,
                           status=422, alert=_("Some answers held characters that cannot "
                                               "be stored (invisible control characters). "
                                               "They were taken out: please check your "
                                               "answers, then press Send again."))
    submission = Submission(
        submission_id=submission_id, campaign_id=link.campaign_id, commune_id=link.commune_id,
        channel=Channel.qr, answers=raw, collection_point_id=link.point_id,
        duration_seconds=elapsed_seconds(request.form.get("opened_at")))
    try:
        # A transaction of its own that takes the write lock for the insert alone: the unique
        # submission id, not any read before it, keeps a resend from being stored twice.
        outcome = take(submission, version, lambda: write_transaction(db.engine))
    except DatabaseBusy:
        # Nothing was stored, and the same submission id makes one more tap safe.
        current_app.logger.exception("submission not stored, database unavailable")
        page, status = render_form(link, version, answers=kept(raw), submission_id=submission_id,
                                   status=503, alert=_("The system is very busy right now. "
                                                       "Your answers are kept: please wait a "
                                                       "moment, then press Send again."))
        return page, status, {"Retry-After": busy_retry_after()}
    if isinstance(outcome, Conflict):
        return notice(
            _("This form was already sent"),
            _("These answers were already sent with different content, so they were not "
              "stored again. To answer once more, please open the form from the QR code again."),
            409,
        )
    if isinstance(outcome, AnswerErrors) or submission_id is None:
        errors = outcome.errors if isinstance(outcome, AnswerErrors) else {}
        return render_form(link, version, answers=kept(raw), errors=errors,
                           submission_id=submission_id, status=422,
                           alert=_("Some answers need your attention. They are marked below."))
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
    version = choose_version(db.session, link.version.form_id, request.form.get("version_id"),
                             link.version)
    raw, _unclean = answers_sent(version)
    page, status = render_form(
        link, version, answers=kept(raw), status=429,
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
        return render_template(
            "public/thanks.html", commune_name=link.commune_name, form_code=link.form_code,
            others=other_forms_here(db.session, link.point_id, today_in_vietnam()))
    found = find_point(db.session, token)
    point = found.point or found.retired
    if point is None:
        return unavailable(found)
    return render_template("public/thanks.html", commune_name=point.commune.name,
                           form_code=point.form.code, others=[])


@bp.get("/")
def home():
    """A plain landing page: citizens arrive by QR code, staff go to sign in."""
    return render_template("public/home.html")


@cache
def favicon_bytes() -> bytes:
    return (Path(current_app.static_folder) / "favicon.ico").read_bytes()


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for on their own (a red square with the flag's star)."""
    return Response(favicon_bytes(), mimetype="image/vnd.microsoft.icon",
                    headers={"Cache-Control": "public, max-age=604800"})
