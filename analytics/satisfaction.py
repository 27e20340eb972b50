"""Per (commune, form): valid and satisfied responses, the rate, and whether it counts.

The input is the roll-up the database keeps: responses counted by commune, form version,
option picked on the satisfaction question, and flag. Nothing here reads a database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from fractions import Fraction

from analytics.rulebook import Rulebook
from analytics.stats import Interval
from analytics.stats import wilson_interval


@dataclass(frozen=True)
class CommuneInfo:
    id: int
    code: str
    name: str
    grouping_id: int | None = None
    staff_headcount: int | None = None


@dataclass(frozen=True)
class FormSpec:
    """A form run by the campaign."""

    code: str
    title: str = ""
    #: Responses the campaign wants per commune (CampaignForm.sample_target).
    sample_target: int = 0
    #: Form version id → the satisfied options its definition declares.
    versions: Mapping[int, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SampleCount:
    #: Not flagged, with an answer to the satisfaction question: what rates are made of.
    valid: int = 0
    satisfied: int = 0
    #: Flagged as suspicious: left out of every rate, counted here.
    flagged: int = 0
    #: Not flagged but without a satisfaction answer (e.g. an incomplete import).
    unanswered: int = 0

    def __add__(self, other: SampleCount) -> SampleCount:
        return SampleCount(self.valid + other.valid, self.satisfied + other.satisfied,
                           self.flagged + other.flagged, self.unanswered + other.unanswered)


class FormState(enum.Enum):
    passes = "passes"
    fails = "fails"
    insufficient = "insufficient"


@dataclass(frozen=True)
class FormResult:
    commune_id: int
    form_code: str
    count: SampleCount
    #: Valid responses needed before the rate counts.
    required: int
    threshold: Fraction
    sample_target: int = 0

    @property
    def valid(self) -> int:
        return self.count.valid

    @property
    def satisfied(self) -> int:
        return self.count.satisfied

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.count.satisfied, self.count.valid) if self.count.valid else None

    @property
    def interval(self) -> Interval | None:
        return wilson_interval(self.count.satisfied, self.count.valid)

    @property
    def is_sufficient(self) -> bool:
        return self.count.valid >= self.required

    @property
    def missing(self) -> int:
        return max(0, self.required - self.count.valid)

    @property
    def reaches_threshold(self) -> bool:
        """Rate ≥ threshold, compared exactly in integers (never 0.8055… vs 0.8)."""
        return reaches(self.count.valid, self.count.satisfied, self.threshold)

    #: Decided from the fields above (``judge``) when the result is made: a national
    #: campaign has 23,000 results, each asked its state several times, and a
    #: functools.cached_property takes a lock on every read. ``form_results`` passes it in.
    state: FormState = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.state is None:
            object.__setattr__(self, "state", judge(self.count.valid, self.count.satisfied,
                                                    self.required, self.threshold))


def reaches(valid: int, satisfied: int, threshold: Fraction) -> bool:
    """satisfied / valid ≥ threshold, compared exactly in integers (never 0.8055… vs 0.8)."""
    return valid > 0 and satisfied * threshold.denominator >= threshold.numerator * valid


def judge(valid: int, satisfied: int, required: int, threshold: Fraction) -> FormState:
    """A form's state from its counts: the one rule, for a result and for the weekly trend."""
    if valid < required:
        return FormState.insufficient
    return FormState.passes if reaches(valid, satisfied, threshold) else FormState.fails


def satisfied_pairs(forms: Iterable[FormSpec], rules: Rulebook) -> frozenset[tuple[int, str]]:
    """(form version id, option) pairs that count as satisfied.

    Decided per form version: the rulebook's override for the form if it has one, else what
    that version's definition declares. The database applies exactly this set when it
    counts; ``tests/oracle.py`` counts the same from per-response rows, and the tests compare.
    """
    return frozenset(
        (version_id, option)
        for form in forms
        for version_id, defined in form.versions.items()
        for option in rules.satisfied_for(form.code, defined)
    )


def form_results(
    communes: Iterable[CommuneInfo],
    forms: Iterable[FormSpec],
    counts: Mapping[tuple[int, str], SampleCount],
    rules: Rulebook,
) -> list[FormResult]:
    """One result for every commune and every form, zero counts included."""
    forms = list(forms)
    empty = SampleCount()
    thresholds = {form.code: rules.threshold_for(form.code) for form in forms}
    required: dict[tuple[str, int | None], int] = {}
    results = []
    for commune in communes:
        for form in forms:
            key = (form.code, commune.staff_headcount)
            if key not in required:
                required[key] = rules.required_responses(*key)
            count = counts.get((commune.id, form.code), empty)
            need, threshold = required[key], thresholds[form.code]
            results.append(FormResult(commune.id, form.code, count, need, threshold,
                                      form.sample_target,
                                      judge(count.valid, count.satisfied, need, threshold)))
    return results
