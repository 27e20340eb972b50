"""The test oracle: a second, deliberately plain implementation of the counting rule.

The app counts in the database (the ``response_tallies`` roll-up, summed per commune and form
by ``services.results``) and hands the sums to ``analytics.evaluate_counts``. This module
counts the same from rows of responses, one ``Tally`` per (commune, form version, answer,
flag), so that tests can compare the two. Nothing outside the tests uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analytics import CommuneInfo
from analytics import Evaluation
from analytics import FormSpec
from analytics import Rulebook
from analytics import SampleCount
from analytics import evaluate_counts
from analytics import satisfied_pairs


@dataclass(frozen=True)
class Tally:
    """Responses sharing a commune, form version, satisfaction option and flag."""

    commune_id: int
    form_code: str
    form_version_id: int
    satisfaction_answer: str | None
    is_flagged: bool
    responses: int


def count_samples(
    tallies: Iterable[Tally], forms: Iterable[FormSpec], rules: Rulebook
) -> dict[tuple[int, str], SampleCount]:
    """Sum the tallies into valid / satisfied / flagged counts per (commune, form code)."""
    satisfied = satisfied_pairs(forms, rules)
    totals: dict[tuple[int, str], list[int]] = {}
    for tally in tallies:
        slot = totals.setdefault((tally.commune_id, tally.form_code), [0, 0, 0, 0])
        if tally.is_flagged:
            slot[2] += tally.responses
        elif tally.satisfaction_answer is None:
            slot[3] += tally.responses
        else:
            slot[0] += tally.responses
            if (tally.form_version_id, tally.satisfaction_answer) in satisfied:
                slot[1] += tally.responses
    return {key: SampleCount(*values) for key, values in totals.items()}


def evaluate(
    communes: Iterable[CommuneInfo],
    forms: Iterable[FormSpec],
    tallies: Iterable[Tally],
    rules: Rulebook,
) -> Evaluation:
    """Rates, statuses and progress against the target for ``communes`` on ``forms``.

    Tallies of communes or forms not listed are ignored: the caller decides the scope.
    """
    forms = tuple(forms)
    return evaluate_counts(communes, forms, count_samples(tallies, forms, rules), rules)
