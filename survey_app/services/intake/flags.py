"""The integrity rules applied to a QR response as it arrives (analytics/integrity.py).

One indexed read of the commune form's latest QR responses, in the transaction that stores
the new one; the reasons go into the same insert, so the roll-up's triggers count it on the
right side at once. The rulebook and each version's median time are kept per process for a
short while (a recomputation, ``services/results/integrity.py``, is authoritative).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from analytics.integrity import IntegrityRules
from analytics.integrity import Signals
from analytics.integrity import median
from analytics.integrity import reasons_for
from analytics.rulebook import Rulebook
from forms import FormDefinition
from survey_app.models import Campaign
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import Response
from survey_app.models import RulebookVersion

#: How long a process keeps a campaign's integrity rules, and a version's median time.
RULES_SECONDS = 30
MEDIAN_SECONDS = 600
#: A version's median is taken over at most this many of its latest timed QR responses.
MEDIAN_SAMPLE = 2000

_rules: dict[int, tuple[float, IntegrityRules, str]] = {}
_medians: dict[int, tuple[float, float | None]] = {}


def clear_caches() -> None:
    _rules.clear()
    _medians.clear()


# --- answers as positions -------------------------------------------------------------------

def positions(definition: FormDefinition, answers: Mapping[str, Any]) -> str:
    """The position picked on each single-choice or rating question, in the form's order, as
    one letter each ("a" the first option or the top of the scale, "-" none)."""
    letters = []
    for question in definition.questions:
        if question.kind.scale:
            value = answers.get(question.id)
            top = max(question.scale)
            letters.append("-" if value is None else chr(97 + min(25, max(0, top - int(value)))))
        elif question.kind.has_options and not question.kind.multiple:
            value = answers.get(question.id)
            values = question.option_values
            letters.append(chr(97 + values.index(value)) if value in values else "-")
    return "".join(letters)


def scale_mask(definition: FormDefinition) -> tuple[bool, ...]:
    """Which letters of ``positions`` are ratings: a rating question, or a required single
    choice of three or more options (the forms list them best first); optional questions
    about the respondent (age, sex, the procedure) are not."""
    mask = []
    for question in definition.questions:
        if question.kind.scale:
            mask.append(True)
        elif question.kind.has_options and not question.kind.multiple:
            mask.append(question.required and len(question.options) >= 3)
    return tuple(mask)


def decode(pattern: str | None, mask: tuple[bool, ...]) -> tuple[tuple[int, ...],
                                                                 tuple[int, ...]]:
    """(every position, the answered scale positions) from a stored pattern."""
    if not pattern:
        return (), ()
    every = tuple(-1 if c == "-" else ord(c) - 97 for c in pattern)
    scale = tuple(p for p, is_scale in zip(every, mask, strict=False) if is_scale and p >= 0)
    return every, scale


# --- rules and medians, kept per process ----------------------------------------------------

def integrity_rules(connection: Connection | Session, campaign_id: int) -> tuple[
        IntegrityRules, str]:
    """The campaign's integrity rules (its province's rulebook), and its province id."""
    found = _rules.get(campaign_id)
    if found is not None and found[0] > time.monotonic():
        return found[1], found[2]
    province_id = connection.execute(
        select(Campaign.province_id).where(Campaign.id == campaign_id)).scalar()
    stored = None
    for scope in (RulebookVersion.province_id == province_id,
                  RulebookVersion.province_id.is_(None)):
        stored = connection.execute(select(RulebookVersion.rules).where(scope).order_by(
            RulebookVersion.version.desc()).limit(1)).scalar()
        if stored is not None:
            break
    rules = Rulebook.from_dict(stored).integrity if stored else IntegrityRules()
    _rules[campaign_id] = (time.monotonic() + RULES_SECONDS, rules, str(province_id))
    return rules, str(province_id)


def version_median(connection: Connection | Session, version_id: int,
                   rules: IntegrityRules) -> float | None:
    found = _medians.get(version_id)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    durations = list(connection.execute(
        select(Response.duration_seconds).where(
            Response.form_version_id == version_id, Response.channel == Channel.qr,
            Response.duration_seconds.is_not(None))
        .order_by(Response.id.desc()).limit(MEDIAN_SAMPLE)).scalars())
    value = median(durations) if len(durations) >= rules.speeder_min_sample else None
    _medians[version_id] = (time.monotonic() + MEDIAN_SECONDS, value)
    return value


# --- one response ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    reasons: frozenset[str]
    excluded: bool

    @property
    def flag_reason(self) -> str | None:
        return " ".join(sorted(self.reasons)) or None


def earlier_responses(connection: Connection | Session, campaign_id: int, commune_id: int,
                      form_id: int, at: datetime, rules: IntegrityRules) -> list[Signals]:
    """The commune form's QR responses before ``at`` the rules look at, oldest first."""
    rows = connection.execute(
        select(Response.id, Response.received_at, Response.device_key, Response.network_key,
               Response.answer_pattern)
        .where(Response.campaign_id == campaign_id, Response.commune_id == commune_id,
               Response.form_id == form_id, Response.received_at >= at - rules.lookback,
               Response.received_at <= at, Response.channel == Channel.qr)
        .order_by(Response.received_at.desc(), Response.id.desc()).limit(rules.history)
    ).all()
    return [Signals(row.id, commune_id, form_id, 0, row.received_at, device_key=row.device_key,
                    network_key=row.network_key, pattern=decode(row.answer_pattern, ())[0])
            for row in reversed(rows)]


def commune_code(connection: Connection | Session, commune_id: int,
                 rules: IntegrityRules) -> str:
    if not rules.commune_hours:
        return ""
    return connection.execute(select(Commune.code).where(Commune.id == commune_id)).scalar()


def judge(connection: Connection | Session, *, campaign_id: int, commune_id: int, form_id: int,
          version_id: int, definition: FormDefinition, pattern: str, at: datetime,
          duration_seconds: int | None, device_key: str | None, network_key: str | None,
          staff_session: bool, honeypot: bool) -> Verdict:
    """The reasons to flag a QR response about to be stored, and whether they exclude it."""
    rules, _province = integrity_rules(connection, campaign_id)
    every, scale = decode(pattern, scale_mask(definition))
    target = Signals(0, commune_id, form_id, version_id, at, duration_seconds, device_key,
                     network_key, staff_session, honeypot, every, scale,
                     commune_code(connection, commune_id, rules))
    earlier = earlier_responses(connection, campaign_id, commune_id, form_id, at, rules)
    reasons = reasons_for(target, earlier, rules, version_median(connection, version_id, rules))
    return Verdict(reasons, rules.excludes(reasons))
