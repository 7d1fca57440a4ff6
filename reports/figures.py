"""The pack's charts: the dashboard's trend chart per indicator, laid out as small multiples.

Each indicator is drawn by ``dashboard.charts.trend`` (the same chart as on the
dashboard: line, RAG points with their own symbols, dashed target line, the
quarter shaded). A service's charts are then put on one figure, two to a row,
so the pack renders one image per service: starting the browser once and
drawing four images is several times quicker than drawing twenty-one.

Suppressed quarters are gaps in the line, labelled ``<5`` or ``[c]`` on the axis.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

import formats as fmt
from dashboard import charts
from models.catalogue import DAYS_PER_MONTH

from .content import IndicatorLine, Point, ServiceSection

COLUMNS = 2
#: Sizes in CSS pixels; the PDF prints the image 174 mm wide, so 800 px ≈ 4.6 px per mm.
WIDTH = 800
ROW_HEIGHT = 250
FONT_SIZE = 13


def _rows(points: list[Point]) -> pd.DataFrame:
    """The table ``charts.trend`` draws from (the columns of ``dashboard.views.trend_rows``)."""
    return pd.DataFrame({
        "label": [p.quarter.label for p in points],
        "value": [math.nan if p.value is None else p.value for p in points],
        "target": [math.nan if p.target is None else p.target for p in points],
        "rag": [p.rag for p in points],
        "hover": ["" for _ in points],
        "months": [math.nan if p.value is None else p.value / DAYS_PER_MONTH for p in points],
    })


def indicator_figure(line: IndicatorLine, points: list[Point], highlight: str | None = None) -> go.Figure:
    """One indicator's chart, as on the dashboard (days its type shows in months are drawn in months)."""
    return charts.trend(_rows(points), line.short, line.unit, highlight=highlight,
                        in_months=line.unit == "days" and line.show_months)


def _domains(count: int, gap: float) -> list[tuple[float, float]]:
    """Equal spans of [0, 1] with ``gap`` between them, first to last."""
    size = (1 - gap * (count - 1)) / count
    return [(i * (size + gap), i * (size + gap) + size) for i in range(count)]


