"""Downloads: the results workbook (one sheet per level) and the anonymous responses as CSV.

Headers are in the user's language (Vietnamese by default). The CSV opens correctly in
Excel (UTF-8 with a byte-order mark) and every cell a respondent could have typed is
defused against formula injection. Free text goes out only when the caller says the user
may read it.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import FormState
from analytics import Status
from analytics.rulebook import percent_text
from survey_app.clock import VIETNAM
from survey_app.models import Answer
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import FormVersion
from survey_app.models import Grouping
from survey_app.models import Response
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results.campaign import CampaignFormInfo
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import end_of_day

log = logging.getLogger(__name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Cells starting with these are formulas to a spreadsheet (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000
PERCENT = "0.0%"


def status_text(status: Status) -> str:
    return {Status.meets: _("Meets the standard"), Status.does_not_meet: _("Does not meet"),
            Status.not_enough_data: _("Not enough data")}[status]


def state_text(state: FormState) -> str:
    return {FormState.passes: _("Passes"), FormState.fails: _("Below threshold"),
            FormState.insufficient: _("Not enough responses")}[state]


def channel_text(channel: Channel) -> str:
    return {Channel.qr: _("QR code"), Channel.field: _("Interview"),
            Channel.paper: _("Paper form"), Channel.import_: _("File import")}[channel]


def ratio(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def attachment_name(results: CampaignResults, extension: str, suffix: str = "") -> str:
    day = results.as_of.isoformat()
    name = f"ket-qua-dot-{results.campaign.id}{'-' + suffix.lower() if suffix else ''}-{day}"
    return f"{name}.{extension}"


def attachment(results: CampaignResults, extension: str, suffix: str = "") -> str:
    return f'attachment; filename="{attachment_name(results, extension, suffix)}"'


def log_export(session: Session, kind: str, user, results: CampaignResults,
               form_code: str | None = None) -> None:
    """Exports are logged and kept in the audit trail (who, what, when): they take data out of
    the platform. Call inside a unit of work."""
    trail.record(session, user, Action.EXPORT_DOWNLOADED, target=("campaign", results.campaign.id),
                 province_id=results.campaign.province_id, export=kind, form=form_code,
                 as_of=results.as_of.isoformat())
    log.info("export %s campaign=%s user=%s", kind, results.campaign.id, user.id, extra={
        "export": kind, "campaign_id": results.campaign.id, "form": form_code,
        "user_id": user.id, "role": user.role.value, "as_of": results.as_of.isoformat()})


@dataclass(frozen=True)
class FormOverview:
    code: str
    title: str
    communes: int
    passes: int
    fails: int
    insufficient: int
    valid: int
    satisfied: int
    flagged: int
    threshold: Fraction

    @property
    def pooled_rate(self) -> Fraction | None:
        """Satisfied over valid responses of all communes together."""
        return Fraction(self.satisfied, self.valid) if self.valid else None


def form_overview(results: CampaignResults) -> list[FormOverview]:
    """Per form, over the communes in scope: how many pass, fail or lack responses."""
    rules = results.rulebook.rules
    rows = []
    for form in results.forms:
        mine = [r for r in results.evaluation.results if r.form_code == form.code]
        rows.append(FormOverview(
            form.code, form.title, len(mine),
            sum(r.state is FormState.passes for r in mine),
            sum(r.state is FormState.fails for r in mine),
            sum(r.state is FormState.insufficient for r in mine),
            sum(r.valid for r in mine), sum(r.satisfied for r in mine),
            sum(r.count.flagged for r in mine), rules.threshold_for(form.code),
        ))
    return rows


class Sheet:
    """A write-only worksheet with a title line (the rulebook) and a bold header row, frozen
    and filtered so that a reader can scroll and pick rows in Excel."""

    def __init__(self, book: Workbook, title: str, note: str, headers: list[str],
                 widths: list[int]) -> None:
        self.sheet = book.create_sheet(title)
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = width
        self.sheet.freeze_panes = "A4"
        self.sheet.append([self.cell(note, bold=True)])
        self.sheet.append([])
        self.sheet.append([self.cell(h, bold=True) for h in headers])
        self.last_column = get_column_letter(max(len(headers), 1))
        self.rows = 3
        self.filter()

    def filter(self) -> None:
        # A write-only sheet writes its filter after the rows: widened as rows arrive.
        self.sheet.auto_filter.ref = f"A3:{self.last_column}{self.rows}"

    def cell(self, value, fmt: str | None = None, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = Font(bold=True)
        return cell

    def row(self, *values, percent: tuple[int, ...] = ()) -> None:
        self.sheet.append([self.cell(v, PERCENT if i in percent else None)
                           for i, v in enumerate(values)])
        self.rows += 1
        self.filter()


def results_workbook(results: CampaignResults, rulebook_label: str,
                     trail_head: str = "") -> bytes:
    """The workbook: province, groupings, communes, forms, commune × form, and the rules, with
    the audit trail's last row and hash when it was made (``trail_head``)."""
    book = Workbook(write_only=True)
    note = _("Rulebook: %(label)s", label=rulebook_label)
    province_sheet(book, results, note, rulebook_label)
    grouping_sheet(book, results, note)
    commune_sheet(book, results, note)
    form_sheet(book, results, note)
    detail_sheet(book, results, note)
    rules_sheet(book, results, rulebook_label, trail_head)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def province_sheet(book, results: CampaignResults, note: str, label: str) -> None:
    overall = results.evaluation.overall
    rules = results.rulebook.rules
    sheet = Sheet(book, _("Province"), note, [_("Indicator"), _("Value")], [48, 40])
    rows = [
        (_("Province"), results.campaign.province.name),
        (_("Campaign"), results.campaign.name),
        (_("Figures as of"), results.as_of.strftime("%d/%m/%Y")),
        (_("Rulebook"), label),
        (_("Communes"), overall.communes),
        (_("Meet the standard"), overall.meets),
        (_("Do not meet"), overall.does_not_meet),
        (_("Not enough data"), overall.not_enough_data),
    ]
    for name, value in rows:
        sheet.row(name, value)
    sheet.row(_("Share meeting the standard"), ratio(overall.share), percent=(1,))
    sheet.row(_("Target"), ratio(rules.target_share), percent=(1,))
    sheet.row(_("Deadline"), rules.target_deadline.strftime("%d/%m/%Y")
              if rules.target_deadline else _("not set"))
    sheet.row(_("Communes still needed to reach the target"), overall.needed)
    sheet.row(_("Valid responses"), results.evaluation.valid)
    sheet.row(_("Flagged responses (left out)"), results.evaluation.flagged)
    with_flagged = (results.with_flagged or results.evaluation).overall
    sheet.row(_("Share meeting the standard with the flagged responses counted"),
              ratio(with_flagged.share), percent=(1,))
    sheet.row(_("Communes meeting the standard with the flagged responses counted"),
              with_flagged.meets)


