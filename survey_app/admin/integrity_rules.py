"""The integrity rules of the rulebook (analytics/integrity.py), edited as new versions.

Saving keeps the thresholds, samples and target of the version in force and changes only
the rules that flag QR responses; a recomputation (dashboard, or ``flask integrity
recompute``) applies them to a campaign's responses already stored.
"""

from __future__ import annotations

from dataclasses import replace

from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from analytics.integrity import COUNTS
from analytics.integrity import MODES
from analytics.integrity import PERCENTS
from analytics.integrity import REASONS
from analytics.integrity import rules_from_dict
from analytics.integrity import rules_to_dict
from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.admin.rulebooks import applying
from survey_app.admin.rulebooks import save_version
from survey_app.admin.rulebooks import scope_from
from survey_app.extensions import db
from survey_app.messages import FLAG_REASONS
from survey_app.models import Province

AREAS.append(("admin.integrity_rules", _l("Rulebook: rules that flag suspicious QR responses")))

LABELS = {
    "burst_device_max": _l("Burst: most responses from one device within the window"),
    "burst_network_max": _l("Burst: most responses from one network within the window"),
    "burst_minutes": _l("Burst window (minutes)"),
    "commune_minutes": _l("Commune's short window (minutes)"),
    "commune_quantile": _l("Commune's count above this quantile of its usual rate (%)"),
    "baseline_days": _l("Usual rate measured over (days)"),
    "min_hourly_rate": _l("Usual rate never taken below (responses per opening hour)"),
    "repeat_days": _l("Repeat device within (days)"),
    "speeder_share": _l("Speeder: below this share of the median time (%)"),
    "speeder_min_sample": _l("Median needs at least (responses)"),
    "scale_min_questions": _l("Straight-lining needs at least (rating questions)"),
    "pattern_quantile": _l("Near-identical beyond this quantile of chance (%)"),
    "pattern_min_questions": _l("Near-identical needs at least (questions)"),
    "history": _l("Near-identical compares with at most (earlier responses)"),
}
MODE_LABELS = {"exclude": _l("flag and leave out"), "note": _l("flag, still count"),
               "off": _l("off")}


def field_name(name: str) -> str:
    return name if name in COUNTS or name == "min_hourly_rate" else f"{name}_percent"


def read_form(form) -> tuple[dict, list[str]]:
    """The stored form of the rules from the submitted fields, and the problems found."""
    data: dict = {}
    problems: list[str] = []
    for name in COUNTS:
        raw = form.get(name, "").strip()
        data[name] = int(raw) if raw.isdigit() else raw
    for name in (*PERCENTS, "min_hourly_rate"):
        data[field_name(name)] = form.get(field_name(name), "").strip()
    data["hours"] = form.get("hours", "").strip()
    communes = {}
    for line in form.get("commune_hours", "").splitlines():
        code, _sep, hours = line.partition(":")
        if code.strip():
            communes[code.strip()] = hours.strip()
    data["commune_hours"] = communes
    data["modes"] = {reason: form.get(f"mode_{reason}", "") for reason in REASONS}
    # Each setting checked alone, so that each problem is said in the user's language.
    for name in COUNTS:
        if refused({name: data[name]}):
            low, high = COUNTS[name]
            problems.append(_("%(field)s must be a whole number from %(low)s to %(high)s.",
                              field=LABELS[name], low=low, high=high))
    for name in (*PERCENTS, "min_hourly_rate"):
        if refused({field_name(name): data[field_name(name)]}):
            problems.append(_("%(field)s is out of range.", field=LABELS[name]))
    if refused({"hours": data["hours"], "commune_hours": communes}):
        problems.append(_("Opening hours must read like \"mon 07:00-17:30, sat 07:00-11:30\" "
                          "(days mon, tue, wed, thu, fri, sat, sun)."))
    if refused({"modes": data["modes"]}):
        problems.append(_("Choose what each rule does."))
    return data, problems


def refused(data: dict) -> bool:
    problems: list[str] = []
    rules_from_dict(data, problems)
    return bool(problems)


def render_page(province: Province | None, values: dict, problems: list[str], status=200):
    current = applying(province)
    return render_template(
        "admin/integrity_rules.html", province=province, current=current, values=values,
        problems=problems, labels=LABELS, counts=list(COUNTS),
        shares=[*PERCENTS, "min_hourly_rate"], field_name=field_name, reasons=REASONS,
        modes=MODES, mode_labels=MODE_LABELS, reason_labels=FLAG_REASONS,
        provinces=list(db.session.scalars(select(Province).order_by(Province.name))),
    ), status


def values_of(rules) -> dict:
    data = rules_to_dict(rules)
    data["commune_hours"] = "\n".join(f"{code}: {hours}"
                                      for code, hours in data["commune_hours"].items())
    return data


@bp.get("/quy-tac-toan-ven")
@role_required()
def integrity_rules():
    """The integrity rules in force for a scope, and a form for the next version."""
    province = scope_from(request.args.get("scope"))
    return render_page(province, values_of(applying(province).rules.integrity), [])


@bp.post("/quy-tac-toan-ven")
@role_required()
def integrity_rules_save():
    """Save the submitted integrity rules as the next version of the scope's rulebook."""
    province = scope_from(request.form.get("scope"))
    data, problems = read_form(request.form)
    note = request.form.get("note", "").strip()
    if not note or len(note) > 300:
        problems.append(_("Say why the rules change (at most 300 characters)."))
    if problems:
        values = {**data, "commune_hours": request.form.get("commune_hours", ""),
                  "note": note}
        return render_page(province, values, problems, 422)
    current = applying(province).rules
    rules = replace(current, integrity=rules_from_dict(data, []))
    save_version(province, rules, note)
    return redirect(url_for("admin.integrity_rules", scope=province.id if province else None),
                    code=303)

