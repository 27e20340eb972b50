"""How many responses a commune should collect: Yamane's n = N / (1 + N·e²).

A suggestion for the administrator, never a rule: the rulebook decides when a sample is
enough (docs/DOMAIN.md). Each form counts its population N differently: PKS01 is answered by
the commune's own staff, the forms about a visit to the one-stop counter by people who made
one, the others by residents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

#: The margin of error the programme uses: 5%.
MARGIN = Fraction(5, 100)

#: What N is for each form; a form not listed counts residents.
STAFF, TRANSACTIONS, POPULATION = "staff_headcount", "yearly_transactions", "population"
BASIS = {"PKS01": STAFF, "PKS04": TRANSACTIONS, "PKS05": TRANSACTIONS}


def sample_size(population: int, margin: Fraction = MARGIN) -> int:
    """Yamane's sample size for ``population`` people, rounded up (0 people: 0).

    :raises ValueError: a negative population or a margin outside (0, 1).
    """
    if population < 0:
        raise ValueError("population must not be negative")
    if not 0 < margin < 1:
        raise ValueError("margin must lie between 0 and 1")
    return math.ceil(Fraction(population) / (1 + population * margin * margin))


def basis_of(form_code: str) -> str:
    """The figure a form's N is read from: staff, yearly transactions or population."""
    return BASIS.get(form_code, POPULATION)


@dataclass(frozen=True)
class Suggestion:
    """A commune's suggested target for one form; ``target`` is None when its figure is
    missing (the page says "no figure yet" and proposes nothing)."""

    basis: str
    figure: int | None
    target: int | None


def suggest(form_code: str, figures: dict[str, int | None]) -> Suggestion:
    """The suggestion for ``form_code`` from a commune's ``figures`` (keyed by basis)."""
    basis = basis_of(form_code)
    figure = figures.get(basis)
    return Suggestion(basis, figure, None if figure is None else sample_size(figure))


def middle(targets: list[int]) -> int | None:
    """The median of the communes' suggestions (the upper one of an even count): one
    number for a form's target per commune when communes differ."""
    if not targets:
        return None
    ordered = sorted(targets)
    return ordered[len(ordered) // 2]
