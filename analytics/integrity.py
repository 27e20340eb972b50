"""Rules that flag suspicious QR responses: pure functions of signals and a rulebook.

A response's signals (a signed anonymous device key, a keyed hash of its network prefix, the
server's time to complete, a staff session, a honeypot, its answers' positions) are checked
against the QR responses of the same commune and form that came before it. Every rule looks
only backwards, so a response gets the same reasons when it arrives as in any later
recomputation of the whole campaign (apart from the speeder rule, whose median a
recomputation takes over the whole campaign). Nothing here reads a database or a clock.

Reason codes are data (stored on the response, counted on the integrity panel); whether a
reason leaves the response out of the official figures is the rulebook's choice
(``IntegrityRules.modes``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from fractions import Fraction
from functools import lru_cache
from operator import eq
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

BURST_DEVICE = "burst_device"
BURST_NETWORK = "burst_network"
COMMUNE_RATE = "commune_rate"
REPEAT_DEVICE = "repeat_device"
SPEEDER = "speeder"
STRAIGHT_LINE = "straight_line"
ALL_TOP = "all_top"
NEAR_IDENTICAL = "near_identical"
OUTSIDE_HOURS = "outside_hours"
STAFF_SESSION = "staff_session"
HONEYPOT = "honeypot"
#: Not a QR rule: a call-back found that one of the surveyor's interviews never took place,
#: and every sheet that surveyor entered in the campaign is flagged as a group.
FABRICATION = "fabrication"
REASONS = (BURST_DEVICE, BURST_NETWORK, COMMUNE_RATE, REPEAT_DEVICE, SPEEDER, STRAIGHT_LINE,
           ALL_TOP, NEAR_IDENTICAL, OUTSIDE_HOURS, STAFF_SESSION, HONEYPOT, FABRICATION)

EXCLUDE = "exclude"  #: flagged and left out of the official figures
NOTE = "note"  #: flagged for the committee to see, still counted
OFF = "off"  #: not checked
MODES = (EXCLUDE, NOTE, OFF)

#: An honest citizen who is satisfied may well tick the best answer everywhere; an answer
#: outside office hours may come from home. Shown, counted.
DEFAULT_MODES = dict.fromkeys(REASONS, EXCLUDE) | {
    STRAIGHT_LINE: NOTE, ALL_TOP: NOTE, OUTSIDE_HOURS: NOTE}

#: A day's opening hours: (weekday 0 = Monday, start, end) in Vietnam time.
Opening = tuple[int, time, time]
DEFAULT_HOURS: tuple[Opening, ...] = tuple(
    [(day, time(7, 0), time(17, 30)) for day in range(5)] + [(5, time(7, 0), time(11, 30))])


@dataclass(frozen=True)
class IntegrityRules:
    """The thresholds of every rule; kept in the rulebook, edited as new versions."""

    #: Burst: more than this many responses within ``burst_minutes`` from one device key...
    burst_device_max: int = 3
    #: ... or from one network key (an office Wi-Fi is shared by honest citizens too).
    burst_network_max: int = 5
    burst_minutes: int = 15
    #: A commune's count within ``commune_minutes`` above this upper quantile of a Poisson
    #: with its own usual rate (responses per opening hour over ``baseline_days``).
    commune_minutes: int = 15
    commune_quantile: Fraction = Fraction(999, 1000)
    baseline_days: int = 14
    #: The usual rate is never taken below this (a commune's first responses of a campaign).
    min_hourly_rate: Fraction = Fraction(6)
    #: Repeat: the same device on the same form of the same commune within this many days.
    repeat_days: int = 30
    #: Speeder: time to complete below this share of the form version's median...
    speeder_share: Fraction = Fraction(35, 100)
    #: ... once that median rests on at least this many responses.
    speeder_min_sample: int = 20
    #: Straight-lining and all-top need at least this many scale questions answered.
    scale_min_questions: int = 4
    #: Near-identical: the chance that a response drawn from the commune's own answer
    #: frequencies matches an earlier one this closely is below 1 - this quantile.
    pattern_quantile: Fraction = Fraction(999, 1000)
    pattern_min_questions: int = 5
    #: Near-identical compares with at most this many earlier responses of the form.
    history: int = 50
    hours: tuple[Opening, ...] = DEFAULT_HOURS
    #: Per commune code, opening hours of its own.
    commune_hours: Mapping[str, tuple[Opening, ...]] = field(default_factory=dict)
    modes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MODES))

    def mode(self, reason: str) -> str:
        return self.modes.get(reason, DEFAULT_MODES[reason])

    def excludes(self, reasons: Iterable[str]) -> bool:
        return any(self.mode(reason) == EXCLUDE for reason in reasons)

    @property
    def lookback(self) -> timedelta:
        return timedelta(days=max(self.repeat_days, self.baseline_days),
                         minutes=max(self.burst_minutes, self.commune_minutes))


@dataclass(frozen=True)
class Signals:
    """One QR response as the rules see it."""

    id: int
    commune_id: int
    form_id: int
    version_id: int
    received_at: datetime  #: aware
    duration_seconds: int | None = None
    device_key: str | None = None
    network_key: str | None = None
    staff_session: bool = False
    honeypot: bool = False
    #: Position picked on each single-choice or rating question, in the form's order, one
    #: letter each ("a" the first option or the top of the scale, "-" none): for
    #: near-identical patterns.
    pattern: str = ""
    #: Positions on the scale questions (0 = the best option), answered ones only.
    scale: tuple[int, ...] = ()
    commune_code: str = ""


def poisson_upper(mean: float, quantile: float) -> int:
    """The smallest k with P(X <= k) >= quantile for X ~ Poisson(mean)."""
    k, term = 0, math.exp(-mean)
    total = term
    while total < quantile and k < 100_000:
        k += 1
        term *= mean / k
        total += term
    return k


def open_hours_between(start: datetime, end: datetime, hours: Sequence[Opening]) -> float:
    """Opening hours (in hours) between two instants, Vietnam time."""
    first = start.astimezone(VIETNAM).date()
    last = end.astimezone(VIETNAM).date()
    if first == last:
        return _open_within(first, start, end, hours)
    # Every submission asks this over two weeks: whole days come from the week's table.
    total = _open_within(first, start, end, hours) + _open_within(last, start, end, hours)
    per_day = _hours_per_weekday(tuple(hours))
    whole = (last - first).days - 1
    weeks, rest = divmod(whole, 7)
    total += weeks * sum(per_day)
    weekday = (first.weekday() + 1) % 7
    for offset in range(rest):
        total += per_day[(weekday + offset) % 7]
    return total


def _open_within(day: date, start: datetime, end: datetime, hours: Sequence[Opening]) -> float:
    total = 0.0
    for weekday, opens, closes in hours:
        if weekday != day.weekday():
            continue
        a = max(start, datetime.combine(day, opens, VIETNAM))
        b = min(end, datetime.combine(day, closes, VIETNAM))
        if b > a:
            total += (b - a).total_seconds() / 3600
    return total


@lru_cache(maxsize=64)
def _hours_per_weekday(hours: tuple[Opening, ...]) -> tuple[float, ...]:
    per_day = [0.0] * 7
    for weekday, opens, closes in hours:
        span = (datetime.combine(date.min, closes) - datetime.combine(date.min, opens))
        per_day[weekday] += max(0.0, span.total_seconds() / 3600)
    return tuple(per_day)


def is_open(moment: datetime, hours: Sequence[Opening]) -> bool:
    local = moment.astimezone(VIETNAM)
    now = local.time()
    return any(day == local.weekday() and opens <= now < closes for day, opens, closes in hours)


def tail_at_least(probabilities: Sequence[float], matches: int) -> float:
    """P(at least ``matches`` successes) of independent trials (Poisson binomial)."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for k, value in enumerate(dist):
            nxt[k] += value * (1 - p)
            nxt[k + 1] += value * p
        dist = nxt
    return sum(dist[matches:])


