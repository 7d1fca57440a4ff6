"""Statistical process control as NHS England's Making Data Count describes it.

An XmR chart of individual values:

- centre line: the mean of the points;
- process limits: mean ± 2.66 × mean moving range, where moving ranges above
  3.267 × the mean moving range are screened out first and the mean moving range
  recalculated (as NHSRplotthedots does by default);
- special-cause rules:
  1. a point beyond a process limit;
  2. a shift: 7 points in a row on one side of the mean (a point on the mean breaks the run);
  3. a trend: 7 points in a row each higher (or each lower) than the one before
     (an equal value breaks the run);
  4. two of three points in a row beyond two sigma (mean ± 2/3 × 2.66 × mean
     moving range) on the same side of the mean;
- variation, from the most recent point: "improvement" or "concern" when it is
  special cause (by which way is better), else "common cause";
- assurance against a target: "consistently passing" when the target lies
  beyond the limit on the failing side (higher better: target below the lower
  limit), "consistently failing" when it lies beyond the other limit, else
  "hit and miss".

With fewer than 12 points the limits are not yet reliable: the result is a run
chart (centre line the median, shift and trend rules only, no limits and no
assurance) flagged ``reliable = False``.

Missing values are left out: the points are the quarters that have a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from models.catalogue import Catalogue

#: 3 / d2 (1.128) for moving ranges of two points, as Making Data Count rounds it.
LIMIT_FACTOR = 2.66
#: Moving ranges above this many times their mean are screened out of the limits.
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
MIN_POINTS = 12

COMMON_CAUSE, IMPROVEMENT, CONCERN = "common cause", "improvement", "concern"
PASSING, FAILING, HIT_AND_MISS = "consistently passing", "consistently failing", "hit and miss"

RULE_LIMITS = "beyond a process limit"
RULE_SHIFT = "7 in a row on one side of the mean"
RULE_TREND = "7 in a row rising or falling"
RULE_TWO_OF_THREE = "2 of 3 beyond two sigma"

POINT_COLUMNS = ["value", "centre", "lower", "upper", "beyond_limits", "shift", "trend",
                 "two_of_three", "special_cause", "rule", "point_type"]


@dataclass(frozen=True)
class Limits:
    mean: float
    lower: float
    upper: float
    #: Mean moving range after screening.
    mean_moving_range: float

    @property
    def sigma(self) -> float:
        return LIMIT_FACTOR * self.mean_moving_range / 3

    @property
    def near_lower(self) -> float:
        return self.mean - 2 * self.sigma

    @property
    def near_upper(self) -> float:
        return self.mean + 2 * self.sigma


@dataclass
class SpcResult:
    #: Centre line: the mean (XmR) or, for a run chart, the median.
    mean: float | None
    lower: float | None
    upper: float | None
    #: Each of ``POINT_COLUMNS`` as an array, one value per point, and the points' index.
    columns: dict[str, np.ndarray] = field(repr=False)
    index: pd.Index = field(repr=False)
    variation: str | None
    assurance: str | None
    #: True when there are enough points (12) for the limits to mean something.
    reliable: bool
    target: float | None = None
    better: str = "higher"
    mean_moving_range: float | None = None
    chart: str = "xmr"      # "xmr", or "run" when not yet reliable
    notes: list[str] = field(default_factory=list)

    @cached_property
    def points(self) -> pd.DataFrame:
        """One row per point (index as given); columns ``POINT_COLUMNS``.

        Made when first asked for: a page's verdicts need only the latest point, and making a
        frame for each of forty charts cost more than the charts."""
        return pd.DataFrame(self.columns, index=self.index, columns=POINT_COLUMNS)

    @property
    def point_count(self) -> int:
        return len(self.index)

    def at_latest(self, column: str):
        """One of ``POINT_COLUMNS`` at the latest point (None when there is no point), read
        without making the points' table (forty indicators on each change of quarter)."""
        return self.columns[column][-1] if len(self.index) else None

    @property
    def latest_label(self):
        """The index of the latest point (the quarter's label for an indicator), or None."""
        return self.index[-1] if len(self.index) else None


def process_limits(values: Sequence[float], screen: bool = True) -> Limits | None:
    """Mean and process limits of an XmR chart (None with fewer than two values)."""
    y = np.asarray(pd.Series(values, dtype=float).dropna(), dtype=float)
    if len(y) < 2:
        return None
    mean = float(y.mean())
    moving = np.abs(np.diff(y))
    average = float(moving.mean())
    if screen:
        kept = moving[moving < SCREEN_FACTOR * average]
        # All equal (average 0) keeps them all.
        average = float(kept.mean()) if len(kept) else average
    return Limits(mean, mean - LIMIT_FACTOR * average, mean + LIMIT_FACTOR * average, average)


