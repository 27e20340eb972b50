"""Plotly figures for the dashboard, built from analytics results.

Every figure is readable on a projector (large type, high contrast, status colours that also
carry a text label) and stands beside a table with the same numbers, so colour is never the
only carrier of meaning. Words come in from the caller, already translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from fractions import Fraction
from math import floor

import plotly.graph_objects as go
import plotly.io as pio

from analytics.satisfaction import FormResult
from analytics.satisfaction import FormState
from analytics.targets import SampleProgress
from analytics.targets import TargetProgress
from analytics.trend import FormWeek
from analytics.trend import WeekPoint

GREEN, RED, AMBER, GREY, INK = "#1b5e20", "#b00020", "#a15c00", "#9e9e9e", "#1a1a1a"
STATE_COLOURS = {FormState.passes: GREEN, FormState.fails: RED, FormState.insufficient: GREY}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
#: Colours for the lines of several forms: distinguishable, and dark enough on white.
SERIES = ("#0050b3", "#8b0000", "#2e7d32", "#6a1b9a", "#a15c00", "#00838f", "#455a64")


@dataclass(frozen=True)
class Words:
    """Labels for the figures; the app passes them translated."""

    meets: str = "Meets"
    does_not_meet: str = "Does not meet"
    not_enough_data: str = "Not enough data"
    target: str = "Target"
    deadline: str = "Deadline"
    share_meeting: str = "Communes meeting (%)"
    responses: str = "Valid responses per week"
    rate: str = "Satisfaction (%)"
    threshold: str = "Threshold"
    communes: str = "communes"
    sufficient: str = "Communes with enough responses (%)"
    collected: str = "Responses collected towards the goal (%)"
    insufficient: str = "not enough"
    week: str = "Week of"
    interval: str = "95% confidence interval"


def pct(value: Fraction | float | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def shown_percent(value: Fraction, threshold: Fraction | None, digits: int = 0) -> float:
    """``value`` in percent, rounded to ``digits`` but never across ``threshold``: a rate
    below it is rounded down, so that 79.5% against 80% reads "79%" (red), not "80%"."""
    scaled = Fraction(value) * 100 * 10 ** digits
    below = threshold is not None and Fraction(value) < Fraction(threshold)
    whole = floor(scaled) if below else floor(scaled + Fraction(1, 2))
    return whole / 10 ** digits


def percent_label(value: float, digits: int = 0) -> str:
    """82,5% with the Vietnamese decimal comma (the figures' separators are ",.")."""
    return f"{value:.{digits}f}".replace(".", ",") + "%"


def layout(fig: go.Figure, height: int, **extra) -> go.Figure:
    settings = {
        "height": height,
        "font": {"family": FONT, "size": 18, "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 20, "r": 20, "t": 30, "b": 20},
        "hoverlabel": {"font": {"size": 16}},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "separators": ",.",
    }
    fig.update_layout(**{**settings, **extra})
    fig.update_xaxes(automargin=True, gridcolor="#e0e0e0", zerolinecolor="#9e9e9e")
    fig.update_yaxes(automargin=True, gridcolor="#e0e0e0", zerolinecolor="#9e9e9e")
    return fig


def to_json(fig: go.Figure) -> str:
    """The figure as JSON for the page (plotly.js draws it; no HTML is generated here)."""
    return pio.to_json(fig, validate=False, engine="json")


def target_bullet(progress: TargetProgress, words: Words) -> go.Figure:
    """The share of communes meeting the standard on a 0–100% bullet with the target line."""
    share = (shown_percent(progress.share, progress.target, 1)
             if progress.share is not None else 0.0)
    target = pct(progress.target)
    colour = GREEN if progress.is_reached else RED
    fig = go.Figure(go.Indicator(
        mode="gauge",
        value=share,
        gauge={
            "shape": "bullet",
            "axis": {"range": [0, 100], "ticksuffix": "%", "dtick": 20},
            "bar": {"color": colour, "thickness": 0.55},
            "bgcolor": "#eeeeee",
            "threshold": {"line": {"color": INK, "width": 5}, "thickness": 1,
                          "value": target},
        },
        domain={"x": [0, 1], "y": [0, 1]},
    ))
    fig.add_annotation(x=target / 100, y=1, xref="paper", yref="paper", yanchor="bottom",
                       text=f"<b>{words.target} {target:g}%</b>", showarrow=False)
    inside = share >= 20  # the figure sits at the end of the bar, inside it when it fits
    fig.add_annotation(x=share / 100, y=0.5, xref="paper", yref="paper",
                       xanchor="right" if inside else "left",
                       text=f" <b>{percent_label(share, 1)}</b> ", showarrow=False,
                       font={"size": 22, "color": "#ffffff" if inside else colour})
    return layout(fig, 150, margin={"l": 20, "r": 30, "t": 40, "b": 30})


def status_bars(progress: TargetProgress, words: Words) -> go.Figure:
    """Communes by status: how many meet, fail, or lack responses."""
    names = [words.meets, words.does_not_meet, words.not_enough_data]
    values = [progress.meets, progress.does_not_meet, progress.not_enough_data]
    texts = [f"{v} ({pct(Fraction(v, progress.communes)) if progress.communes else 0:.0f}%)"
             for v in values]
    fig = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker_color=[GREEN, RED, AMBER],
        text=texts, textposition="auto", cliponaxis=False,
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=words.communes, rangemode="tozero",
                     **({"dtick": 1} if max(values) <= 10 else {}))
    return layout(fig, 260)


def grouping_bars(
    groups: Sequence[TargetProgress], names: Mapping[int | None, str], words: Words
) -> go.Figure:
    """Per grouping, the shares of communes by status stacked to 100%, with the target."""
    labels = [names.get(g.grouping_id, "—") for g in groups]
    fig = go.Figure()
    for attr, name, colour in (("meets", words.meets, GREEN),
                               ("does_not_meet", words.does_not_meet, RED),
                               ("not_enough_data", words.not_enough_data, AMBER)):
        shares = [pct(Fraction(getattr(g, attr), g.communes)) if g.communes else 0
                  for g in groups]
        fig.add_bar(
            x=shares, y=labels, orientation="h", name=name, marker_color=colour,
            text=[str(getattr(g, attr)) for g in groups], textposition="inside",
            customdata=[g.communes for g in groups],
            hovertemplate="%{y}: %{text} / %{customdata} (%{x:.1f}%)<extra>" + name + "</extra>",
        )
    if groups:
        target = pct(groups[0].target)
        fig.add_vline(x=target, line={"color": INK, "width": 3, "dash": "dash"},
                      annotation_text=f"{words.target} {target:g}%",
                      annotation_position="top")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    return layout(fig, 160 + 44 * max(1, len(groups)),
                  margin={"l": 20, "r": 20, "t": 40, "b": 70},
                  legend={"orientation": "h", "traceorder": "normal", "yref": "container",
                          "yanchor": "bottom", "y": 0, "x": 0})


@dataclass(frozen=True)
class HeatCell:
    #: Percentage points above (+) or below (−) the threshold; None leaves the cell grey.
    margin: float | None
    text: str
    hover: str


def heat_cell(result: FormResult, words: Words) -> HeatCell:
    """The cell of one commune and form: its rate against the threshold, or its sample."""
    sample = f"{result.valid}/{result.required}"
    if result.state is FormState.insufficient:
        return HeatCell(None, f"n={sample}", f"{words.insufficient}: {sample}")
    margin = float((result.rate - result.threshold) * 100)
    shown = shown_percent(result.rate, result.threshold, 0)
    detail = percent_label(shown_percent(result.rate, result.threshold, 1), 1)
    return HeatCell(margin, percent_label(shown),
                    f"{detail} ({words.threshold} {percent_label(pct(result.threshold))}), "
                    f"n={result.valid}")


def grouping_heat_cell(results: Sequence[FormResult], target: Fraction, words: Words
                       ) -> HeatCell:
    """A grouping's cell for one form: the share of its communes whose form passes,
    against the target share (used when there are too many communes to list)."""
    passing = sum(r.state is FormState.passes for r in results)
    judged = sum(r.state is not FormState.insufficient for r in results)
    if not results or not judged:
        return HeatCell(None, f"0/{len(results)}", f"{words.insufficient}: 0/{len(results)}")
    share = Fraction(passing, len(results))
    return HeatCell(float((share - target) * 100), f"{pct(share):.0f}%",
                    f"{passing}/{len(results)} {words.communes}")


def heatmap(
    rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[HeatCell]],
    words: Words, row_groups: Sequence[str] | None = None,
) -> go.Figure:
    """Rows (communes or groupings) × forms, green above the threshold, red below, grey
    without enough responses; each cell also prints its figure. ``row_groups`` labels each
    row's grouping on a second axis level."""
    y = [list(row_groups), list(rows)] if row_groups is not None else list(rows)
    margins = [[c.margin for c in row] for row in cells]
    grey = [[1 if c.margin is None else None for c in row] for row in cells]
    texts = [[c.text for c in row] for row in cells]
    hovers = [[c.hover for c in row] for row in cells]
    fig = go.Figure()
    fig.add_heatmap(
        z=grey, x=list(columns), y=y, text=texts, texttemplate="%{text}",
        customdata=hovers, hovertemplate="%{x}: %{customdata}<extra></extra>",
        colorscale=[[0, "#e0e0e0"], [1, "#e0e0e0"]], showscale=False, xgap=2, ygap=2,
        textfont={"size": 14, "color": INK},
    )
    fig.add_heatmap(
        z=margins, x=list(columns), y=y, text=texts, texttemplate="%{text}",
        customdata=hovers, hovertemplate="%{x}: %{customdata}<extra></extra>",
        colorscale=[[0, "#7f0016"], [0.5999, "#f7c5c0"], [0.6, "#c5e1c5"], [1, "#1b5e20"]],
        zmin=-30, zmax=20, showscale=False, xgap=2, ygap=2, textfont={"size": 14},
    )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 15})
    fig.update_xaxes(side="top")
    return layout(fig, 80 + 26 * max(1, len(rows)), margin={"l": 20, "r": 20, "t": 50, "b": 10})


