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

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from analytics.integrity import Context
from analytics.integrity import IntegrityRules
from analytics.integrity import Signals
from analytics.integrity import bounds
from analytics.integrity import caps
from analytics.integrity import commune_limit
from analytics.integrity import median
from analytics.integrity import reasons_for
from analytics.rulebook import Rulebook
from forms import FormDefinition
from survey_app.driver_statements import DriverStatement
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
    _window_caps.clear()


# --- answers as positions -------------------------------------------------------------------

def positions(definition: FormDefinition, answers: Mapping[str, Any]) -> str:
    """The position picked on each single-choice or rating question, in the form's order, as
    one letter each ("a" the first option or the top of the scale, "-" none)."""
    letters = []
    for question_id, top, letter_of in _layout(definition):
        value = answers.get(question_id)
        if top is not None:
            letters.append("-" if value is None else chr(97 + min(25, max(0, top - int(value)))))
        else:
            letters.append(letter_of.get(value, "-"))
    return "".join(letters)


#: A definition's questions as ``positions`` reads them, kept per definition object (each
#: version's is made once and kept): every QR submission asks.
_layouts: dict[int, tuple[FormDefinition, tuple]] = {}


def _layout(definition: FormDefinition) -> tuple:
    found = _layouts.get(id(definition))
    if found is not None and found[0] is definition:
        return found[1]
    layout = []
    for question in definition.questions:
        if question.kind.scale:
            layout.append((question.id, max(question.scale), None))
        elif question.kind.has_options and not question.kind.multiple:
            layout.append((question.id, None, {value: chr(97 + index) for index, value
                                               in enumerate(question.option_values)}))
    if len(_layouts) > 256:
        _layouts.clear()
    _layouts[id(definition)] = (definition, tuple(layout))
    return tuple(layout)


def scale_mask(definition: FormDefinition) -> tuple[bool, ...]:
    """Which letters of ``positions`` are ratings: a rating question, or a required single
    choice of three or more options (the forms list them best first); optional questions
    about the respondent (age, sex, the procedure) are not."""
    found = _masks.get(id(definition))
    if found is not None and found[0] is definition:
        return found[1]
    mask = _scale_mask(definition)
    if len(_masks) > 256:
        _masks.clear()
    _masks[id(definition)] = (definition, mask)
    return mask


_masks: dict[int, tuple[FormDefinition, tuple[bool, ...]]] = {}


def _scale_mask(definition: FormDefinition) -> tuple[bool, ...]:
    mask = []
    for question in definition.questions:
        if question.kind.scale:
            mask.append(True)
        elif question.kind.has_options and not question.kind.multiple:
            mask.append(question.required and len(question.options) >= 3)
    return tuple(mask)


def scale_positions(pattern: str | None, mask: tuple[bool, ...]) -> tuple[int, ...]:
    """The answered scale positions (0 = best) in a stored pattern."""
    return tuple(ord(letter) - 97 for letter, is_scale in zip(pattern or "", mask, strict=False)
                 if is_scale and letter != "-")


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


