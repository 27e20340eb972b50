"""The rulebook: which answers count as satisfied, how many are enough, what passes.

Rules are data that a province edits, never constants in the code. Shares are kept as exact
fractions, so that "80% exactly" passes an 80% threshold whatever floating point would say.
The built-in defaults are those of DOMAIN.md (SIPAS style); they apply until an administrator
saves a rulebook of their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from fractions import Fraction
from typing import Any

from analytics.integrity import IntegrityRules
from analytics.integrity import rules_from_dict
from analytics.integrity import rules_to_dict
from analytics.recognition import RecognitionRules
from analytics.recognition import RecognitionRulesError

FORM_CODE = re.compile(r"^[A-Z0-9_]{2,8}$")
MAX_MIN_RESPONSES = 100_000
#: The longest correction window a rulebook may set, in days.
MAX_CORRECTION_DAYS = 366


class RulebookError(ValueError):
    """A rulebook that cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FormRule:
    """Overrides for one form; None keeps the rulebook's default."""

    threshold: Fraction | None = None
    min_responses: int | None = None
    #: A share of the commune's staff headcount (PKS01 is answered by the commune's own staff).
    min_staff_share: Fraction | None = None
    #: Satisfaction options that count as satisfied; None keeps the form definition's own.
    satisfied_values: tuple[str, ...] | None = None


def default_form_rules() -> dict[str, FormRule]:
    return {"PKS01": FormRule(min_staff_share=Fraction(7, 10))}