def grouping_sheet(book, results: CampaignResults, note: str) -> None:
    sheet = Sheet(book, _("Groupings"), note, [
        _("Grouping"), _("Communes"), _("Meet the standard"), _("Do not meet"),
        _("Not enough data"), _("Share meeting the standard"), _("Target"),
        _("Communes still needed")], [34, 10, 14, 14, 14, 16, 10, 14])
    for group in sorted(results.evaluation.groupings,
                        key=lambda g: results.groupings.get(g.grouping_id) or "~"):
        sheet.row(results.groupings.get(group.grouping_id) or _("No grouping"), group.communes,
                  group.meets, group.does_not_meet, group.not_enough_data, ratio(group.share),
                  ratio(group.target), group.needed, percent=(5, 6))


def commune_sheet(book, results: CampaignResults, note: str) -> None:
    codes = [form.code for form in results.forms]
    sheet = Sheet(book, _("Communes"), note, [
        _("Commune code"), _("Commune"), _("Grouping"), _("Status"), _("Forms below threshold"),
        _("Responses still missing"), _("Valid responses"), _("Flagged responses"),
        *[_("%(form)s satisfaction", form=code) for code in codes],
        _("Status with the flagged responses counted"),
    ], [12, 30, 24, 20, 22, 28, 12, 12, *[12] * len(codes), 20])
    with_flagged = {s.commune.id: s.status
                    for s in (results.with_flagged or results.evaluation).statuses}
    for status in results.evaluation.statuses:
        rates = {r.form_code: ratio(r.rate) for r in status.forms}
        sheet.row(
            status.commune.code, status.commune.name,
            results.groupings.get(status.commune.grouping_id) or "", status_text(status.status),
            ", ".join(status.failing_forms),
            ", ".join(f"{code}: {n}" for code, n in status.missing),
            status.valid, status.flagged, *[rates.get(code) for code in codes],
            status_text(with_flagged[status.commune.id]),
            percent=tuple(range(8, 8 + len(codes))),
        )


def form_sheet(book, results: CampaignResults, note: str) -> None:
    sheet = Sheet(book, _("Forms"), note, [
        _("Form"), _("Title"), _("Communes"), _("Communes passing"),
        _("Communes below threshold"), _("Communes without enough responses"),
        _("Valid responses"), _("Satisfied responses"), _("Pooled satisfaction"),
        _("Threshold"), _("Flagged responses")], [8, 50, 10, 12, 12, 14, 12, 12, 14, 10, 12])
    for row in form_overview(results):
        sheet.row(row.code, row.title, row.communes, row.passes, row.fails, row.insufficient,
                  row.valid, row.satisfied, ratio(row.pooled_rate), ratio(row.threshold),
                  row.flagged, percent=(8, 9))


