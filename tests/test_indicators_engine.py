"""The indicator engine on hand-worked cases: each aggregation, the special denominators,
zero and missing denominators, partial years to date and trends."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from indicators.engine import COLUMNS
from indicators.engine import compute_indicators as compute_for_type
from models.contract_types import get_type
from models.periods import Quarter

DA = get_type("domestic-abuse")
INDICATORS = DA.indicators


def compute_indicators(measures, contracts=None, targets=None):
    """The engine with the domestic-abuse catalogue, as every case here uses."""
    return compute_for_type(measures, contracts, targets, DA)

START = date(2014, 9, 1)      # the sample contract's start: 2014/15 Q2


def measures(quarters: dict[Quarter, dict[str, float | None]], contract: str = "C1") -> pd.DataFrame:
    """A measures frame as ``load_measures`` returns it, from {quarter: {code: value}}."""
    rows = [{"contract": contract, "year": q.year, "quarter": q.quarter, "code": code,
             "value": np.nan if value is None else float(value)}
            for q, values in quarters.items() for code, value in values.items()]
    return pd.DataFrame(rows)


def contracts(*references: str, annual_value: float = 400_000.0, start: date = START,
              end: date = date(2019, 8, 31)) -> pd.DataFrame:
    return pd.DataFrame([{"contract": r, "start_date": start, "initial_end_date": end,
                          "extended_end_date": None, "annual_value": annual_value}
                         for r in references or ("C1",)])


def row(result: pd.DataFrame, indicator: str, quarter: Quarter, basis: str = "quarter",
        contract: str = "C1") -> pd.Series:
    found = result[(result["contract"] == contract) & (result["indicator"] == indicator)
                   & (result["period"] == quarter.index) & (result["basis"] == basis)]
    assert len(found) == 1, f"{indicator} {quarter} {basis}: {len(found)} rows"
    return found.iloc[0]


Q1, Q2, Q3, Q4 = (Quarter(2016, q) for q in (1, 2, 3, 4))


def test_one_row_per_contract_indicator_quarter_and_basis():
    data = pd.concat([measures({Q1: {"OS01": 5}, Q2: {"OS01": 6}}, "C1"),
                      measures({Q2: {"OS01": 7}}, "C2")])
    result = compute_indicators(data, contracts("C1", "C2"))
    assert list(result.columns) == COLUMNS
    assert len(result) == 3 * len(INDICATORS) * 2
    first = result.iloc[0]
    assert (first["contract"], first["indicator"], first["fiscal_year"], first["quarter"],
            first["basis"]) == ("C1", INDICATORS[0].code, "2016/17", 1, "quarter")
    assert not result.duplicated(["contract", "indicator", "period", "basis"]).any()


def test_flows_sum_over_the_year_to_date():
    result = compute_indicators(measures({Q1: {"OS03": 44}, Q2: {"OS03": 47}, Q3: {"OS03": 46}}),
                                contracts())
    assert row(result, "OS-NEW", Q3)["value"] == 46
    assert row(result, "OS-NEW", Q3, "ytd")["value"] == 44 + 47 + 46
    assert row(result, "OS-NEW", Q1, "ytd")["value"] == 44


def test_year_to_date_starts_again_each_financial_year():
    last_year = Quarter(2015, 4)
    result = compute_indicators(measures({last_year: {"OS03": 100}, Q1: {"OS03": 44}}), contracts())
    assert row(result, "OS-NEW", Q1, "ytd")["value"] == 44


def test_stocks_take_the_latest_quarter():
    result = compute_indicators(measures({Q1: {"RF04": 26}, Q2: {"RF04": 27}, Q3: {"RF04": 28}}),
                                contracts())
    assert row(result, "RF-WOMEN", Q3, "ytd")["value"] == 28
    assert row(result, "RF-WOMEN", Q2, "ytd")["value"] == 27


def test_year_to_date_measures_take_the_latest_quarter_and_quarter_measures_the_quarter():
    # OS-PEOPLE: quarter OS01, year to date OS02 (already cumulative).
    result = compute_indicators(measures({Q1: {"OS01": 150, "OS02": 150},
                                          Q2: {"OS01": 156, "OS02": 235},
                                          Q3: {"OS01": 162, "OS02": 310}}), contracts())
    assert row(result, "OS-PEOPLE", Q3)["value"] == 162
    assert row(result, "OS-PEOPLE", Q3, "ytd")["value"] == 310


def test_ratios_are_recomputed_from_summed_numerators_and_denominators():
    # 9 of 10, then 1 of 2: the year to date is 10 of 12, not the mean of 90% and 50%.
    result = compute_indicators(measures({Q1: {"OS04": 10, "OS05": 9}, Q2: {"OS04": 2, "OS05": 1}}),
                                contracts())
    ytd = row(result, "OS-RESP24", Q2, "ytd")
    assert (ytd["numerator"], ytd["denominator"]) == (10, 12)
    assert ytd["value"] == pytest.approx(10 / 12)
    assert ytd["value"] != pytest.approx((0.9 + 0.5) / 2)


def test_a_denominator_summing_several_measures():
    result = compute_indicators(measures({Q3: {"OS09": 62, "OS10": 5, "OS11": 0}}), contracts())
    down = row(result, "OS-RISKDOWN", Q3)
    assert down["denominator"] == 67
    assert down["value"] == pytest.approx(62 / 67)
    up = row(result, "OS-RISKUP", Q3)
    assert up["value"] == 0.0          # a real zero: none increased of 67


def test_occupancy_uses_the_days_in_the_quarter():
    # 2016/17 Q3 (October-December) has 92 days: 28 × 92 − 6 = 2570 unit-nights available.
    result = compute_indicators(measures({Q3: {"RF01": 28, "RF02": 2544, "RF03": 6}}), contracts())
    occupancy = row(result, "RF-OCC", Q3)
    assert occupancy["denominator"] == 28 * 92 - 6
    assert occupancy["value"] == pytest.approx(2544 / 2570)
    assert round(occupancy["value"] * 100) == 99


def test_year_to_date_occupancy_sums_the_days_of_its_quarters():
    # Q1 91 days, Q2 92 days; units are a stock (latest), nights lost a flow (summed).
    result = compute_indicators(measures({
        Q1: {"RF01": 28, "RF02": 2472, "RF03": 0},
        Q2: {"RF01": 28, "RF02": 2520, "RF03": 7}}), contracts())
    ytd = row(result, "RF-OCC", Q2, "ytd")
    assert ytd["denominator"] == 28 * (91 + 92) - 7
    assert ytd["numerator"] == 2472 + 2520
    assert ytd["value"] == pytest.approx((2472 + 2520) / (28 * 183 - 7))


def test_q4_of_a_leap_year_has_90_days_plus_one():
    leap = Quarter(2015, 4)        # January-March 2016: 91 days
    result = compute_indicators(measures({leap: {"RF01": 1, "RF02": 91, "RF03": 0}}), contracts())
    assert row(result, "RF-OCC", leap)["value"] == 1.0


def test_average_stay_in_days_and_months():
    result = compute_indicators(measures({Q1: {"RF14": 7, "RF15": 2198}, Q2: {"RF14": 9, "RF15": 2655},
                                          Q3: {"RF14": 8, "RF15": 2470}}), contracts())
    stay = row(result, "RF-STAY", Q3, "ytd")
    assert stay["unit"] == "days"
    assert stay["value"] == pytest.approx(7323 / 24)
    assert stay["months"] == pytest.approx(7323 / 24 / 30.44)
    assert round(stay["months"]) == 10
    assert math.isnan(row(result, "OS-RESP24", Q3)["months"])


def test_spend_against_the_pro_rata_contract_value():
    spend = {"FN01": 50_000, "FN02": 40_000, "FN03": 20_000}
    result = compute_indicators(measures({Q1: spend, Q2: spend, Q3: spend}),
                                contracts(annual_value=400_000))
    quarter = row(result, "FN-SPEND", Q2)
    assert quarter["denominator"] == 100_000          # a quarter of the annual value
    assert quarter["value"] == pytest.approx(1.10)
    ytd = row(result, "FN-SPEND", Q3, "ytd")
    assert ytd["denominator"] == 300_000              # three quarters
    assert ytd["numerator"] == 330_000


def test_spend_counts_only_the_quarters_held_in_a_partial_year_to_date():
    spend = {"FN01": 50_000, "FN02": 40_000, "FN03": 10_000}
    result = compute_indicators(measures({Q1: spend, Q3: spend}), contracts(annual_value=400_000))
    ytd = row(result, "FN-SPEND", Q3, "ytd")
    assert ytd["denominator"] == 200_000
    assert ytd["value"] == pytest.approx(1.0)
    assert ytd["missing_quarters"] == "Q2"


def test_the_first_part_quarter_of_a_contract_counts_whole():
    # The contract started on 1 September; the first return covers July to September.
    first = Quarter(2014, 2)
    result = compute_indicators(measures({first: {"RF01": 28, "RF02": 2420, "RF03": 4,
                                                  "FN01": 60_000, "FN02": 30_000, "FN03": 10_000}}),
                                contracts(annual_value=400_000))
    assert row(result, "RF-OCC", first)["denominator"] == 28 * 92 - 4
    assert row(result, "FN-SPEND", first)["denominator"] == 100_000


def test_spend_has_no_value_without_the_contract_value():
    result = compute_indicators(measures({Q1: {"FN01": 1, "FN02": 1, "FN03": 1}}))
    assert math.isnan(row(result, "FN-SPEND", Q1)["value"])


def test_a_zero_denominator_gives_no_value_not_zero():
    result = compute_indicators(measures({Q1: {"OS04": 0, "OS05": 0, "RF14": 0, "RF15": 0}}),
                                contracts())
    for indicator in ("OS-RESP24", "RF-STAY"):
        found = row(result, indicator, Q1)
        assert math.isnan(found["value"]), indicator
        assert found["rag"] is None


def test_a_missing_measure_gives_no_value_not_zero():
    result = compute_indicators(measures({Q1: {"OS04": 10, "OS05": None, "OS09": 5, "OS10": None,
                                               "OS11": 1, "OS03": None}}), contracts())
    assert math.isnan(row(result, "OS-RESP24", Q1)["value"])
    # One blank part of a summed denominator makes it unknown.
    assert math.isnan(row(result, "OS-RISKDOWN", Q1)["denominator"])
    assert math.isnan(row(result, "OS-RISKDOWN", Q1)["value"])
    assert math.isnan(row(result, "OS-NEW", Q1)["value"])


def test_a_measure_missing_in_one_quarter_leaves_the_year_to_date_without_a_value():
    result = compute_indicators(measures({Q1: {"OS03": 44}, Q2: {"OS03": None}, Q3: {"OS03": 46}}),
                                contracts())
    assert math.isnan(row(result, "OS-NEW", Q2, "ytd")["value"])
    assert math.isnan(row(result, "OS-NEW", Q3, "ytd")["value"])
    assert row(result, "OS-NEW", Q3)["value"] == 46


def test_a_partial_year_to_date_names_the_quarters_it_lacks():
    result = compute_indicators(measures({Q3: {"OS03": 46}}), contracts())
    ytd = row(result, "OS-NEW", Q3, "ytd")
    assert ytd["missing_quarters"] == "Q1, Q2"
    assert ytd["value"] == 46
    assert row(result, "OS-NEW", Q3)["missing_quarters"] == ""


def test_quarters_before_the_contract_started_are_not_missing():
    # The contract began 1 September 2014 (2014/15 Q2): Q1 was never due.
    first, second = Quarter(2014, 2), Quarter(2014, 3)
    result = compute_indicators(measures({first: {"OS03": 52}, second: {"OS03": 47}}), contracts())
    assert row(result, "OS-NEW", second, "ytd")["missing_quarters"] == ""
    assert row(result, "OS-NEW", second, "ytd")["value"] == 52 + 47
    # Without the contract's dates the term is unknown, so Q1 counts as missing.
    unknown = compute_indicators(measures({first: {"OS03": 52}, second: {"OS03": 47}}))
    assert row(unknown, "OS-NEW", second, "ytd")["missing_quarters"] == "Q1"


def test_trends_on_the_previous_quarter_and_the_year_before():
    year_before = Quarter(2015, 3)
    result = compute_indicators(measures({
        year_before: {"OS04": 64, "OS05": 61, "OS09": 50, "OS10": 5, "OS11": 5},
        Q2: {"OS04": 62, "OS05": 60, "OS09": 57, "OS10": 6, "OS11": 1},
        Q3: {"OS04": 60, "OS05": 60, "OS09": 62, "OS10": 5, "OS11": 0}}), contracts())
    resp = row(result, "OS-RESP24", Q3)
    assert resp["previous_value"] == pytest.approx(60 / 62)
    assert resp["change_previous"] == pytest.approx(1 - 60 / 62)
    assert resp["trend_previous"] == "improving"
    assert resp["year_before_value"] == pytest.approx(61 / 64)
    assert resp["trend_year"] == "improving"
    # Lower is better for risk increased: a fall is an improvement.
    up = row(result, "OS-RISKUP", Q3)
    assert up["change_previous"] < 0
    assert up["trend_previous"] == "improving"
    # The first quarter held has nothing to compare with.
    assert row(result, "OS-RESP24", year_before)["trend_previous"] is None


def test_no_trend_across_a_gap_and_no_change_when_equal():
    result = compute_indicators(measures({Q1: {"OS03": 40}, Q3: {"OS03": 40}, Q4: {"OS03": 40}}),
                                contracts())
    assert math.isnan(row(result, "OS-NEW", Q3)["previous_value"])   # Q2 is not held
    assert row(result, "OS-NEW", Q3)["trend_previous"] is None
    assert row(result, "OS-NEW", Q4)["trend_previous"] == "no change"


def test_worsening_by_the_indicator_direction():
    result = compute_indicators(measures({Q1: {"FS04": 5, "FS05": 200}, Q2: {"FS04": 5, "FS05": 300}}),
                                contracts())
    wait = row(result, "FS-WAIT", Q2)       # lower is better: a longer wait is worse
    assert wait["change_previous"] == pytest.approx(20)
    assert wait["trend_previous"] == "worsening"


def test_year_to_date_change_on_the_previous_quarter_only_for_ratios_within_the_year():
    result = compute_indicators(measures({Q1: {"OS03": 44, "OS04": 10, "OS05": 9},
                                          Q2: {"OS03": 47, "OS04": 10, "OS05": 10}}), contracts())
    assert row(result, "OS-RESP24", Q2, "ytd")["previous_value"] == pytest.approx(0.9)
    assert row(result, "OS-RESP24", Q2, "ytd")["value"] == pytest.approx(19 / 20)
    assert math.isnan(row(result, "OS-NEW", Q2, "ytd")["change_previous"])
    assert math.isnan(row(result, "OS-RESP24", Q1, "ytd")["previous_value"])


def test_contracts_do_not_borrow_each_others_quarters():
    data = pd.concat([measures({Q1: {"OS03": 10}}, "C1"), measures({Q2: {"OS03": 20}}, "C2")])
    result = compute_indicators(data, contracts("C1", "C2"))
    assert math.isnan(row(result, "OS-NEW", Q2, contract="C2")["previous_value"])
    assert row(result, "OS-NEW", Q2, "ytd", contract="C2")["value"] == 20
    assert row(result, "OS-NEW", Q2, "ytd", contract="C2")["missing_quarters"] == "Q1"


def test_the_same_code_twice_for_a_quarter_is_refused():
    data = measures({Q1: {"OS03": 10}})
    with pytest.raises(ValueError, match="current version"):
        compute_indicators(pd.concat([data, data]), contracts())


def test_no_measures_give_an_empty_frame_with_the_columns():
    empty = pd.DataFrame(columns=["contract", "year", "quarter", "code", "value"])
    result = compute_indicators(empty, contracts())
    assert result.empty
    assert list(result.columns) == COLUMNS


def test_measures_on_the_year_to_date_basis_combine_by_their_aggregation():
    from indicators.engine import measure_values

    q1, q2, q3 = Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3)
    held = measures({q1: {"OS04": 10, "OS01": 50, "OS02": 50, "RF04": 20, "FS01": 4},
                     q2: {"OS04": 12, "OS01": 55, "OS02": 80, "RF04": 22, "FS01": None},
                     q3: {"OS04": 9, "OS01": 60, "OS02": 100, "RF04": 21, "FS01": 6}})
    ytd = measure_values(held, DA, "ytd").set_index("quarter")
    assert list(ytd.loc[:, "OS04"]) == [10, 22, 31]           # a flow sums
    assert list(ytd.loc[:, "RF04"]) == [20, 22, 21]           # a stock takes its quarter
    assert list(ytd.loc[:, "OS02"]) == [50, 80, 100]          # already cumulative
    assert ytd["OS01"].isna().all()                           # a quarter-only measure has no year to date
    assert ytd.loc[1, "FS01"] == 4 and ytd.loc[2:, "FS01"].isna().all()   # a blank is not zero
    assert measure_values(held, DA, "quarter").set_index("quarter").loc[2, "OS04"] == 12
