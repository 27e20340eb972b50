"""The staff menu: each area a role may open, in one place, so templates never guess."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.models import Role

#: (endpoint, label, roles that see it); admins see everything.
AREAS = [
    ("auth.home", _l("Start"), set(Role)),
    ("dashboard.index", _l("Dashboard"), {Role.steering, Role.grouping, Role.commune_official,
                                          Role.coordinator}),
    ("field.index", _l("Field work"), {Role.coordinator, Role.surveyor}),
    ("field.progress", _l("Field progress"), {Role.steering, Role.grouping, Role.commune_official}),
    ("field.coordination", _l("Coordination"), {Role.coordinator}),
    ("admin.points", _l("QR codes"), {Role.steering, Role.grouping, Role.commune_official}),
    ("recognition.index", _l("Recognition"), {Role.steering, Role.grouping,
                                              Role.commune_official}),
    ("dashboard.channels", _l("QR against field"), {Role.steering, Role.grouping}),
    ("field.quality", _l("Quality of field work"), {Role.steering, Role.coordinator}),
    ("admin.audit", _l("Audit trail"), {Role.steering}),
    ("admin.index", _l("Administration"), set()),
]


def staff_menu() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, str(label))
        for endpoint, label, roles in AREAS
        if endpoint in current_app.view_functions
        and (current_user.role is Role.admin or current_user.role in roles)
    ]