def detail_sheet(book, results: CampaignResults, note: str) -> None:
    communes = {c.id: c for c in results.communes}
    titles = {form.code: form.title for form in results.forms}
    sheet = Sheet(book, _("Commune × form"), note, [
        _("Commune code"), _("Commune"), _("Form"), _("Title"), _("Valid responses"),
        _("Satisfied responses"), _("Satisfaction"),
        _("Lower bound of the 95 percent interval"), _("Upper bound of the 95 percent interval"),
        _("Minimum responses"), _("Threshold"), _("Result"), _("Responses still missing"),
        _("Flagged responses"),
        _("Without a satisfaction answer"), _("Sample target")],
        [12, 30, 8, 40, 12, 12, 12, 12, 12, 12, 10, 20, 12, 12, 14, 12])
    for r in results.evaluation.results:
        commune = communes[r.commune_id]
        interval = r.interval
        sheet.row(commune.code, commune.name, r.form_code, titles.get(r.form_code, ""), r.valid,
                  r.satisfied, ratio(r.rate),
                  interval.low if interval else None, interval.high if interval else None,
                  r.required, ratio(r.threshold), state_text(r.state), r.missing,
                  r.count.flagged, r.count.unanswered, r.sample_target,
                  percent=(6, 7, 8, 10))


def rules_sheet(book, results: CampaignResults, label: str, trail_head: str = "") -> None:
    rulebook = results.rulebook
    rules = rulebook.rules
    sheet = Sheet(book, _("Rulebook"), _("Rulebook: %(label)s", label=label),
                  [_("Rule"), _("Value")], [56, 60])
    sheet.row(_("Version"), rulebook.version)
    sheet.row(_("Saved on"), rulebook.created_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
              if rulebook.created_at else _("built in"))
    sheet.row(_("Note"), rulebook.note)
    if trail_head:
        sheet.row(_("Audit trail when this file was made (last row, hash)"), trail_head)
    sheet.row(_("Target share of communes"), f"{percent_text(rules.target_share)}%")
    sheet.row(_("Deadline"), rules.target_deadline.strftime("%d/%m/%Y")
              if rules.target_deadline else _("not set"))
    for form in results.forms:
        satisfied = sorted(rules.satisfied_for(
            form.code, form.definition.satisfied_values if form.definition else ()))
        rule = rules.forms.get(form.code)
        minimum = (_("%(share)s%% of staff headcount", share=percent_text(rule.min_staff_share))
                   if rule and rule.min_staff_share is not None else
                   str(rules.required_responses(form.code, None)))
        sheet.row(_("%(form)s: threshold", form=form.code),
                  f"{percent_text(rules.threshold_for(form.code))}%")
        sheet.row(_("%(form)s: minimum valid responses per commune", form=form.code), minimum)
        sheet.row(_("%(form)s: answers counted as satisfied", form=form.code),
                  ", ".join(satisfied))


