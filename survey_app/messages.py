"""The words for every refusal's code, for the web and the shell, through Babel.

Services and ``forms`` say *what* went wrong as a code with parameters (``DomainError``,
``forms.validate.AnswerError``); only this module says it in words, in the request's language
(Vietnamese unless ``?lang=`` asks otherwise) or, in a command, the default one. ``N_`` marks
a text for the catalogue without translating it yet (``make extract`` collects it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from forms.loader import Problem
from forms.validate import AnswerError
from survey_app.domain_error import DomainError


def N_(text: str) -> str:  # noqa: N802  (the gettext convention's name)
    return text


#: code → text with %(name)s placeholders for the error's parameters.
TEXTS: dict[str, str] = {
    # Answers (forms.validate)
    "required": N_("Please answer this question."),
    "invalid_option": N_("Please choose one of the options shown."),
    "too_many": N_("Please choose only one option."),
    "too_long": N_("Please shorten your answer to at most %(max)s characters."),
    "out_of_range_between": N_("Please enter a number from %(min)s to %(max)s."),
    "out_of_range_min": N_("Please enter a number of at least %(min)s."),
    "out_of_range_max": N_("Please enter a number of at most %(max)s."),
    "not_integer": N_("Please enter a whole number."),
    "not_number": N_("Please enter a number."),
    # Accounts (services.people.accounts)
    "password_short": N_("The password must have at least %(min)s characters."),
    "password_common": N_("This password is too common or too easy to guess. "
                          "Please choose another."),
    "password_username": N_("The password must not contain the username."),
    "username_invalid": N_("A username may use only letters without accents, digits, "
                           "dots, dashes and underscores."),
    "username_taken": N_("The username %(username)s is already taken."),
    "scope_missing": N_("This role needs %(unit)s."),
    "role_not_allowed": N_("You may not give this role."),
    "not_yours": N_("You may not change this account."),
    "last_admin": N_("This is the last enabled administrator; it must stay."),
    "disable_self": N_("You cannot disable your own account."),
    "no_such_user": N_("There is no account %(username)s."),
    # Assignments (services.people.assignments)
    "form_not_in_campaign": N_("This form is not part of the campaign."),
    "commune_outside_province": N_("These communes cannot be given to this surveyor."),
    "not_your_surveyor": N_("These communes cannot be given to this surveyor."),
    "campaign_outside_province": N_("These communes cannot be given to this surveyor."),
    # Collection points (services.collection_points)
    "form_retired": N_("Form %(form)s is no longer in use."),
    "point_exists": N_("%(commune)s already has a point for %(form)s with this label. "
                       "Give the new one another label, e.g. \"Counter 2\"."),
    "point_retired": N_("This point is retired; open a new one instead."),
    # Units and forms (services.catalogue)
    "unknown_province": N_("There is no province with code %(code)s."),
    "unknown_commune": N_("There is no commune with code %(code)s."),
    "unknown_organisation": N_("There is no organisation with code %(code)s."),
    "ambiguous_grouping": N_("Grouping code %(code)s is unknown or used in several "
                             "provinces: give the province as well."),
    "version_taken": N_("%(form)s version %(version)s was already published with other "
                        "content; raise the version number."),
    "version_older": N_("%(form)s already has version %(latest)s, newer than %(version)s."),
    # Bulk import (services.bulk_import)
    "import_missing": N_("This import does not exist."),
    "import_expired": N_("This import can no longer be confirmed. Upload the file again."),
    "import_scope_changed": N_("Your assignments or the survey period changed since the "
                               "check. Upload the file again."),
    "import_conflict": N_("A row of this file was stored with other answers since the check, "
                          "so nothing was stored. Upload the file again to see which."),
    "empty": N_("The file is empty."),
    "old_xls": N_("This is an old Excel file (.xls). In Excel choose File › Save As › "
                  "Excel Workbook (.xlsx), then upload that file."),
    "bad_xlsx": N_("The file cannot be opened as an Excel workbook (.xlsx); it may be "
                   "damaged. Open it in Excel, save it again and upload it."),
    "not_utf8": N_("The file is not in UTF-8, so Vietnamese letters would be garbled "
                   "(first seen on line %(line)s). In Excel choose Save As › “CSV UTF-8 "
                   "(Comma delimited)”, or upload the .xlsx file instead."),
    "double_encoded": N_("The Vietnamese letters in this file are already garbled "
                         "(“%(sample)s” on line %(line)s): it was saved in the wrong "
                         "encoding. Open the original file and save it as “CSV UTF-8”, or "
                         "upload the .xlsx file."),
    "too_many_rows": N_("The file has more than %(max)s rows. Split it into smaller files."),
    # Any write
    "concurrent_change": N_("Someone else made the same change at the same moment. Reload "
                            "the page to see it, then try again if it is still needed."),
}

#: The words for a scope field, in "This role needs %(unit)s."
UNIT_LABELS = {
    "province_id": _l("a province"),
    "grouping_id": _l("a district or cluster"),
    "commune_id": _l("a commune"),
    "organisation_id": _l("an organisation"),
}


def describe(error: DomainError | AnswerError) -> str:
    """The user's words for ``error``, in the current language."""
    code, params = error.code, dict(error.params)
    if isinstance(error, AnswerError):
        code = answer_code(code, params)
    if code == "scope_missing":
        params["unit"] = str(UNIT_LABELS.get(str(params.get("field")), ""))
    return text(code, params)


def text(code: str, params: Mapping[str, Any] | None = None) -> str:
    template = TEXTS.get(code)
    if template is None:
        return gettext("This is not possible.")
    return gettext(template, **(params or {}))


def answer_code(code: str, params: Mapping[str, Any]) -> str:
    """An answer error's text depends on its parameters, not only on its code."""
    if code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return "out_of_range_between"
        return "out_of_range_min" if low is not None else "out_of_range_max"
    if code == "not_a_number":
        return "not_integer" if params.get("integer") else "not_number"
    return code


def describe_problem(problem: Problem) -> str:
    """One problem of a form definition file, as the loader reports it: file, where, why."""
    return f"{problem.source}: {problem.where}: {problem.reason}"
