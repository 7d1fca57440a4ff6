"""Small-number suppression: counts of 1–4 people hidden, and whatever would give them back."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from models.contract_types import get_type
from models.periods import Quarter
from reports.suppression import HIDDEN, SMALL, NoSuppression, is_small
from reports.suppression import Suppression as SuppressionOf
from reports.suppression import groups as groups_of

DA = get_type("domestic-abuse")
INDICATORS, MEASURES_BY_CODE, counts_people = DA.indicators, DA.measures_by_code, DA.counts_people


def Suppression(measures: pd.DataFrame) -> SuppressionOf:  # a function named as the class it makes
    """Suppression of a domestic-abuse contract's measures, as every case here is."""
    return SuppressionOf(measures, DA)


def groups():
    return groups_of(DA)

Q1, Q2, Q3 = Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3)


def measures(by_quarter: dict[Quarter, dict[str, float | None]]) -> pd.DataFrame:
    rows = [{"contract": "T1", "year": q.year, "quarter": q.quarter, "code": code,
             "value": float("nan") if value is None else float(value)}
            for q, values in by_quarter.items() for code, value in values.items()]
    return pd.DataFrame(rows)


def test_counts_from_one_to_four_people_are_shown_as_under_five_and_zero_and_five_are_not():
    hide = Suppression(measures({Q1: {"OS03": 1, "OS04": 4, "OS05": 0, "OS06": 5, "OS07": None}}))
    assert hide.measure("OS03", Q1) == SMALL
    assert hide.measure("OS04", Q1) == SMALL
    assert hide.measure("OS05", Q1) is None       # zero identifies no one
    assert hide.measure("OS06", Q1) is None
    assert hide.measure("OS07", Q1) is None       # not reported is not small


def test_numbers_that_are_not_people_are_never_hidden():
    # Unit-nights, nights, days and pounds: a 3 there says nothing about a person.
    values = {"RF01": 3, "RF02": 2, "RF03": 4, "RF15": 1, "FS05": 2, "FN01": 3}
    hide = Suppression(measures({Q1: values}))
    assert all(hide.measure(code, Q1) is None for code in values)
    assert not any(counts_people(code) for code in values)


def test_one_small_age_band_hides_a_second_so_the_total_cannot_give_it_back():
    # Children by age band add up to the children resident (RF05), which is shown.
    hide = Suppression(measures({Q1: {"RF05": 36, "RF06": 15, "RF07": 12, "RF08": 6, "RF09": 3}}))
    assert hide.measure("RF09", Q1) == SMALL
    assert hide.measure("RF08", Q1) == HIDDEN     # the smallest other band
    assert hide.measure("RF06", Q1) is None and hide.measure("RF07", Q1) is None
    assert hide.measure("RF05", Q1) is None       # the total stays: 36 - 15 - 12 = 9 = 6 + 3


def test_hidden_bands_that_add_up_to_a_small_number_hide_a_third():
    # 1 + 2 hidden together would still be 3 children: hide more until they reach 5.
    hide = Suppression(measures({Q1: {"RF05": 30, "RF06": 20, "RF07": 7, "RF08": 2, "RF09": 1}}))
    hidden = [c for c in ("RF06", "RF07", "RF08", "RF09") if hide.measure(c, Q1)]
    assert hidden == ["RF07", "RF08", "RF09"]
    assert hide.measure("RF07", Q1) == HIDDEN


def test_a_percentage_of_a_hidden_count_or_over_one_is_hidden():
    hide = Suppression(measures({Q1: {"OS04": 60, "OS05": 58, "OS06": 3, "OS07": 40,
                                      "OS09": 62, "OS10": 3, "OS11": 0,
                                      "FS01": 4, "FS02": 2, "RF14": 3, "RF15": 900, "RF16": 2}}))
    # 58 of 60 would give back the 2 not answered in time (issue 12, item 4).
    assert hide.indicator("OS-RESP24", Q1, "quarter") == HIDDEN
    assert hide.indicator("OS-SAFE48", Q1, "quarter") == HIDDEN      # 3 of 60
    assert hide.indicator("FS-ATTEND", Q1, "quarter") == HIDDEN      # 2 of 4
    assert hide.indicator("RF-STAY", Q1, "quarter") == HIDDEN        # nights over 3 women
    assert hide.indicator("RF-SETTLED", Q1, "quarter") == HIDDEN
    # Risk decreased 62 of 65 would give back the 3 whose risk stayed the same.
    assert hide.indicator("OS-RISKDOWN", Q1, "quarter") == HIDDEN
    assert hide.indicator("OS-RISKUP", Q1, "quarter") == HIDDEN
    assert hide.measure("OS10", Q1) == SMALL
    assert hide.measure("OS09", Q1) == HIDDEN