@dataclass(frozen=True)
class Context:
    """What the rules need of the QR responses of the target's commune form received before
    it (within ``IntegrityRules.lookback``): the app counts them in SQL, a recomputation in
    Python (``context_of``), and both give the same numbers."""

    device_recent: int = 0  #: same device within ``repeat_days``
    device_burst: int = 0  #: same device within ``burst_minutes``
    network_burst: int = 0  #: same network within ``burst_minutes``
    in_window: int = 0  #: any within ``commune_minutes`` (counted up to ``commune_limit``)
    baseline: int = 0  #: any from ``baseline_days`` back to the start of the window
    #: The latest ``history`` answer patterns, newest first.
    patterns: tuple[str, ...] = ()
    #: ``commune_limit`` for this baseline, when the caller worked it out already.
    window_limit: int | None = None


@dataclass(frozen=True)
class Bounds:
    """The instants each count starts from, for a response received at ``at``."""

    at: datetime
    repeat_from: datetime  #: inclusive
    burst_from: datetime  #: exclusive
    window_from: datetime  #: exclusive for the window, inclusive end of the baseline
    baseline_from: datetime  #: inclusive
    lookback_from: datetime  #: inclusive


def bounds(at: datetime, rules: IntegrityRules) -> Bounds:
    return Bounds(at, at - timedelta(days=rules.repeat_days),
                  at - timedelta(minutes=rules.burst_minutes),
                  at - timedelta(minutes=rules.commune_minutes),
                  at - timedelta(days=rules.baseline_days), at - rules.lookback)


