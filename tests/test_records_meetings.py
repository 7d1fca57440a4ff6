"""Meeting notes and the escalation stage, each change dated and signed."""

from datetime import date

import pytest

from models.periods import Quarter
from records.changes import change_history
from records.contracts import add_contract
from records.escalation import DEFAULT_STAGE, STAGES, change_stage, current_stage, escalation_history
from records.meetings import add_meeting, meetings, update_meeting
from sample_data.contract import CONTRACT, SERVICES
from tests.actors import ADMIN, admin


@pytest.fixture
def db(engine):
    add_contract(engine, **CONTRACT, services=SERVICES, actor=ADMIN)
    return engine


def test_meeting_notes_round_trip_and_edits_are_logged(db):
    meeting_id = add_meeting(db, "ASC0013", date(2017, 2, 14), Quarter(2016, 3),
                             "Occupancy 99%.\nFresh Start numbers low.", actor=admin("jo"))
    add_meeting(db, "ASC0013", date(2016, 11, 10), Quarter(2016, 2), "Q2 review", actor=admin("jo"))
    held = meetings(db, "ASC0013", ADMIN)
    assert list(held["quarter"]) == ["2016/17 Q3", "2016/17 Q2"]          # newest first
    assert held.loc[0, "notes"] == "Occupancy 99%.\nFresh Start numbers low."
    update_meeting(db, meeting_id, admin("sam"), notes="Occupancy 99%. Fresh Start: recovery plan agreed.")
    assert meetings(db, "ASC0013", ADMIN).loc[0, "notes"].endswith("recovery plan agreed.")
    log = change_history(db, "meeting", meeting_id)
    assert log.loc[0, "old_value"] == "Occupancy 99%.\nFresh Start numbers low."
    assert log.loc[0, "changed_by"] == "sam"


def test_a_contract_starts_in_routine_monitoring(db):
    assert current_stage(db, "ASC0013", ADMIN)["stage"] == DEFAULT_STAGE


def test_each_stage_change_is_a_dated_note_and_the_latest_date_is_in_force(db):
    change_stage(db, "ASC0013", STAGES[1], date(2016, 11, 10), "Fresh Start engagement low", admin("jo"))
    change_stage(db, "ASC0013", STAGES[0], date(2017, 5, 2), "Numbers recovered", admin("sam"))
    # recorded later but dated earlier: history stays in date order
    change_stage(db, "ASC0013", STAGES[2], date(2017, 1, 5), "Improvement plan agreed", admin("jo"))
    assert current_stage(db, "ASC0013", ADMIN) == {"stage": STAGES[0], "changed_on": date(2017, 5, 2),
                                            "note": "Numbers recovered"}
    history = escalation_history(db, "ASC0013", ADMIN)
    assert list(history["changed_on"]) == [date(2017, 5, 2), date(2017, 1, 5), date(2016, 11, 10)]
    assert list(history["created_by"]) == ["sam", "jo", "jo"]


def test_a_stage_change_needs_a_known_stage_and_a_note(db):
    with pytest.raises(ValueError, match="not an escalation stage"):
        change_stage(db, "ASC0013", "Red alert", date(2017, 1, 5), "why", actor=ADMIN)
    with pytest.raises(ValueError, match="note is required"):
        change_stage(db, "ASC0013", STAGES[1], date(2017, 1, 5), "  ", actor=ADMIN)
    assert escalation_history(db, "ASC0013", ADMIN).empty
