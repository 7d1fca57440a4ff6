"""Reading the database for the engine: only current submission versions, blanks as NaN,
target history; on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from indicators.data import (
    CONTRACT_COLUMNS,
    MEASURE_COLUMNS,
    TARGET_COLUMNS,
    load_contracts,
    load_measures,
    load_targets,
)
from indicators.engine import indicators_for
from models.periods import Quarter
from models.schema import Contract, MeasureValue, Provider, Submission, Target


def add_contract(session: Session, reference: str = "ASC0013", **fields) -> Contract:
    provider = session.query(Provider).filter_by(name="MK ACT").first() or Provider(name="MK ACT")
    contract = Contract(reference=reference, title="Domestic abuse services",
                        commissioner="Milton Keynes Council", provider=provider,
                        start_date=date(2014, 9, 1), initial_end_date=date(2017, 8, 31),
                        extended_end_date=fields.pop("extended_end_date", date(2019, 8, 31)),
                        annual_value=fields.pop("annual_value", 524_994.0), parameters={"refuge_capacity": 28},
                        **fields)
    session.add(contract)
    session.flush()
    return contract


def add_submission(session: Session, contract: Contract, quarter: Quarter,
                   values: dict[str, float | None], version: int = 1, current: bool = True) -> Submission:
    submission = Submission(contract_id=contract.id, year=quarter.year, quarter=quarter.quarter,
                            version=version, is_current=current, file_name=f"{quarter}.xlsx",
                            sha256=f"{contract.reference}{quarter.index}{version}".ljust(64, "0"),
                            original=b"xlsx")
    submission.values = [MeasureValue(code=code, value=value, cell=f"Sheet!C{i + 5}")
                         for i, (code, value) in enumerate(values.items())]
    session.add(submission)
    session.flush()
    return submission


Q2, Q3 = Quarter(2016, 2), Quarter(2016, 3)


@pytest.fixture
def stored(engine):
    with Session(engine) as session, session.begin():
        contract = add_contract(session)
        add_submission(session, contract, Q2, {"OS04": 62, "OS05": 60, "OS03": 47})
        # Q3 was sent twice: version 1 is superseded by version 2.
        add_submission(session, contract, Q3, {"OS04": 50, "OS05": 10, "OS03": 1}, version=1,
                       current=False)
        add_submission(session, contract, Q3, {"OS04": 60, "OS05": 60, "OS03": None}, version=2)
        other = add_contract(session, "ASC0099", annual_value=100_000.0, extended_end_date=None)
        add_submission(session, other, Q3, {"OS04": 10, "OS05": 5})
        for value, effective, created in ((1.0, Quarter(2014, 2), 1), (0.9, Q3, 2)):
            session.add(Target(contract_id=contract.id, indicator="OS-RESP24", value=value,
                               tolerance=0.05, direction="higher", effective_year=effective.year,
                               effective_quarter=effective.quarter, created_by="monitor",
                               created_at=datetime(2016, created, 1, tzinfo=UTC)))
    return engine


def test_load_measures_reads_only_current_versions(stored):
    measures = load_measures(stored, "ASC0013")
    assert list(measures.columns) == MEASURE_COLUMNS
    q3 = measures[(measures["year"] == 2016) & (measures["quarter"] == 3)].set_index("code")
    assert set(q3["version"]) == {2}
    assert q3.at["OS05", "value"] == 60
    assert q3.at["OS05", "cell"].startswith("Sheet!C")


def test_a_blank_is_read_as_not_reported_never_zero(stored):
    measures = load_measures(stored, "ASC0013").set_index(["year", "quarter", "code"])
    assert math.isnan(measures.at[(2016, 3, "OS03"), "value"])
    assert measures["value"].dtype == float


def test_load_measures_of_every_contract_or_one(stored):
    assert set(load_measures(stored)["contract"]) == {"ASC0013", "ASC0099"}
    assert set(load_measures(stored, "ASC0099")["contract"]) == {"ASC0099"}
    assert load_measures(stored, "NOPE").empty


def test_load_contracts(stored):
    contracts = load_contracts(stored).set_index("contract")
    assert list(load_contracts(stored).columns) == CONTRACT_COLUMNS
    assert contracts.at["ASC0013", "provider"] == "MK ACT"
    assert contracts.at["ASC0013", "annual_value"] == 524_994.0
    assert contracts.at["ASC0013", "start_date"] == date(2014, 9, 1)
    assert contracts.at["ASC0013", "extended_end_date"] == date(2019, 8, 31)
    assert contracts.at["ASC0099", "extended_end_date"] is None


def test_load_targets_keeps_the_history(stored):
    targets = load_targets(stored, "ASC0013")
    assert list(targets.columns) == TARGET_COLUMNS
    assert targets["value"].tolist() == [1.0, 0.9]
    assert targets["effective_quarter"].tolist() == [2, 3]
    assert load_targets(stored, "ASC0099").empty


def test_indicators_for_a_contract_from_the_database(stored):
    result = indicators_for(stored, "ASC0013")
    assert set(result["contract"]) == {"ASC0013"}
    resp = result[(result["indicator"] == "OS-RESP24") & (result["basis"] == "quarter")].set_index("quarter")
    assert resp.at[3, "value"] == 1.0                 # the current version: 60 of 60
    assert resp.at[2, "target"] == 1.0 and resp.at[3, "target"] == 0.9
    assert resp.at[2, "rag"] == "amber"               # 60 of 62 = 96.8%: short, within 5 points
    assert resp.at[3, "rag"] == "green"
    ytd = result[(result["indicator"] == "OS-RESP24") & (result["basis"] == "ytd")].set_index("quarter")
    assert ytd.at[3, "missing_quarters"] == "Q1"
    spend = result[result["indicator"] == "FN-SPEND"]
    assert spend["value"].isna().all()                # no Finance figures sent
    assert math.isnan(result[(result["indicator"] == "OS-NEW") & (result["quarter"] == 3)
                             & (result["basis"] == "quarter")]["value"].iloc[0])
