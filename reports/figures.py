"""The pack's charts, drawn as vector graphics in the PDF with ReportLab (no browser).

Each indicator's chart is described once by ``figures.trend.trend_chart`` (the
description the dashboard's Plotly chart is drawn from: line, RAG markers with
their own symbols, dashed target, amber band, the quarter shaded, hidden figures
named at the foot, the y axis) and drawn here with ``reportlab.graphics.shapes``.
A service's charts are small multiples, two to a row, under one legend; each row
is its own flowable so that a long service flows onto the next page.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from figures import style
from figures.trend import TrendChart, nice_ticks, tick_text, trend_chart
from figures.visits import VisitsChart, visits_chart

from .content import IndicatorLine, Point, ServiceSection

COLUMNS = 2
#: Height of one row of small multiples, in points (about 55 mm).
ROW_HEIGHT = 156
GAP = 14
FONT = "Pack"
BOLD = "Pack-Bold"
FONT_SIZE = 7


def _colour(hex_colour: str, alpha: float | None = None) -> colors.Color:
    colour = colors.HexColor(hex_colour)
    if alpha is None:
        return colour
    return colors.Color(colour.red, colour.green, colour.blue, alpha=alpha)


def _fonts() -> None:
    from .pdf import _register_fonts

    _register_fonts()


# --- descriptions -------------------------------------------------------------------------


def point_rows(points: Sequence[Point]) -> list[dict]:
    """The pack's points as the rows ``figures.trend.trend_chart`` reads (as ``views.trend_rows``)."""
    return [{"label": p.quarter.label, "value": p.value, "target": p.target,
             "tolerance": getattr(p, "tolerance", None), "direction": getattr(p, "direction", None),
             "rag": p.rag, "hidden": p.hidden} for p in points]


def indicator_chart(line: IndicatorLine, points: Sequence[Point], highlight: str | None = None) -> TrendChart:
    """One indicator's chart, described as on the dashboard (days its type shows in months in months)."""
    return trend_chart(point_rows(points), line.short, line.unit, highlight=highlight,
                       in_months=line.unit == "days" and line.show_months)


def service_charts(section: ServiceSection, highlight: str | None = None) -> list[TrendChart]:
    """Every indicator of a service, described, in the section's order."""
    return [indicator_chart(line, section.history.get(line.code, []), highlight)
            for line in section.indicators]


# --- drawing one trend ----------------------------------------------------------------------


def _marker(rag: str | None, x: float, y: float, size: float = 3.2) -> Group:
    colour = _colour(style.RAG_COLOUR[rag])
    group = Group()
    symbol = style.RAG_SYMBOL[rag]
    if symbol == "circle":
        group.add(Circle(x, y, size, fillColor=colour, strokeColor=colors.white, strokeWidth=0.6))
    elif symbol == "diamond":
        s = size * 1.3
        group.add(Polygon([x, y + s, x + s, y, x, y - s, x - s, y], fillColor=colour,
                          strokeColor=colors.white, strokeWidth=0.6))
    elif symbol == "x":
        s = size * 0.95
        for dx in (s, -s):
            group.add(Line(x - dx, y - s, x + dx, y + s, strokeColor=colour, strokeWidth=1.8))
    else:   # circle-open: no target
        group.add(Circle(x, y, size * 0.8, fillColor=colors.white, strokeColor=colour, strokeWidth=1))
    return group


