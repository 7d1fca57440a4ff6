"""The narrative of a quarter: short plain sentences a contract monitor would write."""

from __future__ import annotations

import numpy as np
import pandas as pd

import formats as fmt
from indicators.engine import compute_indicators
from indicators.narrative import format_difference, narrative
from models.contract_types import get_type
from models.periods import Quarter

DA = get_type("domestic-abuse")
INDICATORS = DA.indicators

Q1, Q2, Q3 = (Quarter(2016, q) for q in (1, 2, 3))


def frame(quarters: dict[Quarter, dict[str, float | None]], targets: list[tuple] = ()) -> pd.DataFrame:
    rows = [{"contract": "C1", "year": q.year, "quarter": q.quarter, "code": code,
             "value": np.nan if value is None else float(value)}
            for q, values in quarters.items() for code, value in values.items()]
    target_rows = pd.DataFrame([{"contract": "C1", "indicator": code, "value": value,
                                 "tolerance": tolerance, "direction": direction,
                                 "effective_year": 2014, "effective_quarter": 2, "created_at": None,
                                 "created_by": ""} for code, value, tolerance, direction in targets])
    return compute_indicators(pd.DataFrame(rows), None, target_rows, DA)


ONE_STOP_Q2 = {"OS01": 156, "OS02": 235, "OS03": 47, "OS04": 62, "OS05": 60, "OS06": 39, "OS07": 37}
ONE_STOP_Q3 = {"OS01": 162, "OS02": 310, "OS03": 46, "OS04": 60, "OS05": 60, "OS06": 40, "OS07": 39}


def test_three_measures_rising_together_make_one_sentence():
    sentences = narrative(frame({Q2: ONE_STOP_Q2, Q3: ONE_STOP_Q3}), "C1", Q3, DA)
    grouped = [s for s in sentences if s.startswith("All three One Stop measures")]
    assert len(grouped) == 1
    assert "rose on the previous quarter" in grouped[0]
    assert "responded within 24 hours 100% (from 97%)" in grouped[0]
    assert "safety planning within 48 hours 67% (from 63%)" in grouped[0]
    assert "full needs and risk assessment 65% (from 60%)" in grouped[0]
    # Not repeated one by one.
    assert not any(s.startswith("Responded within 24 hours") for s in sentences)


def test_counts_with_the_year_so_far():
    sentences = narrative(frame({Q2: ONE_STOP_Q2, Q3: ONE_STOP_Q3}), "C1", Q3, DA)
    assert sentences[0] == ("One Stop, 2016/17 Q3: people served 162 (310 so far this year); "
                            "new people 46 (93 so far this year).")


def test_mixed_changes_are_said_one_by_one_with_whether_they_improved():
    q3 = {**ONE_STOP_Q3, "OS06": 30}          # safety planning fell: 39/62 → 30/60
    sentences = narrative(frame({Q2: ONE_STOP_Q2, Q3: q3}), "C1", Q3, DA)
    assert "Safety planning within 48 hours fell from 63% to 50% on the previous quarter (worsening)." \
        in sentences
    assert "Responded within 24 hours rose from 97% to 100% on the previous quarter (improving)." \
        in sentences
    assert not any(s.startswith("All three") for s in sentences)


def test_a_fall_in_a_lower_is_better_measure_is_improving():
    sentences = narrative(frame({Q2: {"FS04": 5, "FS05": 300}, Q3: {"FS04": 5, "FS05": 200}}), "C1", Q3, DA)
    assert "Days from referral to start fell from 60 days to 40 days on the previous quarter " \
           "(improving)." in sentences


def test_what_is_red_or_amber_and_by_how_much():
    data = {Q3: {"RF01": 28, "RF02": 2300, "RF03": 0, "OS04": 60, "OS05": 58,
                 "FN01": 60_000, "FN02": 50_000, "FN03": 30_000}}
    targets = [("RF-OCC", 0.95, 0.05, "higher"), ("OS-RESP24", 1.0, 0.05, "higher"),
               ("FN-SPEND", 1.0, 0.02, "lower")]
    indicators = frame(data, targets)
    indicators.loc[indicators["indicator"] == "FN-SPEND", "value"] = 1.07   # no contract value given
    indicators.loc[indicators["indicator"] == "FN-SPEND", "rag"] = "red"
    sentences = narrative(indicators, "C1", Q3, DA)
    # 2300 / (28 × 92) = 89.3%: 6 points short of 95%.
    assert "Red: occupancy 89% against a target of 95%, 6 points short." in sentences
    assert "Amber: responded within 24 hours 97% against a target of 100%, 3 points short." in sentences
    assert "Red: spend 107% against a target of 100%, 7 points over." in sentences
    assert "0 of 3 measures with a target met it this quarter." in sentences


def test_special_cause_is_named_with_its_rule():
    quarters = {Quarter.from_index(Quarter(2013, 1).index + i): {"RF01": 28, "RF02": nights, "RF03": 0}
                for i, nights in enumerate([2500, 2520, 2510, 2530, 2500, 2520, 2510, 2530, 2500, 2520,
                                            2510, 2530, 1900])}
    last = max(quarters)
    sentences = narrative(frame(quarters), "C1", last, DA)
    assert any(s.startswith("Occupancy: special cause variation, concern: beyond a process limit")
               for s in sentences), sentences


def test_gaps_no_data_and_a_partial_year_to_date():
    sentences = narrative(frame({Q3: {"OS04": 0, "OS05": 0, "OS03": 5}}), "C1", Q3, DA)
    no_data = next(s for s in sentences if s.startswith("No data this quarter"))
    assert "responded within 24 hours" in no_data
    assert "The year to date lacks Q1 and Q2: no return is held for them." in sentences


def test_a_quarter_without_a_return():
    assert narrative(frame({Q1: {"OS03": 5}}), "C1", Q3, DA) == ["No return is held for 2016/17 Q3."]


def test_nothing_is_said_about_another_contract():
    both = pd.concat([frame({Q3: {"OS03": 5}}),
                      frame({Q3: {"OS03": 9}}).assign(contract="C2")])
    sentences = narrative(both, "C1", Q3, DA)
    assert "new people 5" in sentences[0]
    assert "9" not in sentences[0]


def test_values_in_words():
    assert fmt.value(0.6666, "%") == "67%"
    assert fmt.value(0.645, "%") == "65%"          # half up, as the council rounds
    assert fmt.value(305.125, "days") == "305 days (10 months)"      # as the pages write it
    assert fmt.value(float("nan"), "people") == "no data"
    assert format_difference(-0.061, "%") == "6 points"
    assert format_difference(1, "people") == "1 person"
    assert format_difference(0.004, "%") == "less than 1 point"     # amber by a fraction of a point
    assert len({i.short for i in INDICATORS}) == len(INDICATORS)   # names are told apart


def test_sections_by_service_then_overall():
    from indicators.narrative import narrative_sections

    sections = narrative_sections(frame({Q2: {**ONE_STOP_Q2, "FS01": 20}, Q3: {**ONE_STOP_Q3, "FS01": 30}},
                                        [("OS-RESP24", 1.0, 0.05, "higher")]), "C1", Q3, DA)
    assert list(sections) == ["One Stop", "Fresh Start", "Overall"]
    assert sections["Fresh Start"] == ["Fresh Start, 2016/17 Q3: referrals 30 (50 so far this year)."]
    assert sections["Overall"][0] == "1 of 1 measures with a target met it this quarter."
    assert narrative_sections(frame({Q1: {"OS03": 1}}), "C1", Q3, DA) == {}
