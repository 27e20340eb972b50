"""A campaign's whole picture from its tallies: the one call the app makes."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

from analytics.rulebook import Rulebook
from analytics.satisfaction import CommuneInfo
from analytics.satisfaction import FormResult
from analytics.satisfaction import FormSpec
from analytics.satisfaction import SampleCount
from analytics.satisfaction import form_results
from analytics.targets import SampleProgress
from analytics.targets import TargetProgress
from analytics.targets import progress_by_grouping
from analytics.targets import sample_progress
from analytics.targets import share_meeting
from analytics.thresholds import CommuneStatus
from analytics.thresholds import commune_statuses


@dataclass(frozen=True)
class Evaluation:
    rules: Rulebook
    forms: tuple[FormSpec, ...]
    results: tuple[FormResult, ...]
    statuses: tuple[CommuneStatus, ...]
    overall: TargetProgress
    groupings: tuple[TargetProgress, ...]
    samples: tuple[SampleProgress, ...]

    @property
    def flagged(self) -> int:
        return sum(result.count.flagged for result in self.results)

    @property
    def valid(self) -> int:
        return sum(result.valid for result in self.results)


def evaluate_counts(
    communes: Iterable[CommuneInfo],
    forms: Iterable[FormSpec],
    counts: Mapping[tuple[int, str], SampleCount],
    rules: Rulebook,
) -> Evaluation:
    """The same from counts already summed per (commune, form code), as the database
    returns them."""
    communes = list(communes)
    forms = tuple(forms)
    results = form_results(communes, forms, counts, rules)
    statuses = commune_statuses(communes, results)
    return Evaluation(
        rules=rules,
        forms=forms,
        results=tuple(results),
        statuses=tuple(statuses),
        overall=share_meeting(statuses, rules.target_share),
        groupings=tuple(progress_by_grouping(statuses, rules.target_share)),
        samples=tuple(sample_progress(results, [form.code for form in forms])),
    )
