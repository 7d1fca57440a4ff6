"""The export: ``python -m indicators export`` with the data contract's columns and formats."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

import settings
from indicators.engine import compute_indicators
from indicators.export import EXPORT_COLUMNS, export_rows, write_csv, write_json
from models.contract_types import get_type
from models.periods import Quarter
from tests.test_indicators_data import add_contract, add_submission

DA = get_type("domestic-abuse")
INDICATORS = DA.indicators

Q1, Q2 = Quarter(2016, 1), Quarter(2016, 2)


def indicators(contract: str = "C1") -> pd.DataFrame:
    rows = [{"contract": contract, "year": q.year, "quarter": q.quarter, "code": code,
             "value": np.nan if value is None else float(value)}
            for q, values in {Q1: {"OS04": 3, "OS05": 2, "OS03": 40}, Q2: {"OS04": 0, "OS05": 0}}.items()
            for code, value in values.items()]
    targets = pd.DataFrame([{"contract": contract, "indicator": "OS-RESP24", "value": 1.0,
                             "tolerance": 0.05, "direction": "higher", "effective_year": 2014,
                             "effective_quarter": 2, "created_at": None, "created_by": ""}])
    return compute_indicators(pd.DataFrame(rows), None, targets, DA)


def csv_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    out = io.StringIO()
    write_csv(export_rows(frame), out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def find(rows: list[dict], indicator: str, quarter: int, basis: str) -> dict:
    return next(r for r in rows if (r["indicator"], str(r["quarter"]), r["basis"])
                == (indicator, str(quarter), basis))


def test_csv_has_exactly_the_contract_columns_and_a_row_per_indicator_period_and_basis():
    out = io.StringIO()
    write_csv(export_rows(indicators()), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert len(lines) == 1 + len(INDICATORS) * 2 * 2


def test_csv_values_unrounded_percentages_as_fractions_and_blank_without_a_value():
    rows = csv_rows(indicators())
    resp = find(rows, "OS-RESP24", 1, "quarter")
    assert resp["value"] == repr(2 / 3)                  # 0.6666666666666666, unrounded
    assert (resp["numerator"], resp["denominator"]) == ("2", "3")
    assert (resp["fiscal_year"], resp["quarter"], resp["unit"]) == ("2016/17", "1", "%")
    assert (resp["target"], resp["rag"]) == ("1", "red")
    zero = find(rows, "OS-RESP24", 2, "quarter")         # nothing to divide by
    assert (zero["value"], zero["rag"], zero["denominator"]) == ("", "", "0")
    people = find(rows, "OS-NEW", 1, "ytd")
    assert (people["value"], people["target"], people["rag"]) == ("40", "", "")


def test_json_has_the_same_rows_with_nulls():
    out = io.StringIO()
    write_json(export_rows(indicators()), out)
    records = json.loads(out.getvalue())
    assert list(records[0]) == EXPORT_COLUMNS
    resp = find(records, "OS-RESP24", 2, "quarter")
    assert resp["value"] is None and resp["rag"] is None
    assert resp["quarter"] == 2 and isinstance(resp["quarter"], int)
    assert find(records, "OS-RESP24", 1, "quarter")["value"] == 2 / 3


def test_text_that_a_spreadsheet_would_run_is_neutralised_and_numbers_stay_numbers():
    frame = indicators(contract="=cmd|' /C calc'!A0")
    rows = csv_rows(frame)
    assert all(r["contract"] == "'=cmd|' /C calc'!A0" for r in rows)
    # A negative number is a number, not a formula: no quote.
    frame = frame.assign(change_previous=-1.0)
    frame.loc[0, "value"] = -0.5
    assert csv_rows(frame)[0]["value"] == "-0.5"


def test_the_command_exports_from_the_database(engine, monkeypatch, capsys):
    from indicators.__main__ import main

    with Session(engine) as session, session.begin():
        contract = add_contract(session)
        add_submission(session, contract, Q1, {"OS04": 4, "OS05": 4})
        other = add_contract(session, "=OTHER")
        add_submission(session, other, Q1, {"OS04": 1, "OS05": 1})
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))

    assert main(["export", "--contract", "ASC0013"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(INDICATORS) * 2
    assert {r["contract"] for r in rows} == {"ASC0013"}
    assert find(rows, "OS-RESP24", 1, "quarter")["value"] == "1"

    assert main(["export", "--format", "json"]) == 0
    assert {r["contract"] for r in json.loads(capsys.readouterr().out)} == {"ASC0013", "=OTHER"}

    assert main(["export", "--contract", "NOPE"]) == 1
    assert "Unknown contract 'NOPE'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["export", "--format", "xml"])
    assert usage.value.code == 2


def test_python_dash_m_indicators_export_runs(sqlite_engine):
    """The real command line, once: a fresh database is migrated first and gives only a header."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-m", "indicators", "export"], cwd=settings.ROOT,
                          env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [",".join(EXPORT_COLUMNS)]
