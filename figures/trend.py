"""One indicator quarter by quarter: the description both renderers draw.

:func:`trend_chart` takes one row per quarter (a mapping with ``label``, ``value``,
``target``, ``tolerance``, ``direction``, ``rag`` and optionally ``hover`` and
``hidden``: the columns of ``dashboard.views.trend_rows``, or the pack's points)
and returns a :class:`TrendChart`: the line, the RAG markers (each RAG its own
symbol and word), the dashed target, the amber band between the target and the
edge of its tolerance, the chosen quarter shaded, figures hidden by small-number
suppression named at the foot, the title and the y axis (title, tick format and,
when the values span little, a fixed range with whole ticks).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import formats as fmt

#: What an empty chart says.
NO_DATA_MESSAGE = "No data: nothing reported for this measure yet."
HIDDEN_MESSAGE = "Hidden: small numbers"


def _number(value: object) -> float | None:
    return None if fmt.is_missing(value) else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TrendPoint:
    """One quarter, as plotted (a days indicator drawn in months is in months here)."""

    label: str
    value: float | None
    target: float | None
    #: The edge of the amber band (target − tolerance, + for lower-is-better); None without one.
    edge: float | None
    #: "green" / "amber" / "red"; None without a target or a value.
    rag: str | None
    #: ``<5`` or ``[c]`` when suppression hid the value, else None.
    hidden: str | None = None
    hover: str = ""


@dataclass(frozen=True)
class Markers:
    """The points of one RAG (None: no target), drawn with one symbol and named in the legend."""

    rag: str | None
    name: str
    points: tuple[TrendPoint, ...]
    in_legend: bool


@dataclass(frozen=True)
class Axis:
    """The y axis: its title, how ticks read, and a fixed range with its tick step (or None:
    the renderer fits the data)."""

    title: str
    #: "percent" (67%), "money" (£1,000), "whole" (1,234) or "decimal" (months: 10.5).
    ticks: str
    low: float | None = None
    high: float | None = None
    step: float | None = None

    @property
    def fixed(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class TrendChart:
    title: str
    unit: str
    in_months: bool
    points: tuple[TrendPoint, ...]
    highlight: str | None = None
    series_name: str = "Value"

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.points]

    @property
    def values(self) -> list[float | None]:
        return [p.value for p in self.points]

    @property
    def targets(self) -> list[float | None]:
        return [p.target for p in self.points]

    @property
    def has_target(self) -> bool:
        return any(p.target is not None for p in self.points)

    @property
    def has_band(self) -> bool:
        return self.has_target and any(p.edge is not None for p in self.points)

    @property
    def hidden(self) -> list[TrendPoint]:
        return [p for p in self.points if p.hidden]

    @property
    def empty_message(self) -> str | None:
        """Why nothing is drawn (every value hidden, or none reported), or None."""
        if any(p.value is not None for p in self.points):
            return None
        return HIDDEN_MESSAGE if self.hidden else NO_DATA_MESSAGE

    def markers(self) -> list[Markers]:
        """The points with a value, by RAG, in legend order (green, amber, red, no target)."""
        groups = []
        for key in ("green", "amber", "red", None):
            points = tuple(p for p in self.points if p.value is not None
                           and (p.rag if p.target is not None else None) == key)
            if not points:
                continue
            name = fmt.rag(key) if key else ("no target set" if self.has_target else "no target")
            groups.append(Markers(key, name, points, key is not None or self.has_target))
        return groups

    @property
    def axis(self) -> Axis:
        title = "Months" if self.in_months else \
            {"%": "Per cent", "people": "People", "days": "Days", "£": "£"}.get(self.unit, "")
        ticks = ("decimal" if self.in_months else "percent" if self.unit == "%"
                 else "money" if self.unit in ("£", "money") else "whole")
        if self.in_months:
            return Axis(title, ticks)
        # When the values span little: a range padded around them with ticks one apart (one
        # point for a percentage), so that whole-number tick labels never repeat (99%, 99%,
        # 100%) and a flat line sits in the middle of a readable axis.
        known = [v for p in self.points for v in (p.value, p.target, p.edge) if v is not None]
        if not known:
            return Axis(title, ticks)
        step = 0.01 if self.unit == "%" else 1.0
        low, high = min(known), max(known)
        if high - low < 8 * step:
            pad = max(2 * step, (high - low) * 0.15)
            bottom = low - pad if low - pad >= 0 or low < 0 else 0.0
            return Axis(title, ticks, bottom, high + pad, step)
        return Axis(title, ticks)


def trend_chart(rows: Iterable[Mapping], title: str, unit: str, *, in_months: bool = False,
                highlight: str | None = None, series_name: str = "Value") -> TrendChart:
    """The description of one indicator's chart from its rows, oldest first (see the module)."""
    scale = 1 / fmt.DAYS_PER_MONTH if in_months else 1.0
    points = []
    for row in rows:
        value, target = _number(row.get("value")), _number(row.get("target"))
        tolerance = _number(row.get("tolerance"))
        edge = None
        if target is not None and tolerance is not None and tolerance > 0:
            edge = target + tolerance if row.get("direction") == "lower" else target - tolerance
        rag = row.get("rag")
        rag = rag if value is not None and target is not None and rag in fmt.RAG_WORD else None
        hidden = row.get("hidden")
        points.append(TrendPoint(
            label=str(row["label"]),
            value=None if value is None else value * scale,
            target=None if target is None else target * scale,
            edge=None if edge is None else edge * scale,
            rag=rag, hidden=hidden if hidden else None, hover=str(row.get("hover") or "")))
    return TrendChart(title, unit, in_months, tuple(points), highlight, series_name)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high] (steps of 1, 2, 2.5 or 5 × 10ⁿ)."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high - step * 1e-9:
        ticks.append(round(value, 10))
    return ticks


def tick_text(value: float, ticks: str) -> str:
    """A tick label: ``67%``, ``£1,000``, ``1,234`` or ``10.5``."""
    if ticks == "percent":
        return fmt.percent(value)
    if ticks == "money":
        return fmt.money(value)
    if ticks == "decimal":
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return fmt.whole(value)
