"""A staff page's write: one unit of work, and a refusal shown to the user as a flash."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.extensions import db
from survey_app.messages import describe

T = TypeVar("T")


def attempt(change: Callable[[], T], audited: Callable[[T], None] | None = None) -> T | None:
    """Run ``change`` in a unit of work and return what it made (the account, the point);
    None, with the refusal's words flashed as an error and nothing saved, when a service
    refused it. ``audited`` writes the audit trail's row for what was made, in the same
    unit of work."""
    try:
        with unit_of_work(db.session):
            made = change()
            if audited is not None:
                audited(made)
            return made
    except DomainError as error:
        flash(describe(error), "error")
        return None