def _y_scale(chart: TrendChart) -> tuple[list[float], float, float]:
    """Tick values and the range of the y axis: the description's fixed range when it has one."""
    axis = chart.axis
    if axis.low is not None and axis.high is not None:
        low, high = axis.low, axis.high
        step = axis.step or (high - low) / 4
        first = step * -(-low // step)   # the first multiple of the step at or above low
        ticks = []
        value = first
        while value <= high + 1e-9:
            ticks.append(round(value, 10))
            value += step
        while len(ticks) > 7:
            ticks = ticks[::2]
        return ticks, low, high
    known = [v for p in chart.points for v in (p.value, p.target, p.edge) if v is not None]
    if not known:
        return [], 0.0, 1.0
    low, high = min(known), max(known)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    ticks = nice_ticks(low - pad if low - pad >= 0 or low < 0 else 0.0, high + pad)
    return ticks, ticks[0], ticks[-1]


def draw_trend(chart: TrendChart, width: float, height: float) -> Group:
    """One chart in a box ``width`` × ``height`` points, its origin at the bottom left."""
    group = Group()
    title_lines = simpleSplit(chart.title, BOLD, FONT_SIZE + 1.5, width)[:2]
    top = height - 4
    for line in title_lines:
        top -= FONT_SIZE + 3
        group.add(String(0, top, line, fontName=BOLD, fontSize=FONT_SIZE + 1.5, fillColor=colors.black))
    axis = chart.axis
    ticks, low, high = _y_scale(chart)
    labels = [tick_text(t, axis.ticks) for t in ticks]
    left = max([stringWidth(t, FONT, FONT_SIZE) for t in labels] + [8]) + 4 + (FONT_SIZE + 3)
    bottom = 2 * (FONT_SIZE + 2) + 4
    plot_top = top - 6
    plot_w, plot_h = width - left - 4, plot_top - bottom
    n = max(1, len(chart.points))
    slot = plot_w / n

    def x_at(i: int) -> float:
        return left + (i + 0.5) * slot

    def y_at(v: float) -> float:
        return bottom + (v - low) / ((high - low) or 1) * plot_h

    # The chosen quarter, shaded behind everything.
    if chart.highlight in chart.labels:
        i = chart.labels.index(chart.highlight)
        group.add(Rect(x_at(i) - 0.4 * slot, bottom, 0.8 * slot, plot_h, strokeColor=None,
                       fillColor=_colour(style.HIGHLIGHT_COLOUR, style.HIGHLIGHT_OPACITY)))
    # Grid and y tick labels.
    for tick, text in zip(ticks, labels, strict=True):
        y = y_at(tick)
        group.add(Line(left, y, left + plot_w, y, strokeColor=_colour(style.GRID_COLOUR), strokeWidth=0.5))
        group.add(String(left - 3, y - FONT_SIZE / 3, text, fontName=FONT, fontSize=FONT_SIZE,
                         textAnchor="end", fillColor=_colour(style.MUTED_COLOUR)))
    if axis.title and ticks:
        title = String(0, 0, axis.title, fontName=FONT, fontSize=FONT_SIZE, textAnchor="middle",
                       fillColor=_colour(style.MUTED_COLOUR))
        holder = Group(title)
        holder.translate(FONT_SIZE, bottom + plot_h / 2)
        holder.rotate(90)
        group.add(holder)
    group.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.HexColor("#BBBBBB"), strokeWidth=0.6))
    # Quarter labels: the quarter, with its year below at the first quarter of each year shown.
    last_year, free_from = None, -1e9
    for i, label in enumerate(chart.labels):
        year, _, quarter = label.partition(" ")
        group.add(String(x_at(i), bottom - FONT_SIZE - 2, quarter or year, fontName=FONT, fontSize=FONT_SIZE,
                         textAnchor="middle", fillColor=colors.black))
        half = stringWidth(year, FONT, FONT_SIZE) / 2
        # The year under its first quarter shown, unless it would overlap the year before.
        if quarter and year != last_year and x_at(i) - half >= free_from:
            group.add(String(x_at(i), bottom - 2 * FONT_SIZE - 3, year, fontName=FONT, fontSize=FONT_SIZE,
                             textAnchor="middle", fillColor=_colour(style.MUTED_COLOUR)))
            free_from = x_at(i) + half + 2
        last_year = year
    # Hidden figures named at the foot of the plot.
    for i, p in enumerate(chart.points):
        if p.hidden:
            group.add(String(x_at(i), bottom + 2, p.hidden, fontName=FONT, fontSize=FONT_SIZE,
                             textAnchor="middle", fillColor=_colour(style.NOTE_COLOUR)))
    message = chart.empty_message
    if message is not None:
        group.add(String(left + plot_w / 2, bottom + plot_h / 2, message, fontName=FONT,
                         fontSize=FONT_SIZE + 1, textAnchor="middle", fillColor=_colour(style.MUTED_COLOUR)))
        return group
    # Amber band and target: steps from each quarter to the next (as Plotly's "hv").
    stepped = [(i, p) for i, p in enumerate(chart.points) if p.target is not None]
    if chart.has_band:
        band = _colour(style.BAND_COLOUR, style.BAND_OPACITY)
        for (i, p), (j, _) in zip(stepped, stepped[1:], strict=False):
            if p.edge is not None and p.target is not None:
                y0, y1 = sorted((y_at(p.target), y_at(p.edge)))
                group.add(Rect(x_at(i), y0, x_at(j) - x_at(i), y1 - y0, strokeColor=None, fillColor=band))
    if stepped:
        path: list[float] = []
        for i, p in stepped:
            y = y_at(p.target or 0.0)   # every point here has a target
            if path:
                path += [x_at(i), path[-1]]
            path += [x_at(i), y]
        if len(path) == 2:
            path += [path[0] + 0.01, path[1]]
        group.add(PolyLine(path, strokeColor=_colour(style.TARGET_COLOUR), strokeWidth=1,
                           strokeDashArray=[3, 2]))
    # The line, broken where a quarter has no value.
    run: list[float] = []
    for i, value in enumerate([*chart.values, None]):
        if value is not None:
            run += [x_at(i), y_at(value)]
            continue
        if len(run) >= 4:
            group.add(PolyLine(run, strokeColor=_colour(style.LINE_COLOUR), strokeWidth=1.4))
        run = []
    for markers in chart.markers():
        for p in markers.points:
            if p.value is not None:
                group.add(_marker(markers.rag, x_at(chart.labels.index(p.label)), y_at(p.value)))
    return group