def test_a_count_indicator_shows_under_five_like_its_measure():
    hide = Suppression(measures({Q1: {"RF04": 4, "RF05": 0, "FS06": 17}}))
    assert hide.indicator("RF-WOMEN", Q1, "quarter") == SMALL
    assert hide.indicator("RF-CHILD", Q1, "quarter") is None
    assert hide.indicator("FS-ACTIVE", Q1, "quarter") is None


def test_a_hidden_quarter_hides_the_year_to_date_for_the_rest_of_that_year_only():
    # FS01 Q2 = 3 is hidden; Q1 + Q2 + Q3 with Q1 and Q3 on the charts would give it back.
    hide = Suppression(measures({
        Q1: {"FS01": 20}, Q2: {"FS01": 3}, Q3: {"FS01": 25},
        Quarter(2017, 1): {"FS01": 22}}))
    assert hide.indicator("FS-REFS", Q1, "ytd") is None
    assert hide.indicator("FS-REFS", Q2, "quarter") == SMALL
    assert hide.indicator("FS-REFS", Q2, "ytd") == HIDDEN          # 23: not small, but 23 - 20 = 3
    assert hide.indicator("FS-REFS", Q3, "ytd") == HIDDEN
    assert hide.indicator("FS-REFS", Quarter(2017, 1), "ytd") is None   # a new year starts clean
    assert hide.indicator("FS-REFS", Q3, "quarter") is None


def test_a_stock_year_to_date_is_the_quarter_itself():
    hide = Suppression(measures({Q1: {"FS06": 2}, Q2: {"FS06": 17}}))
    assert hide.indicator("FS-ACTIVE", Q1, "ytd") == SMALL
    assert hide.indicator("FS-ACTIVE", Q2, "ytd") is None


def test_a_change_is_hidden_when_either_end_is():
    hide = Suppression(measures({Q1: {"RF04": 3}, Q2: {"RF04": 26}, Q3: {"RF04": 28}}))
    assert hide.change("RF-WOMEN", Q2, Q1, "quarter")
    assert not hide.change("RF-WOMEN", Q3, Q2, "quarter")


def test_no_suppression_shows_everything():
    hide = NoSuppression()
    assert hide.measure("OS03", Q1) is None
    assert hide.indicator("OS-NEW", Q1, "quarter") is None
    assert not hide.change("OS-NEW", Q2, Q1, "quarter")


def test_the_groups_come_from_the_catalogue():
    parts = {g.parts: g.total for g in groups()}
    assert parts[("RF06", "RF07", "RF08", "RF09")] == "RF05"
    assert ("OS09", "OS10", "OS11") in parts
    assert ("FS07", "FS08") in parts


def test_no_hidden_count_can_be_worked_back_from_a_group_in_random_returns():
    """Whatever the figures, within a group whose total is known either nothing is hidden,
    or at least two parts are, and together they are not a small number either."""
    rng = random.Random(20161231)
    for _ in range(300):
        values = {code: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30])
                  for g in groups() for code in g.parts}
        values["RF05"] = sum(values[c] for c in ("RF06", "RF07", "RF08", "RF09"))
        hide = Suppression(measures({Q1: values}))
        for group in groups():
            hidden = [c for c in group.parts if hide.measure(c, Q1)]
            small = [c for c in group.parts if is_small(values[c])]
            assert set(small) <= set(hidden)
            if hidden:
                total_hidden = sum(values[c] for c in hidden)
                assert len(hidden) >= 2 or hide.measure(group.total or group.parts[0], Q1), values
                if is_small(total_hidden):
                    # Only when every part is hidden, and the total with them: nothing is left
                    # to subtract from.
                    assert hidden == list(group.parts), values
                    assert group.total is None or hide.measure(group.total, Q1), values
            # Any percentage read from a group with a hidden part is hidden.
            for ind in INDICATORS:
                if isinstance(ind.denominator, tuple) and set(ind.denominator) == set(group.parts) \
                        and hidden:
                    assert hide.indicator(ind.code, Q1, "quarter") == HIDDEN


@pytest.mark.parametrize("code", [c for c in MEASURES_BY_CODE if counts_people(c)])
def test_every_count_of_people_is_suppressed_from_one_to_four(code):
    for value in (1, 2, 3, 4):
        assert Suppression(measures({Q1: {code: value}})).measure(code, Q1) == SMALL
    assert Suppression(measures({Q1: {code: 5}})).measure(code, Q1) is None


def test_one_contract_at_a_time():
    frame = pd.concat([measures({Q1: {"OS03": 3}}), measures({Q1: {"OS03": 3}}).assign(contract="T2")])
    with pytest.raises(ValueError):
        Suppression(frame)


def test_the_first_quarters_of_a_year_and_quarters_not_held_are_handled():
    hide = Suppression(measures({Q3: {"OS03": 2}}))           # Q1 and Q2 not held
    assert hide.indicator("OS-NEW", Q3, "ytd") == SMALL
    assert hide.measure("OS03", Q1) is None                   # a quarter not held hides nothing
    assert list(itertools.islice(groups(), 1))