def sample_bars(progress: Sequence[SampleProgress], words: Words) -> go.Figure:
    """Per form: communes with enough responses, and responses collected towards the goal."""
    codes = [p.form_code for p in progress]
    sufficient = [pct(Fraction(p.sufficient, p.communes)) if p.communes else 0
                  for p in progress]
    collected = [pct(p.share_collected) or 0 for p in progress]
    fig = go.Figure()
    fig.add_bar(y=codes, x=sufficient, orientation="h", name=words.sufficient,
                marker_color="#0050b3", text=[f"{v:.0f}%" for v in sufficient],
                textposition="auto")
    fig.add_bar(y=codes, x=collected, orientation="h", name=words.collected,
                marker_color="#90caf9", text=[f"{v:.0f}%" for v in collected],
                textposition="auto")
    fig.update_layout(barmode="group")
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    return layout(fig, 130 + 62 * max(1, len(codes)), margin={"l": 20, "r": 20, "t": 80,
                                                              "b": 20})


def trend_lines(
    points: Sequence[WeekPoint], target: Fraction, deadline: date | None, words: Words
) -> go.Figure:
    """Communes meeting week by week against the target, up to the deadline, on one axis
    (0–100%). Where there are too many communes to count that, the responses received each
    week instead, on their own axis. The table beside it has both."""
    weeks = [p.week for p in points]
    fig = go.Figure()
    end = max([*weeks, deadline] if deadline else weeks) if weeks else deadline
    start = min(weeks) if weeks else end
    if not any(p.meets is not None for p in points):
        fig.add_bar(x=weeks, y=[p.count.valid for p in points], name=words.responses,
                    marker_color="#0050b3", hovertemplate="%{x|%d/%m}: %{y}<extra></extra>")
        fig.update_yaxes(rangemode="tozero", title=words.responses)
    else:
        fig.add_scatter(x=weeks, y=[pct(p.share_meeting) for p in points],
                        name=words.share_meeting, mode="lines+markers",
                        line={"color": "#0050b3", "width": 4}, marker={"size": 9},
                        hovertemplate="%{x|%d/%m}: %{y:.1f}%<extra></extra>")
        if end is not None:
            fig.add_scatter(x=[start, end], y=[pct(target)] * 2, mode="lines",
                            name=f"{words.target} {percent_label(pct(target))}",
                            line={"color": INK, "width": 3, "dash": "dash"}, hoverinfo="skip")
        if deadline is not None:
            fig.add_scatter(x=[deadline], y=[pct(target)], mode="markers+text",
                            name=words.deadline, text=[words.deadline],
                            textposition="top left",
                            marker={"symbol": "diamond", "size": 16, "color": INK},
                            hovertemplate="%{x|%d/%m/%Y}<extra></extra>")
        fig.update_yaxes(range=[0, 100], ticksuffix="%", title=words.share_meeting,
                         tickmode="linear", tick0=0, dtick=20)
    fig.update_xaxes(tickformat="%d/%m", hoverformat="%d/%m/%Y")
    if start is not None and end is not None:
        fig.update_xaxes(range=[start - timedelta(days=4), end + timedelta(days=4)])
    return layout(fig, 380, margin={"l": 20, "r": 20, "t": 80, "b": 20})


