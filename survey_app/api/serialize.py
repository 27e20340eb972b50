"""Results as plain JSON values: exact counts, rates as decimals, dates in ISO 8601."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from analytics import CommuneStatus
from analytics import FormResult
from analytics import SampleProgress
from analytics import TargetProgress
from analytics.distribution import QuestionDistribution
from analytics.trend import FormWeek
from survey_app.models import Campaign
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.exports import FormOverview


def share(value: Fraction | None) -> float | None:
    """A share rounded for reading; the exact counts travel beside it."""
    return None if value is None else round(float(value), 6)


def campaign(item: Campaign) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "province": {"code": item.province.code, "name": item.province.name},
        "forms": [
            {"code": cf.form.code, "title": cf.form.title, "opens_on": cf.opens_on.isoformat(),
             "closes_on": cf.closes_on.isoformat(), "sample_target": cf.sample_target}
            for cf in sorted(item.forms, key=lambda cf: cf.form.code)
        ],
    }


def rulebook(results: CampaignResults) -> dict[str, Any]:
    used = results.rulebook
    return {
        "id": used.id,
        "version": used.version,
        "scope": "builtin" if used.is_builtin else (
            "province" if used.province_id is not None else "global"),
        "saved_at": used.created_at.isoformat() if used.created_at else None,
        "note": used.note,
        "rules": used.rules.to_dict(),
    }


def envelope(results: CampaignResults) -> dict[str, Any]:
    """What every answer about a campaign starts with: which campaign, when, which rules."""
    return {
        "campaign": {"id": results.campaign.id, "name": results.campaign.name,
                     "province": results.campaign.province.name},
        "as_of": results.as_of.isoformat(),
        # The overview's figures are kept up to RESULTS_KEPT_SECONDS (services/results/kept.py).
        "computed_at": results.computed_at.isoformat() if results.computed_at else None,
        "rulebook": rulebook(results),
    }


def progress(item: TargetProgress, name: str | None = None) -> dict[str, Any]:
    return {
        **({"grouping_id": item.grouping_id, "grouping": name} if name is not None else {}),
        "communes": item.communes,
        "meets": item.meets,
        "does_not_meet": item.does_not_meet,
        "not_enough_data": item.not_enough_data,
        "share_meeting": share(item.share),
        "target_share": share(item.target),
        "required": item.required,
        "still_needed": item.needed,
        "target_reached": item.is_reached,
    }


def form_overview(item: FormOverview) -> dict[str, Any]:
    return {
        "code": item.code, "title": item.title, "communes": item.communes,
        "communes_passing": item.passes, "communes_below_threshold": item.fails,
        "communes_without_enough_responses": item.insufficient, "valid": item.valid,
        "satisfied": item.satisfied, "pooled_rate": share(item.pooled_rate),
        "threshold": share(item.threshold), "flagged": item.flagged,
    }


def sample(item: SampleProgress) -> dict[str, Any]:
    return {
        "form": item.form_code, "communes": item.communes,
        "communes_with_enough_responses": item.sufficient,
        "communes_at_sample_target": item.at_target, "valid": item.valid,
        "wanted": item.wanted, "counted_towards_goal": item.capped, "flagged": item.flagged,
    }


def form_result(item: FormResult) -> dict[str, Any]:
    interval = item.interval
    return {
        "form": item.form_code,
        "valid": item.valid,
        "satisfied": item.satisfied,
        "flagged": item.count.flagged,
        "without_satisfaction_answer": item.count.unanswered,
        "rate": share(item.rate),
        "interval_95": {"low": round(interval.low, 6), "high": round(interval.high, 6)}
        if interval else None,
        "required": item.required,
        "missing": item.missing,
        "threshold": share(item.threshold),
        "state": item.state.value,
        "sample_target": item.sample_target,
    }


def commune(item: CommuneStatus, groupings: dict[int | None, str]) -> dict[str, Any]:
    return {
        "id": item.commune.id,
        "code": item.commune.code,
        "name": item.commune.name,
        "grouping": groupings.get(item.commune.grouping_id),
        "status": item.status.value,
        "failing_forms": list(item.failing_forms),
        "missing": dict(item.missing),
        "forms": [form_result(result) for result in item.forms],
    }


def form_week(item: FormWeek) -> dict[str, Any]:
    return {
        "week": item.week.isoformat(), "form": item.form_code, "valid": item.count.valid,
        "satisfied": item.count.satisfied, "cumulative_valid": item.cumulative.valid,
        "cumulative_satisfied": item.cumulative.satisfied,
        "cumulative_rate": share(item.cumulative_rate),
    }


def distribution(item: QuestionDistribution) -> dict[str, Any]:
    return {
        "question": item.question_id, "number": item.number, "text": item.text,
        "type": item.type, "respondents": item.respondents, "suppressed": item.is_suppressed,
        "options": [{"value": o.value, "label": o.label, "count": o.count,
                     "share": share(o.share)} for o in item.options],
    }
