"""The citizen's pages: a form (blank, or back with its answers), and why a link takes none."""

from __future__ import annotations

import secrets
import uuid

from flask import current_app
from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.messages import describe
from survey_app.models import CollectionPoint
from survey_app.services.collection_points.points import Lookup
from survey_app.services.intake import live_links
from survey_app.services.intake.live_links import LiveLink
from survey_app.services.intake.live_links import PublishedVersion
from survey_app.services.intake.live_links import current_opening
from survey_app.services.intake.signals import issue_ticket
from survey_app.web_security import csp_nonce


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


def render_questions(version: PublishedVersion, answers: dict, errors: dict) -> Markup:
    """The form's questions as HTML, with the answers and error messages given."""
    html = render_template("public/_questions.html", definition=version.parsed,
                           answers=answers, errors=errors)
    return Markup(html)  # noqa: S704  (autoescaped template output)


def render_form(link: LiveLink, version: PublishedVersion, *, answers=None, errors=None,
                submission_id=None, status=200, alert=None, ticket=None,
                device=None, nonce=None):
    """The form page. A page sent back for one more tap passes the ticket it came with (or
    a reissued one) and the device id it carried."""
    errors = {qid: describe(error) for qid, error in (errors or {}).items()}
    return render_template(
        "public/form.html",
        link=link,
        version=version,
        definition=version.parsed,
        questions=render_questions(version, answers or {}, errors),
        errors=errors,
        submission_id=submission_id or str(uuid.uuid4()),
        ticket=ticket or issue_ticket(secret(), link.point_id),
        device=device or "",
        script_nonce=nonce or csp_nonce(),
        alert=alert,
    ), status


#: Stand-ins for what differs between two openings of the same blank form: the page is
#: rendered once per link and language with these in it, and each opening fills them in.
_BLANKS = {name: f"blank{secrets.token_hex(12)}"
           for name in ("submission", "ticket", "device", "nonce")}


def secret() -> str:
    return current_app.config["SECRET_KEY"]


def blank_form(link: LiveLink, device: str) -> str:
    """A blank form for ``link``: the cached page with a new submission id, ticket, the
    browser's signed device id and a script nonce. The same HTML render_form
    gives, without rendering it every time."""
    page = live_links.cache().page(link, str(get_locale()), lambda: render_form(
        link, link.version, submission_id=_BLANKS["submission"],
        ticket=_BLANKS["ticket"], device=_BLANKS["device"], nonce=_BLANKS["nonce"])[0])
    return (page.replace(_BLANKS["submission"], str(uuid.uuid4()))
            .replace(_BLANKS["ticket"], issue_ticket(secret(), link.point_id))
            .replace(_BLANKS["device"], device)
            .replace(_BLANKS["nonce"], csp_nonce()))
