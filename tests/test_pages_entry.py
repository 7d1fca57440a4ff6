"""The data-entry pages driven as a user would (Streamlit AppTest, no browser).

Each test runs the whole app (app.py) on a private copy of the sample database.
"""

from __future__ import annotations

import getpass
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_ingest.template import write_template
from indicators.engine import indicators_for
from models.contract_types import get_type
from models.periods import Quarter
from records.actions import actions
from records.changes import change_history
from records.escalation import current_stage
from records.meetings import meetings
from records.submissions import submission_history
from records.visits import visits
from sample_data import quarters
from sample_data.contract import CONTRACT
from sample_data.make_sample import sample_workbook, workbook_name
from tests.actors import ADMIN

APP = str(Path(__file__).resolve().parents[1] / "app.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Q3, Q4 = Quarter(2016, 3), Quarter(2016, 4)


def workbook(quarter: Quarter, **changed: float | None) -> bytes:
    """The sample return of ``quarter`` with some measures changed."""
    out = io.BytesIO()
    write_template(out, get_type(CONTRACT["contract_type"]), reference=CONTRACT["reference"],
                   provider=CONTRACT["provider"],
                   quarter=quarter, values={**quarters.VALUES[quarter], **changed},
                   commentary=quarters.COMMENTARY[quarter],
                   completed_by=quarters.COMPLETED_BY[quarter],
                   date_completed=quarters.DATE_COMPLETED[quarter])
    return out.getvalue()


@pytest.fixture
def db(sample_copy, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sample_copy.url.render_as_string(hide_password=False))
    return sample_copy


@pytest.fixture(autouse=True)
def runs_through_app_py(monkeypatch):
    """Every AppTest run goes through app.py, as on a server once st.navigation has run.

    AppTest forgets before each run that app.py called st.navigation, takes the
    pages/ folder for an old-style page list and runs the page file alone; the
    dashboard then reruns it through app.py, and a button click is lost in that
    rerun. A server forgets nothing, so tell AppTest what st.navigation tells it.
    """
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class NavigatedPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", NavigatedPagesManager)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page)
    return run(at)


def texts(at: AppTest) -> str:
    """Everything the page says in words (messages, text, markdown, captions)."""
    parts = [e.value for kind in ("success", "error", "warning", "info", "markdown", "text",
                                  "caption", "subheader", "title") for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))   # escaped Markdown as read


def held_quarters(db) -> dict[str, list[tuple[int, str]]]:
    history = submission_history(db, "ASC0013", ADMIN)
    out: dict[str, list[tuple[int, str]]] = {}
    for row in history.to_dict("records"):
        out.setdefault(row["period"], []).append((row["version"], row["status"]))
    return out


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    for name, content in files:
        at.file_uploader[0].upload(name, content, XLSX)
    return run(at)


def confirm(at: AppTest) -> AppTest:
    at.button(key="upload:confirm").click()
    return run(at)


# --- upload ----------------------------------------------------------------------------------


def test_a_valid_workbook_is_previewed_then_stored_and_the_overview_shows_it(db):
    at = open_page("pages/upload.py")
    assert at.get("download_button")                          # the blank template is offered
    upload(at, (workbook_name(Q4), sample_workbook(Q4)))
    assert "2016/17 Q4 passed the checks" in texts(at)
    preview = at.dataframe[-1].value
    occupancy = preview[preview["Indicator"] == "Refuge occupancy"].iloc[0]
    assert occupancy["This quarter"].endswith("%") and occupancy["Target"] == "95%"
    assert "2016/17 Q4" not in held_quarters(db)              # nothing stored before confirming

    confirm(at)
    assert "stored ASC0013 2016/17 Q4 as version 1" in texts(at)
    row = submission_history(db, "ASC0013", ADMIN).iloc[0]
    assert (row["period"], row["status"], row["uploaded_by"]) == ("2016/17 Q4", "current",
                                                                  f"{getpass.getuser()} (local)")
    assert not at.file_uploader[0].value                      # emptied for the next files

    at.switch_page("pages/overview.py")
    run(at)
    assert any("2016/17 Q4" in c.value for c in at.caption)


