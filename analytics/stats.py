"""Sampling uncertainty of a satisfaction rate."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The normal quantile for a two-sided 95% interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, trials: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval for ``successes`` out of ``trials``; None without trials.

    Unlike the textbook p ± z·√(p(1−p)/n), it stays inside [0, 1] and is honest for small
    samples and for rates of 0% or 100%, both common for a commune with 30 answers.
    """
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))
