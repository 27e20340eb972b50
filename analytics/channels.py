"""QR against field: does a commune's own QR counter say it is better liked than the mass
organisations' surveyors found?

The two channels reach different people (those at the counter that day, and those a surveyor
visits), so some gap is expected; a QR rate far above the field rate is where a commune may
be filling in its own QR form (integrity-research.md §3). A commune is listed for audit when
both hold: the QR rate exceeds the field rate by more than the rulebook's margin, and the 95%
interval of the difference (Newcombe's hybrid score method) lies wholly above zero, so chance
alone is an unlikely explanation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import plotly.graph_objects as go

from analytics.charts import INK
from analytics.charts import RED
from analytics.charts import SERIES
from analytics.charts import layout
from analytics.stats import Z95
from analytics.stats import Interval
from analytics.stats import wilson_interval

#: Default margin (percentage points as a fraction) beyond which a QR rate is "too high".
DEFAULT_MARGIN = Fraction(1, 10)


def newcombe_interval(successes_a: int, trials_a: int, successes_b: int, trials_b: int,
                      z: float = Z95) -> Interval | None:
    """The interval of p_a − p_b by Newcombe's hybrid score method ("method 10" of Newcombe,
    Statistics in Medicine 1998; 17:873–890), built from each rate's Wilson interval. It
    stays within [−1, 1] and behaves for small samples and rates of 0 or 1, where the
    textbook Wald interval does not. None when either side has no trials."""
    a = wilson_interval(successes_a, trials_a, z)
    b = wilson_interval(successes_b, trials_b, z)
    if a is None or b is None:
        return None
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - a.low) ** 2 + (b.high - p_b) ** 2)
    high = difference + math.sqrt((a.high - p_a) ** 2 + (p_b - b.low) ** 2)
    return Interval(max(-1.0, low), min(1.0, high))


@dataclass(frozen=True)
class ChannelCount:
    satisfied: int
    valid: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.satisfied, self.valid) if self.valid else None


@dataclass(frozen=True)
class ChannelGap:
    commune_id: int
    form_code: str
    qr: ChannelCount
    field: ChannelCount
    #: QR rate − field rate; None unless both channels have valid responses.
    difference: Fraction | None
    interval: Interval | None
    #: Beyond the margin and beyond chance: the commune is listed for audit.
    listed: bool


def compare(counts: Mapping[tuple[int, str], tuple[ChannelCount, ChannelCount]],
            margin: Fraction = DEFAULT_MARGIN) -> list[ChannelGap]:
    """One row per (commune, form) with both channels' counts (QR first, field second),
    largest difference first; rows without both channels last."""
    gaps = []
    for (commune_id, form_code), (qr, field_count) in counts.items():
        difference = interval = None
        if qr.valid and field_count.valid:
            difference = qr.rate - field_count.rate
            interval = newcombe_interval(qr.satisfied, qr.valid, field_count.satisfied,
                                         field_count.valid)
        listed = bool(difference is not None and difference > margin and interval.low > 0)
        gaps.append(ChannelGap(commune_id, form_code, qr, field_count, difference, interval,
                               listed))
    return sorted(gaps, key=lambda g: (g.difference is None, -(g.difference or 0),
                                       g.commune_id, g.form_code))


@dataclass(frozen=True)
class FunnelLimit:
    responses: int
    low: float
    high: float


def funnel_limits(centre: float, sizes: Iterable[int], z: float = Z95) -> list[FunnelLimit]:
    """Control limits around the province's QR rate ``centre`` for each sample size: a
    commune's QR rate outside them at its own number of responses is unusual for its size
    (Spiegelhalter's funnel plot; a small commune's rate varies more by chance)."""
    spread = centre * (1 - centre)
    limits = []
    for size in sorted(set(sizes)):
        if size <= 0:
            continue
        half = z * math.sqrt(spread / size)
        limits.append(FunnelLimit(size, max(0.0, centre - half), min(1.0, centre + half)))
    return limits


@dataclass(frozen=True)
class FunnelWords:
    responses: str = "QR responses"
    rate: str = "QR satisfaction (%)"
    centre: str = "Province's QR rate"
    limit95: str = "95% limits"
    limit998: str = "99.8% limits"
    communes: str = "Communes"
    listed: str = "Listed for audit"


#: z for a two-sided 99.8% interval (three sigma, the funnel plot's outer limits).
Z998 = 3.090232306167813


def funnel_figure(gaps: list[ChannelGap], names: Mapping[int, str], centre: Fraction | None,
                  words: FunnelWords) -> go.Figure:
    """Each commune's QR rate against its number of QR responses, inside the limits that
    chance allows around the province's QR rate; listed communes in red."""
    fig = go.Figure()
    points = [g for g in gaps if g.qr.valid]
    sizes = [g.qr.valid for g in points]
    if centre is not None and sizes:
        span = range(max(1, min(sizes)), max(sizes) + 1)
        for z, label, dash in ((Z95, words.limit95, "dash"), (Z998, words.limit998, "dot")):
            limits = funnel_limits(float(centre), span, z)
            xs = [limit.responses for limit in limits]
            for index, side in enumerate(("low", "high")):
                fig.add_trace(go.Scatter(
                    x=xs, y=[getattr(limit, side) * 100 for limit in limits], mode="lines",
                    line={"color": INK, "dash": dash, "width": 1}, name=label,
                    legendgroup=label, showlegend=index == 0, hoverinfo="skip"))
        fig.add_hline(y=float(centre) * 100, line={"color": SERIES[0], "width": 2},
                      annotation_text=words.centre, annotation_position="bottom right")
    for listed, colour, label in ((False, SERIES[0], words.communes), (True, RED, words.listed)):
        chosen = [g for g in points if g.listed is listed]
        fig.add_trace(go.Scatter(
            x=[g.qr.valid for g in chosen], y=[float(g.qr.rate) * 100 for g in chosen],
            mode="markers", name=label,
            marker={"color": colour, "size": 10, "symbol": "diamond" if listed else "circle"},
            text=[names.get(g.commune_id, "") for g in chosen],
            hovertemplate="%{text}<br>%{y:.1f}% · n=%{x}<extra></extra>"))
    return layout(fig, 420, xaxis={"title": {"text": words.responses}, "rangemode": "tozero"},
                  yaxis={"title": {"text": words.rate}, "range": [0, 102]})