#: Counts stop here: the rules only ask whether a count reaches its threshold, and a flood
#: must not make each of its own submissions slower (the app counts with LIMIT). The
#: commune's window stops at its own limit (``commune_limit``), known once the baseline is.
BASELINE_CAP = 20_000


def caps(rules: IntegrityRules) -> tuple[int, int, int, int]:
    """The cap of the device, network and baseline counts of ``Context``, in its order."""
    return (1, rules.burst_device_max, rules.burst_network_max, BASELINE_CAP)


def commune_limit(at: datetime, baseline: int, commune_code: str,
                  rules: IntegrityRules) -> int:
    """How many responses the commune form's window may already hold before the next one is
    above its usual rate: the Poisson upper quantile of its own rate over the window."""
    hours = rules.commune_hours.get(commune_code, rules.hours)
    b = bounds(at, rules)
    open_hours = open_hours_between(b.baseline_from, b.window_from, hours)
    rate = max(float(rules.min_hourly_rate), baseline / open_hours if open_hours >= 1 else 0.0)
    return poisson_upper(rate * rules.commune_minutes / 60, float(rules.commune_quantile))


def context_of(target: Signals, earlier: Sequence[Signals], rules: IntegrityRules) -> Context:
    """The context from the earlier responses themselves (oldest first), capped as the app
    counts it."""
    b = bounds(target.received_at, rules)
    earlier = [s for s in earlier if s.received_at >= b.lookback_from]
    device = [s for s in earlier if target.device_key and s.device_key == target.device_key]
    counts = (
        sum(1 for s in device if s.received_at >= b.repeat_from),
        sum(1 for s in device if s.received_at > b.burst_from),
        sum(1 for s in earlier if target.network_key and s.network_key == target.network_key
            and s.received_at > b.burst_from),
        sum(1 for s in earlier if b.baseline_from <= s.received_at <= b.window_from),
    )
    repeat, device_burst, network_burst, baseline = (
        min(n, cap) for n, cap in zip(counts, caps(rules), strict=True))
    limit = commune_limit(b.at, baseline, target.commune_code, rules)
    in_window = min(sum(1 for s in earlier if s.received_at > b.window_from), limit)
    return Context(repeat, device_burst, network_burst, in_window, baseline,
                   patterns=tuple(s.pattern for s in reversed(earlier[-rules.history:])),
                   window_limit=limit)


