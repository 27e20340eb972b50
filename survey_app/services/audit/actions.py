# ruff: noqa: S105  ("password" and "token" here name actions, not secrets)
"""The actions the trail records (their words are in ``messages.ACTION_TEXTS``)."""

from enum import StrEnum


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_CHANGED = "account_changed"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_DISABLED = "account_disabled"
    PASSWORD_SET = "password_set"
    OWN_PASSWORD_CHANGED = "own_password_changed"
    TWO_FACTOR_ON = "two_factor_on"
    TWO_FACTOR_OFF = "two_factor_off"
    RULEBOOK_SAVED = "rulebook_saved"
    POINT_CREATED = "point_created"
    TOKEN_ROTATED = "token_rotated"
    POINT_RETIRED = "point_retired"
    POINTS_CREATED = "points_created"
    ORGANISATION_ASSIGNED = "organisation_assigned"
    ORGANISATIONS_RESET = "organisations_reset"
    SURVEYOR_ASSIGNED = "surveyor_assigned"
    FORM_PUBLISHED = "form_published"
    IMPORT_STORED = "import_stored"
    IMPORT_DISCARDED = "import_discarded"
    EXPORT_DOWNLOADED = "export_downloaded"
    BACK_CHECK_RECORDED = "back_check_recorded"
    DOSSIER_STEP = "dossier_step"