# --- a service: a legend, then rows of two ----------------------------------------------------


def legend(charts: Sequence[TrendChart], width: float) -> Drawing | None:
    """One legend for the charts of a service: only what they draw."""
    entries: list[tuple[str, str | None]] = []
    if any(c.empty_message is None for c in charts):
        entries.append(("line", charts[0].series_name))
    names: dict[str | None, str] = {}
    for chart in charts:
        for markers in chart.markers():
            if markers.in_legend:
                names.setdefault(markers.rag, markers.name)
    entries += [("marker:" + str(key), names[key]) for key in ("green", "amber", "red", None) if key in names]
    if any(c.has_target and c.empty_message is None for c in charts):
        entries.append(("target", "Target"))
    if any(c.has_band and c.empty_message is None for c in charts):
        entries.append(("band", "Amber band (tolerance)"))
    if not entries:
        return None
    drawing = Drawing(width, 14)
    x = 0.0
    for kind, name in entries:
        y = 5
        if kind == "line":
            drawing.add(Line(x, y, x + 14, y, strokeColor=_colour(style.LINE_COLOUR), strokeWidth=1.4))
        elif kind == "target":
            drawing.add(Line(x, y, x + 14, y, strokeColor=_colour(style.TARGET_COLOUR), strokeWidth=1,
                             strokeDashArray=[3, 2]))
        elif kind == "band":
            drawing.add(Rect(x, y - 4, 14, 8, strokeColor=None,
                             fillColor=_colour(style.BAND_COLOUR, style.BAND_OPACITY * 2)))
        else:
            key = kind.split(":", 1)[1]
            drawing.add(_marker(None if key == "None" else key, x + 7, y))
        text = name or ""
        drawing.add(String(x + 18, y - FONT_SIZE / 3, text, fontName=FONT, fontSize=FONT_SIZE + 0.5))
        x += 18 + stringWidth(text, FONT, FONT_SIZE + 0.5) + 12
    return drawing


