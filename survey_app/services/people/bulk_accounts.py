"""Accounts in bulk: a workbook of people checked row by row, then made with one-time passwords.

A file with any problem creates nobody. A clean file creates every account in the caller's
unit of work, each with a random one-time password: only its hash is stored, and the
passwords come back to the caller once, for the file the admin downloads. Each account must
choose its own password at its first sign-in (``User.must_change_password``).
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Commune
from survey_app.models import Grouping
from survey_app.models import Organisation
from survey_app.models import Province
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.bulk_import.files import TemplateColumn
from survey_app.services.bulk_import.files import xlsx_template
from survey_app.services.bulk_import.imports import Problem
from survey_app.services.bulk_import.sheets import SheetCheck
from survey_app.services.bulk_import.sheets import SheetColumn
from survey_app.services.people.accounts import SCOPE_FIELDS
from survey_app.services.people.accounts import Scope
from survey_app.services.people.accounts import create_account
from survey_app.services.people.accounts import normalise_username

USERNAME = "ten_dang_nhap"
FULL_NAME = "ho_ten"
ROLE = "vai_tro"
PROVINCE = "ma_tinh"
GROUPING = "ma_nhom"
COMMUNE = "ma_xa"
ORGANISATION = "to_chuc"
COLUMNS = [SheetColumn(USERNAME, required=True), SheetColumn(FULL_NAME, required=True),
           SheetColumn(ROLE, required=True), SheetColumn(PROVINCE), SheetColumn(GROUPING),
           SheetColumn(COMMUNE), SheetColumn(ORGANISATION)]
#: The scope column each scope field is read from.
SCOPE_COLUMNS = {"province_id": PROVINCE, "grouping_id": GROUPING, "commune_id": COMMUNE,
                 "organisation_id": ORGANISATION}
USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]{1,64}$")
#: Letters and digits that cannot be mistaken for one another when read off a sheet.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """Three groups of five: about 74 bits, easy to type from a printed sheet."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(5)) for _ in range(3))


def key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


def template_columns(role_labels: dict[Role, str]) -> list[TemplateColumn]:
    return [
        TemplateColumn(USERNAME, _("Username * (letters without accents, digits, . _ -)"),
                       width=18),
        TemplateColumn(FULL_NAME, _("Full name *"), width=26),
        TemplateColumn(ROLE, _("Role *"), choices=tuple(role_labels.values()), width=24),
        TemplateColumn(PROVINCE, _("Province code"), as_text=True, width=10),
        TemplateColumn(GROUPING, _("District or cluster code"), as_text=True, width=14),
        TemplateColumn(COMMUNE, _("Commune code"), as_text=True, width=12),
        TemplateColumn(ORGANISATION, _("Organisation"), width=22),
    ]


def people_template(session: Session, role_labels: dict[Role, str], max_rows: int) -> bytes:
    """The blank workbook, with a guide listing roles, the scope each needs and the codes."""
    needs = {"province_id": PROVINCE, "grouping_id": GROUPING, "commune_id": COMMUNE,
             "organisation_id": ORGANISATION}
    guide = [[_("Accounts in bulk")], []]
    guide += [[line] for line in (
        _("One row per person, from row 3. Keep rows 1 and 2."),
        _("Each role needs the columns listed below; the others are left empty."),
        _("Nobody is created unless every row is correct. Then the one-time passwords are "
          "downloaded once, in a file: hand each person theirs. They choose their own "
          "password when they first sign in."),
    )]
    guide += [[], [_("Role"), "", _("Needs")]]
    for role, label in role_labels.items():
        wanted = [needs[name] for name in SCOPE_FIELDS[role]]
        if role is Role.commune_official:
            wanted = [COMMUNE]
        guide.append([label, role.value, ", ".join(wanted) or "—"])
    guide += [[], [_("Organisation"), "", _("Code")]]
    guide += [[o.name, "", o.code] for o in session.scalars(
        select(Organisation).order_by(Organisation.name))]
    guide += [[], [_("Province code"), "", _("Province")]]
    guide += [[p.code, "", p.name] for p in session.scalars(select(Province).where(
        Province.id.in_(select(Commune.province_id))).order_by(Province.name))]
    guide += [[], [_("District or cluster code"), "", _("District or cluster")]]
    guide += [[g.code, g.province.code, g.name] for g in session.scalars(
        select(Grouping).order_by(Grouping.province_id, Grouping.code))]
    return xlsx_template(_("Accounts"), template_columns(role_labels), _("Instructions"),
                         guide, max_rows)


