"""Bulk import of paper forms typed into a spreadsheet: templates, the check, the confirmed store.

Nothing is stored by the check. An upload is read and checked row by row; a file with any
error is rejected whole, with a report (row, column, what is wrong). A file without errors
waits, as an ``ImportBatch`` in state ``checked``, until its uploader confirms it; then every
new row is stored in one transaction, or none is. So a file is never half-stored.

Each row gets a deterministic submission id (``row_submission_id``), so the same file or the
same row uploaded again is recognised and never stored twice.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from openpyxl.utils.datetime import from_excel
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forms import Question
from forms import validate_answers
from forms.validate import AnswerError
from survey_app.clock import now_utc
from survey_app.database import copy_rows
from survey_app.database import unit_of_work
from survey_app.domain_error import DomainError
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import FormVersion
from survey_app.models import ImportBatch
from survey_app.models import ImportRow
from survey_app.models import ImportStatus
from survey_app.models import Response
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.bulk_import.files import Cell
from survey_app.services.bulk_import.files import UnreadableFile
from survey_app.services.bulk_import.files import column_letter
from survey_app.services.bulk_import.files import read_table
from survey_app.services.bulk_import.templates import COMMUNE
from survey_app.services.bulk_import.templates import FIXED_COLUMNS
from survey_app.services.bulk_import.templates import INTERVIEW_DATE
from survey_app.services.bulk_import.templates import REFERENCE
from survey_app.services.intake.paradata import record_import
from survey_app.services.intake.store import content_hash
from survey_app.services.intake.take import Conflict
from survey_app.services.intake.take import IdenticalResend
from survey_app.services.intake.take import Stored
from survey_app.services.intake.take import Submission
from survey_app.services.intake.take import take_many
from survey_app.services.people.entry import EntryForm
from survey_app.services.people.entry import entry_forms

#: Separates the answers of a multiple-choice question in one cell (labels contain commas).
MULTI_SEPARATOR = re.compile(r"[;\n]")
#: Fixed for ever: changing it would give every row of an old file a new id.
ROW_NAMESPACE = uuid.UUID("88fcbdb3-81a6-4c8d-8176-616781e4f84b")
#: A checked file waits this long for its confirmation; then it must be uploaded again, so a
#: forgotten check never stores answers the surveyor no longer has in mind.
CONFIRM_WITHIN = timedelta(hours=24)
MAX_REFERENCE_LENGTH = 64
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")


class ImportRefused(DomainError):
    """A confirmation that cannot go ahead."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, as a code with parameters (``messages`` words it)."""

    #: The row number as the spreadsheet shows it; None for the whole file.
    row: int | None
    #: The column as "F · attitude"; None for the whole row or file.
    column: str | None
    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass
class CheckedRow:
    row: int
    submission_id: str
    commune_id: int
    reference: str | None
    interviewed_on: date | None
    answers: dict

    def pending(self) -> dict:
        return {"row": self.row, "submission_id": self.submission_id,
                "commune_id": self.commune_id, "reference": self.reference,
                "interviewed_on": self.interviewed_on.isoformat() if self.interviewed_on else None,
                "answers": self.answers}


@dataclass
class CheckReport:
    batch: ImportBatch
    problems: list[Problem]
    #: (commune name, rows to store) for the rows that are new.
    new_by_commune: list[tuple[str, int]]


# --- Reading cells -------------------------------------------------------------------------


def option_key(text: str) -> str:
    """Compare answers the way a person would: case, spacing, _ and - do not matter."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip().rstrip(".").strip()


class OptionMatcher:
    """Map what a typist wrote (value or label) to an option value, when that is unambiguous."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.keys: dict[str, set[str]] = {}
        for option in question.options:
            for text in (option.value, option.label):
                self.keys.setdefault(option_key(text), set()).add(option.value)

    def match(self, text: str) -> tuple[str | None, AnswerError | None]:
        """(option value, None) or (None, what is wrong)."""
        found = self.keys.get(option_key(text), set())
        if len(found) == 1:
            return next(iter(found)), None
        if found:
            return None, AnswerError("answer_ambiguous", {
                "value": text, "values": ", ".join(sorted(found))})
        allowed = "; ".join(f"{o.label} ({o.value})" for o in self.question.options)
        return None, AnswerError("answer_unknown", {"value": text, "allowed": allowed})


