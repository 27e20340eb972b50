"""The rulebook: thresholds, minimum samples and the target, edited as new versions."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from analytics import FormRule
from analytics import Rulebook
from analytics.rulebook import MAX_CORRECTION_DAYS
from analytics.rulebook import MAX_MIN_RESPONSES
from analytics.rulebook import parse_percent
from analytics.rulebook import percent_text
from forms import Question
from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.database import ConcurrentChange
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.inputs import valid_id
from survey_app.inputs import whole_number
from survey_app.models import Form
from survey_app.models import Province
from survey_app.models import RulebookVersion
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results import rulebooks as rulebooks_service

AREAS.append(("admin.rulebooks", _l("Rulebook: thresholds, samples and target")))


@dataclass(frozen=True)
class FormChoice:
    """A form as the rulebook page shows it: its code and its satisfaction options."""

    code: str
    title: str
    question: Question | None
    defined: tuple[str, ...]


def form_choices() -> list[FormChoice]:
    choices = []
    for form in db.session.scalars(select(Form).order_by(Form.code)):
        version = form.current_version()
        definition = version.parsed if version else None
        question = definition.question(definition.satisfaction_question) if definition else None
        choices.append(FormChoice(form.code, form.title, question,
                                  definition.satisfied_values if definition else ()))
    return choices


def scope_from(value: str | None) -> Province | None:
    """``global`` (or nothing) for every province, else a province id; 404 if unknown."""
    if value in (None, "", "global"):
        return None
    return db.get_or_404(Province, valid_id(value) or abort(404))


def applying(province: Province | None) -> rulebooks_service.RulebookInUse:
    return rulebooks_service.rules_in_force(db.session, province.id if province else None)


def read_rules(data, choices: list[FormChoice]) -> tuple[Rulebook | None, list[str]]:
    """Build a rulebook from the submitted fields; the problems in the user's language."""
    problems: list[str] = []

    def percent(name: str, label: str, required: bool = False):
        raw = data.get(name, "").strip()
        if not raw:
            if required:
                problems.append(_("%(field)s is required.", field=label))
            return None
        try:
            return parse_percent(raw)
        except ValueError:
            problems.append(_("%(field)s must be a percentage above 0 and at most 100.",
                              field=label))
            return None

    def count(name: str, label: str, required: bool = False):
        raw = data.get(name, "").strip()
        if not raw:
            if required:
                problems.append(_("%(field)s is required.", field=label))
            return None
        number = whole_number(raw)
        if number is None or not 1 <= number <= MAX_MIN_RESPONSES:
            problems.append(_("%(field)s must be a whole number from 1 to %(max)s.",
                              field=label, max=MAX_MIN_RESPONSES))
            return None
        return number

    target = percent("target_percent", _("Target share of communes"), required=True)
    threshold = percent("threshold_percent", _("Default threshold"), required=True)
    minimum = count("min_responses", _("Default minimum of valid responses"), required=True)
    # Blank keeps the built-in margin (a form saved before the field existed sends none).
    margin = (percent("channel_margin_percent", _("QR against field margin"))
              or Rulebook.channel_margin)
    # Blank keeps the built-in window (a form saved before the field existed sends none).
    correction_days = Rulebook.correction_days
    raw_days = data.get("correction_days", "").strip()
    if raw_days:
        correction_days = whole_number(raw_days)
        if correction_days is None or not 1 <= correction_days <= MAX_CORRECTION_DAYS:
            problems.append(_("%(field)s must be a whole number from 1 to %(max)s.",
                              field=_("Days to correct a field sheet"), max=MAX_CORRECTION_DAYS))
    deadline = None
    if data.get("deadline", "").strip():
        try:
            deadline = date.fromisoformat(data["deadline"].strip())
        except ValueError:
            problems.append(_("The deadline must be a date."))
    forms = {}
    for choice in choices:
        satisfied = tuple(v for v in (choice.question.option_values if choice.question else ())
                          if v in data.getlist(f"satisfied_{choice.code}"))
        if choice.question and not satisfied:
            problems.append(_("%(form)s: tick at least one answer that counts as satisfied.",
                              form=choice.code))
        rule = FormRule(
            threshold=percent(f"threshold_{choice.code}", _("%(form)s threshold",
                                                            form=choice.code)),
            min_responses=count(f"min_{choice.code}", _("%(form)s minimum", form=choice.code)),
            min_staff_share=percent(f"staff_{choice.code}",
                                    _("%(form)s share of staff", form=choice.code)),
            # Ticking exactly the form's own choice keeps following the form definition.
            satisfied_values=satisfied if set(satisfied) != set(choice.defined) else None,
        )
        if rule != FormRule():
            forms[choice.code] = rule
    if problems:
        return None, problems
    return Rulebook(target_share=target, target_deadline=deadline, threshold=threshold,
                    min_responses=minimum, forms=forms, channel_margin=margin,
                    correction_days=correction_days), []


