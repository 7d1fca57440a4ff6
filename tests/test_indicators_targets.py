"""Targets in force and RAG: green, amber, red or none; no data is never red."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from indicators.engine import compute_indicators
from indicators.targets import rag, targets_in_force
from models.contract_types import get_type
from models.periods import Quarter

DA = get_type("domestic-abuse")

Q1, Q2, Q3, Q4 = (Quarter(2016, q) for q in (1, 2, 3, 4))


def measures(quarters: dict[Quarter, dict[str, float | None]], contract: str = "C1") -> pd.DataFrame:
    return pd.DataFrame([{"contract": contract, "year": q.year, "quarter": q.quarter, "code": code,
                          "value": np.nan if value is None else float(value)}
                         for q, values in quarters.items() for code, value in values.items()])


def target(indicator: str, value: float, tolerance: float, effective: Quarter, *,
           direction: str = "higher", contract: str = "C1", created_at=None) -> dict:
    return {"contract": contract, "indicator": indicator, "value": value, "tolerance": tolerance,
            "direction": direction, "effective_year": effective.year,
            "effective_quarter": effective.quarter, "created_at": created_at, "created_by": "test"}


def at(result: pd.DataFrame, indicator: str, quarter: Quarter, basis: str = "quarter") -> pd.Series:
    found = result[(result["indicator"] == indicator) & (result["period"] == quarter.index)
                   & (result["basis"] == basis)]
    assert len(found) == 1
    return found.iloc[0]


def test_rag_higher_is_better_with_its_boundaries():
    values = [0.96, 0.95, 0.92, 0.90, 0.8999, 0.5]
    assert list(rag(values, [0.95] * 6, [0.05] * 6, ["higher"] * 6)) == [
        "green", "green", "amber", "amber", "red", "red"]


def test_rag_lower_is_better():
    # Spend: 100% with 2 points' tolerance.
    values = [0.95, 1.00, 1.02, 1.03]
    assert list(rag(values, [1.0] * 4, [0.02] * 4, ["lower"] * 4)) == ["green", "green", "amber", "red"]


def test_no_data_is_never_red_and_no_target_gives_no_rag():
    assert list(rag([np.nan, 0.5], [0.95, np.nan], [0.05, np.nan], ["higher", None])) == [None, None]


def test_targets_from_the_database_rate_every_quarter_and_year_to_date():
    data = measures({Q1: {"OS04": 10, "OS05": 10}, Q2: {"OS04": 10, "OS05": 9}})
    targets = pd.DataFrame([target("OS-RESP24", 1.0, 0.05, Q1)])
    result = compute_indicators(data, None, targets, DA)
    assert at(result, "OS-RESP24", Q1)["rag"] == "green"
    assert at(result, "OS-RESP24", Q2)["rag"] == "red"            # 90%: 10 points short
    assert at(result, "OS-RESP24", Q2, "ytd")["value"] == 0.95    # 19 of 20
    assert at(result, "OS-RESP24", Q2, "ytd")["rag"] == "amber"   # 5 short: within tolerance
    assert at(result, "OS-RESP24", Q2)["target"] == 1.0
    assert at(result, "OS-RESP24", Q2)["tolerance"] == 0.05
    # Another indicator without a target has none.
    assert at(result, "OS-NEW", Q2)["rag"] is None
    assert np.isnan(at(result, "OS-NEW", Q2)["target"])


def test_a_target_changing_mid_year_applies_from_its_quarter_on():
    data = measures({q: {"OS04": 10, "OS06": 7} for q in (Q1, Q2, Q3, Q4)})
    targets = pd.DataFrame([
        target("OS-SAFE48", 0.75, 0.10, Quarter(2014, 2)),
        target("OS-SAFE48", 0.60, 0.05, Q3),       # lowered from Q3 on; the old one is history
    ])
    result = compute_indicators(data, None, targets, DA)
    assert [at(result, "OS-SAFE48", q)["target"] for q in (Q1, Q2, Q3, Q4)] == [0.75, 0.75, 0.60, 0.60]
    assert [at(result, "OS-SAFE48", q)["rag"] for q in (Q1, Q2, Q3, Q4)] == [
        "amber", "amber", "green", "green"]
    # A year to date is rated against the target in force at its quarter.
    assert at(result, "OS-SAFE48", Q3, "ytd")["target"] == 0.60
    assert at(result, "OS-SAFE48", Q2, "ytd")["target"] == 0.75


def test_no_target_before_the_first_one_takes_effect():
    data = measures({Q1: {"OS04": 10, "OS06": 7}, Q2: {"OS04": 10, "OS06": 7}})
    result = compute_indicators(data, None, pd.DataFrame([target("OS-SAFE48", 0.75, 0.1, Q2)]), DA)
    assert at(result, "OS-SAFE48", Q1)["rag"] is None
    assert at(result, "OS-SAFE48", Q2)["rag"] == "amber"


def test_a_correction_in_the_same_quarter_wins_by_when_it_was_recorded():
    earlier = datetime(2016, 4, 1, tzinfo=UTC)
    later = datetime(2016, 5, 1, tzinfo=UTC)
    keys = pd.DataFrame({"contract": ["C1"], "indicator": ["OS-SAFE48"], "period": [Q2.index]})
    targets = pd.DataFrame([target("OS-SAFE48", 0.70, 0.1, Q1, created_at=later),
                            target("OS-SAFE48", 0.90, 0.1, Q1, created_at=earlier)])
    assert targets_in_force(keys, targets)["target"].tolist() == [0.70]


def test_targets_belong_to_their_contract():
    data = pd.concat([measures({Q1: {"OS04": 10, "OS05": 9}}, "C1"),
                      measures({Q1: {"OS04": 10, "OS05": 9}}, "C2")])
    result = compute_indicators(data, None, pd.DataFrame([target("OS-RESP24", 0.9, 0.0, Q1,
                                                                 contract="C2")]), DA)
    rows = result[(result["indicator"] == "OS-RESP24") & (result["basis"] == "quarter")]
    assert rows.set_index("contract")["rag"].to_dict() == {"C1": None, "C2": "green"}


def test_a_target_direction_lower_rates_a_lower_value_green():
    data = measures({Q1: {"FS04": 10, "FS05": 300}, Q2: {"FS04": 10, "FS05": 600}})
    result = compute_indicators(data, None, pd.DataFrame([target("FS-WAIT", 42, 14, Q1,
                                                                 direction="lower")]), DA)
    assert at(result, "FS-WAIT", Q1)["rag"] == "green"      # 30 days
    assert at(result, "FS-WAIT", Q2)["rag"] == "red"        # 60 days: 18 over, beyond 14
    assert at(result, "FS-WAIT", Q2)["direction"] == "lower"


def test_a_missing_value_with_a_target_has_no_rag():
    data = measures({Q1: {"OS04": 0, "OS05": 0}})
    result = compute_indicators(data, None, pd.DataFrame([target("OS-RESP24", 1.0, 0.05, Q1)]), DA)
    row = at(result, "OS-RESP24", Q1)
    assert row["target"] == 1.0
    assert row["rag"] is None