def cell_text(cell: Cell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip() or None


def parse_date(cell: Cell) -> date:
    """A date from an Excel date cell, an Excel day number or text such as 05/03/2026.

    :raises ValueError: not a date.
    """
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float):
        # Excel stores a date as days since 1899-12-30; a cell that lost its date format
        # still holds that number. Only years 1982–2119 are believable here.
        if not 30_000 <= cell <= 80_000:
            raise ValueError(cell)
        return from_excel(cell).date()
    text = str(cell).strip().split(" ")[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
    raise ValueError(cell)


def raw_answer(
    question: Question, cell: Cell, matcher: OptionMatcher | None
) -> tuple[object, AnswerError | None]:
    """The answer as ``validate_answers`` takes it, or (None, what is wrong)."""
    text = cell_text(cell)
    if text is None:
        return None, None
    if matcher is None:
        return text, None
    parts = [text] if not question.kind.multiple else [
        part.strip() for part in MULTI_SEPARATOR.split(text) if part.strip()]
    values = []
    for part in parts:
        value, problem = matcher.match(part)
        if problem:
            return None, problem
        values.append(value)
    return values, None


def answer_problem(error: AnswerError) -> tuple[str, dict[str, object]]:
    """The code and parameters of a cell's answer error, as the import reports it."""
    # In a file, a required answer that is missing is an empty cell; say so.
    if error.code == "required":
        return "cell_empty_required", {}
    return error.code, dict(error.params)


# --- The check -----------------------------------------------------------------------------


def row_submission_id(
    campaign_id: int, version_id: int, commune_id: int, reference: str | None,
    answers: dict, interviewed_on: date | None,
) -> str:
    """The row's submission id: from its paper form number, else from its content."""
    if reference:
        key = f"ref:{reference}"
    else:
        payload = json.dumps([answers, interviewed_on.isoformat() if interviewed_on else None],
                             sort_keys=True, ensure_ascii=False)
        key = "content:" + hashlib.sha256(payload.encode()).hexdigest()
    return str(uuid.uuid5(ROW_NAMESPACE, f"{campaign_id}/{version_id}/{commune_id}/{key}"))


class FileCheck:
    """The check of one file against one entry form; collects problems, never raises them."""

    def __init__(self, session: Session, entry: EntryForm, today: date) -> None:
        self.session = session
        self.entry = entry
        self.today = today
        self.definition = entry.version.parsed
        self.problems: list[Problem] = []
        self.positions: dict[str, int] = {}
        self.header_row = 1
        self.matchers = {
            q.id: OptionMatcher(q) for q in self.definition.questions
            if q.kind.has_options
        }
        self.communes = {commune.code: commune for commune in entry.communes}
        for commune in entry.communes:
            if commune.code.isdigit():
                self.communes.setdefault(commune.code.lstrip("0"), commune)

    def column(self, column_id: str) -> str:
        return f"{column_letter(self.positions[column_id])} · {column_id}"

    def problem(self, row: int | None, column_id: str | None, code: str, /,
                **params: object) -> None:
        column = self.column(column_id) if column_id in self.positions else column_id
        self.problems.append(Problem(row, column, code, params))

    def answer_problem(self, row: int, question_id: str, error: AnswerError) -> None:
        code, params = answer_problem(error)
        self.problem(row, question_id, code, **params)

    @property
    def bad_rows(self) -> set[int]:
        """The data rows with at least one problem."""
        return {p.row for p in self.problems if p.row is not None and p.row != self.header_row}

    def check_header(self, header: list[str], header_row: int) -> bool:
        """Map the columns; report missing, unknown and repeated ones. True when usable."""
        self.header_row = header_row
        known = [*FIXED_COLUMNS, *(q.id for q in self.definition.questions)]
        for index, name in enumerate(header):
            if not name:
                continue
            if name in self.positions:
                self.problems.append(Problem(
                    header_row, f"{column_letter(index)} · {name}", "column_repeated",
                    {"name": name, "other": column_letter(self.positions[name])}))
            elif name not in known:
                self.problems.append(Problem(
                    header_row, f"{column_letter(index)} · {name}", "column_unknown",
                    {"name": name, "code": self.definition.code,
                     "version": self.definition.version}))
            else:
                self.positions[name] = index
        # A column left out is read as empty cells: fine for optional and conditional
        # questions (a row that needs one says so), a problem for the commune and for required
        # questions, which would otherwise fail on every row.
        needed = [COMMUNE, *(q.id for q in self.definition.questions
                             if q.required and q.show_if is None)]
        for name in needed:
            if name not in self.positions:
                self.problems.append(Problem(header_row, name, "column_missing", {"name": name}))
        return not self.problems

    def is_notes_row(self, cells: list[Cell]) -> bool:
        """The template's second row, which repeats the questions in words."""
        for question in self.definition.questions:
            if question.id in self.positions:
                text = cell_text(self.cell(cells, question.id)) or ""
                return text.startswith(f"{self.definition.numbers[question.id]}. {question.text}")
        return False

    def cell(self, cells: list[Cell], column_id: str) -> Cell:
        index = self.positions.get(column_id)
        return cells[index] if index is not None and index < len(cells) else None

    def check_row(self, number: int, cells: list[Cell]) -> CheckedRow | None:
        before = len(self.problems)
        commune = self.row_commune(number, cells)
        reference = self.row_reference(number, cells)
        interviewed_on = self.row_date(number, cells)
        raw: dict[str, object] = {}
        unreadable: set[str] = set()
        for question in self.definition.questions:
            value, problem = raw_answer(question, self.cell(cells, question.id),
                                        self.matchers.get(question.id))
            if problem:
                self.answer_problem(number, question.id, problem)
                unreadable.add(question.id)
            raw[question.id] = value
        # Staff type what a respondent said: a blank cell where the form allows a refusal is
        # "không trả lời"; a blank elsewhere on a required question is still refused.
        result = validate_answers(self.definition, raw, no_answer=True)
        for question_id, error in result.errors.items():
            if question_id not in unreadable:
                self.answer_problem(number, question_id, error)
        if len(self.problems) > before or commune is None:
            return None
        submission_id = row_submission_id(
            self.entry.campaign_form.campaign_id, self.entry.version.id, commune.id, reference,
            result.answers, interviewed_on)
        return CheckedRow(number, submission_id, commune.id, reference, interviewed_on,
                          result.answers)

    def row_commune(self, number: int, cells: list[Cell]) -> Commune | None:
        code = cell_text(self.cell(cells, COMMUNE))
        if code is None:
            self.problem(number, COMMUNE, "commune_empty")
            return None
        commune = self.communes.get(code) or (
            self.communes.get(code.lstrip("0")) if code.isdigit() else None)
        if commune is not None:
            return commune
        known = self.session.scalar(select(Commune).where(Commune.code == code))
        if known is None:
            self.problem(number, COMMUNE, "import_unknown_commune", code=code)
        else:
            self.problem(number, COMMUNE, "commune_not_yours", commune=known.name, code=code,
                         form=self.definition.code)
        return None

    def row_reference(self, number: int, cells: list[Cell]) -> str | None:
        reference = cell_text(self.cell(cells, REFERENCE))
        if reference and len(reference) > MAX_REFERENCE_LENGTH:
            self.problem(number, REFERENCE, "reference_too_long", max=MAX_REFERENCE_LENGTH)
        return reference

    def row_date(self, number: int, cells: list[Cell]) -> date | None:
        cell = self.cell(cells, INTERVIEW_DATE)
        if cell is None:
            return None
        try:
            day = parse_date(cell)
        except ValueError:
            self.problem(number, INTERVIEW_DATE, "date_invalid", value=cell_text(cell))
            return None
        opens_on = self.entry.campaign_form.opens_on
        if day > self.today:
            self.problem(number, INTERVIEW_DATE, "date_future", day=day)
        elif day < opens_on:
            self.problem(number, INTERVIEW_DATE, "date_before_opening", day=day, opens=opens_on)
        return day

    def check_repeats(self, rows: list[CheckedRow]) -> None:
        """Two rows of the file that would be the same response."""
        first: dict[str, CheckedRow] = {}
        for row in rows:
            earlier = first.setdefault(row.submission_id, row)
            if earlier is row:
                continue
            if row.reference:
                self.problem(row.row, REFERENCE, "reference_repeated", ref=row.reference,
                             row=earlier.row)
            else:
                self.problem(row.row, None, "row_repeated", row=earlier.row)

    def stored_already(self, rows: list[CheckedRow]) -> set[str]:
        """The ids of rows stored by an earlier upload; a different stored content is a problem."""
        version_id = self.entry.version.id
        by_id = {row.submission_id: row for row in rows}
        stored: dict[str, str] = {}
        ids = list(by_id)
        for start in range(0, len(ids), 500):
            found = self.session.execute(
                select(Response.submission_id, Response.content_hash)
                .where(Response.submission_id.in_(ids[start:start + 500])))
            stored.update((submission_id, digest) for submission_id, digest in found)
        for submission_id, digest in stored.items():
            row = by_id[submission_id]
            if digest != content_hash(version_id, row.commune_id, row.answers):
                self.problem(row.row, REFERENCE, "reference_changed", ref=row.reference)
        return set(stored)


def check_upload(
    session: Session, user: User, entry: EntryForm, file_name: str, data: bytes, today: date,
    max_rows: int, progress: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check an uploaded file; store nothing, and only read the database.

    The report's batch is not added to the session: ``record_check`` does that, in a write
    transaction of its own, so the (slow) check never holds SQLite's write lock. A file
    without problems makes a ``checked`` batch holding its new rows, to be stored by
    ``store_batch`` once the user confirms.
    """
    batch = ImportBatch(user_id=user.id, campaign_id=entry.campaign_form.campaign_id,
                        form_version_id=entry.version.id, file_name=file_name[:255] or "?",
                        file_sha256=hashlib.sha256(data).hexdigest(),
                        status=ImportStatus.rejected, row_count=0, rejected_count=0,
                        duplicate_count=0, stored_count=0)
    check = FileCheck(session, entry, today)
    rows: list[CheckedRow] = []
    read = read_rows(check, file_name, data, max_rows, progress)
    if read is not None:
        rows, batch.row_count = read
        check.check_repeats(rows)
        duplicates = check.stored_already(rows) if not check.problems else set()
        batch.duplicate_count = len(duplicates)
        rows = [row for row in rows if row.submission_id not in duplicates]
    new_by_commune: list[tuple[str, int]] = []
    if check.problems:
        batch.rejected_count = len(check.bad_rows)
    elif rows:
        batch.status = ImportStatus.checked
        batch.pending = [row.pending() for row in rows]
        names = {commune.id: commune.name for commune in entry.communes}
        counts: dict[str, int] = {}
        for row in rows:
            counts[names[row.commune_id]] = counts.get(names[row.commune_id], 0) + 1
        new_by_commune = sorted(counts.items())
    else:
        # Every row is stored already: there is nothing to confirm.
        batch.status = ImportStatus.stored
        batch.confirmed_at = now_utc()
    problems = sorted(check.problems, key=lambda p: (p.row or 0, p.column or ""))
    return CheckReport(batch, problems, new_by_commune)


def record_check(session: Session, report: CheckReport) -> ImportBatch:
    """Keep the record of a check (and forget the uploader's checks that expired)."""
    discard_expired(session, report.batch.user_id)
    session.add(report.batch)
    session.flush()
    return report.batch


def read_rows(
    check: FileCheck, file_name: str, data: bytes, max_rows: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[CheckedRow], int] | None:
    """The file's rows without problems and its number of data rows; None if unreadable."""
    try:
        table = read_table(file_name, data, max_rows)
    except UnreadableFile as exc:
        check.problem(exc.params.get("line"), None, exc.code, **exc.params)
        return None
    if not check.check_header(table.header, table.header_row):
        return None
    data_rows = [(n, cells) for n, cells in table.rows if not check.is_notes_row(cells)]
    if not data_rows:
        check.problem(None, None, "no_rows")
    rows = []
    for done, (number, cells) in enumerate(data_rows, 1):
        row = check.check_row(number, cells)
        if row is not None:
            rows.append(row)
        if progress is not None:
            progress(done, len(data_rows))
    return rows, len(data_rows)


# --- Confirm, discard, history -------------------------------------------------------------


def store_batch(session: Session, user: User, batch_id: int, today: date,
                progress: Callable[[int, int], None] | None = None) -> ImportBatch:
    """Store every pending row of a checked batch, all in the caller's transaction.

    Every row goes through the one intake (``take_many``: validated on its own, stored in
    batched statements). Confirming a stored batch again changes nothing. ``progress`` is
    told (rows stored so far, rows to store).

    :raises ImportRefused: not this user's, not checked, expired, a commune or form the user
        no longer covers, or a row's id stored with other answers since the check; the
        caller's unit of work then rolls back, so nothing is stored.
    """
    batch = session.scalar(select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.user_id == user.id).with_for_update())
    if batch is None:
        raise ImportRefused("import_missing")
    if batch.status is ImportStatus.stored:
        return batch
    if batch.status is not ImportStatus.checked or is_expired(batch):
        raise ImportRefused("import_expired")
    version = session.get(FormVersion, batch.form_version_id)
    allowed = next((entry for entry in entry_forms(session, user, today)
                    if entry.campaign_form.campaign_id == batch.campaign_id
                    and entry.campaign_form.form_id == version.form_id), None)
    pending = batch.pending or []
    if allowed is None or {row["commune_id"] for row in pending} - allowed.commune_ids:
        raise ImportRefused("import_scope_changed")
    outcomes = take_many([
        Submission(submission_id=row["submission_id"], campaign_id=batch.campaign_id,
                   commune_id=row["commune_id"], channel=Channel.import_,
                   answers=row["answers"], entered_by_id=user.id)
        for row in pending], version, lambda: unit_of_work(session),
        progress=(lambda done: progress(done, len(pending))) if progress else None)
    provenance = []
    for row, outcome in zip(pending, outcomes, strict=True):
        if isinstance(outcome, Conflict):
            raise ImportRefused("import_conflict")
        if not isinstance(outcome, Stored | IdenticalResend):
            # The rows were checked against this very version: only a changed check can
            # make one fail now, and the file then has to be checked again.
            raise ImportRefused("import_expired")
        if isinstance(outcome, Stored):
            interviewed_on = row["interviewed_on"]
            provenance.append({
                "batch_id": batch.id, "response_id": outcome.response_id,
                "row_number": row["row"], "reference": row["reference"],
                "interviewed_on": date.fromisoformat(interviewed_on) if interviewed_on else None,
            })
    # Batched like the responses: COPY on PostgreSQL, one executemany on SQLite.
    if provenance and session.get_bind().dialect.name == "postgresql":
        columns = ("batch_id", "response_id", "row_number", "reference", "interviewed_on")
        copy_rows(session, "import_rows", columns,
                  (tuple(row[column] for column in columns) for row in provenance))
    elif provenance:
        session.execute(insert(ImportRow.__table__), provenance)
    # The upload is these sheets' batch, its uploader their typist (interview_paradata).
    record_import(session, batch.id, user.id, [row["response_id"] for row in provenance])
    batch.stored_count = len(provenance)
    batch.duplicate_count += len(pending) - len(provenance)
    batch.status = ImportStatus.stored
    batch.confirmed_at = now_utc()
    batch.pending = None
    session.flush()
    trail.record(session, user, Action.IMPORT_STORED, target=("import_batch", batch.id),
                 campaign_id=batch.campaign_id, file=batch.file_name,
                 stored=batch.stored_count, duplicates=batch.duplicate_count)
    return batch


def pending_by_commune(session: Session, batch: ImportBatch) -> list[tuple[str, int]]:
    """(commune name, rows to store) of a checked batch, by name."""
    counts: dict[int, int] = {}
    for row in batch.pending or []:
        counts[row["commune_id"]] = counts.get(row["commune_id"], 0) + 1
    names = dict(session.execute(select(Commune.id, Commune.name).where(
        Commune.id.in_(list(counts)))).all())
    return sorted((names.get(commune_id, "?"), count) for commune_id, count in counts.items())


def discard_batch(session: Session, user: User, batch_id: int) -> ImportBatch | None:
    """Cancel a checked batch of ``user``'s: its rows are forgotten, nothing is stored."""
    batch = session.scalar(select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.user_id == user.id))
    if batch is not None and batch.status is ImportStatus.checked:
        batch.status = ImportStatus.discarded
        batch.pending = None
        session.flush()
        trail.record(session, user, Action.IMPORT_DISCARDED, target=("import_batch", batch.id),
                     campaign_id=batch.campaign_id, file=batch.file_name)
    return batch


def is_expired(batch: ImportBatch) -> bool:
    return batch.status is ImportStatus.checked and now_utc() - batch.uploaded_at > CONFIRM_WITHIN


def discard_expired(session: Session, user_id: int) -> None:
    """Forget the rows of the user's checks that were never confirmed in time."""
    session.execute(
        update(ImportBatch)
        .where(ImportBatch.user_id == user_id, ImportBatch.status == ImportStatus.checked,
               ImportBatch.uploaded_at < now_utc() - CONFIRM_WITHIN)
        .values(status=ImportStatus.discarded, pending=None)
    )


def find_batch(session: Session, user: User, batch_id: int) -> ImportBatch | None:
    return session.scalar(select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.user_id == user.id))


def recent_batches(session: Session, user: User, limit: int = 20) -> list[ImportBatch]:
    """The user's latest uploads, newest first."""
    return list(session.scalars(
        select(ImportBatch).where(ImportBatch.user_id == user.id)
        .order_by(ImportBatch.uploaded_at.desc(), ImportBatch.id.desc()).limit(limit)
    ))
