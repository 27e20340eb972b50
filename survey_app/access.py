"""Who may open what. Views declare the roles; queries still scope rows to the user's units."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import Select
from sqlalchemy import false
from sqlalchemy import select

from survey_app.models import Role


def role_required(*roles: Role) -> Callable:
    """Let in signed-in users with one of ``roles`` (admins always); others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role is not Role.admin and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        #: Read by the sign-in, so that it never sends a user to a page that refuses it.
        wrapped.roles = roles
        return wrapped

    return decorator


def visible_commune_ids(user) -> Select:
    """A SELECT of the ids of the communes ``user`` may read, for use in ``in_()``.

    Every query that returns commune data filters through this, so scoping holds on the
    server whatever links a page shows.
    """
    from survey_app.models import Commune

    query = select(Commune.id)
    if user.role is Role.admin:
        return query
    if user.role in (Role.steering, Role.coordinator):
        return query.where(Commune.province_id == user.province_id)
    if user.role is Role.grouping:
        return query.where(Commune.grouping_id == user.grouping_id)
    if user.role is Role.commune_official:
        return query.where(Commune.id == user.commune_id)
    if user.role is Role.surveyor:
        from survey_app.models import SurveyorAssignment

        return select(SurveyorAssignment.commune_id).where(SurveyorAssignment.user_id == user.id)
    return query.where(false())