def test_an_invalid_workbook_stores_nothing_and_lists_its_errors_by_cell(db):
    before = held_quarters(db)
    at = open_page("pages/upload.py")
    # 70 referrals responded to within 24 hours out of 60 received: impossible.
    upload(at, ("broken.xlsx", workbook(Q4, OS05=70.0, OS04=60.0)), ("notes.xlsx", b"not a workbook"))
    assert len(at.error) == 2
    assert "Not stored — 1 error to correct." in texts(at)
    said = texts(at)
    assert re.search(r"\*\*One Stop!C\d+\*\* — New referrals responded to within 24 hours "
                     r"\(OS05\) is 70", said)
    assert "*What to do:* A count of new referrals handled cannot exceed" in said
    assert not at.button                                       # no confirm button
    assert held_quarters(db) == before


def test_a_resubmission_shows_its_differences_and_supersedes(db):
    at = open_page("pages/upload.py")
    upload(at, (workbook_name(Q4), sample_workbook(Q4)))
    confirm(at)
    women = quarters.VALUES[Q4]["RF04"]
    upload(at, ("ASC0013_Q4_corrected.xlsx", workbook(Q4, RF04=women - 1, RF13=None)))
    assert "will replace version 1" in texts(at)
    differences = at.dataframe[-1].value.set_index("Code")
    assert differences.loc["RF04", "Current version"] == f"{women:,.0f}"
    assert differences.loc["RF04", "This file"] == f"{women - 1:,.0f}"
    assert differences.loc["RF13", "This file"] == "not reported"      # blank is not 0
    assert held_quarters(db)["2016/17 Q4"] == [(1, "current")]

    confirm(at)
    assert "superseding version 1" in texts(at)
    assert held_quarters(db)["2016/17 Q4"] == [(2, "current"), (1, "superseded")]


def test_several_files_are_checked_together_and_stored_with_one_confirm(db):
    at = open_page("pages/upload.py")
    upload(at, (workbook_name(Q4), sample_workbook(Q4)),
           ("Q4_other_copy.xlsx", workbook(Q4, RF04=quarters.VALUES[Q4]["RF04"] - 1)))
    assert at.button(key="upload:confirm").label == "Confirm and store 2 workbooks"
    confirm(at)
    assert held_quarters(db)["2016/17 Q4"] == [(2, "current"), (1, "superseded")]


# --- history ---------------------------------------------------------------------------------


def test_the_history_offers_the_original_file_and_traces_a_figure_to_its_cell(db):
    at = open_page("pages/upload.py")
    upload(at, (workbook_name(Q4), sample_workbook(Q4)))
    confirm(at)
    at.switch_page("pages/history.py")
    run(at)
    table = at.dataframe[0].value
    first = table.iloc[0]
    assert (first["Quarter"], first["Version"], first["Status"], first["File"]) == (
        "2016/17 Q4", 1, "Current", workbook_name(Q4))
    assert first["Uploaded by"] == f"{getpass.getuser()} (local)"
    assert at.get("download_button")[0].proto.label == "Download the original file"

    at.selectbox(key="history:indicator").set_value("RF-OCC")
    run(at)
    sources = at.dataframe[-1].value.set_index("Code")
    assert set(sources.index) == {"RF01", "RF02", "RF03"}
    assert sources.loc["RF02", "Cell"].startswith("Refuge!C")
    assert sources.loc["RF02", "File"] == workbook_name(Q4)
    assert sources.loc["RF02", "Version"] == 1
    assert any(t.value.startswith("Refuge occupancy, 2016/17 Q4: ") for t in at.text)


# --- targets ---------------------------------------------------------------------------------


def test_a_target_edit_takes_effect_from_its_quarter(db):
    for quarter in (Q3, Q4):
        at = open_page("pages/upload.py")
        upload(at, (workbook_name(quarter), sample_workbook(quarter)))
        if any(b.key == "upload:confirm" for b in at.button):   # Q3 is held already: identical
            confirm(at)
    at = open_page("pages/targets.py")
    at.selectbox(key="targets:from").set_value("2016/17 Q4")
    run(at)
    row = [i.code for i in get_type(CONTRACT["contract_type"]).indicators].index("RF-OCC")
    at.session_state["targets:editor"] = {"edited_rows": {row: {"target": 90.0}},
                                          "added_rows": [], "deleted_rows": []}
    at.text_input(key="targets:note").input("Agreed at the Q3 meeting")
    run(at)
    at.button(key="targets:save").click()
    run(at)
    assert "Saved 1 target from 2016/17 Q4 on: Refuge occupancy" in texts(at)
    history = at.dataframe[-1].value
    assert (history.iloc[0]["Indicator"], history.iloc[0]["Target"], history.iloc[0]["From"],
            history.iloc[0]["Note"]) == ("Refuge occupancy", "90%", "2016/17 Q4",
                                         "Agreed at the Q3 meeting")
    assert history.iloc[0]["By"] == f"{getpass.getuser()} (local)"

    table = indicators_for(db, "ASC0013")
    occupancy = table[(table["indicator"] == "RF-OCC") & (table["basis"] == "quarter")] \
        .set_index("period")
    assert occupancy.loc[Q3.index, "target"] == pytest.approx(0.95)
    assert occupancy.loc[Q4.index, "target"] == pytest.approx(0.90)