def near_identical(pattern: str, earlier: Sequence[str], rules: IntegrityRules) -> bool:
    """Whether ``pattern`` matches an earlier one more closely than chance allows.

    Chance is the commune's own: each question's answers drawn from their frequencies among
    these responses (so a commune where nearly everyone picks the same answer matches a lot
    by chance, and a short form with few options too); the tail of the number of matching
    questions is computed exactly (a Poisson binomial), for the best of the earlier ones.
    """
    questions = [(i, letter) for i, letter in enumerate(pattern) if letter != "-"]
    if len(questions) < rules.pattern_min_questions:
        return False
    same = [other for other in earlier if len(other) == len(pattern)]
    if not same:
        return False
    # Every submission asks this of the latest 50: compared character by character in C,
    # an unanswered question ("-") made to match nothing.
    answered = pattern.replace("-", "\0")
    best = max(sum(map(eq, other, answered)) for other in same)
    if best < rules.pattern_min_questions:
        return False
    columns = list(zip(*same, strict=True))
    match_chance = []
    for i, letter in questions:
        counts = Counter(columns[i])
        counts[letter] += 1
        counts.pop("-", None)
        total = sum(counts.values())
        match_chance.append(sum((n / total) ** 2 for n in counts.values()))
    one = tail_at_least(match_chance, best)
    any_of = 1 - (1 - one) ** len(same)
    return any_of < 1 - float(rules.pattern_quantile)


def reasons_for(target: Signals, context: Context, rules: IntegrityRules,
                median_seconds: float | None) -> frozenset[str]:
    """Every reason to flag ``target``, given what came before it (``Context``)."""
    reasons: set[str] = set()
    at = target.received_at
    if target.device_key:
        if context.device_recent:
            reasons.add(REPEAT_DEVICE)
        if context.device_burst >= rules.burst_device_max:
            reasons.add(BURST_DEVICE)
    if target.network_key and context.network_burst >= rules.burst_network_max:
        reasons.add(BURST_NETWORK)
    hours = rules.commune_hours.get(target.commune_code, rules.hours)
    limit = context.window_limit
    if limit is None:
        limit = commune_limit(at, context.baseline, target.commune_code, rules)
    if 1 + context.in_window > limit:
        reasons.add(COMMUNE_RATE)
    if (median_seconds is not None and target.duration_seconds is not None
            and target.duration_seconds < float(rules.speeder_share) * median_seconds):
        reasons.add(SPEEDER)
    if len(target.scale) >= rules.scale_min_questions:
        if all(p == 0 for p in target.scale):
            reasons.add(ALL_TOP)
        elif len(set(target.scale)) == 1:
            reasons.add(STRAIGHT_LINE)
    if near_identical(target.pattern, context.patterns, rules):
        reasons.add(NEAR_IDENTICAL)
    if not is_open(at, hours):
        reasons.add(OUTSIDE_HOURS)
    if target.staff_session:
        reasons.add(STAFF_SESSION)
    if target.honeypot:
        reasons.add(HONEYPOT)
    return frozenset(r for r in reasons if rules.mode(r) != OFF)