def form_values(rules: Rulebook, choices: list[FormChoice]) -> dict[str, object]:
    """The fields as the form shows them, from a rulebook."""
    values: dict[str, object] = {
        "target_percent": percent_text(rules.target_share),
        "deadline": rules.target_deadline.isoformat() if rules.target_deadline else "",
        "threshold_percent": percent_text(rules.threshold),
        "min_responses": str(rules.min_responses),
        "channel_margin_percent": percent_text(rules.channel_margin),
        "correction_days": str(rules.correction_days),
    }
    for choice in choices:
        rule = rules.forms.get(choice.code) or FormRule()
        values[f"threshold_{choice.code}"] = percent_text(rule.threshold) if rule.threshold else ""
        values[f"min_{choice.code}"] = str(rule.min_responses or "")
        values[f"staff_{choice.code}"] = (percent_text(rule.min_staff_share)
                                          if rule.min_staff_share else "")
        values[f"satisfied_{choice.code}"] = set(rules.satisfied_for(choice.code, choice.defined))
    return values


def render_page(province: Province | None, values: dict, problems: list[str], status=200):
    history = list(db.session.scalars(
        select(RulebookVersion)
        .where(RulebookVersion.province_id.is_(None) if province is None
               else RulebookVersion.province_id == province.id)
        .order_by(RulebookVersion.version.desc())
    ))
    return render_template(
        "admin/rulebooks.html", province=province, provinces=list(db.session.scalars(
            select(Province).order_by(Province.name))), current=applying(province),
        choices=form_choices(), values=values, problems=problems, history=history,
        percent_text=percent_text,
    ), status


@bp.get("/bo-quy-tac")
@role_required()
def rulebooks():
    """Show the rules in force for a scope, their history, and a form for the next version."""
    province = scope_from(request.args.get("scope"))
    current = applying(province)
    return render_page(province, form_values(current.rules, form_choices()), [])


@bp.post("/bo-quy-tac")
@role_required()
def rulebooks_save():
    """Save the submitted rules as the next version of the scope's rulebook (CSRF-checked
    like every POST)."""
    province = scope_from(request.form.get("scope"))
    choices = form_choices()
    rules, problems = read_rules(request.form, choices)
    note = request.form.get("note", "").strip()
    if not note or len(note) > 300:
        problems.append(_("Say why the rules change (at most 300 characters)."))
    if problems:
        values = {**request.form.to_dict(), **{
            f"satisfied_{c.code}": set(request.form.getlist(f"satisfied_{c.code}"))
            for c in choices}}
        return render_page(province, values, problems, 422)
    # The recognition criteria are loaded on their own page: this form keeps them as they are.
    rules = replace(rules, recognition=applying(province).rules.recognition)
    # The integrity rules are edited on their own page (admin/integrity_rules.py): kept.
    rules = replace(rules, integrity=applying(province).rules.integrity)
    save_version(province, rules, note)
    return redirect(url_for("admin.rulebooks", scope=province.id if province else None),
                    code=303)


def save_version(province: Province | None, rules: Rulebook, note: str) -> None:
    """Save ``rules`` as the scope's next rulebook version, in the audit trail too, and tell
    the admin how it went (the thresholds' page and the integrity rules' page alike)."""
    try:
        with unit_of_work(db.session):
            row = rulebooks_service.save_rulebook(
                db.session, province.id if province else None, rules, note, current_user.id)
            trail.record(db.session, current_user, Action.RULEBOOK_SAVED,
                         target=("rulebook_version", row.id),
                         province_id=province.id if province else None,
                         version=row.version, note=note)
    except ConcurrentChange:
        flash(_("Someone saved the rulebook at the same moment. Check the latest version and "
                "save again."), "error")
    else:
        flash(_("Saved as version %(n)s. Earlier versions are kept unchanged.", n=row.version))
