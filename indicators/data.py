"""Reading the database into DataFrames for the engine.

Only the current version of each quarter's submission is read: a resubmitted
quarter supersedes the old one, which stays in the database as history.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from models.schema import Contract, MeasureValue, Provider, Submission, Target

MEASURE_COLUMNS = ["contract", "year", "quarter", "code", "value", "submission_id", "version", "cell"]
CONTRACT_COLUMNS = ["contract", "title", "provider", "commissioner", "start_date", "initial_end_date",
                    "extended_end_date", "annual_value", "contract_type", "parameters"]
TARGET_COLUMNS = ["contract", "indicator", "value", "tolerance", "direction", "effective_year",
                  "effective_quarter", "created_at", "created_by"]


def _frame(engine: Engine, statement, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)


def load_measures(engine: Engine, contract: str | None = None) -> pd.DataFrame:
    """Every measure value of the current submissions (of one contract, or all).

    Columns: contract, year, quarter, code, value (float, NaN = not reported),
    submission_id, version, cell.
    """
    statement = (
        select(Contract.reference, Submission.year, Submission.quarter, MeasureValue.code,
               MeasureValue.value, Submission.id, Submission.version, MeasureValue.cell)
        .join(Submission, Submission.contract_id == Contract.id)
        .join(MeasureValue, MeasureValue.submission_id == Submission.id)
        .where(Submission.is_current.is_(True))
        .order_by(Contract.reference, Submission.year, Submission.quarter, MeasureValue.code)
    )
    if contract is not None:
        statement = statement.where(Contract.reference == contract)
    frame = _frame(engine, statement, MEASURE_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    for column in ("year", "quarter", "submission_id", "version"):
        frame[column] = frame[column].astype("int64")
    return frame


def load_contracts(engine: Engine) -> pd.DataFrame:
    """Every contract with its term and value.

    Columns: contract, title, provider, commissioner, start_date, initial_end_date,
    extended_end_date, annual_value, contract_type, parameters. Dates are ``datetime.date``.
    """
    statement = (
        select(Contract.reference, Contract.title, Provider.name, Contract.commissioner,
               Contract.start_date, Contract.initial_end_date, Contract.extended_end_date,
               Contract.annual_value, Contract.contract_type, Contract.parameters)
        .join(Provider, Provider.id == Contract.provider_id)
        .order_by(Contract.reference)
    )
    frame = _frame(engine, statement, CONTRACT_COLUMNS)
    frame["annual_value"] = pd.to_numeric(frame["annual_value"], errors="coerce").astype(float)
    return frame


def load_targets(engine: Engine, contract: str | None = None) -> pd.DataFrame:
    """Every target row, history included (the engine picks the one in force).

    Columns: contract, indicator, value, tolerance, direction, effective_year,
    effective_quarter, created_at, created_by.
    """
    statement = (
        select(Contract.reference, Target.indicator, Target.value, Target.tolerance,
               Target.direction, Target.effective_year, Target.effective_quarter,
               Target.created_at, Target.created_by)
        .join(Contract, Contract.id == Target.contract_id)
        .order_by(Contract.reference, Target.indicator, Target.effective_year,
                  Target.effective_quarter, Target.created_at, Target.id)
    )
    if contract is not None:
        statement = statement.where(Contract.reference == contract)
    frame = _frame(engine, statement, TARGET_COLUMNS)
    for column in ("value", "tolerance"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("effective_year", "effective_quarter"):
        frame[column] = frame[column].astype("int64")
    return frame
