"""Where each role starts: its start page after signing in, and a staff home that lists what
the role can do. No role is sent to a page that would refuse it."""

from __future__ import annotations

from flask import current_app
from flask import render_template
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from survey_app.auth import bp
from survey_app.models import Role
from survey_app.models import User

#: The page each role lands on: its daily work.
START = {
    Role.admin: "admin.index",
    Role.steering: "dashboard.index",
    Role.grouping: "dashboard.index",
    Role.commune_official: "dashboard.commune",
    Role.coordinator: "field.index",
    Role.surveyor: "field.index",
}

#: What a role can do, as the staff home lists it: (endpoint, label, what it is for, roles).
TASKS = [
    ("dashboard.index", _l("Dashboard"),
     _l("The campaign's results: which communes meet the standard, by form and grouping; "
        "reports and exports."),
     {Role.admin, Role.steering, Role.grouping, Role.commune_official, Role.coordinator}),
    ("field.index", _l("Field work"),
     _l("Enter paper forms and interviews, import a file of responses, work offline."),
     {Role.coordinator, Role.surveyor}),
    ("field.assignments", _l("Assignments"),
     _l("Give your organisation's surveyors the communes they cover."), {Role.coordinator}),
    ("admin.accounts", _l("Accounts"),
     _l("Make and manage your organisation's surveyor accounts."), {Role.coordinator}),
    ("field.progress", _l("Field progress"),
     _l("How many answers each commune has collected against its target."),
     {Role.admin, Role.steering, Role.grouping, Role.commune_official}),
    ("admin.points", _l("QR codes"),
     _l("Print the QR posters of your communes; see their scans and answers."),
     {Role.admin, Role.steering, Role.grouping, Role.commune_official}),
    ("admin.campaigns", _l("Campaigns"),
     _l("Make the year's campaign, its forms and dates, targets, collection points."),
     {Role.admin}),
    ("admin.index", _l("Administration"),
     _l("Campaigns, collection points, accounts, assignments and rulebooks."), {Role.admin}),
    ("admin.own_password", _l("My password"), _l("Change your own password."), set(Role)),
]


def start_page(user: User) -> str:
    """The start page of ``user``'s role; the staff home when its role has none to use."""
    endpoint = START.get(user.role)
    if endpoint == "dashboard.commune":
        if user.commune_id:
            return url_for(endpoint, commune_id=user.commune_id)
        endpoint = None
    if endpoint is None or endpoint not in current_app.view_functions:
        return url_for("auth.home")
    return url_for(endpoint)


def may_open(user: User, path: str) -> bool:
    """Whether ``user``'s role may open the page at ``path`` (a sign-in's ``next``): a path
    whose view declares roles that leave the user out would only answer 403."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _arguments = adapter.match(path.split("?", 1)[0], method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    roles = getattr(current_app.view_functions.get(endpoint), "roles", None)
    return roles is None or user.role is Role.admin or user.role in roles


@bp.get("/nhan-vien/")
@login_required
def home():
    """The staff home: what the signed-in user's role can do, each with its link."""
    tasks = [(endpoint, label, text) for endpoint, label, text, roles in TASKS
             if endpoint in current_app.view_functions and current_user.role in roles]
    return render_template("auth/home.html", tasks=tasks, start=start_page(current_user))