# --- quality visits ----------------------------------------------------------------------------


def test_a_visit_round_trips_and_the_2016_visits_are_charted(db):
    at = open_page("pages/quality_visits.py")
    assert at.get("plotly_chart")
    chart_table = at.dataframe[0].value.set_index("Service")
    assert chart_table.loc["Refuge", "Visit"] == "83%"
    assert chart_table.loc["Refuge", "After action plan"] == "90%"

    at.selectbox(key="visits:service").set_value("Fresh Start")
    at.date_input(key="visits:date").set_value(date(2017, 6, 20))
    at.number_input(key="visits:score").set_value(88.0)
    at.text_area(key="visits:summary").input("Good practice; <b>two</b> actions on supervision")
    _submit(at, "Record the visit")
    assert "Visit recorded." in texts(at)
    row = visits(db, "ASC0013", ADMIN).iloc[0]
    assert (row["service"], row["visit_date"], row["score"]) == (
        "Fresh Start", date(2017, 6, 20), pytest.approx(0.88))
    assert pd.isna(row["score_after"])                       # not scored yet: blank, not 0
    assert row["summary"] == "Good practice; <b>two</b> actions on supervision"
    assert row["created_by"] == f"{getpass.getuser()} (local)"
    shown = at.dataframe[-1].value
    assert shown.iloc[0]["Summary"] == "Good practice; <b>two</b> actions on supervision"
    assert shown.iloc[0]["After action plan"] == "not scored"


# --- actions, escalation, meetings -------------------------------------------------------------


def _submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return run(at)


def test_actions_meetings_and_escalation_round_trip(db):
    at = open_page("pages/actions.py")
    at.date_input(key="actions:meeting_date").set_value(date(2017, 2, 14))
    at.selectbox(key="actions:meeting_quarter").set_value("2016/17 Q3")
    at.text_area(key="actions:meeting_notes").input("Fresh Start engagement discussed.")
    _submit(at, "Record the meeting")
    assert meetings(db, "ASC0013", ADMIN).iloc[0]["notes"] == "Fresh Start engagement discussed."

    typed = "<script>alert('x')</script> Send the **recovery** plan"
    at.text_area(key="actions:text").input(typed)
    at.text_input(key="actions:owner").input("MK ACT manager")
    at.date_input(key="actions:due").set_value(date(2017, 3, 31))     # long past: overdue
    at.selectbox(key="actions:service").set_value("Fresh Start")
    at.selectbox(key="actions:indicator").set_value("FS-ACTIVE")
    at.selectbox(key="actions:meeting").set_value(meetings(db, "ASC0013", ADMIN).iloc[0]["id"])
    _submit(at, "Add the action")
    log = at.dataframe[0].value
    assert log.iloc[0]["Action"] == typed                   # shown as typed, as text
    assert log.iloc[0]["Overdue"] == "⚠ Overdue"
    assert log.iloc[0]["Meeting"] == "14/02/2017 (2016/17 Q3)"
    assert all(typed not in m.value for m in at.markdown)   # never put into Markdown
    assert any("1 action is overdue" in w.value for w in at.warning)

    at.selectbox(key="actions:new_status").set_value("done")
    _submit(at, "Save the update")
    row = actions(db, "ASC0013", date.today(), ADMIN).iloc[0]
    assert (row["status"], row["overdue"], row["updated_by"]) == ("done", False,
                                                                  f"{getpass.getuser()} (local)")
    assert change_history(db, "action").iloc[0][["field", "old_value", "new_value"]].tolist() == [
        "status", "open", "done"]

    at.selectbox(key="actions:stage").set_value("Stage 1: concern raised")
    at.date_input(key="actions:stage_date").set_value(date(2017, 2, 14))
    at.text_area(key="actions:stage_note").input("Low engagement in Fresh Start")
    _submit(at, "Record the change")
    assert current_stage(db, "ASC0013", ADMIN) == {"stage": "Stage 1: concern raised",
                                            "changed_on": date(2017, 2, 14),
                                            "note": "Low engagement in Fresh Start"}
    assert at.metric[0].value == "Stage 1: concern raised"
