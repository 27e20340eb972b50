"""The offline app: a page that installs on a phone, keeps responses, and sends them later.

The page, its script, style, icons and manifest are served from here and cached by a
service worker scoped to /thuc-dia/ngoai-tuyen/, so the form opens with no network. Saved
responses wait in the phone's storage until ``sync`` has acknowledged them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import send_from_directory
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import generate_csrf

from survey_app.access import role_required
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import csrf
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.inputs import BadJson
from survey_app.inputs import load_json
from survey_app.models import Role
from survey_app.services.intake.offline_forms import offline_forms
from survey_app.services.intake.sync import MAX_BATCH
from survey_app.services.intake.sync import sync_submissions
from survey_app.services.people.entry import entry_forms

ASSETS = Path(__file__).resolve().parent / "static" / "offline"
ASSET_NAMES = ("app.js", "paradata.js", "offline.css", "icon-192.png", "icon-512.png")
SCOPE = "/ngoai-tuyen/"
FIELD_ROLES = (Role.coordinator, Role.surveyor)


@cache
def asset_version(static_folder: str) -> str:
    """A hash of every file the service worker caches: a change makes phones fetch anew."""
    digest = hashlib.sha256()
    for path in [*(ASSETS / name for name in ASSET_NAMES),
                 Path(__file__).parent / "templates" / "field" / "offline_sw.js",
                 Path(static_folder) / "staff.css"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def version() -> str:
    return asset_version(current_app.static_folder)


def asset_url(name: str) -> str:
    return url_for("field.offline_asset", name=name, v=version())


def precached_urls() -> list[str]:
    return [asset_url("app.js"), asset_url("paradata.js"), asset_url("offline.css"),
            asset_url("icon-192.png"), asset_url("icon-512.png"), url_for("field.offline_manifest"),
            url_for("static", filename="staff.css")]


def client_messages() -> dict[str, str]:
    """The words the script shows, translated here so the script holds no language."""
    return {
        "online": _("Online"),
        "offline": _("No network"),
        "waiting": _("responses waiting to be sent"),
        "nothing_waiting": _("Every saved response has been sent."),
        "sending": _("Sending…"),
        "sent": _("%(count)s responses sent."),
        "send_later": _("Not sent yet: no connection to the server. They stay on this phone "
                        "and are sent when the network returns."),
        "saved": _("Saved on this phone. It will be sent when there is a network."),
        "storage_full": _("This phone's browser storage is full: the response was NOT saved. "
                          "Send the waiting responses first, then press Save again."),
        "required": _("Please answer this question."),
        "number": _("Please enter a number in the allowed range."),
        "fix_marked": _("Some answers need attention; they are marked in red."),
        "other_user": _("%(count)s responses saved by another account wait on this phone; they "
                        "are sent when that account signs in here."),
        "ready": _("Ready to work without network."),
        "not_ready": _("Open this page once with the network to use it offline."),
        "refused": _("%(count)s responses were refused by the server: see why at the bottom "
                     "of the page."),
        "discard": _("Delete"),
        "discard_confirm": _("Delete this response from the phone for good?"),
        "choose": _("Choose…"),
        "several": _("You may choose several."),
    }


@bp.get(SCOPE)
@role_required(*FIELD_ROLES)
def offline():
    """The offline form app: every form and commune the user covers, to fill in with no network."""
    data = {
        "user_id": current_user.id,
        "forms": offline_forms(entry_forms(db.session, current_user, today_in_vietnam())),
        "urls": {"session": url_for("field.sync_session"), "sync": url_for("field.sync"),
                 "worker": url_for("field.offline_worker"), "scope": url_for("field.offline"),
                 "login": url_for("auth.login", next=url_for("field.offline"))},
        "messages": client_messages(),
        "max_batch": MAX_BATCH,
    }
    response = Response(render_template("field/offline.html", data=data, asset_url=asset_url))
    # The service worker keeps its own copy; no other cache should keep a signed-in page.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(SCOPE + "sw.js")
def offline_worker():
    """The service worker, served from the scope it controls."""
    body = render_template("field/offline_sw.js", version=version(), page=url_for("field.offline"),
                           assets=precached_urls())
    return Response(body, mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache"})


@bp.get(SCOPE + "manifest.webmanifest")
def offline_manifest():
    """What makes the page installable: name, start page, icons."""
    manifest = {
        "name": _("Field survey forms"),
        "short_name": _("Survey forms"),
        "lang": "vi",
        "start_url": url_for("field.offline"),
        "scope": url_for("field.offline"),
        "display": "standalone",
        "background_color": "#f6f6f3",
        "theme_color": "#8b0000",
        "icons": [
            {"src": asset_url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_url("icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    }
    response = jsonify(manifest)
    response.mimetype = "application/manifest+json"
    return response


@bp.get(SCOPE + "tep/<any(" + ", ".join(f'"{n}"' for n in ASSET_NAMES) + "):name>")
def offline_asset(name: str):
    """The app's script, style and icons (versioned by ?v=, so cached for long)."""
    return send_from_directory(ASSETS, name, max_age=365 * 24 * 3600)


def json_error(status: int, error: str, message: str):
    return jsonify(error=error, message=message), status


def field_user_error():
    """A JSON refusal when nobody field-capable is signed in, else None (no login redirect)."""
    if not current_user.is_authenticated:
        return json_error(401, "login_required", _("Your sign-in has expired. Sign in again."))
    if current_user.role is not Role.admin and current_user.role not in FIELD_ROLES:
        return json_error(403, "forbidden", _("You do not have access to this page."))
    return None


@bp.get("/dong-bo/phien")
def sync_session():
    """Who is signed in, with a fresh CSRF token for the next sync."""
    refusal = field_user_error()
    if refusal:
        return refusal
    response = jsonify(user_id=current_user.id, csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/dong-bo")
@csrf.exempt
def sync():
    """Store the phone's waiting responses; say, for each, whether it is stored.

    Exempt from the automatic check only to answer in JSON: the token is still required, in
    the X-CSRFToken header, after the sign-in check (an expired sign-in must read as 401).
    """
    refusal = field_user_error()
    if refusal:
        return refusal
    if current_app.config["WTF_CSRF_ENABLED"]:
        try:
            csrf.protect()
        except CSRFError:
            return json_error(400, "csrf", _("The page had expired. Reload it and send again."))
    try:
        payload = load_json(request.get_data()) if request.is_json else None
    except BadJson:
        payload = None
    items = payload.get("submissions") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        return json_error(400, "bad_request", _("The request could not be handled."))
    with unit_of_work(db.session):
        results = sync_submissions(db.session, current_user, items, today_in_vietnam())
    return jsonify(results=[result.as_json() for result in results])