# --- the rules, each returning a boolean per point ---------------------------------------


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Points belonging to a run of at least ``length`` consecutive True flags."""
    n = len(flags)
    out = np.zeros(n, dtype=bool)
    if n < length:
        return out
    run = 0
    for i, flag in enumerate(flags):   # one pass over a chart's points (tens), not per value
        run = run + 1 if flag else 0
        if run >= length:
            out[i - length + 1:i + 1] = True
    return out


def shift_rule(values: np.ndarray, centre: float, length: int = RUN_LENGTH) -> np.ndarray:
    side = np.sign(values - centre)
    return _runs(side > 0, length) | _runs(side < 0, length)


def trend_rule(values: np.ndarray, length: int = RUN_LENGTH) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of ``length`` rising or falling points, and the run's direction (+1/-1)."""
    n = len(values)
    step = np.sign(np.diff(values)) if n > 1 else np.array([])
    rising = np.zeros(n, dtype=bool)
    falling = np.zeros(n, dtype=bool)
    # A run of 7 points is a run of 6 steps; a step belongs to the points either side.
    for flags, out in ((step > 0, rising), (step < 0, falling)):
        steps = _runs(flags, length - 1)
        out[:-1] |= steps
        out[1:] |= steps
    direction = np.where(rising, 1, np.where(falling, -1, 0))
    return rising | falling, direction


def two_of_three_rule(values: np.ndarray, limits: Limits) -> np.ndarray:
    """Points beyond two sigma with another such point, on the same side, among 3 in a row."""
    n = len(values)
    out = np.zeros(n, dtype=bool)
    for near in (values > limits.near_upper, values < limits.near_lower):
        for start in range(max(0, n - 2)):
            window = near[start:start + 3]
            if window.sum() >= 2:
                out[start:start + 3] |= window
    return out


# --- the chart ---------------------------------------------------------------------------


def _last_target(target: float | Sequence[float | None] | None) -> float | None:
    """The target, or the latest known one of a target at each point; None when there is none."""
    if target is None:
        return None
    known = pd.Series(np.asarray(target, dtype=float).ravel()).dropna()   # a number: one point's target
    return float(known.iloc[-1]) if len(known) else None


def assurance(limits: Limits, target: float | None, better: str = "higher") -> str | None:
    """Whether the process will meet the target, from where the target sits against the limits."""
    if limits is None or target is None:
        return None
    if target < limits.lower:
        return PASSING if better == "higher" else FAILING
    if target > limits.upper:
        return FAILING if better == "higher" else PASSING
    return HIT_AND_MISS


def xmr(values: Sequence[float], target=None, better: str = "higher", *,
        min_points: int = MIN_POINTS) -> SpcResult:
    """An XmR chart of ``values`` in time order, with the Making Data Count verdicts.

    ``values``: numbers or a Series (its index is kept in ``points``); NaN points are
    left out. ``target``: a number, or a sequence of the target at each point (the
    latest known one is used for assurance). ``better``: "higher" or "lower".
    """
    if isinstance(values, pd.Series):
        index, y = values.index, values.to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float).ravel()
        index = pd.RangeIndex(len(y))
    # Arrays, not a Series: every indicator's chart is made on each change of quarter.
    known = ~np.isnan(y)
    if not known.all():
        index, y = index[known], y[known]
    n = len(y)
    target_value = _last_target(target)
    improving_side = 1 if better == "higher" else -1
    if n == 0:
        empty = {"value": y} | {c: np.empty(0, dtype=object) for c in POINT_COLUMNS[1:]}
        return SpcResult(None, None, None, empty, index, None, None, False, target_value, better,
                         chart="run", notes=["No values to chart."])

    reliable = n >= min_points
    limits = process_limits(y) if reliable else None
    centre = limits.mean if limits else float(np.median(y))
    beyond = ((y > limits.upper) | (y < limits.lower)) if limits else np.zeros(n, dtype=bool)
    shift = shift_rule(y, centre)
    trend, trend_direction = trend_rule(y)
    two_of_three = two_of_three_rule(y, limits) if limits else np.zeros(n, dtype=bool)
    special = beyond | shift | trend | two_of_three

    # Which way a special point points: its side of the centre, or for a point that
    # is special only by a trend, the trend's direction.
    side = np.sign(y - centre)
    side = np.where(trend & ~(beyond | shift | two_of_three), trend_direction, side)
    point_type = np.where(~special, COMMON_CAUSE,
                          np.where(side == improving_side, IMPROVEMENT, CONCERN)).astype(object)
    rules = np.full(n, "", dtype=object)
    for flags, name in ((beyond, RULE_LIMITS), (shift, RULE_SHIFT), (trend, RULE_TREND),
                        (two_of_three, RULE_TWO_OF_THREE)):
        rules = np.where(flags, np.where(rules == "", name, rules + "; " + name), rules)

    columns = {
        "value": y, "centre": np.full(n, centre),
        "lower": np.full(n, limits.lower if limits else np.nan),
        "upper": np.full(n, limits.upper if limits else np.nan),
        "beyond_limits": beyond, "shift": shift, "trend": trend, "two_of_three": two_of_three,
        "special_cause": special, "rule": rules, "point_type": point_type,
    }
    notes = [] if reliable else [
        f"Only {n} point{'s' if n != 1 else ''}: a run chart until there are {min_points}; "
        "process limits are not yet reliable."]
    return SpcResult(
        mean=centre,
        lower=limits.lower if limits else None,
        upper=limits.upper if limits else None,
        columns=columns,
        index=index,
        variation=str(point_type[-1]),
        assurance=assurance(limits, target_value, better) if limits else None,
        reliable=reliable,
        target=target_value,
        better=better,
        mean_moving_range=limits.mean_moving_range if limits else None,
        chart="xmr" if reliable else "run",
        notes=notes,
    )


