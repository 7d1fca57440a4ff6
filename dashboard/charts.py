"""Plotly figure builders for the dashboard, in a colour-blind-safe palette.

Colours are Okabe–Ito. RAG is never colour alone: each RAG has its own marker
symbol and its word in the legend and the hover (``✔ Green``, ``▲ Amber``,
``✖ Red``). Every figure has a title in words a monitor uses, axes in UK
formats, and hover text prepared by :mod:`dashboard.views`.

The builders take the tables of :mod:`dashboard.views` and return a
``plotly.graph_objects.Figure``; they draw nothing themselves. Show a figure
with ``dashboard.layout.chart_with_table``. An indicator's trend and the quality
visits are described once in :mod:`figures` (as the meeting pack draws them) and
only drawn here (:func:`trend_figure`, :func:`visits_figure`).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

import formats as fmt
from figures import style
from figures.style import (  # noqa: F401 - the palette, named here as the pages know it
    GRID_COLOUR,
    LINE_COLOUR,
    OKABE_ITO,
    PALETTE,
    RAG_SYMBOL,
    SPC_COLOUR,
    TARGET_COLOUR,
)
from figures.trend import TrendChart, trend_chart
from figures.visits import VisitsChart

#: Good / neutral / bad categories (risk decreased, the same, increased).
GOOD_NEUTRAL_BAD = ("#009E73", "#BBBBBB", "#D55E00")
#: Ordered categories (children by age band), light to dark, then purple.
BANDS = ("#56B4E9", "#0072B2", "#009E73", "#CC79A7")
#: A bar beside a stack (women beside their children).
BESIDE_COLOUR = "#E69F00"

#: A title longer than this is wrapped onto two lines: Plotly does not wrap, and a long
#: title (an indicator's label with ", each quarter") is cut off at the chart's edge.
TITLE_WRAP = 72
#: Category names (outcomes) longer than this are wrapped, so that the bars keep their room.
CATEGORY_WRAP = 28
_QUARTER_LABEL = re.compile(r"^\d{4}/\d{2} Q\d(–Q\d)?$")

_FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=13, color="#262730")


def wrap_title(title: str) -> str:
    """``title`` with a line break when it is too long for a chart's width."""
    if len(title) <= TITLE_WRAP:
        return title
    return "<br>".join(textwrap.wrap(title, width=max(40, (len(title) + 1) // 2 + 8)))


def _wrap_category(name: object) -> str:
    text = str(name)
    return "<br>".join(textwrap.wrap(text, width=CATEGORY_WRAP)) if len(text) > CATEGORY_WRAP else text


def _layout(fig: go.Figure, title: str, y_title: str = "", height: int = 360) -> go.Figure:
    title = wrap_title(title)
    lines = title.count("<br>") + 1
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
        # The "none" template styled here: "plotly_white" costs about 0.1 s per figure to apply.
        font=_FONT, height=height, template="none", plot_bgcolor="white", paper_bgcolor="white",
        margin=dict(l=10, r=10, t=50 + 20 * (lines - 1), b=10),
        # At the foot of the whole figure (container), not a fraction below the plot (paper):
        # a legend of several rows then pushes the plot up instead of covering the year
        # labels under the quarters (plotly.js #7415).
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, title_text=""),
        hoverlabel=dict(bgcolor="white", font=dict(size=13)),
        colorway=list(PALETTE),
        separators=".,",   # decimal point, thousands comma (UK)
    )
    fig.update_yaxes(title_text=y_title, gridcolor=GRID_COLOUR, zeroline=False, rangemode="tozero",
                     showline=False, ticks="", automargin=True)
    fig.update_xaxes(type="category", gridcolor=GRID_COLOUR, showline=True, linecolor="#BBBBBB",
                     ticks="", automargin=True)
    return fig


def quarter_ticks(labels: Sequence[str]) -> list[str]:
    """Axis text for ``2016/17 Q3`` labels: the quarter, with the year below it at the first
    quarter shown of each year, so that eleven quarters fit a narrow chart unslanted."""
    text, last_year = [], None
    for label in labels:
        year, _, quarter = str(label).partition(" ")
        text.append(f"{quarter}<br>{year}" if year != last_year else quarter)
        last_year = year
    return text


def _two_line_ticks(fig: go.Figure, labels: Sequence[str]) -> None:
    """Quarter labels on two lines; other categories (services) are left as they are."""
    labels = list(labels)
    if not labels or not all(_QUARTER_LABEL.match(str(label)) for label in labels):
        return
    fig.update_xaxes(tickmode="array", tickvals=labels, tickangle=0, ticktext=quarter_ticks(labels))


def _whole_ticks(fig: go.Figure, values: Sequence[float], unit: str) -> None:
    """When the values span little, a range padded around them with ticks one apart (one
    point for a percentage), so that whole-number tick labels never repeat (99%, 99%, 100%)
    and a flat line (100% every quarter) sits in the middle of a readable axis."""
    known = [float(v) for v in values if v is not None and v == v]
    if not known:
        return
    step = 0.01 if unit == "%" else 1.0
    low, high = min(known), max(known)
    if high - low < 8 * step:
        pad = max(2 * step, (high - low) * 0.15)
        bottom = low - pad if low - pad >= 0 or low < 0 else 0.0
        fig.update_yaxes(range=[bottom, high + pad], autorange=False, dtick=step, tick0=0)


def _y_format(fig: go.Figure, unit: str) -> None:
    if unit == "%":
        fig.update_yaxes(tickformat=".0%")
    elif unit in ("£", "money"):
        fig.update_yaxes(tickprefix="£", tickformat=",.0f")
    else:
        fig.update_yaxes(tickformat=",.0f")


def unit_axis_title(unit: str, in_months: bool = False) -> str:
    if in_months:
        return "Months"
    return {"%": "Per cent", "people": "People", "days": "Days", "£": "£"}.get(unit, "")


def empty(title: str, message: str = "No data for this chart yet.") -> go.Figure:
    """A titled, empty chart that says why it is empty."""
    fig = go.Figure()
    _layout(fig, title, height=220)
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14, color="#555555"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def trend(rows: pd.DataFrame, title: str, unit: str, *, spc=None, highlight: str | None = None,
          in_months: bool = False, series_name: str = "Value") -> go.Figure:
    """One indicator over the quarters held: line, RAG-coloured points, target, SPC lines.

    ``rows``: ``views.trend_rows`` (label, value, target, tolerance, direction, rag, hover).
    The chart is described once (``figures.trend.trend_chart``, as the meeting pack draws
    it) and drawn by :func:`trend_figure`.
    ``spc``: an ``indicators.spc.SpcResult`` for the same points (quarter basis), or None.
    ``highlight``: the label of the chosen quarter, shaded.
    ``in_months``: plot a days indicator in months (the hover keeps both).
    """
    return trend_figure(trend_chart(rows.to_dict("records"), title, unit, in_months=in_months,
                                    highlight=highlight, series_name=series_name), spc=spc)


def trend_figure(chart: TrendChart, *, spc=None) -> go.Figure:
    """A :class:`figures.trend.TrendChart` as a Plotly figure, with the SPC lines of ``spc``
    (with 12 points or more it has process limits, which are drawn; with fewer it is a run
    chart and only its centre line, the median, is drawn)."""
    message = chart.empty_message
    if message is not None:
        fig = empty(chart.title, message)
        _hidden_labels(fig, chart)
        return fig
    fig = go.Figure()
    x = chart.labels
    y = [math.nan if v is None else v for v in chart.values]
    scale = (1 / fmt.DAYS_PER_MONTH) if chart.in_months else 1.0

    fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=chart.series_name,
                             line=dict(color=LINE_COLOUR, width=2), hoverinfo="skip",
                             connectgaps=False))
    # Points by RAG: colour, symbol and word, so that the chart reads without colour.
    for group in chart.markers():
        key = group.rag
        colour = style.RAG_COLOUR[key]
        fig.add_trace(go.Scatter(
            x=[p.label for p in group.points], y=[p.value for p in group.points], mode="markers",
            name=group.name,
            marker=dict(symbol=RAG_SYMBOL[key], size=11 if key else 8, color=colour,
                        line=dict(width=2 if key == "red" else 1, color=colour if key == "red" else "white")),
            customdata=[p.hover for p in group.points], hovertemplate="%{customdata}<extra></extra>",
            showlegend=group.in_legend))

    if chart.has_target:
        target = [math.nan if v is None else v for v in chart.targets]
        if chart.has_band:
            # The amber band: between the target and the edge of its tolerance (beyond it: red).
            fig.add_trace(go.Scatter(x=x, y=target, mode="lines", line=dict(width=0, shape="hv"),
                                     connectgaps=True, hoverinfo="skip", showlegend=False))
            fig.add_trace(go.Scatter(x=x, y=[math.nan if p.edge is None else p.edge for p in chart.points],
                                     mode="lines", name="Amber band (tolerance)",
                                     line=dict(width=0, shape="hv"), connectgaps=True, fill="tonexty",
                                     fillcolor=_rgba(style.BAND_COLOUR, style.BAND_OPACITY),
                                     hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=target, mode="lines", name="Target", connectgaps=True,
                                 line=dict(color=TARGET_COLOUR, dash="dash", width=1.5, shape="hv"),
                                 hoverinfo="skip"))

    if spc is not None and spc.mean is not None and len(spc.points) >= 2:
        centre_name = "Mean" if spc.reliable else "Median"
        fig.add_trace(go.Scatter(x=x, y=[spc.mean * scale] * len(x), mode="lines", name=centre_name,
                                 line=dict(color=SPC_COLOUR, width=1), hoverinfo="skip"))
        if spc.reliable and spc.lower is not None:
            for value, name in ((spc.upper, "Upper process limit"), (spc.lower, "Lower process limit")):
                fig.add_trace(go.Scatter(x=x, y=[value * scale] * len(x), mode="lines", name=name,
                                         line=dict(color=SPC_COLOUR, dash="dot", width=1),
                                         hoverinfo="skip", showlegend=name.startswith("Upper")))
            fig.data[-1].name = "Process limits"
            fig.data[-2].name = "Process limits"
        special = spc.points[spc.points.get("special_cause", pd.Series(dtype=bool)).astype(bool)] \
            if "special_cause" in spc.points else pd.DataFrame()
        if len(special):
            by_label = {p.label: p.value for p in chart.points}
            labels = [label for label in special.index if label in by_label]
            fig.add_trace(go.Scatter(
                x=labels, y=[by_label[label] for label in labels], mode="markers", name="Special cause (SPC)",
                marker=dict(symbol="circle-open", size=20, color=OKABE_ITO["reddish purple"],
                            line=dict(width=2)),
                customdata=special.loc[labels, "rule"], hovertemplate="Special cause: %{customdata}<extra></extra>"))

    if chart.highlight and chart.highlight in x:
        at = x.index(chart.highlight)
        fig.add_vrect(x0=at - 0.4, x1=at + 0.4, fillcolor=style.HIGHLIGHT_COLOUR,
                      opacity=style.HIGHLIGHT_OPACITY, line_width=0, layer="below")
    axis = chart.axis
    _layout(fig, chart.title, axis.title)
    _two_line_ticks(fig, x)
    # A trend is read for its movement, as SPC charts are: the axis fits the values,
    # the target and the limits rather than starting at zero.
    fig.update_yaxes(rangemode="normal", autorange=True)
    fig.update_traces(cliponaxis=False, selector=dict(type="scatter"))
    if not chart.in_months:
        _y_format(fig, chart.unit)
        known = [v for v in y if v == v]
        if spc is not None and spc.reliable and spc.lower is not None:
            known += [spc.lower, spc.upper]
        low, high = axis.low, axis.high
        if low is not None and high is not None and (not known or low <= min(known) <= max(known) <= high):
            fig.update_yaxes(range=[low, high], autorange=False, dtick=axis.step, tick0=0)
    _hidden_labels(fig, chart)
    return fig