def defuse(value: str) -> str:
    """Keep a spreadsheet from running a respondent's text as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def responses_csv(
    session: Session, results: CampaignResults, form: CampaignFormInfo, include_text: bool,
    include_reasons: bool,
) -> Iterator[str]:
    """The form's responses in scope, one row each, without anything that identifies them:
    no ids, no time of day, no collection point or surveyor; free text only if allowed; the
    integrity rules' reasons only if allowed (never to the commune's own officials, so that
    nobody can probe the rules: docs/INTEGRITY.md).

    The scope is read now, not when the rows stream: by then the request's session (and the
    campaign loaded in it) may be gone."""
    scope = (results.campaign.id, results.commune_ids, results.until)
    definition = form.definition
    questions = [q for q in definition.questions
                 if include_text or not q.kind.free_text] if definition else []
    # Each commune under the name it had when the campaign began (docs/UNITS.md).
    names = {commune.id: commune.name for commune in results.communes}
    return csv_lines(session, scope, form, questions, names, include_reasons)


def csv_lines(session: Session, scope: tuple, form: CampaignFormInfo,
              questions: list, names: dict[int, str], include_reasons: bool) -> Iterator[str]:
    numbers = form.definition.numbers if form.definition else {}
    yield "\ufeff" + line([
        _("Row number"), _("Commune code"), _("Commune"), _("Grouping"), _("Form"), _("Version"),
        _("Channel"), _("Received on"), _("Flagged"), _("Flag reason"), _("Counted"),
        _("Correction reason"),
        *[defuse(f"{numbers[q.id]}. {q.text}") for q in questions],
    ])
    number = 0
    after = 0
    wanted = [q.id for q in questions]
    while True:
        batch = response_batch(session, scope, form, after)
        if not batch:
            return
        answers = answers_for(session, [row.id for row in batch], wanted)
        for row in batch:
            number += 1
            given = answers.get(row.id, {})
            yield line([
                str(number), row.code, defuse(names.get(row.commune_id, row.name)),
                defuse(row.grouping or ""), form.code,
                str(row.version), channel_text(row.channel),
                row.received_at.astimezone(VIETNAM).strftime("%d/%m/%Y"),
                _("yes") if row.is_flagged else _("no"),
                defuse(row.flag_reason or "") if include_reasons else "",
                counted_text(row), defuse(row.supersede_reason or ""),
                *[defuse("; ".join(q.option_label(v) for v in given.get(q.id, [])))
                  for q in questions],
            ])
        after = batch[-1].id


def counted_text(row) -> str:
    """Whether the row counts: a sheet voided or replaced by its surveyor stays in the file,
    marked, and is in no count (``Response.standing()``)."""
    if row.superseded_at is None:
        return _("yes")
    return _("no: replaced by a corrected sheet") if row.replacement_id else _("no: voided")


def count_responses(session: Session, results: CampaignResults, form: CampaignFormInfo) -> int:
    """How many rows ``responses_csv`` writes (a job's progress counts them)."""
    query = select(func.count()).select_from(Response).where(
        Response.campaign_id == results.campaign.id, Response.form_id == form.form_id,
        Response.commune_id.in_(results.commune_ids))
    if results.until is not None:
        query = query.where(Response.received_at < end_of_day(results.until))
    return session.scalar(query)


def responses_zip(session: Session, results: CampaignResults,
                  forms: list[CampaignFormInfo], include_text: bool,
                  left_out: list[tuple[str, str]],
                  include_reasons: bool,
                  trail_head: str | None = None) -> tempfile.SpooledTemporaryFile:
    """Every form's responses in one ZIP, one CSV per form (their questions differ), plus a
    note naming each form left out and why, and the audit trail's head as a file of its own
    (the CSVs stay plain tables for any reader). Spooled to disk past a few megabytes."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (streamed, then closed)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for form in forms:
            name = attachment_name(results, "csv", form.code)
            with archive.open(name, "w", force_zip64=True) as member:
                for text in responses_csv(session, results, form, include_text, include_reasons):
                    member.write(text.encode("utf-8"))
        if left_out:
            note = "\r\n".join(f"{code}: {why}" for code, why in left_out)
            archive.writestr(_("forms-left-out") + ".txt", "\ufeff" + note + "\r\n")
        if trail_head is not None:
            archive.writestr(TRAIL_HEAD_FILE, "\ufeff" + trail_head_note(trail_head))
    spool.seek(0)
    return spool


def read_and_close(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    """Stream a spooled file out, closing (and deleting) it at the end."""
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


def response_batch(session: Session, scope: tuple, form: CampaignFormInfo,
                   after: int) -> list:
    campaign_id, commune_ids, until = scope
    query = (
        select(Response.id, Response.commune_id, Commune.code, Commune.name,
               Grouping.name.label("grouping"),
               FormVersion.version, Response.channel, Response.received_at, Response.is_flagged,
               Response.flag_reason, Response.superseded_at, Response.supersede_reason,
               Response.replacement_id)
        .join(Commune, Response.commune_id == Commune.id)
        .outerjoin(Grouping, Commune.grouping_id == Grouping.id)
        .join(FormVersion, Response.form_version_id == FormVersion.id)
        .where(Response.campaign_id == campaign_id, Response.form_id == form.form_id,
               Response.commune_id.in_(commune_ids), Response.id > after)
        .order_by(Response.id).limit(BATCH)
    )
    if until is not None:
        query = query.where(Response.received_at < end_of_day(until))
    return list(session.execute(query))


def answers_for(session: Session, response_ids: list[int],
                question_ids: list[str]) -> dict[int, dict[str, list[str]]]:
    answers: dict[int, dict[str, list[str]]] = {}
    rows = session.execute(
        select(Answer.response_id, Answer.question_id, Answer.value)
        .where(Answer.response_id.in_(response_ids), Answer.question_id.in_(question_ids))
        .order_by(Answer.id)
    )
    for response_id, question_id, value in rows:
        answers.setdefault(response_id, {}).setdefault(question_id, []).append(value)
    return answers


def line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


#: The ZIP's file holding the audit trail's head (docs/DEPLOY.md, "The audit trail").
TRAIL_HEAD_FILE = "audit-head.txt"
#: The response header carrying it on a single CSV.
TRAIL_HEAD_HEADER = "X-Audit-Head"


def trail_head_note(head: str) -> str:
    return _("Audit trail head when this file was made: %(head)s", head=head) + "\r\n"


def trail_head_text(session: Session) -> str:
    """The audit trail's last row and hash as printed on reports and exports: a later rewrite
    of the trail no longer leads to it."""
    head = trail.head(session)
    return f"{head.seq} · {head.entry_hash}"