def _statements():
    """Built once (every submission runs them). The device, network, baseline and window
    counts as scalar subqueries, each stopped at its cap, beside the latest answer patterns:
    one round trip, compiled once (``DriverStatement``). The window's cap is the commune's
    own limit, known only once the baseline is: the statement counts up to the limit this
    commune form had last time, and a second read counts further only when that was too
    low."""
    r = Response
    # Each count has one upper bound on the time: given two (up to now, and up to the
    # window's start), SQLite's planner took the first for the index range and filtered the
    # rest row by row, so that the baseline read every response of the window.
    form = (r.campaign_id == bindparam("campaign"), r.commune_id == bindparam("commune"),
            r.form_id == bindparam("form"))
    mine = (*form, r.received_at <= bindparam("at"))
    # Only QR responses carry device and network keys: those counts need no channel.
    device = (r.device_key == bindparam("device"), *mine)
    network = (r.network_key == bindparam("network"), *mine)
    qr = (r.channel == Channel.qr, *mine)

    def count(cap: str, *where):
        # Stops at the cap (analytics.integrity.caps): a flood does not slow itself down.
        # Newest first: a flood is met at once whichever index the planner picks, and
        # PostgreSQL's plan for any values (prepared by psycopg) once took the index on the
        # time alone from the window's start, through every other address's responses.
        found = (select(literal(1)).where(*where).order_by(r.received_at.desc())
                 .limit(bindparam(cap)).subquery())
        return select(func.count()).select_from(found).scalar_subquery()

    window = count("cap_window", *qr, r.received_at > bindparam("window_from"))
    counts = select(
        count("cap_repeat", *device, r.received_at >= bindparam("repeat_from")).label("repeat"),
        count("cap_device", *device, r.received_at > bindparam("burst_from")).label("device"),
        count("cap_network", *network, r.received_at > bindparam("burst_from")).label("network"),
        count("cap_baseline", r.channel == Channel.qr, *form,
              r.received_at >= bindparam("baseline_from"),
              r.received_at <= bindparam("window_from")).label("baseline"),
        window.label("window"),
    ).subquery("counts")
    latest = (select(r.answer_pattern, r.received_at, r.id)
              .where(*qr, r.received_at >= bindparam("lookback_from"))
              .order_by(r.received_at.desc(), r.id.desc()).limit(bindparam("history"))
              .subquery("latest"))
    # A commune form with no earlier QR response still gives the one row of counts.
    both = (select(counts, latest.c.answer_pattern, latest.c.id)
            .select_from(counts.outerjoin(latest, true()))
            .order_by(latest.c.received_at.desc(), latest.c.id.desc()))
    return DriverStatement(both), DriverStatement(select(window))


_CONTEXT, _WINDOW = _statements()
#: Per commune form, the window's cap the last submission needed (its limit moves slowly).
_window_caps: dict[tuple[int, int, int], int] = {}
FIRST_WINDOW_CAP = 16


def context(connection: Connection | Session, target: Signals, campaign_id: int,
            rules: IntegrityRules) -> Context:
    """What the rules need of the commune form's earlier QR responses, from the indexes:
    counts by commune form, channel and time, by device key and by network key, each capped
    as ``analytics.integrity.context_of`` caps it, and the latest answer patterns."""
    b = bounds(target.received_at, rules)
    key = (campaign_id, target.commune_id, target.form_id)
    guess = _window_caps.get(key, FIRST_WINDOW_CAP)
    values = {"campaign": campaign_id, "commune": target.commune_id, "form": target.form_id,
              "at": b.at, "device": target.device_key, "network": target.network_key,
              "repeat_from": b.repeat_from, "burst_from": b.burst_from,
              "window_from": b.window_from, "baseline_from": b.baseline_from,
              "lookback_from": b.lookback_from, "history": rules.history, "cap_window": guess,
              **dict(zip(("cap_repeat", "cap_device", "cap_network", "cap_baseline"),
                         caps(rules), strict=True))}
    rows = _CONTEXT.rows(connection, values)
    repeat, device_burst, network_burst, baseline, in_window = (int(n) for n in rows[0][:5])
    limit = commune_limit(b.at, baseline, target.commune_code, rules)
    _window_caps[key] = limit
    if in_window >= guess and guess < limit:  # stopped short of the limit: count on
        in_window = int(_WINDOW.rows(connection, {**values, "cap_window": limit})[0][0])
    return Context(repeat, device_burst, network_burst, min(in_window, limit), baseline,
                   tuple(row[5] or "" for row in rows if row[6] is not None), limit)


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
    target = Signals(0, commune_id, form_id, version_id, at, duration_seconds, device_key,
                     network_key, staff_session, honeypot, pattern,
                     scale_positions(pattern, scale_mask(definition)),
                     commune_code(connection, commune_id, rules))
    reasons = reasons_for(target, context(connection, target, campaign_id, rules), rules,
                          version_median(connection, version_id, rules))
    return Verdict(reasons, rules.excludes(reasons))
