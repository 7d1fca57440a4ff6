"""The actions log: overdue ones stand out, edits keep who and when."""

from datetime import date

import pytest

from models.periods import Quarter
from records.actions import actions, add_action, open_count, overdue_count, save_action_edits, update_action
from records.changes import change_history
from records.contracts import add_contract
from records.meetings import add_meeting
from sample_data.contract import CONTRACT, SERVICES
from tests.actors import ADMIN, admin

TODAY = date(2017, 3, 1)


@pytest.fixture
def db(engine):
    add_contract(engine, **CONTRACT, services=SERVICES, actor=ADMIN)
    return engine


def test_an_action_round_trips_with_its_links(db):
    meeting = add_meeting(db, "ASC0013", date(2017, 2, 14), Quarter(2016, 3), "Q3 review", actor=admin("jo"))
    add_action(db, "ASC0013", "Send the Fresh Start recovery plan", owner="MK ACT manager",
               due_date=date(2017, 3, 31), service="Fresh Start", indicator="FS-ACTIVE",
               meeting_id=meeting, actor=admin("jo"))
    row = actions(db, "ASC0013", TODAY, ADMIN).iloc[0]
    assert row["text"] == "Send the Fresh Start recovery plan"
    assert row["owner"] == "MK ACT manager"
    assert row["due_date"] == date(2017, 3, 31)
    assert row["status"] == "open"
    assert row["service"] == "Fresh Start"
    assert row["indicator_label"] == "Actively engaged at the end of the period"
    assert row["meeting"] == "14/02/2017 (2016/17 Q3)"
    assert row["created_by"] == "jo"
    assert not row["overdue"]


def test_overdue_means_past_due_and_not_finished(db):
    add_action(db, "ASC0013", "late and open", due_date=date(2017, 2, 1), actor=ADMIN)
    add_action(db, "ASC0013", "late but done", due_date=date(2017, 2, 1), status="done", actor=ADMIN)
    add_action(db, "ASC0013", "due today", due_date=TODAY, actor=ADMIN)
    add_action(db, "ASC0013", "no due date", actor=ADMIN)
    add_action(db, "ASC0013", "late, in progress", due_date=date(2017, 1, 10), status="in progress", actor=ADMIN)
    log = actions(db, "ASC0013", TODAY, ADMIN)
    overdue = set(log.loc[log["overdue"], "text"])
    assert overdue == {"late and open", "late, in progress"}
    assert overdue_count(log) == 2
    assert open_count(log) == 4                                        # all but the done one
    assert list(log["text"][:2]) == ["late, in progress", "late and open"]   # overdue first
    assert log["text"].iloc[-1] == "no due date"


def test_a_status_change_records_who_and_keeps_the_old_value(db):
    action_id = add_action(db, "ASC0013", "Repair unit 4", due_date=date(2017, 2, 1), actor=admin("jo"))
    assert update_action(db, action_id, admin("sam"), status="done") == ["status"]
    row = actions(db, "ASC0013", TODAY, ADMIN).iloc[0]
    assert (row["status"], row["updated_by"], row["overdue"]) == ("done", "sam", False)
    assert row["updated_at"] is not None
    log = change_history(db, "action", action_id)
    assert log.loc[0, ["field", "old_value", "new_value", "changed_by"]].tolist() == [
        "status", "open", "done", "sam"]


def test_edits_from_the_table_are_saved_row_by_row(db):
    first = add_action(db, "ASC0013", "Repair unit 4", due_date=date(2017, 2, 1), actor=ADMIN)
    add_action(db, "ASC0013", "Staff training plan", due_date=date(2017, 4, 1), actor=ADMIN)
    before = actions(db, "ASC0013", TODAY, ADMIN)
    after = before.copy()
    after.loc[after["id"] == first, ["status", "owner"]] = ["in progress", "Refuge manager"]
    assert save_action_edits(db, before, after, admin("sam")) == {first: ["owner", "status"]}
    assert len(change_history(db, "action")) == 2


def test_a_bad_edit_in_the_table_stores_none_of_the_edits(db):
    first = add_action(db, "ASC0013", "Repair unit 4", due_date=date(2017, 2, 1), actor=ADMIN)
    second = add_action(db, "ASC0013", "Staff training plan", due_date=date(2017, 4, 1), actor=ADMIN)
    before = actions(db, "ASC0013", TODAY, ADMIN)
    after = before.copy()
    after.loc[after["id"] == first, "owner"] = "Refuge manager"
    after.loc[after["id"] == second, "status"] = "finished"
    with pytest.raises(ValueError, match="Staff training plan.*not a status"):
        save_action_edits(db, before, after, admin("sam"))
    # Nothing half-written: the valid edit of the other row was not stored either.
    held = actions(db, "ASC0013", TODAY, ADMIN).set_index("id")
    assert held.loc[first, "owner"] == ""
    assert held.loc[first, "updated_by"] in ("", None)
    assert change_history(db, "action").empty


def test_bad_actions_are_refused_in_plain_words(db):
    with pytest.raises(ValueError, match="description is required"):
        add_action(db, "ASC0013", "   ", actor=ADMIN)
    with pytest.raises(ValueError, match="not a status"):
        add_action(db, "ASC0013", "x", status="finished", actor=ADMIN)
    with pytest.raises(ValueError, match="no indicator"):
        add_action(db, "ASC0013", "x", indicator="NOPE", actor=ADMIN)
    assert actions(db, "ASC0013", TODAY, ADMIN).empty


def test_text_is_kept_exactly_as_typed(db):
    typed = "<script>alert('x')</script> **not bold** [link](javascript:alert(1))"
    add_action(db, "ASC0013", typed, owner="<b>owner</b>", actor=ADMIN)
    row = actions(db, "ASC0013", TODAY, ADMIN).iloc[0]
    assert (row["text"], row["owner"]) == (typed, "<b>owner</b>")
