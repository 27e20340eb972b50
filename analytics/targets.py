"""Progress against the target: the share of communes that meet, and how many are missing."""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from analytics.satisfaction import FormResult
from analytics.thresholds import CommuneStatus
from analytics.thresholds import Status


@dataclass(frozen=True)
class TargetProgress:
    """Communes of one area (a province, a grouping) against the target share."""

    communes: int
    meets: int
    does_not_meet: int
    not_enough_data: int
    target: Fraction
    #: The grouping these figures are for; None for the whole scope.
    grouping_id: int | None = None

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.meets, self.communes) if self.communes else None

    @property
    def required(self) -> int:
        """Communes that must meet for the area to reach the target."""
        return math.ceil(self.target * self.communes)

    @property
    def needed(self) -> int:
        """Communes that still have to meet the standard."""
        return max(0, self.required - self.meets)

    @property
    def is_reached(self) -> bool:
        return self.communes > 0 and self.meets >= self.required


def share_meeting(
    statuses: Iterable[CommuneStatus], target: Fraction, grouping_id: int | None = None
) -> TargetProgress:
    """Count communes by status and compare the share that meets with ``target``."""
    counts = dict.fromkeys(Status, 0)
    for status in statuses:
        counts[status.status] += 1
    return TargetProgress(
        communes=sum(counts.values()),
        meets=counts[Status.meets],
        does_not_meet=counts[Status.does_not_meet],
        not_enough_data=counts[Status.not_enough_data],
        target=target,
        grouping_id=grouping_id,
    )


def progress_by_grouping(
    statuses: Iterable[CommuneStatus], target: Fraction
) -> list[TargetProgress]:
    """The same per grouping (None: communes in no grouping), in first-seen order."""
    groups: dict[int | None, list[CommuneStatus]] = {}
    for status in statuses:
        groups.setdefault(status.commune.grouping_id, []).append(status)
    return [share_meeting(members, target, key) for key, members in groups.items()]


@dataclass(frozen=True)
class SampleProgress:
    """One form's collection against its minimum and the campaign's sample target."""

    form_code: str
    communes: int
    #: Communes with at least the rulebook's minimum of valid responses.
    sufficient: int
    #: Communes with at least the campaign's sample target.
    at_target: int
    valid: int
    #: Sum over communes of max(target, minimum): what a complete collection looks like.
    wanted: int
    #: Valid responses counting each commune up to its goal (extra answers elsewhere
    #: do not make up for a commune that has none).
    capped: int
    flagged: int

    @property
    def share_collected(self) -> Fraction | None:
        return Fraction(self.capped, self.wanted) if self.wanted else None


def sample_progress(
    results: Iterable[FormResult], form_codes: Iterable[str]
) -> list[SampleProgress]:
    """Per form: communes with enough responses, and responses collected against the goal."""
    acc: Mapping[str, list[int]] = {code: [0] * 7 for code in form_codes}
    for result in results:
        slot = acc.get(result.form_code)
        if slot is None:
            continue
        goal = max(result.sample_target, result.required)
        slot[0] += 1
        slot[1] += result.is_sufficient
        slot[2] += result.sample_target > 0 and result.valid >= result.sample_target
        slot[3] += result.valid
        slot[4] += goal
        slot[5] += min(result.valid, goal)
        slot[6] += result.count.flagged
    return [SampleProgress(code, *slot) for code, slot in acc.items()]