@dataclass
class PersonRow:
    row: int
    username: str
    full_name: str
    role: Role
    scope: Scope
    #: Words for the scope, for the passwords file.
    scope_text: str


@dataclass
class PeopleReport:
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0
    rejected_count: int = 0
    #: (username, full name, role, scope, one-time password) once created.
    created: list[tuple[str, str, Role, str, str]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


class PeopleCheck:
    """The codes of the database, loaded once, and the check of one row against them."""

    def __init__(self, session: Session, check: SheetCheck,
                 role_labels: dict[Role, str]) -> None:
        self.check = check
        self.roles = {key(role.value): role for role in Role}
        self.roles.update({key(str(label)): role for role, label in role_labels.items()})
        self.provinces = {p.code: p for p in session.scalars(select(Province))}
        self.groupings = {(g.province_id, g.code.casefold()): g
                          for g in session.scalars(select(Grouping))}
        self.communes = {c.code: c for c in session.scalars(select(Commune))}
        self.organisations = {}
        for organisation in session.scalars(select(Organisation)):
            self.organisations[key(organisation.code)] = organisation
            self.organisations[key(organisation.name)] = organisation
        self.taken = set(session.scalars(select(func.lower(User.username))))

    def row(self, number: int, cells) -> PersonRow | None:
        check = self.check
        before = len(check.problems)
        username = normalise_username(check.text(cells, USERNAME) or "")
        if not username:
            check.problem(number, USERNAME, "cell_empty_column", name=USERNAME)
        elif not USERNAME_PATTERN.match(username):
            check.problem(number, USERNAME, "username_invalid")
        elif username in self.taken:
            check.problem(number, USERNAME, "username_taken", username=username)
        full_name = " ".join((check.text(cells, FULL_NAME) or "").split())
        if not full_name:
            check.problem(number, FULL_NAME, "cell_empty_column", name=FULL_NAME)
        elif len(full_name) > 120:
            check.problem(number, FULL_NAME, "full_name_too_long", max=120)
        role_text = check.text(cells, ROLE)
        role = self.roles.get(key(role_text)) if role_text else None
        if role_text is None:
            check.problem(number, ROLE, "cell_empty_column", name=ROLE)
        elif role is None:
            check.problem(number, ROLE, "role_unknown", value=role_text,
                          allowed=", ".join(r.value for r in Role))
        scope, words = self.scope(number, cells, role) if role else (Scope(), "")
        if len(check.problems) > before or role is None:
            return None
        return PersonRow(number, username, full_name, role, scope, words)

    def scope(self, number: int, cells, role: Role) -> tuple[Scope, str]:
        """The units the role needs, from their codes; problems for missing or unknown ones."""
        check = self.check
        values: dict[str, int] = {}
        words: list[str] = []
        wanted = set(SCOPE_FIELDS[role])
        if role is Role.commune_official:
            wanted = {"commune_id"}  # the province follows from the commune
        province = None
        if "province_id" in wanted or "grouping_id" in wanted:
            code = check.text(cells, PROVINCE)
            province = self.provinces.get(code.lstrip("0") if code and code.isdigit() else code)
            if code is None:
                check.problem(number, PROVINCE, "scope_column_empty", name=PROVINCE)
            elif province is None:
                check.problem(number, PROVINCE, "unknown_province", code=code)
            else:
                values["province_id"] = province.id
                words.append(province.name)
        if "grouping_id" in wanted and province is not None:
            code = check.text(cells, GROUPING)
            grouping = self.groupings.get((province.id, code.casefold())) if code else None
            if code is None:
                check.problem(number, GROUPING, "scope_column_empty", name=GROUPING)
            elif grouping is None:
                check.problem(number, GROUPING, "grouping_unknown", code=code,
                              province=province.name)
            else:
                values["grouping_id"] = grouping.id
                words.insert(0, grouping.name)
        if "commune_id" in wanted:
            code = check.text(cells, COMMUNE)
            commune = (self.communes.get(code) or self.communes.get(code.lstrip("0"))
                       ) if code else None
            if code is None:
                check.problem(number, COMMUNE, "scope_column_empty", name=COMMUNE)
            elif commune is None:
                check.problem(number, COMMUNE, "import_unknown_commune", code=code)
            else:
                values["commune_id"] = commune.id
                values["province_id"] = commune.province_id
                words.append(f"{commune.name} · {commune.province.name}")
        if "organisation_id" in wanted:
            text = check.text(cells, ORGANISATION)
            organisation = self.organisations.get(key(text)) if text else None
            if text is None:
                check.problem(number, ORGANISATION, "scope_column_empty", name=ORGANISATION)
            elif organisation is None:
                check.problem(number, ORGANISATION, "unknown_organisation", code=text)
            else:
                values["organisation_id"] = organisation.id
                words.insert(0, organisation.name)
        return Scope(**values), " · ".join(words)


def check_people(session: Session, file_name: str, data: bytes, max_rows: int,
                 role_labels: dict[Role, str]) -> tuple[PeopleReport, list[PersonRow]]:
    """Check every row of an upload; read the database, change nothing."""
    check = SheetCheck(COLUMNS, template_columns(role_labels), "accounts")
    rows = check.read(file_name, data, max_rows)
    people = PeopleCheck(session, check, role_labels)
    first: dict[str, int] = {}
    checked = []
    for number, cells in rows:
        person = people.row(number, cells)
        username = normalise_username(check.text(cells, USERNAME) or "")
        if username and first.setdefault(username, number) != number:
            check.problem(number, USERNAME, "username_repeated", username=username,
                          row=first[username])
            continue
        if person is not None:
            checked.append(person)
    return PeopleReport(check.sorted_problems(), len(rows), len(check.bad_rows)), checked


def import_people(session: Session, actor: User | None, file_name: str, data: bytes,
                  max_rows: int, role_labels: dict[Role, str]) -> PeopleReport:
    """Check an upload and, only when every row is right, create every account in it.
    ``actor`` None is the command line.

    :raises AccountError: a row the check let through is refused after all (someone took the
        username meanwhile): the caller's unit of work then creates nobody.
    """
    report, rows = check_people(session, file_name, data, max_rows, role_labels)
    if not report.clean:
        return report
    for person in rows:
        password = one_time_password()
        create_account(session, actor, username=person.username, full_name=person.full_name,
                       role=person.role, password=password, scope=person.scope,
                       one_time=True)
        report.created.append((person.username, person.full_name, person.role,
                               person.scope_text, password))
    return report


def passwords_workbook(report: PeopleReport, role_labels: dict[Role, str]) -> bytes:
    """The one copy of the one-time passwords: a sheet to print and hand out."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Passwords")
    sheet.append([_("One-time passwords: each works once, for the first sign-in, which asks "
                    "for a new password. Hand each person theirs, then delete this file.")])
    sheet.append([_("Username"), _("Full name"), _("Role"), _("Scope"),
                  _("One-time password")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for username, full_name, role, scope, password in report.created:
        sheet.append([username, full_name, str(role_labels.get(role, role.value)), scope,
                      password])
    for letter, width in zip("ABCDE", (18, 26, 24, 36, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
