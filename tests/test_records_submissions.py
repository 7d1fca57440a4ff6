"""Submission history and the source of a figure: submission, version and workbook cell."""

from __future__ import annotations

import pandas as pd
import pytest

from data_ingest.store import ingest_file
from models.periods import Quarter
from records.contracts import add_contract
from records.submissions import (
    figure_sources,
    measure_sources,
    submission_history,
    submission_values,
    submission_warnings,
)
from sample_data import quarters
from sample_data.contract import CONTRACT, SERVICES
from tests.actors import ADMIN, admin
from tests.workbooks import sample_return

Q1, Q2, Q3 = Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3)


@pytest.fixture
def db(engine):
    add_contract(engine, **CONTRACT, services=SERVICES, actor=ADMIN)
    for quarter in (Q1, Q2, Q3):
        assert ingest_file(engine, sample_return(quarter), f"{quarter.label}.xlsx", admin("provider")).ok
    return engine


def test_every_version_is_listed_with_who_when_and_whether_current(db):
    resent = ingest_file(db, sample_return(Q3, RF04=27), "Q3 corrected.xlsx", admin("officer"))
    assert resent.status == "stored"
    history = submission_history(db, "ASC0013", ADMIN)
    assert list(zip(history["period"], history["version"], history["status"], strict=True))[:3] == [
        ("2016/17 Q3", 2, "current"), ("2016/17 Q3", 1, "superseded"), ("2016/17 Q2", 1, "current")]
    latest = history.iloc[0]
    assert (latest["file_name"], latest["uploaded_by"], latest["completed_by"]) == (
        "Q3 corrected.xlsx", "officer", "Data officer")
    assert latest["uploaded_at"] is not None


def test_warnings_stay_with_the_submission(db):
    # RF01 different from the contract's refuge capacity (28) is a warning, not an error.
    result = ingest_file(db, sample_return(Q3, RF01=30), "Q3 thirty units.xlsx", admin("officer"))
    assert result.status == "stored" and result.warnings
    stored = submission_warnings(db, result.submission_id, ADMIN)
    assert any(w["location"].startswith("Refuge!") for w in stored)
    row = submission_history(db, "ASC0013", ADMIN).iloc[0]
    assert row["warning_count"] == len(result.warnings)
    assert "Refuge!" in row["warnings"]


def test_each_value_keeps_its_cell_and_a_blank_stays_blank(db):
    result = ingest_file(db, sample_return(Q3, RF20=None), "Q3 blank.xlsx", admin("officer"))
    values = submission_values(db, result.submission_id, ADMIN).set_index("code")
    assert values.loc["RF04", "cell"].startswith("Refuge!C")
    assert values.loc["RF04", "value"] == quarters.VALUES[Q3]["RF04"]
    assert pd.isna(values.loc["RF20", "value"])
    assert list(values.index[:2]) == ["OS01", "OS02"]          # catalogue order


def test_a_quarter_figure_comes_from_the_current_version_of_that_quarter(db):
    ingest_file(db, sample_return(Q3, RF04=27), "Q3 corrected.xlsx", admin("officer"))
    sources = figure_sources(db, "ASC0013", "RF-WOMEN", Q3, "quarter", actor=ADMIN)
    assert list(sources["code"]) == ["RF04"]
    row = sources.iloc[0]
    assert (row["value"], row["version"], row["file_name"], row["role"]) == (
        27, 2, "Q3 corrected.xlsx", "numerator")
    assert row["cell"].startswith("Refuge!C")


def test_a_year_to_date_ratio_reads_each_quarter_of_a_flow_and_the_latest_of_a_stock(db):
    sources = figure_sources(db, "ASC0013", "FS-ACCEPT", Q3, "ytd", actor=ADMIN)   # FS03 / FS02, both flows
    assert list(zip(sources["role"], sources["code"], sources["quarter"], strict=True)) == [
        ("numerator", "FS03", "2016/17 Q1"), ("numerator", "FS03", "2016/17 Q2"),
        ("numerator", "FS03", "2016/17 Q3"),
        ("denominator", "FS02", "2016/17 Q1"), ("denominator", "FS02", "2016/17 Q2"),
        ("denominator", "FS02", "2016/17 Q3")]
    assert sources["value"].sum() == sum(quarters.VALUES[q][c] for q in (Q1, Q2, Q3)
                                         for c in ("FS02", "FS03"))
    people = figure_sources(db, "ASC0013", "OS-PEOPLE", Q3, "ytd", actor=ADMIN)     # OS02 is already cumulative
    assert list(zip(people["code"], people["quarter"], strict=True)) == [("OS02", "2016/17 Q3")]


def test_a_quarter_not_held_has_no_source(db):
    assert measure_sources(db, "ASC0013", ["RF04"], [Quarter(2016, 4)], ADMIN).empty
