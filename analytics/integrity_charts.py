"""The integrity panel's timeline: a commune's QR responses per quarter hour, counted and
left out, so that a burst stands out as a tall red bar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go

from analytics.charts import GREEN
from analytics.charts import RED
from analytics.charts import layout
from analytics.integrity import VIETNAM


def timeline_bars(points: Sequence[tuple[datetime, int, int]], counted: str, left_out: str,
                  axis: str) -> go.Figure:
    """``points``: (start of the quarter hour, responses counted, responses left out).

    Only quarter hours with responses are drawn, side by side (a category axis): over a
    month of a quiet counter a time axis would make every bar a hairline."""
    starts = [start.astimezone(VIETNAM).strftime("%d/%m %H:%M") for start, _c, _o in points]
    fig = go.Figure()
    for index, name, colour in ((1, counted, GREEN), (2, left_out, RED)):
        fig.add_bar(x=starts, y=[p[index] for p in points], name=name, marker_color=colour,
                    hovertemplate="%{x}: %{y}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", nticks=12, tickangle=-45)
    fig.update_yaxes(title=axis, rangemode="tozero")
    return layout(fig, 300)