def service_figure(section: ServiceSection, highlight: str | None = None) -> dict | None:
    """Every indicator of a service as small multiples on one figure; None when it has none.

    Each chart is the dashboard's (``charts.trend``); they are put side by side as a
    plain figure dict (which kaleido draws as it is), since building a large subplot
    figure through plotly's validators costs more than drawing it.
    """
    lines = section.indicators
    codes = [line.code for line in lines]
    if not codes:
        return None
    columns = min(COLUMNS, len(codes))
    rows = math.ceil(len(codes) / columns)
    height = figure_height(len(codes))
    # Gaps in paper fractions: room for each chart's title above and quarter labels below.
    row_gap = 105 / (height - 100)
    x_domains = _domains(columns, 0.1)
    y_domains = list(reversed(_domains(rows, row_gap)))    # first row at the top
    data: list[dict] = []
    layout: dict = {"annotations": [], "shapes": []}
    legend_seen: set[str] = set()
    template = None
    for n, line in enumerate(lines):
        code = line.code
        axis = n + 1
        x_name, y_name = f"x{axis}", f"y{axis}"
        x_domain, y_domain = x_domains[n % columns], y_domains[n // columns]
        points = section.history.get(code, [])
        single = indicator_figure(line, points, highlight).to_dict()
        template = template or single["layout"].get("template")
        drawn = [t for t in single["data"] if t.get("x") is not None and len(t["x"])]
        for trace in drawn:
            name = trace.get("name", "")
            trace.update(xaxis=x_name, yaxis=y_name, legendgroup=name,
                         showlegend=name not in legend_seen and trace.get("showlegend", True))
            legend_seen.add(name)
            data.append(trace)
        y = single["layout"].get("yaxis", {})
        layout[f"yaxis{axis}"] = {
            "domain": list(y_domain), "anchor": x_name, "rangemode": "tozero", "zeroline": False,
            "automargin": True,
            "gridcolor": charts.GRID_COLOUR, "tickformat": y.get("tickformat"),
            "tickprefix": y.get("tickprefix"), "title": {"text": (y.get("title") or {}).get("text")}}
        labels = [p.quarter.label for p in points]
        layout[f"xaxis{axis}"] = {"domain": list(x_domain), "anchor": y_name, "type": "category",
                                  "automargin": True,
                                  "gridcolor": charts.GRID_COLOUR, "tickangle": -45,
                                  "categoryorder": "array", "categoryarray": labels}
        layout["annotations"].append({
            "text": f"<b>{line.short}</b>", "showarrow": False,
            "xref": "paper", "yref": "paper", "x": x_domain[0], "xanchor": "left",
            "y": y_domain[1] + 8 / height, "yanchor": "bottom", "font": {"size": FONT_SIZE + 1}})
        for shape in single["layout"].get("shapes", []):
            shape.update(xref=x_name, yref=f"{y_name} domain")
            layout["shapes"].append(shape)
        hidden = [p for p in points if p.hidden]
        for p in hidden:
            # A gap says nothing by itself: name what was hidden at the foot of the chart.
            layout["annotations"].append({
                "x": p.quarter.label, "y": 0, "text": p.hidden, "showarrow": False,
                "yanchor": "bottom", "xref": x_name, "yref": f"{y_name} domain",
                "font": {"size": FONT_SIZE - 1, "color": "#333333"}})
        if all(p.value is None for p in points):
            message = "Hidden: small numbers" if hidden else "No data"
            layout[f"yaxis{axis}"].update(showticklabels=False, title={"text": None})
            layout["annotations"].append({
                "text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                "xref": f"{x_name} domain", "yref": f"{y_name} domain",
                "font": {"size": FONT_SIZE, "color": "#555555"}})
            if labels:  # keep the quarters on the axis so the gap reads as a gap
                data.append({"type": "scatter", "x": labels, "y": [None] * len(labels),
                             "mode": "lines", "showlegend": False, "xaxis": x_name, "yaxis": y_name})
    layout.update({
        "template": template,
        "title": {"text": f"<b>{section.name}</b>: quarter by quarter", "x": 0.01, "xanchor": "left",
                  "xref": "container", "y": 1 - 8 / height, "yref": "container", "yanchor": "top",
                  "font": {"size": FONT_SIZE + 4}},
        "font": {"family": "DejaVu Sans, Arial, sans-serif", "size": FONT_SIZE, "color": "#222222"},
        "width": WIDTH, "height": height, "showlegend": True,
        "margin": {"l": 10, "r": 10, "t": 100, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1 + 36 / height, "x": 0,
                   "font": {"size": FONT_SIZE - 1}},
        "separators": ".,", "paper_bgcolor": "white", "plot_bgcolor": "white",
    })
    return {"data": data, "layout": layout}


def figure_height(count: int) -> int:
    return 100 + ROW_HEIGHT * math.ceil(count / COLUMNS)


def quality_figure(visits: list[dict]) -> go.Figure | None:
    """Quality-visit scores before and after the action plan, by service (latest visit each)."""
    if not visits:
        return None
    latest: dict[str, dict] = {}
    for v in sorted(visits, key=lambda v: v["visit_date"]):
        latest[v["service"]] = v
    services = list(latest)
    fig = go.Figure()
    for key, name, colour, pattern in (("score", "Visit", charts.PALETTE[0], ""),
                                       ("score_after", "After action plan", charts.PALETTE[1], "/")):
        values = [latest[s][key] for s in services]
        fig.add_trace(go.Bar(x=services, y=values, name=name, marker_color=colour,
                             marker_pattern_shape=pattern,
                             text=[fmt.percent(v) if v is not None else "" for v in values],
                             textposition="outside"))
    fig.update_layout(barmode="group", template="plotly_white", width=WIDTH, height=330,
                      paper_bgcolor="white", plot_bgcolor="white",
                      title=dict(text="Quality visits: latest score per service", x=0,
                                 font=dict(size=FONT_SIZE + 4)),
                      font=dict(family="DejaVu Sans, Arial, sans-serif", size=FONT_SIZE),
                      legend=dict(orientation="h", y=-0.15, x=0),
                      margin=dict(l=10, r=10, t=60, b=10))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.1], gridcolor=charts.GRID_COLOUR)
    return fig
