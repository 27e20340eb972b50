"""Whether a commune meets the survey standard, and if not, why.

- *meets*: every form of the campaign has enough valid responses and reaches its threshold;
- *does not meet*: at least one form has enough valid responses and falls below its
  threshold (whatever the other forms show: more answers elsewhere cannot repair it);
- *not enough data*: no form with enough responses fails, but at least one form lacks
  responses (and a campaign without forms can tell nothing about anyone).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.satisfaction import CommuneInfo
from analytics.satisfaction import FormResult
from analytics.satisfaction import FormState


class Status(enum.Enum):
    meets = "meets"
    does_not_meet = "does_not_meet"
    not_enough_data = "not_enough_data"


@dataclass(frozen=True)
class CommuneStatus:
    commune: CommuneInfo
    status: Status
    forms: tuple[FormResult, ...]
    #: Codes of the forms with enough responses below their threshold.
    failing_forms: tuple[str, ...]
    #: (form code, valid responses still missing) for each form without enough of them.
    missing: tuple[tuple[str, int], ...]

    @property
    def missing_total(self) -> int:
        return sum(n for _, n in self.missing)

    @property
    def valid(self) -> int:
        return sum(result.valid for result in self.forms)

    @property
    def flagged(self) -> int:
        return sum(result.count.flagged for result in self.forms)


def commune_status(commune: CommuneInfo, results: Iterable[FormResult]) -> CommuneStatus:
    """Decide one commune's status from its results on every form of the campaign."""
    results = tuple(results)
    failing = tuple(r.form_code for r in results if r.state is FormState.fails)
    missing = tuple((r.form_code, r.missing) for r in results
                    if r.state is FormState.insufficient)
    if failing:
        status = Status.does_not_meet
    elif missing or not results:
        status = Status.not_enough_data
    else:
        status = Status.meets
    return CommuneStatus(commune, status, results, failing, missing)


def commune_statuses(
    communes: Iterable[CommuneInfo], results: Iterable[FormResult]
) -> list[CommuneStatus]:
    """The status of each commune, in the order the communes are given."""
    by_commune: dict[int, list[FormResult]] = {}
    for result in results:
        by_commune.setdefault(result.commune_id, []).append(result)
    return [commune_status(c, by_commune.get(c.id, ())) for c in communes]