#: The threshold's marker: a colour of its own, so that it is not taken for an interval cap.
THRESHOLD_COLOUR = "#6a1b9a"
INTERVAL_COLOUR = "#000000"


def form_rates(results: Sequence[FormResult], words: Words) -> go.Figure:
    """One commune's forms: the rate with its 95% interval (thin dark caps), coloured by
    state, against each form's threshold (a wide purple mark, labelled). A form without
    enough responses draws no bar: its "n=valid/needed" sits at the foot of the chart, clear
    of the threshold's mark."""
    codes = [r.form_code for r in results]
    judged = [r.state is not FormState.insufficient and r.rate is not None for r in results]
    heights = [pct(r.rate) if ok else 0 for r, ok in zip(results, judged, strict=True)]
    up = [max(0.0, pct(r.interval.high) - pct(r.rate)) if ok and r.interval else 0
          for r, ok in zip(results, judged, strict=True)]
    down = [max(0.0, pct(r.rate) - pct(r.interval.low)) if ok and r.interval else 0
            for r, ok in zip(results, judged, strict=True)]
    texts = [percent_label(shown_percent(r.rate, r.threshold, 0)) if ok else
             f"n={r.valid}/{r.required}" for r, ok in zip(results, judged, strict=True)]
    fig = go.Figure()
    fig.add_bar(x=codes, y=heights, text=texts,
                textposition=["inside" if ok else "outside" for ok in judged],
                insidetextanchor="start", insidetextfont={"color": "#ffffff"},
                outsidetextfont={"color": INK},
                marker_color=[STATE_COLOURS[r.state] for r in results],
                error_y={"type": "data", "array": up, "arrayminus": down, "color": INTERVAL_COLOUR,
                         "thickness": 2, "width": 10},
                name=words.rate, cliponaxis=False,
                customdata=[f"n={r.valid}/{r.required}" for r in results],
                hovertemplate="%{x}: %{text} (%{customdata})<extra></extra>")
    fig.add_scatter(x=codes, y=[pct(r.threshold) for r in results], mode="markers+text",
                    name=words.threshold,
                    text=[percent_label(pct(r.threshold)) for r in results],
                    textposition="top center", textfont={"color": THRESHOLD_COLOUR, "size": 14},
                    marker={"symbol": "line-ew-open", "size": 56, "color": THRESHOLD_COLOUR,
                            "line": {"width": 5, "color": THRESHOLD_COLOUR}},
                    hovertemplate="%{x}: " + words.threshold + " %{text}<extra></extra>")
    # A legend entry for the interval, which error bars do not get by themselves.
    fig.add_scatter(x=[None], y=[None], mode="markers", name=words.interval,
                    marker={"symbol": "line-ns-open", "size": 18, "color": INTERVAL_COLOUR,
                            "line": {"width": 2, "color": INTERVAL_COLOUR}}, hoverinfo="skip")
    fig.update_yaxes(range=[0, 115], ticksuffix="%", title=words.rate)
    return layout(fig, 380, margin={"l": 20, "r": 20, "t": 60, "b": 20})


