"""The audit trail's page: the admin reads every row, the committee its province's."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.clock import VIETNAM
from survey_app.extensions import db
from survey_app.inputs import valid_date
from survey_app.inputs import whole_number
from survey_app.messages import ACTION_TEXTS
from survey_app.messages import TARGET_TEXTS
from survey_app.models import Role
from survey_app.services.audit import trail

AREAS.append(("admin.audit", _l("Audit trail")))
PER_PAGE = 50


@bp.get("/nhat-ky")
@role_required(Role.steering)
def audit():
    """The trail, newest first, filtered by action, account and days (Vietnam time)."""
    since, until = valid_date(request.args.get("from", "")), valid_date(request.args.get("to", ""))
    wanted = trail.TrailFilter(
        action=request.args.get("action") if request.args.get("action") in ACTION_TEXTS else None,
        actor=request.args.get("actor", "").strip() or None,
        since=datetime.combine(since, time(), VIETNAM) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), VIETNAM) if until else None,
        province_id=None if current_user.role is Role.admin else current_user.province_id,
    )
    page = min(max(whole_number(request.args.get("page", "1")) or 1, 1), 10_000)
    rows, total = trail.entries(db.session, wanted, page, PER_PAGE)
    verdict = trail.verify(db.session) if request.args.get("verify") else None
    return render_template(
        "admin/audit.html", rows=rows, total=total, page=page, pages=-(-total // PER_PAGE),
        actions=ACTION_TEXTS, targets=TARGET_TEXTS, head=trail.head(db.session), verdict=verdict,
        details_of=trail.details_of, since=since, until=until, wanted=wanted)