# --- applied to the engine's indicators ------------------------------------------------


def _rows(indicators: pd.DataFrame, contract: str, upto, basis: str) -> pd.DataFrame:
    """The contract's rows on ``basis`` up to ``upto``, in time order."""
    rows = indicators[(indicators["contract"] == contract) & (indicators["basis"] == basis)]
    if upto is not None:
        rows = rows[rows["period"] <= upto.index]
    return rows.sort_values("period", kind="stable")


def _charts(rows: pd.DataFrame, codes: Sequence[str]) -> dict[str, SpcResult]:
    """The chart of each of ``codes`` from rows in time order, points indexed by quarter label.

    Plain arrays, not a frame per indicator: every indicator's chart is made on each change
    of quarter, and slicing frames cost more than the charts."""
    labels = np.array([f"{year} Q{quarter}" for year, quarter in
                       zip(rows["fiscal_year"].tolist(), rows["quarter"].tolist(), strict=True)], dtype=object)
    of = rows["indicator"].to_numpy(dtype=object)
    values = rows["value"].to_numpy(dtype=float)
    targets = rows["target"].to_numpy(dtype=object)
    better = rows["better"].to_numpy(dtype=object)
    charts = {}
    for code in codes:
        mine = of == code
        value, with_value = values[mine], ~np.isnan(values[mine])
        known = targets[mine][with_value]
        charts[code] = xmr(pd.Series(value, index=labels[mine]),
                           target=known[-1] if len(known) else None,
                           better=better[mine][-1] if mine.any() else "higher")
    return charts


def spc_for(indicators: pd.DataFrame, contract: str, indicator: str, upto=None,
            basis: str = "quarter") -> SpcResult:
    """The chart of one indicator of one contract over the quarters held (up to ``upto``).

    Points are indexed by the quarter's label (``2016/17 Q3``); the target is the
    one in force at the latest point. Which way is better comes with the rows
    (the engine's ``better``, from the contract's catalogue).
    """
    rows = _rows(indicators, contract, upto, basis)
    return _charts(rows[rows["indicator"] == indicator], [indicator])[indicator]


def spc_by_indicator(indicators: pd.DataFrame, contract: str, codes: Sequence[str], upto=None,
                     basis: str = "quarter") -> dict[str, SpcResult]:
    """``spc_for`` of each of ``codes`` at once: the contract's rows are picked out and sorted
    once, not once per indicator (a page shows every indicator's verdict)."""
    return _charts(_rows(indicators, contract, upto, basis), codes)


SUMMARY_COLUMNS = ["contract", "indicator", "service", "label", "points", "mean", "lower", "upper",
                   "variation", "assurance", "reliable", "special_cause", "rule", "target"]


def spc_summary(indicators: pd.DataFrame, contract: str, catalogue: Catalogue, upto=None) -> pd.DataFrame:
    """One row per indicator of the contract's ``catalogue``: the chart's verdicts at its latest point."""
    records = []
    charts = spc_by_indicator(indicators, contract, [ind.code for ind in catalogue.indicators], upto)
    for ind in catalogue.indicators:
        result = charts[ind.code]
        records.append({
            "contract": contract, "indicator": ind.code, "service": ind.service, "label": ind.label,
            "points": result.point_count, "mean": result.mean, "lower": result.lower,
            "upper": result.upper, "variation": result.variation, "assurance": result.assurance,
            "reliable": result.reliable,
            "special_cause": bool(result.at_latest("special_cause")),
            "rule": result.at_latest("rule") or "",
            "target": result.target,
        })
    return pd.DataFrame.from_records(records, columns=SUMMARY_COLUMNS)