def form_trend(rows: Sequence[FormWeek], threshold: Fraction, words: Words) -> go.Figure:
    """Per form, the satisfaction rate of all responses so far, week by week."""
    fig = go.Figure()
    codes = list(dict.fromkeys(row.form_code for row in rows))
    for index, code in enumerate(codes):
        mine = [row for row in rows if row.form_code == code]
        fig.add_scatter(
            x=[row.week for row in mine], y=[pct(row.cumulative_rate) for row in mine],
            customdata=[row.cumulative.valid for row in mine], name=code, mode="lines+markers",
            line={"color": SERIES[index % len(SERIES)], "width": 3},
            hovertemplate=code + " %{x|%d/%m}: %{y:.1f}% (n=%{customdata})<extra></extra>",
            connectgaps=True,
        )
    if rows:
        fig.add_hline(y=pct(threshold), line={"color": INK, "width": 3, "dash": "dash"},
                      annotation_text=f"{words.threshold} {pct(threshold):g}%",
                      annotation_position="bottom right")
    fig.update_yaxes(range=[0, 105], ticksuffix="%", title=words.rate)
    fig.update_xaxes(tickformat="%d/%m", hoverformat="%d/%m/%Y")
    return layout(fig, 380, margin={"l": 20, "r": 20, "t": 80, "b": 20})