def service_drawings(section: ServiceSection, highlight: str | None, width: float) -> list[Drawing]:
    """A service's charts for the PDF: a legend, then one drawing per row of two charts."""
    _fonts()
    charts = service_charts(section, highlight)
    if not charts:
        return []
    out: list[Drawing] = []
    key = legend(charts, width)
    if key is not None:
        out.append(key)
    cell = (width - GAP * (COLUMNS - 1)) / COLUMNS
    for start in range(0, len(charts), COLUMNS):
        row = Drawing(width, ROW_HEIGHT)
        for n, chart in enumerate(charts[start:start + COLUMNS]):
            group = draw_trend(chart, cell, ROW_HEIGHT)
            group.translate(n * (cell + GAP), 0)
            row.add(group)
        out.append(row)
    return out


# --- quality visits ---------------------------------------------------------------------------


def draw_visits(chart: VisitsChart, width: float, height: float = 200) -> Drawing:
    """Grouped bars, a percentage above each, the second series hatched."""
    _fonts()
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, chart.title, fontName=BOLD, fontSize=FONT_SIZE + 3))
    left, bottom, top = 30, 30, height - 40
    plot_w, plot_h = width - left - 4, top - bottom

    def y_at(v: float) -> float:
        return bottom + (v - chart.low) / (chart.high - chart.low) * plot_h

    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        drawing.add(Line(left, y_at(tick), left + plot_w, y_at(tick), strokeColor=_colour(style.GRID_COLOUR),
                         strokeWidth=0.5))
        drawing.add(String(left - 3, y_at(tick) - 2.5, tick_text(tick, "percent"), fontName=FONT,
                           fontSize=FONT_SIZE, textAnchor="end", fillColor=_colour(style.MUTED_COLOUR)))
    slot = plot_w / len(chart.services)
    bar = slot * 0.7 / len(chart.series)
    for i, service in enumerate(chart.services):
        drawing.add(String(left + (i + 0.5) * slot, bottom - 10, service, fontName=FONT, fontSize=FONT_SIZE + 1,
                           textAnchor="middle"))
        for k, bars in enumerate(chart.series):
            value = bars.values[i]
            if value is None:
                continue
            x = left + i * slot + slot * 0.15 + k * bar
            drawing.add(Rect(x, bottom, bar - 1, y_at(value) - bottom, strokeColor=None,
                             fillColor=_colour(bars.colour)))
            if bars.pattern:   # hatched, so that the two differ by more than colour
                _hatch(drawing, x, bottom, bar - 1, y_at(value) - bottom)
            drawing.add(String(x + (bar - 1) / 2, y_at(value) + 2, bars.texts[i], fontName=FONT,
                               fontSize=FONT_SIZE, textAnchor="middle"))
    x = left
    for bars in chart.series:
        drawing.add(Rect(x, height - 28, 8, 8, strokeColor=None, fillColor=_colour(bars.colour)))
        if bars.pattern:
            _hatch(drawing, x, height - 28, 8, 8, step=3)
        drawing.add(String(x + 11, height - 27, bars.name, fontName=FONT, fontSize=FONT_SIZE + 1))
        x += 20 + stringWidth(bars.name, FONT, FONT_SIZE + 1) + 10
    return drawing


def _hatch(drawing: Drawing, x: float, y: float, width: float, height: float, step: float = 5) -> None:
    """White diagonal lines across a rectangle (lines y = x + c, each cut to the rectangle)."""
    c = -width
    while c < height:
        start, end = max(0.0, -c), min(width, height - c)
        if end > start:
            drawing.add(Line(x + start, y + start + c, x + end, y + end + c, strokeColor=colors.white,
                             strokeWidth=0.6))
        c += step


def visits_drawing(visits: list[dict], width: float) -> Drawing | None:
    """The quality-visits chart of the pack (``figures.visits``), or None without visits."""
    chart = visits_chart(visits)
    return None if chart is None else draw_visits(chart, width)
