"""Indicators of any contract type: a type written only in a test's folder, and a database
holding contracts of two types, each computed with its own catalogue."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

import settings
from indicators.engine import (
    COLUMNS,
    all_indicators,
    compute_indicators,
    indicators_for,
    measure_values,
)
from indicators.narrative import narrative_sections
from indicators.spc import spc_summary
from models.contract_types import load_type
from models.periods import Quarter
from records.targets import set_default_targets, set_target, targets_in_force
from tests.actors import ADMIN, admin
from tests.test_indicators_data import add_contract, add_submission

#: A made-up kind of contract: two sheets, four measures, one check, a ratio and a count.
CARERS_TYPE = """
name = "carers-support"
title = "Carers' support"
description = "Made up for a test: support for unpaid carers."
versions = [1]
sheets = ["Carers", "Money"]
commentary_topics = ["Carers", "General"]

[[services]]
name = "Carers"
description = "Assessment and support for unpaid carers"

[[measures]]
code = "CA01"
sheet = "Carers"
label = "Carers referred"

[[measures]]
code = "CA02"
sheet = "Carers"
label = "Carers assessed within 28 days of referral"

[[measures]]
code = "CA03"
sheet = "Carers"
label = "Carers supported at the end of the quarter"
aggregation = "stock"

[[measures]]
code = "MO01"
sheet = "Money"
label = "Expenditure"
type = "money"

[[checks]]
code = "ARITH-CA-ASSESSED"
rule = "sum_at_most"
parts = ["CA02"]
whole = ["CA01"]
advice = "Carers assessed cannot exceed the carers referred."

[[indicators]]
code = "CA-ASSESSED"
service = "Carers"
label = "Carers assessed within 28 days"
short = "Assessed within 28 days"
numerator = ["CA02"]
denominator = ["CA01"]
unit = "%"
better = "higher"
target = 90
tolerance = 5

[[indicators]]
code = "CA-SUPPORTED"
service = "Carers"
label = "Carers supported at the end of the period"
short = "Carers supported"
numerator = ["CA03"]
unit = "people"
better = "higher"
target = 50
tolerance = 10
"""

Q1, Q2 = Quarter(2016, 1), Quarter(2016, 2)
#: Q1: 38 of 40 assessed (95%, green), 55 supported (green).
#: Q2: 40 of 50 assessed (80%, red: 10 points short), 45 supported (amber: 5 short of 50).
CARERS_RETURNS = {Q1: {"CA01": 40, "CA02": 38, "CA03": 55, "MO01": 20_000.0},
                  Q2: {"CA01": 50, "CA02": 40, "CA03": 45, "MO01": 21_000.0}}


@pytest.fixture
def types_folder(tmp_path, monkeypatch) -> Path:
    """A contract-types folder holding the domestic-abuse type and the carers' type."""
    folder = tmp_path / "contract_types"
    folder.mkdir()
    shutil.copy(Path(settings.ROOT) / "contract_types" / "domestic-abuse.toml", folder)
    (folder / "carers-support.toml").write_text(CARERS_TYPE, encoding="utf-8")
    monkeypatch.setattr(settings, "CONTRACT_TYPES_DIR", folder)
    return folder


@pytest.fixture
def carers(types_folder):
    return load_type(types_folder / "carers-support.toml")


def measures_frame(returns: dict[Quarter, dict[str, float]], contract: str = "C1") -> pd.DataFrame:
    rows = [{"contract": contract, "year": q.year, "quarter": q.quarter, "code": code,
             "value": float(value)} for q, values in returns.items() for code, value in values.items()]
    return pd.DataFrame(rows)


def default_targets(catalogue, contract: str, effective: Quarter) -> pd.DataFrame:
    """The type's default targets as ``load_targets`` would return them once set."""
    return pd.DataFrame([{"contract": contract, "indicator": i.code, "value": i.target,
                          "tolerance": i.tolerance, "direction": i.better,
                          "effective_year": effective.year, "effective_quarter": effective.quarter,
                          "created_at": None, "created_by": "test"}
                         for i in catalogue.indicators if i.target is not None])


def at(result: pd.DataFrame, indicator: str, quarter: Quarter, basis: str = "quarter",
       contract: str = "C1") -> pd.Series:
    found = result[(result["contract"] == contract) & (result["indicator"] == indicator)
                   & (result["period"] == quarter.index) & (result["basis"] == basis)]
    assert len(found) == 1, f"{contract} {indicator} {quarter} {basis}: {len(found)} rows"
    return found.iloc[0]


# --- a type written only in a test folder -----------------------------------------------------