def median(values: Iterable[int]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def version_medians(responses: Iterable[Signals], rules: IntegrityRules) -> dict[int, float]:
    """The median time to complete per form version, where enough responses give one."""
    durations: dict[int, list[int]] = {}
    for s in responses:
        if s.duration_seconds is not None:
            durations.setdefault(s.version_id, []).append(s.duration_seconds)
    return {version: median(values) for version, values in durations.items()
            if len(values) >= rules.speeder_min_sample}


def flag_campaign(responses: Iterable[Signals], rules: IntegrityRules,
                  medians: Mapping[int, float] | None = None) -> dict[int, frozenset[str]]:
    """Reasons per response id for a whole campaign's QR responses: the same every time for
    the same input, whatever its order."""
    ordered = sorted(responses, key=lambda s: (s.received_at, s.id))
    if medians is None:
        medians = version_medians(ordered, rules)
    by_form: dict[tuple[int, int], list[Signals]] = {}
    result = {}
    for s in ordered:
        earlier = by_form.setdefault((s.commune_id, s.form_id), [])
        since = s.received_at - rules.lookback
        while earlier and earlier[0].received_at < since:
            earlier.pop(0)
        result[s.id] = reasons_for(s, context_of(s, earlier, rules), rules,
                                   medians.get(s.version_id))
        earlier.append(s)
    return result


# --- stored form ----------------------------------------------------------------------------

#: Whole-number settings: name → (smallest, largest).
COUNTS = {"burst_device_max": (1, 1000), "burst_network_max": (1, 1000),
          "burst_minutes": (1, 1440), "commune_minutes": (1, 1440), "baseline_days": (1, 365),
          "repeat_days": (1, 365), "speeder_min_sample": (1, 100_000),
          "scale_min_questions": (2, 100), "pattern_min_questions": (2, 100),
          "history": (5, 1000)}
#: Settings given as percentages.
PERCENTS = ("commune_quantile", "speeder_share", "pattern_quantile")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours_text(hours: Sequence[Opening]) -> str:
    """``mon 07:00-17:30, sat 07:00-11:30``: how opening hours are stored and edited."""
    return ", ".join(f"{WEEKDAYS[day]} {opens:%H:%M}-{closes:%H:%M}"
                     for day, opens, closes in hours)


def parse_hours(text: str) -> tuple[Opening, ...]:
    """The reverse of ``hours_text``. :raises ValueError: on anything else."""
    hours = []
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        day, _, span = part.partition(" ")
        opens, _, closes = span.strip().partition("-")
        start, end = time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
        if day.lower() not in WEEKDAYS or end <= start:
            raise ValueError(part)
        hours.append((WEEKDAYS.index(day.lower()), start, end))
    return tuple(hours)


def _percent(share: Fraction) -> str:
    value = share * 100
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def rules_to_dict(rules: IntegrityRules) -> dict:
    data: dict = {name: getattr(rules, name) for name in COUNTS}
    data |= {f"{name}_percent": _percent(getattr(rules, name)) for name in PERCENTS}
    data["min_hourly_rate"] = _percent(rules.min_hourly_rate / 100)
    data["hours"] = hours_text(rules.hours)
    data["commune_hours"] = {code: hours_text(h) for code, h in sorted(rules.commune_hours.items())}
    data["modes"] = {reason: rules.mode(reason) for reason in REASONS}
    return data


def rules_from_dict(data: Mapping, problems: list[str]) -> IntegrityRules:
    """Read stored rules; each problem found is appended to ``problems``."""
    if not isinstance(data, Mapping):
        problems.append("integrity must be an object")
        return IntegrityRules()
    defaults = IntegrityRules()
    values: dict = {}
    for name, (low, high) in COUNTS.items():
        value = data.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(f"integrity.{name} must be a whole number from {low} to {high}")
            continue
        values[name] = value
    for name in (*PERCENTS, "min_hourly_rate"):
        key = name if name == "min_hourly_rate" else f"{name}_percent"
        if key not in data:
            continue
        try:
            share = Fraction(str(data[key]).strip().replace(",", "."))
        except (ValueError, ZeroDivisionError):
            share = Fraction(-1)
        share = share if name == "min_hourly_rate" else share / 100
        if not 0 < share <= (1000 if name == "min_hourly_rate" else 1):
            problems.append(f"integrity.{key} is out of range")
            continue
        values[name] = share
    try:
        values["hours"] = parse_hours(data.get("hours", hours_text(defaults.hours)))
        values["commune_hours"] = {str(code): parse_hours(text)
                                   for code, text in (data.get("commune_hours") or {}).items()}
    except (ValueError, AttributeError):
        problems.append("integrity.hours must read like 'mon 07:00-17:30, sat 07:00-11:30'")
    modes = data.get("modes") or {}
    if not isinstance(modes, Mapping) or any(
            r not in REASONS or m not in MODES for r, m in modes.items()):
        problems.append("integrity.modes: each rule is exclude, note or off")
    else:
        values["modes"] = {**DEFAULT_MODES, **modes}
    return IntegrityRules(**values)
