"""Statistical process control, checked against published reference cases and each rule by hand.

Reference cases:
- NHSRplotthedots (NHS-R community), tests/testthat/test-ptd_spc_standard.R and its
  snapshot _snaps/ptd_spc_standard.md: ``set.seed(123); y = rnorm(20)`` gives mean
  0.1416238, lower -3.01138, upper 3.294627; with y[15] = 10 the limits are
  -2.383666 / 3.722497 with moving ranges screened and -4.596625 / 5.935457 without.
  _snaps/ptd_spc.md: split into two facets of 10, the means are 0.0746 and 0.209 with
  limits -2.60 / 2.75 and -3.28 / 3.70. Its 2-of-3 test: points close to the limits on
  opposite sides of the mean are common cause. Its assurance tests
  (test-ptd_calculate_assurance_type.R): limits (1, 3), (5, 7), (1, 5) against target 4.
- abspc (Aneurin Bevan UHB, tests/test_spc.py): its two-in-three case (7 points at the
  mean, then 14, 10.5, 14 with the two-sigma line at 13 flags the two 14s) and its
  stable process (``np.random.seed(42); normal(50, 1, 20)``) has no special cause.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.engine import compute_indicators
from indicators.spc import (
    COMMON_CAUSE,
    CONCERN,
    FAILING,
    HIT_AND_MISS,
    IMPROVEMENT,
    LIMIT_FACTOR,
    PASSING,
    RULE_SHIFT,
    RULE_TREND,
    Limits,
    assurance,
    process_limits,
    spc_for,
    spc_summary,
    two_of_three_rule,
    xmr,
)
from models.contract_types import get_type
from models.periods import Quarter

DA = get_type("domestic-abuse")

#: R 4.x: set.seed(123); rnorm(20)
RNORM_123 = [
    -0.560475646552213, -0.23017748948328, 1.55870831414912, 0.070508391424576,
    0.129287735160946, 1.71506498688328, 0.460916205989202, -1.26506123460653,
    -0.686852851893526, -0.445661970099958, 1.22408179743946, 0.359813827057364,
    0.400771450594052, 0.11068271594512, -0.555841134754075, 1.78691313680308,
    0.497850478229239, -1.96661715662964, 0.701355901563686, -0.472791407727934,
]


# --- published reference cases -----------------------------------------------------------


def test_nhsrplotthedots_limits_of_twenty_normal_points():
    result = xmr(RNORM_123)
    assert result.mean == pytest.approx(0.1416238, abs=1e-7)
    assert result.lower == pytest.approx(-3.01138, abs=1e-5)
    assert result.upper == pytest.approx(3.294627, abs=1e-6)
    assert result.reliable
    assert not result.points["special_cause"].any()
    assert result.variation == COMMON_CAUSE


def test_nhsrplotthedots_screens_out_a_large_moving_range():
    y = list(RNORM_123)
    y[14] = 10                      # R's y[15]
    screened = process_limits(y)
    assert screened.mean == pytest.approx(0.6694159, abs=1e-7)
    assert (screened.lower, screened.upper) == (pytest.approx(-2.383666, abs=1e-6),
                                                pytest.approx(3.722497, abs=1e-6))
    unscreened = process_limits(y, screen=False)
    assert (unscreened.lower, unscreened.upper) == (pytest.approx(-4.596625, abs=1e-6),
                                                    pytest.approx(5.935457, abs=1e-6))
    # And the point itself is beyond the (screened) upper limit: special cause.
    result = xmr(y)
    assert result.points["beyond_limits"].iloc[14]
    assert result.points["point_type"].iloc[14] == IMPROVEMENT


def test_nhsrplotthedots_two_facets_of_ten():
    first, second = process_limits(RNORM_123[:10]), process_limits(RNORM_123[10:])
    assert (round(first.mean, 4), round(first.lower, 2), round(first.upper, 2)) == (0.0746, -2.60, 2.75)
    assert (round(second.mean, 3), round(second.lower, 2), round(second.upper, 2)) == (0.209, -3.28, 3.70)


def test_nhsrplotthedots_two_near_the_limits_on_opposite_sides_are_common_cause():
    data = [1, -1] * 8
    data[14], data[15] = 5.5, -5.5
    result = xmr(data)
    assert list(result.points["point_type"].tail(2)) == [COMMON_CAUSE, COMMON_CAUSE]
    # Both are beyond two sigma, within the limits.
    limits = process_limits(data)
    assert limits.near_upper < 5.5 < limits.upper
    assert limits.lower < -5.5 < limits.near_lower


@pytest.mark.parametrize("lower, upper, higher_better, lower_better", [
    (1, 3, FAILING, PASSING),
    (5, 7, PASSING, FAILING),
    (1, 5, HIT_AND_MISS, HIT_AND_MISS),
])
def test_nhsrplotthedots_assurance_against_a_target_of_four(lower, upper, higher_better, lower_better):
    limits = Limits(mean=(lower + upper) / 2, lower=lower, upper=upper, mean_moving_range=1)
    assert assurance(limits, 4, "higher") == higher_better
    assert assurance(limits, 4, "lower") == lower_better
    assert assurance(limits, None, "higher") is None


def test_abspc_two_in_three_in_the_warning_zone():
    values = np.array([10.0] * 7 + [14.0, 10.5, 14.0])
    # abspc's warning line at 13 is two sigma: sigma 1.5.
    limits = Limits(mean=10.0, lower=5.5, upper=14.5, mean_moving_range=1.5 * 3 / LIMIT_FACTOR)
    assert limits.near_upper == pytest.approx(13.0)
    flags = two_of_three_rule(values, limits)
    assert flags[7] and flags[9]
    assert not flags[8]
    assert not flags[:7].any()


def test_abspc_stable_process_has_no_special_cause():
    np.random.seed(42)
    values = list(np.random.normal(50, 1, 20))
    result = xmr(values)
    assert not result.points["special_cause"].any()
    assert result.variation == COMMON_CAUSE


# --- each rule by hand --------------------------------------------------------------------


STEADY = [10, 12, 11, 9, 10, 11, 10, 12, 9, 11, 10, 11]        # 12 points, common cause


def test_steady_points_are_common_cause():
    result = xmr(STEADY)
    assert result.reliable
    assert result.mean == pytest.approx(np.mean(STEADY))
    moving = np.abs(np.diff(STEADY))
    assert result.upper == pytest.approx(np.mean(STEADY) + 2.66 * moving.mean())
    assert not result.points["special_cause"].any()


def test_a_point_beyond_the_limits():
    result = xmr(STEADY + [25])
    last = result.points.iloc[-1]
    assert last["beyond_limits"] and last["special_cause"]
    assert last["point_type"] == IMPROVEMENT            # higher is better
    assert xmr(STEADY + [25], better="lower").points.iloc[-1]["point_type"] == CONCERN
    assert result.variation == IMPROVEMENT


def test_seven_in_a_row_on_one_side_of_the_mean():
    below, above = [8, 9, 8, 9, 8, 9, 8], [12, 13, 12, 13, 12, 13, 12]
    result = xmr(below + above)
    assert result.points["shift"].all()
    assert result.points.iloc[-1]["rule"] == RULE_SHIFT
    assert result.variation == IMPROVEMENT
    # Six in a row is not enough.
    six = xmr([8, 9, 8, 9, 8, 9] + [12, 13, 12, 13, 12, 13])
    assert not six.points["shift"].any()


def test_a_point_on_the_mean_breaks_a_run():
    values = [8, 12] * 3 + [12, 12, 12, 10, 12, 12, 12]   # mean 10.9…: 10 is below it
    result = xmr(values)
    assert result.mean > 10
    assert not result.points["shift"].iloc[-4:].any()


def test_seven_rising_or_falling():
    rising = [10, 11, 10, 11, 10, 11, 10, 11, 12, 13, 14, 15, 16]   # 10 → 16: seven rising
    result = xmr(rising)
    assert list(result.points["trend"]) == [False] * 6 + [True] * 7
    assert RULE_TREND in result.points["rule"].iloc[-1]
    assert result.variation == IMPROVEMENT
    falling = xmr([-v for v in rising])
    assert falling.points["trend"].iloc[-1]
    assert falling.variation == CONCERN
    # An equal value breaks the run (NHSRplotthedots: c(1:3, 3:6) is no trend).
    flat = xmr([1, 2, 3, 3, 4, 5, 6] + [4, 3, 4, 3, 4])
    assert not flat.points["trend"].any()


def test_two_of_three_beyond_two_sigma_on_one_side():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10.5, 13.2, 10.5, 13.2]
    result = xmr(values)
    limits = process_limits(values)
    assert limits.near_upper < 13.2 < limits.upper        # 13.15 < 13.2 < 14.31
    assert list(result.points["two_of_three"].tail(4)) == [False, True, False, True]
    assert result.points.iloc[-1]["point_type"] == IMPROVEMENT
    # One alone is not enough.
    single = xmr(values[:14] + [10.5, 10.5])
    assert not single.points["two_of_three"].any()


def test_variation_comes_from_the_latest_point():
    result = xmr(STEADY + [25, 11])
    assert result.points["special_cause"].iloc[-2]
    assert result.variation == COMMON_CAUSE


def test_assurance_from_the_chart():
    values = [0.97, 0.99, 0.98, 1.0, 0.98, 0.99, 0.97, 0.99, 0.98, 1.0, 0.98, 0.99]
    assert xmr(values, target=0.80).assurance == PASSING
    assert xmr(values, target=0.985).assurance == HIT_AND_MISS
    assert xmr([v - 0.5 for v in values], target=0.80).assurance == FAILING
    assert xmr(values, target=0.80, better="lower").assurance == FAILING
    assert xmr(values).assurance is None
    # A target per point: the latest one counts.
    assert xmr(values, target=[0.985] * 11 + [0.80]).assurance == PASSING


def test_under_twelve_points_is_a_run_chart_not_yet_reliable():
    result = xmr([8, 8.5, 9, 9.5, 10, 10.5, 11, 7, 8], target=5)
    assert not result.reliable
    assert result.chart == "run"
    assert (result.lower, result.upper, result.assurance) == (None, None, None)
    assert result.mean == 9            # the centre line is the median
    assert not result.points["beyond_limits"].any()
    # A run of seven rising still shows on a run chart.
    assert result.points["trend"].iloc[:7].all()
    assert "not yet reliable" in result.notes[0]
    assert xmr([8, 9, 10]).variation == COMMON_CAUSE


def test_missing_values_are_left_out_and_the_index_kept():
    series = pd.Series([1.0, np.nan, 2.0], index=["2016/17 Q1", "2016/17 Q2", "2016/17 Q3"])
    result = xmr(series)
    assert list(result.points.index) == ["2016/17 Q1", "2016/17 Q3"]
    empty = xmr([np.nan, np.nan])
    assert empty.points.empty and empty.variation is None and empty.mean is None


# --- applied to the engine's indicators -----------------------------------------------------


def _occupancy_history(values: list[float]) -> pd.DataFrame:
    first = Quarter(2014, 2)
    rows = []
    for i, value in enumerate(values):
        q = Quarter.from_index(first.index + i)
        nights = 28 * q.days
        for code, v in {"RF01": 28, "RF02": round(value * nights), "RF03": 0}.items():
            rows.append({"contract": "C1", "year": q.year, "quarter": q.quarter, "code": code,
                         "value": float(v)})
    targets = pd.DataFrame([{"contract": "C1", "indicator": "RF-OCC", "value": 0.80, "tolerance": 0.05,
                             "direction": "higher", "effective_year": 2014, "effective_quarter": 2,
                             "created_at": None, "created_by": ""}])
    return compute_indicators(pd.DataFrame(rows), None, targets, DA)


def test_spc_for_an_indicator_on_the_quarter_basis():
    history = [0.97, 0.99, 0.98, 1.0, 0.98, 0.99, 0.97, 0.99, 0.98, 1.0, 0.98, 0.99, 0.90]
    indicators = _occupancy_history(history)
    result = spc_for(indicators, "C1", "RF-OCC")
    assert len(result.points) == 13
    assert result.points.index[0] == "2014/15 Q2"
    assert result.points.iloc[-1]["beyond_limits"]
    assert result.variation == CONCERN
    assert result.assurance == PASSING           # target 80% below the lower limit
    # Up to an earlier quarter: only the quarters held until then.
    earlier = spc_for(indicators, "C1", "RF-OCC", upto=Quarter(2016, 1))
    assert len(earlier.points) == 8 and not earlier.reliable


def test_spc_summary_has_a_row_per_indicator():
    indicators = _occupancy_history([0.97, 0.99, 0.98, 1.0, 0.98, 0.99, 0.97, 0.99, 0.98, 1.0, 0.98,
                                     0.99, 0.90])
    summary = spc_summary(indicators, "C1", DA).set_index("indicator")
    assert summary.at["RF-OCC", "variation"] == CONCERN
    assert bool(summary.at["RF-OCC", "special_cause"])
    assert summary.at["OS-RESP24", "points"] == 0        # no One Stop figures at all