def test_a_new_type_computes_its_indicators_with_rag_from_measures_given_directly(carers):
    result = compute_indicators(measures_frame(CARERS_RETURNS), None,
                                default_targets(carers, "C1", Q1), carers)
    assert list(result.columns) == COLUMNS
    assert list(dict.fromkeys(result["indicator"])) == ["CA-ASSESSED", "CA-SUPPORTED"]
    assert set(result["service"]) == {"Carers"}

    assessed = at(result, "CA-ASSESSED", Q1)
    assert assessed["value"] == pytest.approx(0.95)
    assert (assessed["numerator"], assessed["denominator"]) == (38, 40)
    assert assessed["rag"] == "green"
    assert at(result, "CA-ASSESSED", Q2)["rag"] == "red"            # 80% against 90% ± 5
    # Year to date: flows summed, 78 of 90 = 87%, within 5 points of 90%.
    assert at(result, "CA-ASSESSED", Q2, "ytd")["value"] == pytest.approx(78 / 90)
    assert at(result, "CA-ASSESSED", Q2, "ytd")["rag"] == "amber"
    assert at(result, "CA-ASSESSED", Q2)["trend_previous"] == "worsening"

    assert at(result, "CA-SUPPORTED", Q1)["value"] == 55
    assert at(result, "CA-SUPPORTED", Q1)["rag"] == "green"
    assert at(result, "CA-SUPPORTED", Q2)["rag"] == "amber"         # 45 against 50 ± 10
    assert at(result, "CA-SUPPORTED", Q2, "ytd")["value"] == 45     # a stock: the latest quarter


def test_a_new_type_reads_only_its_own_measures(carers):
    stray = measures_frame({Q1: {**CARERS_RETURNS[Q1], "OS01": 7}})   # a code of another type
    values = measure_values(stray, carers, "quarter")
    assert list(values.columns) == ["contract", "year", "quarter", "period", "CA01", "CA02", "CA03", "MO01"]
    assert values.loc[0, "CA02"] == 38
    result = compute_indicators(stray, None, None, carers)
    assert set(result["indicator"]) == {"CA-ASSESSED", "CA-SUPPORTED"}
    assert result["rag"].isna().all()                               # no target set: no RAG


def test_a_new_type_has_its_narrative_and_spc_by_its_own_groups(carers):
    result = compute_indicators(measures_frame(CARERS_RETURNS), None,
                                default_targets(carers, "C1", Q1), carers)
    sections = narrative_sections(result, "C1", Q2, carers)
    assert list(sections) == ["Carers", "Overall"]
    assert sections["Carers"][0] == "Carers, 2016/17 Q2: carers supported 45."
    assert ("Red: assessed within 28 days 80% against a target of 90%, 10 points short."
            in sections["Carers"])
    assert sections["Overall"][0] == "0 of 2 measures with a target met it this quarter."
    summary = spc_summary(result, "C1", carers)
    assert list(summary["indicator"]) == ["CA-ASSESSED", "CA-SUPPORTED"]
    assert list(summary["points"]) == [2, 2]


def test_a_measure_a_quarters_template_version_did_not_hold_is_no_data():
    from models.contract_types import get_type

    da = get_type("domestic-abuse")
    added = [m.code for m in da.measures if m.from_version > 1]
    assert added, "version 2 of the domestic-abuse type adds measures"
    # A version-1 quarter (nothing of version 2) and a version-2 quarter.
    returns = {Q1: {"RF10": 20, "RF11": 3, "RF12": 1},
               Q2: {"RF10": 20, "RF11": 3, "RF12": 1, **{code: 2 for code in added}}}
    values = measure_values(measures_frame(returns), da, "quarter").set_index("quarter")
    assert values.loc[1, added].isna().all()                       # no data, not zero
    assert (values.loc[2, added] == 2).all()
    assert values.loc[1, "RF10"] == 20


# --- a database of contracts of two types -----------------------------------------------------


@pytest.fixture
def two_types(engine, types_folder):
    """Contracts A1 and C3 of the carers' type and B2 of the domestic-abuse type."""
    with Session(engine) as session, session.begin():
        for reference in ("A1", "C3"):
            contract = add_contract(session, reference, contract_type="carers-support")
            for quarter, values in CARERS_RETURNS.items():
                add_submission(session, contract, quarter, values)
        abuse = add_contract(session, "B2", contract_type="domestic-abuse")
        add_submission(session, abuse, Q1, {"OS04": 62, "OS05": 60, "OS03": 47})
    return engine