def _rgba(colour: str, opacity: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


def _hidden_labels(fig: go.Figure, chart: TrendChart) -> None:
    """A gap says nothing by itself: name what was hidden (``<5``, ``[c]``) at the foot."""
    for p in chart.hidden:
        fig.add_annotation(x=p.label, y=0, yref="paper", yanchor="bottom", text=p.hidden,
                           showarrow=False, font=dict(color=style.NOTE_COLOUR))


def visits_figure(chart: VisitsChart | None) -> go.Figure | None:
    """A :class:`figures.visits.VisitsChart` as grouped bars (None stays None)."""
    if chart is None:
        return None
    fig = go.Figure()
    for bars in chart.series:
        fig.add_trace(go.Bar(x=list(chart.services), y=list(bars.values), name=bars.name,
                             marker_color=bars.colour, marker_pattern_shape=bars.pattern,
                             text=bars.texts, textposition="outside"))
    _layout(fig, chart.title, "", height=330)
    fig.update_layout(barmode="group", legend=dict(orientation="h", yref="paper", y=-0.15, x=0))
    fig.update_yaxes(tickformat=".0%", range=[chart.low, chart.high], rangemode="normal")
    return fig


def several_lines(long: pd.DataFrame, title: str, unit: str, *, highlight: str | None = None,
                  target_by_series: dict[str, float] | None = None) -> go.Figure:
    """Several indicators on one chart (one line each, distinct colour and marker)."""
    if long.empty or long["value"].isna().all():
        return empty(title)
    fig = go.Figure()
    symbols = ("circle", "square", "triangle-up", "diamond", "star")
    for i, (name, rows) in enumerate(long.groupby("series", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=rows["label"], y=rows["value"], mode="lines+markers", name=name,
            line=dict(color=colour, width=2), marker=dict(symbol=symbols[i % len(symbols)], size=8, color=colour),
            customdata=rows["hover"], hovertemplate="%{customdata}<extra></extra>"))
    labels = list(pd.unique(long["label"]))
    if highlight and highlight in labels:
        fig.add_vrect(x0=labels.index(highlight) - 0.4, x1=labels.index(highlight) + 0.4,
                      fillcolor="#56B4E9", opacity=0.15, line_width=0, layer="below")
    _layout(fig, title, unit_axis_title(unit))
    _two_line_ticks(fig, labels)
    fig.update_yaxes(rangemode="normal", autorange=True)
    fig.update_traces(cliponaxis=False)
    _y_format(fig, unit)
    _whole_ticks(fig, list(long["value"].astype(float)), unit)
    return fig


def _hover(labels, name: str, values, formatter) -> dict:
    """Hover text per point: the quarter in bold, then the series and its value in UK format."""
    return dict(customdata=[f"<b>{label}</b><br>{name}: {formatter(v)}"
                            for label, v in zip(labels, values, strict=True)],
                hovertemplate="%{customdata}<extra></extra>")


def stacked_bars(series: pd.DataFrame, columns: Sequence[tuple[str, str]], title: str, *,
                 y_title: str = "People", highlight: str | None = None, money: bool = False,
                 line: tuple[str, str] | None = None, extra_bar: tuple[str, str] | None = None,
                 stacked: bool = True, colours: Sequence[str] | None = None) -> go.Figure:
    """Bars per quarter, stacked by category (risk change, children by age band, spend by service).

    ``columns``: (column, name) pairs in stacking order. ``line``: an optional
    (column, name) drawn as a line over the bars (the pro-rata contract value).
    ``extra_bar``: an optional (column, name) drawn as its own bar beside the
    stack (women resident beside children stacked by age band).
    """
    if series.empty or series[[c for c, _ in columns]].isna().all().all():
        return empty(title)
    fig = go.Figure()
    formatter = fmt.money if money else fmt.whole
    offset = "stack" if extra_bar else None
    for i, (column, name) in enumerate(columns):
        values = series[column].astype(float)
        fig.add_trace(go.Bar(
            x=series["label"], y=values, name=name,
            marker_color=(colours or PALETTE)[i % len(colours or PALETTE)],
            # A white texture over the colour, so that stacked parts differ by more than colour.
            marker_pattern=dict(shape=("", "/", ".", "x", "-", "+")[i % 6], fillmode="overlay",
                                fgcolor="white", fgopacity=0.6, solidity=0.3),
            offsetgroup=offset,
            **_hover(series["label"], name, values, formatter)))
    if extra_bar:
        column, name = extra_bar
        values = series[column].astype(float)
        fig.add_trace(go.Bar(
            x=series["label"], y=values, name=name, marker_color=BESIDE_COLOUR, offsetgroup="extra",
            **_hover(series["label"], name, values, formatter)))
    if line:
        column, name = line
        values = series[column].astype(float)
        fig.add_trace(go.Scatter(
            x=series["label"], y=values, name=name, mode="lines+markers",
            line=dict(color=TARGET_COLOUR, dash="dash", width=2), marker=dict(symbol="line-ew-open", size=14),
            **_hover(series["label"], name, values, formatter)))
    # With an extra bar, two offset groups side by side, each stacked (plotly.js ≥ 2.29).
    fig.update_layout(barmode="stack" if stacked else "group")
    labels = list(series["label"])
    if highlight and highlight in labels:
        fig.add_vrect(x0=labels.index(highlight) - 0.45, x1=labels.index(highlight) + 0.45,
                      fillcolor="#56B4E9", opacity=0.15, line_width=0, layer="below")
    _layout(fig, title, y_title)
    _two_line_ticks(fig, labels)
    if money:
        _y_format(fig, "£")
    return fig


def horizontal_bars(table: pd.DataFrame, title: str, *, value_column: str = "value",
                    name_column: str = "Outcome", text_column: str | None = None,
                    x_title: str = "People") -> go.Figure:
    """One bar per category for one period (closing outcomes, leavers' outcomes)."""
    if table.empty or table[value_column].isna().all():
        return empty(title, "No data for this period.")
    table = table.iloc[::-1]   # the first category at the top
    text = table[text_column] if text_column else None
    names = [_wrap_category(name) for name in table[name_column]]
    fig = go.Figure(go.Bar(
        x=table[value_column].astype(float), y=names, orientation="h",
        marker_color=LINE_COLOUR, text=text, textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    # Each bar tall enough for its name's lines.
    _layout(fig, title, "", height=60 + sum(max(45, 24 * (n.count("<br>") + 1)) for n in names))
    fig.update_xaxes(type="linear", title_text=x_title, tickformat=",.0f")
    fig.update_yaxes(type="category", rangemode="normal", automargin=True)
    fig.update_layout(showlegend=False, margin_r=80)
    return fig


def funnel(stages: Sequence[tuple[str, float | None]], title: str) -> go.Figure:
    """The Fresh Start funnel: referrals → assessment → accepted → started → completed."""
    if not stages or all(v is None for _, v in stages):
        return empty(title, "No data for this period.")
    names = [name for name, _ in stages]
    values = [v if v is not None else 0 for _, v in stages]
    text = [fmt.whole(v) for _, v in stages]
    fig = go.Figure(go.Funnel(
        y=names, x=values, text=text, textinfo="text", textposition="inside",
        marker=dict(color=[PALETTE[i % len(PALETTE)] for i in range(len(names))]),
        hovertemplate="%{y}: %{text}<extra></extra>", connector=dict(line=dict(color=GRID_COLOUR))))
    _layout(fig, title, "", height=80 + 50 * len(names))
    fig.update_xaxes(type="linear", visible=False)
    fig.update_yaxes(type="category", rangemode="normal", automargin=True)
    fig.update_layout(showlegend=False)
    return fig
