"""The citizen's side: open a form from a QR link, answer it, get thanked."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Response
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests

from survey_app.clock import now_utc
from survey_app.clock import today_in_vietnam
from survey_app.database import DatabaseBusy
from survey_app.database import judging_reads
from survey_app.database import write_transaction
from survey_app.errors import busy_retry_after
from survey_app.errors import retry_after
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.inputs import cleaned
from survey_app.inputs import is_clean
from survey_app.models import Channel
from survey_app.public import bp
from survey_app.public.pages import blank_form
from survey_app.public.pages import explain
from survey_app.public.pages import notice
from survey_app.public.pages import render_form
from survey_app.public.pages import secret
from survey_app.public.pages import unavailable
from survey_app.rate_limits import hit
from survey_app.services.collection_points.points import Lookup
from survey_app.services.collection_points.points import find_point
from survey_app.services.intake.counter_links import other_forms_here
from survey_app.services.intake.live_links import LiveLink
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.live_links import live_link
from survey_app.services.intake.scan_counts import record_scan
from survey_app.services.intake.signals import QrSignals
from survey_app.services.intake.signals import Ticket
from survey_app.services.intake.signals import device_key
from survey_app.services.intake.signals import issue_ticket
from survey_app.services.intake.signals import network_key
from survey_app.services.intake.signals import new_device
from survey_app.services.intake.signals import read_ticket
from survey_app.services.intake.signals import seconds_to_complete
from survey_app.services.intake.take import AnswerErrors
from survey_app.services.intake.take import Conflict
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import TicketRefused
from survey_app.services.intake.take import choose_version
from survey_app.services.intake.take import take
from survey_app.services.intake.take import valid_submission_id
from survey_app.web_security import is_cross_site

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
        signed = request.cookies.get(DEVICE_COOKIE)
        if device_key(secret(), signed) is None:
            signed = new_device(secret())
        return keep_device(make_response(blank_form(link, signed)), signed)
    found = find_point(db.session, token)
    if found.point is not None:
        record_scan(found.point.id)
    return explain(found)


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
    device, key = sent_device()
    ticket = read_ticket(secret(), request.form.get("ticket"), link.point_id)
    if is_cross_site():
        # Another site's page posting in the citizen's browser (docs/INTEGRITY.md): nothing
        # stored; should a person be behind it, every answer is kept for one more tap here.
        return one_more_tap(link, version, raw, submission_id, device,
                            ticket_sent() if isinstance(ticket, Ticket) else None)
    if not isinstance(ticket, Ticket):
        # No ticket, or an expired, forged or another point's one: the same page as an
        # expired session, with a new ticket (whose time to complete stays unknown).
        return one_more_tap(link, version, raw, submission_id, device)
    if unclean:
        return render_form(link, version, answers=kept(raw), submission_id=submission_id,
                           ticket=ticket_sent(), device=device, status=422,
                           alert=_("Some answers held characters that cannot be stored "
                                   "(invisible control characters). They were taken out: "
                                   "please check your answers, then press Send again."))
    submission = Submission(
        submission_id=submission_id, campaign_id=link.campaign_id, commune_id=link.commune_id,
        channel=Channel.qr, answers=raw, collection_point_id=link.point_id,
        duration_seconds=seconds_to_complete(ticket, now_utc()),
        signals=QrSignals(
            ticket_id=ticket.id, device_key=key,
            network_key=network_key(secret(), link.campaign_id, request.remote_addr),
            # Only a staff member's browser has a session cookie; no account is loaded.
            staff_session="_user_id" in session,
            honeypot=bool(request.form.get("website", "").strip())))
    try:
        # A transaction of its own that takes the write lock for the insert alone: the unique
        # submission id, not any read before it, keeps a resend from being stored twice.
        outcome = take(submission, version, lambda: write_transaction(db.engine),
                       reads=judging_reads(db.engine))
    except DatabaseBusy:
        # Nothing was stored, and the same submission id makes one more tap safe.
        current_app.logger.exception("submission not stored, database unavailable")
        page, status = render_form(link, version, answers=kept(raw), submission_id=submission_id,
                                   ticket=ticket_sent(), device=device,
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
    if isinstance(outcome, TicketRefused):
        # A page sent twice with new submission ids (a script re-posting one page): like an
        # expired page, and nothing stored.
        return one_more_tap(link, version, raw, submission_id, device)
    if isinstance(outcome, AnswerErrors) or submission_id is None:
        errors = outcome.errors if isinstance(outcome, AnswerErrors) else {}
        return render_form(link, version, answers=kept(raw), errors=errors,
                           ticket=ticket_sent(), device=device,
                           submission_id=submission_id, status=422,
                           alert=_("Some answers need your attention. They are marked below."))
    # Flagged or not, the same thanks (docs/INTEGRITY.md: flag, never delete, never tell).
    return keep_device(redirect(url_for("public.thanks", token=token), code=303), device)


#: The browser's signed anonymous device id (docs/PRIVACY.md), for the public pages only.
DEVICE_COOKIE = "qr_device"
DEVICE_COOKIE_DAYS = 400


def keep_device(response, signed: str | None):
    if signed and request.cookies.get(DEVICE_COOKIE) != signed:
        response.set_cookie(DEVICE_COOKIE, signed, max_age=DEVICE_COOKIE_DAYS * 86400,
                            path="/f/", httponly=True, samesite="Lax",
                            secure=bool(current_app.config["HTTPS"]))
    return response


def sent_device() -> tuple[str | None, str | None]:
    """The signed device id the page carried (from local storage, if the cookie was
    cleared), else the cookie's, with the key inside it; (None, None) when neither is ours."""
    for signed in (request.form.get("device"), request.cookies.get(DEVICE_COOKIE)):
        key = device_key(secret(), signed)
        if key is not None:
            return signed, key
    return None, None


def ticket_sent() -> str | None:
    """The ticket the page came with, given back on a page that asks for a correction: it
    is still unused, and keeps the time to complete."""
    value = request.form.get("ticket")
    return value if value and len(value) < 200 and is_clean(value) else None


def one_more_tap(link: LiveLink, version: PublishedVersion, raw: dict, submission_id,
                 device: str | None, ticket: str | None = None):
    return render_form(link, version, answers=kept(raw), submission_id=submission_id,
                       ticket=ticket or issue_ticket(secret(), link.point_id, reissued=True),
                       device=device, status=400,
                       alert=_("Your session expired. Your answers are kept: please press "
                               "Send again."))


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
        link, version, answers=kept(raw), status=429, ticket=ticket_sent(), device=sent_device()[0],
        submission_id=valid_submission_id(request.form.get("submission_id")),
        alert=_("Many answers are arriving from your network right now. Your answers are "
                "kept: please wait a minute, then press Send again."))
    return page, status, retry


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
