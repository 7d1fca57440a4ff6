"""The council's checks: contract and period, impossible arithmetic, and the queries (warnings)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from data_ingest.checks import ContractTerms, check_workbook
from data_ingest.reader import CellValue, ParsedWorkbook
from models.periods import Quarter
from tests.workbooks import (
    CONTRACT,
    DA,
    QUARTER,
    TODAY,
    VALID_VALUES,
    VERSION,
    filled,
    read,
    valid_history,
)

DATA = Path(__file__).parent / "data"
#: The checks that refuse a version 1 return, and its measures.
CHECKS = tuple(c for c in DA.checks_in(VERSION) if c.is_error)
MEASURES = DA.measures_in(VERSION)


@pytest.fixture(scope="module")
def base() -> ParsedWorkbook:
    """The valid return, read from a real workbook once (its cells are the template's)."""
    parsed = read(filled())
    assert parsed.findings == []
    return parsed


def variant(base: ParsedWorkbook, quarter: Quarter | None = QUARTER, **changes: float | None) -> ParsedWorkbook:
    """The valid return with some figures changed (None = left blank), each in its own cell."""
    parsed = copy.deepcopy(base)
    parsed.quarter = quarter
    for code, value in changes.items():
        cell = parsed.values[code]
        parsed.values[code] = CellValue(None if value is None else float(value), cell.sheet, cell.cell)
    return parsed


def check(parsed, contract=CONTRACT, history=None, today=TODAY):
    return check_workbook(parsed, contract, valid_history() if history is None else history, today, DA)


def by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_a_valid_return_passes_every_check(base):
    assert check(base) == []


def test_a_valid_return_with_no_history_passes(base):
    assert check(base, history={}) == []


# --- contract and period ------------------------------------------------------------


def test_unknown_contract_reference(base):
    findings = check(base, contract=None)
    assert [f.rule for f in findings] == ["UNKNOWN-CONTRACT"]
    finding = findings[0]
    assert finding.is_error and finding.location == base.cover["contract_reference"].location
    assert "ASC0013 is not one of the council's contracts" in finding.message


def test_no_unknown_contract_error_when_the_reference_is_missing(base):
    parsed = variant(base)
    parsed.contract_reference = None      # the reader already said the field is empty
    assert check(parsed, contract=None) == []


@pytest.mark.parametrize("quarter, outside", [
    (Quarter(2014, 1), True),     # April-June 2014: ends before the 1 September 2014 start
    (Quarter(2014, 2), False),    # July-September 2014: the term starts within it
    (Quarter(2019, 2), False),    # July-September 2019: the term ends within it
    (Quarter(2019, 3), True),     # October-December 2019: starts after the 31 August 2019 end
])
def test_period_outside_the_contract_term(base, quarter, outside):
    findings = by_rule(check(variant(base, quarter), history={}, today=date(2030, 1, 1)), "OUTSIDE-TERM")
    assert bool(findings) == outside
    if outside:
        assert findings[0].location == base.cover["quarter"].location
        assert "1 September 2014 to 31 August 2019" in findings[0].message


@pytest.mark.parametrize("today, future", [
    (date(2016, 11, 15), True),    # during the quarter
    (date(2016, 12, 31), True),    # its last day: not over yet
    (date(2017, 1, 1), False),     # the day after: a return can be sent
])
def test_period_in_the_future(base, today, future):
    findings = by_rule(check(base, today=today), "FUTURE-PERIOD")
    assert bool(findings) == future
    if future:
        assert "2016/17 Q3 (October to December 2016) has not ended yet" in findings[0].message
        assert "from 1 January 2017" in findings[0].advice


def test_no_period_checks_without_a_period(base):
    assert check(variant(base, quarter=None), today=date(2000, 1, 1)) == []


# --- impossible arithmetic ------------------------------------------------------------

#: One breaking case per catalogue check: (rule, changes, code whose cell is named, words).
BREAKS = [
    ("ARITH-OS-RESPONSES", {"OS05": 81}, "OS05",
     "(OS05) is 81, more than New referrals received (OS04), which is 80"),
    ("ARITH-OS-RESPONSES", {"OS06": 90}, "OS06", "(OS06) is 90"),
    ("ARITH-OS-RESPONSES", {"OS07": 81}, "OS07", "(OS07) is 81"),
    ("ARITH-OS-RISK", {"OS11": 1}, "OS09",
     "OS09 + OS10 + OS11 add up to 68 (62 + 5 + 1), more than Cases closed (OS08), which is 67"),
    ("ARITH-OS-OUTCOMES", {"OS12": 68}, "OS12", "(OS12) is 68, more than Cases closed (OS08)"),
    ("ARITH-OS-OUTCOMES", {"OS16": 100}, "OS16", "(OS16) is 100"),
    ("ARITH-OS-NEW", {"OS03": 151}, "OS03",
     "(OS03) is 151, more than People receiving a service during the quarter (OS01), which is 150"),
    ("ARITH-OS-YTD", {"OS01": 311, "OS03": 60}, "OS01", "(OS01) is 311, more than"),
    ("ARITH-RF-NIGHTS", {"RF02": 2567}, "RF02",
     "(RF02) is 2,567, more than the 2,566 possible (RF01 × 92 days − RF03 = 28 × 92 − 10)"),
    ("ARITH-RF-WOMEN", {"RF04": 30}, "RF04",
     ("Women resident at the end of the quarter (RF04) is 30, more than Refuge units for women under the "
      "contract (RF01), which is 28")),
    ("ARITH-RF-CHILDREN", {"RF06": 19}, "RF06",
     ("RF06 + RF07 + RF08 + RF09 add up to 35 (19 + 10 + 4 + 2), but Children resident at the end of the "
      "quarter (RF05) is 36")),
    ("ARITH-RF-CHILDREN", {"RF06": 21}, "RF06", "add up to 37"),
    ("ARITH-RF-DECLINED", {"RF12": 16}, "RF11",
     "RF11 + RF12 add up to 41 (25 + 16), more than Referrals to the refuge received (RF10), which is 40"),
    ("ARITH-RF-LEAVERS", {"RF16": 5}, "RF16", "(RF16) is 5, more than Women who left (RF14), which is 4"),
    ("ARITH-RF-LEAVERS", {"RF21": 5}, "RF21", "(RF21) is 5"),
    ("ARITH-FS-LEAVERS", {"FS07": 20, "FS08": 6}, "FS07",
     "FS07 + FS08 add up to 26 (20 + 6), more than the 25 possible (FS06 at the end of 2016/17 Q2 + FS04 = 17 + 8)"),
]


def test_every_catalogue_check_has_a_breaking_case():
    assert {check.code for check in CHECKS} == {rule for rule, *_ in BREAKS}


@pytest.mark.parametrize("rule, changes, code, words", BREAKS,
                         ids=[f"{b[0]}-{'-'.join(b[1])}" for b in BREAKS])
def test_impossible_arithmetic_is_an_error_naming_the_cell_and_the_numbers(base, rule, changes, code, words):
    parsed = variant(base, **changes)
    findings = check(parsed)
    errors = [f for f in findings if f.is_error]
    assert [f.rule for f in errors] == [rule], [str(f) for f in findings]
    finding = errors[0]
    assert finding.location == parsed.values[code].location
    assert words in finding.message
    # The rule in plain words, then what to do: which cells to correct.
    assert finding.advice.startswith(next(c.advice for c in CHECKS if c.code == rule))
    assert f"{code} ({parsed.values[code].location})" in finding.advice
    assert finding.advice.endswith("send the workbook again.") or "send that quarter" in finding.advice


def test_the_message_reads_as_one_sentence_with_its_advice(base):
    parsed = variant(base, RF04=30)
    [finding] = check(parsed)
    assert str(finding) == (
        f"{parsed.values['RF04'].location}: Women resident at the end of the quarter (RF04) is 30, more than "
        "Refuge units for women under the contract (RF01), which is 28. "
        "Women resident cannot exceed the refuge units (RF01). "
        f"Correct whichever of RF04 ({parsed.values['RF04'].location}) or RF01 "
        f"({parsed.values['RF01'].location}) is wrong, then send the workbook again.")


def test_a_rule_reading_the_previous_quarter_says_to_correct_either_return(base):
    history = valid_history()
    history[QUARTER.previous()]["FS06"] = 2
    [finding] = [f for f in check(variant(base, FS07=8, FS08=5), history=history) if f.is_error]
    assert f"FS04 ({variant(base).values['FS04'].location})" in finding.advice
    assert "If it is FS06 of 2016/17 Q2 that was wrong, send that quarter's return again" in finding.advice


@pytest.mark.parametrize("changes", [
    {"OS05": 80, "OS06": 80, "OS07": 80},                 # equal to OS04 is allowed
    {"OS09": 62, "OS10": 5, "OS11": 0, "OS08": 67},
    {"RF02": 2566},                                       # exactly every available unit-night
    {"RF04": 28},
    {"RF11": 35, "RF12": 5},
    {"FS07": 20, "FS08": 5},                              # 17 active + 8 started = 25
], ids=str)
def test_arithmetic_at_the_limit_passes(base, changes):
    assert [f for f in check(variant(base, **changes)) if f.is_error] == []


def test_unit_nights_use_the_days_of_the_quarter(base):
    # 2016/17 Q4 has 90 days: 28 × 90 − 10 = 2,510 unit-nights available.
    q4 = Quarter(2016, 4)
    history = valid_history(q4)
    assert check(variant(base, q4, RF02=2510), history=history, today=date(2017, 4, 1)) == []
    [finding] = check(variant(base, q4, RF02=2511), history=history, today=date(2017, 4, 1))
    assert finding.rule == "ARITH-RF-NIGHTS" and "28 × 90 − 10" in finding.message


@pytest.mark.parametrize("changes", [
    {"RF04": 30, "RF01": None},                 # units not reported: women cannot be compared
    {"RF02": 9999, "RF03": None},               # nights lost not reported
    {"RF02": 9999, "RF01": None},
    {"RF06": 30, "RF09": None},                 # one age band not reported
    {"RF06": 30, "RF05": None},
    {"OS09": 100, "OS11": None},                # a part of a sum not reported
    {"OS05": 500, "OS04": None},
], ids=str)
def test_a_rule_with_a_blank_input_is_not_evaluated_and_nothing_is_said(base, changes):
    findings = check(variant(base, **changes))
    assert [f for f in findings if f.is_error] == []
    assert not any("blank" in f.message or "empty" in f.message for f in findings)


def test_leavers_rule_needs_the_previous_quarter(base):
    parsed = variant(base, FS07=20, FS08=6)
    history = valid_history()
    del history[QUARTER.previous()]
    assert by_rule(check(parsed, history=history), "ARITH-FS-LEAVERS") == []
    history = valid_history()
    history[QUARTER.previous()]["FS06"] = None
    assert by_rule(check(parsed, history=history), "ARITH-FS-LEAVERS") == []


def test_leavers_rule_reads_fs06_of_the_previous_quarter_not_this_one(base):
    history = valid_history()
    history[QUARTER.previous()]["FS06"] = 2              # only 2 active at the end of Q2
    [finding] = [f for f in check(variant(base, FS07=8, FS08=5), history=history) if f.is_error]
    assert finding.rule == "ARITH-FS-LEAVERS"
    assert "FS06 at the end of 2016/17 Q2 + FS04 = 2 + 8" in finding.message


def test_the_sample_file_with_bad_arithmetic():
    parsed = read((DATA / "bad_arithmetic.xlsx").read_bytes())
    assert parsed.findings == []
    assert sorted(f.rule for f in check(parsed)) == ["ARITH-RF-CHILDREN", "ARITH-RF-WOMEN"]


# --- warnings -----------------------------------------------------------------------


@pytest.mark.parametrize("changes, later", [
    ({"FS02": 31}, "FS02"), ({"FS03": 16}, "FS03"), ({"FS04": 11, "FS07": 2}, "FS04"),
], ids=str)
def test_funnel_stage_larger_than_the_one_before_is_a_warning(base, changes, later):
    parsed = variant(base, **changes)
    findings = check(parsed)
    assert [f.rule for f in findings] == ["FUNNEL"]
    assert findings[0].severity == "warning"
    assert findings[0].location == parsed.values[later].location
    assert "in the same quarter" in findings[0].message


def test_funnel_stages_equal_are_fine(base):
    assert check(variant(base, FS01=15, FS02=15, FS03=10, FS04=8)) == []


def test_year_to_date_falling_within_the_year_is_a_warning(base):
    history = valid_history()
    history[QUARTER.previous()]["OS02"] = 320
    findings = check(base, history=history)
    assert [f.rule for f in findings] == ["YTD-DECREASE"]
    assert findings[0].location == base.values["OS02"].location
    assert "is 310, fewer than the 320 reported for 2016/17 Q2" in findings[0].message


def test_year_to_date_starts_again_in_q1(base):
    q1 = Quarter(2017, 1)
    history = valid_history(q1)
    history[q1.previous()]["OS02"] = 900
    findings = check(variant(base, q1), history=history, today=date(2017, 7, 1))
    assert by_rule(findings, "YTD-DECREASE") == []


@pytest.mark.parametrize("value, mean_of, raised", [
    (130, [40, 40, 40, 40], True),       # more than 3 × 40
    (120, [40, 40, 40, 40], False),      # exactly 3 × 40
    (13, [40, 40, 40, 40], True),        # less than a third of 40
    (9, [2, 2, 2, 2], False),            # both below 10
    (12, [2, 2, 2, 2], True),            # the value is not below 10
    (50, [10, 10, 10, 10, 1000], True),  # only the previous four quarters count
    (50, [None, 10, 10, 10], True),      # a quarter not reported is left out of the mean
], ids=str)
def test_outlier_against_the_mean_of_the_previous_four_quarters(base, value, mean_of, raised):
    history = {}
    q = QUARTER
    for earlier in mean_of:
        q = q.previous()
        history[q] = {**VALID_VALUES, "FS09": earlier}
    history[QUARTER.previous()]["OS02"] = 300
    findings = check(variant(base, FS09=value), history=history)
    outliers = by_rule(findings, "OUTLIER")
    assert [f.location for f in outliers] == ([base.values["FS09"].location] if raised else [])
    if raised:
        assert outliers[0].severity == "warning"
        assert "average of" in outliers[0].message and "Commentary" in outliers[0].advice


def test_outlier_message_gives_the_numbers(base):
    history = {q: {**VALID_VALUES} for q in (Quarter(2016, 1), Quarter(2016, 2))}
    history[Quarter(2016, 1)]["FN03"] = 1000.00
    history[Quarter(2016, 2)]["FN03"] = 2000.00
    history[Quarter(2016, 2)]["OS02"] = 300
    [finding] = check(base, history=history)
    assert finding.message == (
        "Expenditure: Fresh Start (FN03) is £15,123.45, more than 3 times its average of £1,500.00 over "
        "the 2 previous quarters held (2016/17 Q1 to 2016/17 Q2).")


def test_refuge_units_different_from_the_contract_is_a_warning(base):
    parsed = variant(base, RF01=30)
    findings = check(parsed)
    assert [f.rule for f in findings] == ["REFUGE-CAPACITY"]
    assert findings[0].severity == "warning"
    assert findings[0].location == parsed.values["RF01"].location
    assert "is 30, but contract ASC0013 is for 28 units" in findings[0].message


def test_refuge_units_not_compared_without_a_capacity(base):
    contract = ContractTerms("ASC0013", date(2014, 9, 1), date(2019, 8, 31), {})
    assert check(variant(base, RF01=30), contract=contract) == []


def test_a_blank_return_raises_no_check_at_all(base):
    blank = variant(base, **{m.code: None for m in MEASURES})
    assert check(blank) == []


def test_contract_terms_from_a_contract_record():
    class Record:
        reference, start_date, parameters = "ASC0013", date(2014, 9, 1), {"refuge_capacity": 28}
        end_date = date(2019, 8, 31)
    assert ContractTerms.from_contract(Record()) == CONTRACT