def test_all_indicators_gives_each_contract_the_indicators_of_its_own_type(two_types):
    from models.contract_types import get_type

    result = all_indicators(two_types)
    assert list(result.columns) == COLUMNS
    by_contract = {c: list(dict.fromkeys(rows["indicator"])) for c, rows in result.groupby("contract")}
    assert by_contract["A1"] == by_contract["C3"] == ["CA-ASSESSED", "CA-SUPPORTED"]
    assert by_contract["B2"] == [i.code for i in get_type("domestic-abuse").indicators]
    # Sorted as for one type: by contract, then the type's indicator order, period, basis.
    assert list(dict.fromkeys(result["contract"])) == ["A1", "B2", "C3"]
    assert not result.duplicated(["contract", "indicator", "period", "basis"]).any()
    assert at(result, "CA-ASSESSED", Q1, contract="C3")["value"] == pytest.approx(0.95)
    assert at(result, "OS-RESP24", Q1, contract="B2")["value"] == pytest.approx(60 / 62)
    # One contract alone is the same as its rows of every contract.
    alone = indicators_for(two_types, "C3")
    pd.testing.assert_frame_equal(alone.reset_index(drop=True),
                                  result[result["contract"] == "C3"].reset_index(drop=True))
    assert all_indicators(two_types, "B2")["indicator"].isin(by_contract["B2"]).all()


def test_default_targets_come_from_the_contracts_type(two_types, carers):
    added = set_default_targets(two_types, "A1", carers, Q1, admin("register"))
    assert added == ["CA-ASSESSED", "CA-SUPPORTED"]
    assert set_default_targets(two_types, "A1", carers, Q1, admin("register")) == []   # not twice
    held = targets_in_force(two_types, "A1", Q2, ADMIN).set_index("indicator")
    assert held.loc["CA-ASSESSED", "value"] == pytest.approx(0.90)
    assert held.loc["CA-SUPPORTED", "tolerance"] == pytest.approx(10)
    assert held.loc["CA-ASSESSED", "direction"] == "higher"
    result = all_indicators(two_types)
    assert at(result, "CA-ASSESSED", Q2, contract="A1")["rag"] == "red"
    assert np.isnan(at(result, "CA-ASSESSED", Q2, contract="C3")["target"])   # C3 has none yet


def test_a_target_must_be_for_an_indicator_of_the_contracts_type(two_types):
    with pytest.raises(ValueError, match="no indicator 'OS-RESP24'"):
        set_target(two_types, "A1", "OS-RESP24", 0.9, 0.05, "higher", Q1, admin("jo"))
    set_target(two_types, "B2", "OS-RESP24", 0.9, 0.05, "higher", Q1, admin("jo"))
    assert list(targets_in_force(two_types, "B2", Q1, ADMIN)["indicator"]) == ["OS-RESP24"]


def test_the_pack_of_a_contract_of_another_type_has_its_groups_as_sections(two_types):
    from reports import build_pack
    from reports.content import gather
    from reports.figures import service_charts

    content = gather(two_types, "A1", Q2, today=date(2016, 10, 1), actor=ADMIN, suppress=False)
    assert [s.name for s in content.sections] == ["Carers"]
    assert [line.code for line in content.summary] == ["CA-ASSESSED", "CA-SUPPORTED"]
    assert content.contract_type_title == "Carers' support"
    assert "Assessed within 28 days fell from 95% to 80% on the previous quarter (worsening)." \
        in content.narrative
    # Shared outside the council, these percentages of small groups would let a reader work out
    # a count of fewer than 5 people (those not assessed), so the suppressed pack does not say it.
    shared = gather(two_types, "A1", Q2, today=date(2016, 10, 1), actor=ADMIN)
    assert not any("95%" in sentence or "80%" in sentence for sentence in shared.narrative)
    charts = service_charts(content.sections[0], Q2.label)
    assert [c.title for c in charts[:2]] == ["Assessed within 28 days", "Carers supported"]
    pack = build_pack(two_types, "A1", Q2, charts=False, today=date(2016, 10, 1), actor=ADMIN)
    assert pack.pdf.startswith(b"%PDF") and pack.xlsx[:2] == b"PK"


def test_the_export_covers_every_contract_of_every_type(two_types, monkeypatch, capsys):
    import csv
    import io

    from indicators.__main__ import main

    monkeypatch.setenv("DATABASE_URL", two_types.url.render_as_string(hide_password=False))
    assert main(["export"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    indicators = {c: {r["indicator"] for r in rows if r["contract"] == c} for c in ("A1", "B2", "C3")}
    assert indicators["A1"] == indicators["C3"] == {"CA-ASSESSED", "CA-SUPPORTED"}
    assert "OS-RESP24" in indicators["B2"] and not indicators["B2"] & indicators["A1"]
    assessed = next(r for r in rows if r["contract"] == "C3" and r["indicator"] == "CA-ASSESSED"
                    and r["quarter"] == "1" and r["basis"] == "quarter")
    assert (assessed["service"], assessed["value"], assessed["unit"]) == ("Carers", "0.95", "%")
