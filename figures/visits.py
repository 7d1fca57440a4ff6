"""Quality-visit scores before and after the action plan, by service (the latest visit of each)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import formats as fmt

from .style import PALETTE

TITLE = "Quality visits: latest score per service"


@dataclass(frozen=True)
class Bars:
    name: str
    colour: str
    #: "" plain, "/" hatched: the second series differs by more than colour.
    pattern: str
    values: tuple[float | None, ...]

    @property
    def texts(self) -> list[str]:
        return [fmt.percent(v) if v is not None else "" for v in self.values]


@dataclass(frozen=True)
class VisitsChart:
    title: str
    services: tuple[str, ...]
    series: tuple[Bars, ...]
    #: The y axis: a share from 0 to 110% (room for the labels above the bars).
    low: float = 0.0
    high: float = 1.1


def visits_chart(visits: Iterable[Mapping]) -> VisitsChart | None:
    """The chart of ``visits`` (each with service, visit_date, score, score_after), or None."""
    latest: dict[str, Mapping] = {}
    for v in sorted(visits, key=lambda v: v["visit_date"]):
        latest[v["service"]] = v
    if not latest:
        return None
    services = tuple(latest)
    series = tuple(Bars(name, colour, pattern, tuple(latest[s][key] for s in services))
                   for key, name, colour, pattern in (("score", "Visit", PALETTE[0], ""),
                                                      ("score_after", "After action plan", PALETTE[1], "/")))
    return VisitsChart(TITLE, services, series)
