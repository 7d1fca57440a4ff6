"""What the upload page shows: errors by cell, a preview with the stored year, differences."""

from __future__ import annotations

import pytest

from data_ingest.store import ingest_file
from models.periods import Quarter
from records.contracts import add_contract
from records.submissions import submission_history
from records.targets import set_target
from records.uploads import (
    check_uploads,
    differences_table,
    findings_table,
    headline_preview,
    quarter_to_show,
    result_headline,
    store_uploads,
)
from sample_data import quarters
from sample_data.contract import CONTRACT, SERVICES
from tests.actors import ADMIN, admin
from tests.workbooks import sample_return

Q1, Q2, Q3 = Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3)


@pytest.fixture
def db(sqlite_engine):
    add_contract(sqlite_engine, **CONTRACT, services=SERVICES, actor=ADMIN)
    set_target(sqlite_engine, "ASC0013", "RF-OCC", 0.95, 0.05, "higher", Quarter(2014, 2), admin("lead"))
    for quarter in (Q1, Q2):
        assert ingest_file(sqlite_engine, sample_return(quarter), f"{quarter.label}.xlsx", actor=ADMIN).ok
    return sqlite_engine


def test_checking_stores_nothing_and_reports_progress(db):
    seen = []
    results = check_uploads(db, [("q3.xlsx", sample_return(Q3)), ("bad.xlsx", b"not a workbook")], ADMIN,
                            progress=lambda done, total, name: seen.append((done, total, name)))
    assert [r.status for r in results] == ["passed", "rejected"]
    assert seen == [(1, 2, "q3.xlsx"), (2, 2, "bad.xlsx")]
    assert "2016/17 Q3" not in set(submission_history(db, "ASC0013", ADMIN)["period"])


def test_errors_are_listed_by_sheet_and_cell_with_what_to_do(db):
    result = check_uploads(db, [("q3.xlsx", sample_return(Q3, OS05=999))], ADMIN)[0]
    table = findings_table(result.errors)
    assert list(table.columns) == ["Where", "Problem", "What to do"]
    assert table["Where"].str.match(r"One Stop!C\d+$").any()
    assert table["What to do"].str.len().gt(0).all()
    assert result_headline(result) == "q3.xlsx: not stored — 1 error to correct."


def test_the_preview_combines_the_stored_quarters_with_the_new_one(db):
    result = check_uploads(db, [("q3.xlsx", sample_return(Q3))], ADMIN)[0]
    preview = headline_preview(db, result, ADMIN).set_index("indicator")
    values = {q: quarters.VALUES[q] for q in (Q1, Q2, Q3)}
    referrals = sum(values[q]["FS01"] for q in values)
    assert preview.loc["FS-REFS", "quarter_value"] == values[Q3]["FS01"]
    assert preview.loc["FS-REFS", "ytd_value"] == referrals           # Q1 + Q2 stored, Q3 new
    assert preview.loc["FS-REFS", "previous_value"] == values[Q2]["FS01"]
    assert preview.loc["RF-OCC", "target"] == pytest.approx(0.95)
    assert preview.loc["RF-OCC", "rag"] in ("green", "amber", "red")


def test_a_resubmission_preview_replaces_the_held_version_not_adds_to_it(db):
    result = check_uploads(db, [("q2 again.xlsx", sample_return(Q2, FS01=0))], ADMIN)[0]
    preview = headline_preview(db, result, ADMIN).set_index("indicator")
    assert preview.loc["FS-REFS", "ytd_value"] == quarters.VALUES[Q1]["FS01"]
    assert "It will replace version 1" in result_headline(result)
    changes = differences_table(result.differences).set_index("code")
    assert (changes.loc["FS01", "current"], changes.loc["FS01", "new"]) == (
        quarters.VALUES[Q2]["FS01"], 0)


def test_storing_several_and_which_quarter_to_show_next(db):
    q3 = sample_return(Q3)
    results = store_uploads(db, [("q3.xlsx", q3), ("q2 again.xlsx", sample_return(Q2, FS01=1))],
                            admin("officer"))
    assert [r.status for r in results] == ["stored", "stored"]
    assert result_headline(results[1]) == ("q2 again.xlsx: stored ASC0013 2016/17 Q2 as version 2, "
                                           "superseding version 1.")
    assert quarter_to_show(results, "ASC0013") == Q3
    assert quarter_to_show(results, "OTHER") is None
    # The same bytes again (openpyxl stamps the time, so a rewritten workbook would differ).
    again = store_uploads(db, [("copy.xlsx", q3)], admin("officer"))[0]
    assert again.status == "unchanged"
    assert "identical to version 1 of 2016/17 Q3" in result_headline(again)


def test_the_differences_show_money_to_the_penny_and_a_blank_as_not_reported():
    import pandas as pd

    from records.display import differences_display

    shown = differences_display(pd.DataFrame([
        {"code": "FN01", "measure": "Expenditure: One Stop", "current": 1234.5, "new": None, "money": True},
        {"code": "OS04", "measure": "New referrals received", "current": 80.0, "new": 0.0, "money": False},
    ])).set_index("Code")
    assert (shown.loc["FN01", "Current version"], shown.loc["FN01", "This file"]) == ("£1,234.50", "not reported")
    assert (shown.loc["OS04", "Current version"], shown.loc["OS04", "This file"]) == ("80", "0")