@dataclass(frozen=True)
class Rulebook:
    #: Share of the province's communes that must meet the standard by the deadline.
    target_share: Fraction = Fraction(3, 5)
    target_deadline: date | None = None
    #: A form passes when satisfied / valid responses is at least this.
    threshold: Fraction = Fraction(4, 5)
    #: Valid responses a commune needs on a form before its rate counts.
    min_responses: int = 30
    forms: Mapping[str, FormRule] = field(default_factory=default_form_rules)
    #: The recognition dossier: criteria, pass rule, survey points, target base.
    recognition: RecognitionRules = field(default_factory=RecognitionRules)
    #: The rules that flag suspicious QR responses (analytics/integrity.py).
    integrity: IntegrityRules = field(default_factory=IntegrityRules)
    #: A commune form whose QR rate is above its field rate by more than this (beyond
    #: chance) is listed for audit (analytics/channels.py).
    channel_margin: Fraction = Fraction(1, 10)
    #: Days after a field sheet was received during which its surveyor or coordinator may
    #: void or replace it (services/corrections); after that only the committee's review.
    correction_days: int = 7

    def threshold_for(self, form_code: str) -> Fraction:
        rule = self.forms.get(form_code)
        return rule.threshold if rule and rule.threshold is not None else self.threshold

    def required_responses(self, form_code: str, staff_headcount: int | None) -> int:
        """The valid responses a commune needs on this form (at least one).

        A staff share applies when the commune's headcount is known; otherwise the form's
        (or the default) absolute minimum does.
        """
        rule = self.forms.get(form_code) or FormRule()
        if rule.min_staff_share is not None and staff_headcount is not None:
            return max(1, math.ceil(rule.min_staff_share * staff_headcount))
        minimum = rule.min_responses if rule.min_responses is not None else self.min_responses
        return max(1, minimum)

    def satisfied_for(self, form_code: str, defined: Iterable[str]) -> frozenset[str]:
        """The satisfied options: the rulebook's override, else the form definition's."""
        rule = self.forms.get(form_code)
        if rule and rule.satisfied_values is not None:
            return frozenset(rule.satisfied_values)
        return frozenset(defined)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the database (percentages as exact decimal strings)."""
        forms = {}
        for code, rule in sorted(self.forms.items()):
            entry: dict[str, Any] = {}
            if rule.threshold is not None:
                entry["threshold_percent"] = percent_text(rule.threshold)
            if rule.min_responses is not None:
                entry["min_responses"] = rule.min_responses
            if rule.min_staff_share is not None:
                entry["min_staff_percent"] = percent_text(rule.min_staff_share)
            if rule.satisfied_values is not None:
                entry["satisfied"] = list(rule.satisfied_values)
            if entry:
                forms[code] = entry
        return {
            "target": {
                "share_percent": percent_text(self.target_share),
                "deadline": self.target_deadline.isoformat() if self.target_deadline else None,
            },
            "defaults": {
                "threshold_percent": percent_text(self.threshold),
                "min_responses": self.min_responses,
            },
            "forms": forms,
            "recognition": self.recognition.to_dict(),
            "integrity": rules_to_dict(self.integrity),
            "channels": {"margin_percent": percent_text(self.channel_margin)},
            "corrections": {"window_days": self.correction_days},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rulebook:
        """Read a stored rulebook. :raises RulebookError: listing every problem found."""
        return _Reader().read(data)


def percent_text(share: Fraction) -> str:
    """80 for 4/5, 82.5 for 33/40: the share as an exact percentage."""
    value = share * 100
    if value.denominator == 1:
        return str(value.numerator)
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".")


def parse_percent(value: object) -> Fraction:
    """An exact share from a percentage given as a number or a decimal string.

    :raises ValueError: not a number, or outside (0, 100].
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(value)
    try:
        share = Fraction(Decimal(str(value).strip().replace(",", "."))) / 100
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(value) from exc
    if not 0 < share <= 1:
        raise ValueError(value)
    return share


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def read(self, data: Mapping[str, Any]) -> Rulebook:
        if not isinstance(data, Mapping):
            raise RulebookError(["the rulebook must be an object"])
        target = self.section(data, "target")
        defaults = self.section(data, "defaults")
        forms = self.section(data, "forms")
        corrections = self.section(data, "corrections")
        rulebook = Rulebook(
            target_share=self.percent(target, "share_percent", "target", Fraction(3, 5)),
            target_deadline=self.deadline(target.get("deadline")),
            threshold=self.percent(defaults, "threshold_percent", "defaults", Fraction(4, 5)),
            min_responses=self.count(defaults.get("min_responses", 30), "defaults.min_responses")
            or 30,
            forms={code: self.form(code, rule) for code, rule in forms.items()},
            recognition=self.recognition(data.get("recognition")),
            integrity=rules_from_dict(data.get("integrity") or {}, self.problems),
            channel_margin=self.percent(self.section(data, "channels"), "margin_percent",
                                        "channels", Fraction(1, 10)),
            # A rulebook saved before corrections existed keeps the default window.
            correction_days=self.days(corrections.get("window_days", 7),
                                      "corrections.window_days"),
        )
        if self.problems:
            raise RulebookError(self.problems)
        return rulebook

    def recognition(self, data: object) -> RecognitionRules:
        if data is None:  # saved before recognition was kept: the defaults
            return RecognitionRules()
        try:
            return RecognitionRules.from_dict(data)
        except RecognitionRulesError as error:
            self.problems.extend(f"recognition.{p.where}: {p.code}" for p in error.problems)
            return RecognitionRules()

    def section(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name) or {}
        if not isinstance(value, Mapping):
            self.problems.append(f"{name} must be an object")
            return {}
        return value

    def percent(self, data: Mapping[str, Any], key: str, where: str,
                default: Fraction | None) -> Fraction | None:
        if data.get(key) is None:
            return default
        try:
            return parse_percent(data[key])
        except ValueError:
            self.problems.append(f"{where}.{key} must be a percentage above 0 and at most 100")
            return default

    def count(self, value: object, where: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= MAX_MIN_RESPONSES):
            self.problems.append(f"{where} must be a whole number from 1 to {MAX_MIN_RESPONSES}")
            return None
        return value

    def days(self, value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= MAX_CORRECTION_DAYS):
            self.problems.append(f"{where} must be a whole number from 1 to "
                                 f"{MAX_CORRECTION_DAYS}")
            return 7
        return value

    def deadline(self, value: object) -> date | None:
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problems.append("target.deadline must be a date (YYYY-MM-DD)")
            return None

    def form(self, code: str, rule: object) -> FormRule:
        where = f"forms.{code}"
        if not FORM_CODE.match(str(code)):
            self.problems.append(f"{where}: not a form code")
        if not isinstance(rule, Mapping):
            self.problems.append(f"{where} must be an object")
            return FormRule()
        satisfied = rule.get("satisfied")
        if satisfied is not None and (
            not isinstance(satisfied, list) or not satisfied
            or not all(isinstance(v, str) and v for v in satisfied)
        ):
            self.problems.append(f"{where}.satisfied must list at least one option value")
            satisfied = None
        return FormRule(
            threshold=self.percent(rule, "threshold_percent", where, None),
            min_responses=self.count(rule.get("min_responses"), f"{where}.min_responses"),
            min_staff_share=self.percent(rule, "min_staff_percent", where, None),
            satisfied_values=tuple(satisfied) if satisfied is not None else None,
        )
