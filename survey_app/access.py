"""Who may open what. Views declare the roles; queries still scope rows to the user's units."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from flask_login import login_required

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

        return wrapped

    return decorator
