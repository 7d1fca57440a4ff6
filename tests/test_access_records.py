"""Who may change and read the records of a contract, enforced in ``records/`` itself.

Every writing function against every role: allowed ones write and name the person,
refused ones raise ``users.NotAllowed`` and write nothing. Reading functions give a
provider's staff only their own organisation's contracts, and of the council-internal
records (actions, meetings, escalation) only those shared with the provider.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select, text

from data_ingest.store import original_workbook
from models.contract_types import get_type
from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, QualityVisit, RecordChange
from records import actions, contracts, escalation, meetings, submissions, targets, visits
from records.commentary import provider_commentary, quarter_return
from records.uploads import headline_preview
from users import NotAllowed, actor_for, grant, local_actor

SETUP = local_actor("setup", via="command line")
REF, OTHER_REF = "ASC0013", "ASC0042"
OWN_PROVIDER, OTHER_PROVIDER = "MK ACT", "Compass Recovery (illustrative)"
Q3 = Quarter(2016, 3)
TODAY = date(2017, 4, 10)

#: Each person: (e-mail, role, provider, contracts assigned).
PEOPLE = {
    "admin": ("admin@council.example", "admin", None, None),
    "officer (all contracts)": ("all@council.example", "officer", None, None),
    "officer (assigned)": ("assigned@council.example", "officer", None, [REF]),
    "officer (not assigned)": ("elsewhere@council.example", "officer", None, [OTHER_REF]),
    "viewer": ("viewer@council.example", "viewer", None, None),
    "provider (own)": ("staff@mkact.example", "provider", OWN_PROVIDER, None),
    "provider (other)": ("staff@compass.example", "provider", OTHER_PROVIDER, None),
    "no role": ("stranger@example.org", None, None, None),
}
#: Who may change a contract's records (targets, visits, actions, meetings, escalation).
EDITORS = {"admin", "officer (all contracts)", "officer (assigned)"}
#: Who may change the contract register.
ADMINS = {"admin"}


def grant_everyone(engine) -> dict:
    for email, role, provider, assigned in PEOPLE.values():
        if role:
            grant(engine, email, role, SETUP, provider=provider, contracts=assigned)
    return {name: actor_for(engine, email) for name, (email, *_rest) in PEOPLE.items()}


@pytest.fixture
def db(sample_copy):
    """The sample (both contracts) with everyone granted, and one of each record held."""
    people = grant_everyone(sample_copy)
    held = {
        "action": actions.add_action(sample_copy, REF, "Repair unit 4", actor=SETUP),
        "meeting": meetings.add_meeting(sample_copy, REF, date(2017, 2, 14), Q3, "Q3 review", actor=SETUP),
        "change": escalation.change_stage(sample_copy, REF, "Stage 1: concern raised", date(2017, 1, 5),
                                          "Occupancy falling", SETUP),
    }
    with sessions(sample_copy)() as session:
        held["visit"] = session.scalar(select(QualityVisit.id).order_by(QualityVisit.id))
    return sample_copy, people, held


def everything(engine) -> dict[str, list]:
    """Every row of every table a write could touch (nothing written means all equal)."""
    tables = ["provider", "contract", "service", "target", "quality_visit", "action", "meeting",
              "escalation_change", "record_change", "submission"]
    with engine.connect() as connection:
        return {t: [tuple(r) for r in connection.execute(
            text(f"SELECT * FROM {t} ORDER BY id")).all()] for t in tables if t != "submission"} | {
            "submission": connection.execute(text("SELECT id, version, is_current, uploaded_by "
                                                  "FROM submission ORDER BY id")).all()}


def _edited_targets(engine):
    table = targets.editable_targets(engine, REF, Q3, SETUP)
    table.loc[table["indicator"] == "RF-OCC", "target"] = 90.0
    return table


def _edited_actions(engine):
    before = actions.actions(engine, REF, TODAY, SETUP)
    after = before.copy()
    after.loc[0, "owner"] = "Refuge manager"
    return before, after


#: name -> (function of (engine, actor, held), who may, how to find what it wrote).
WRITES = {
    "set a target": (lambda e, a, h: targets.set_target(
        e, REF, "RF-OCC", 0.9, 0.05, "higher", Q3, a, note="raised"), EDITORS, ("target", "created_by")),
    "save target edits": (lambda e, a, h: targets.save_target_edits(
        e, REF, _edited_targets(e), Q3, a), EDITORS, ("target", "created_by")),
    "default targets": (lambda e, a, h: targets.set_default_targets(
        e, REF, get_type("domestic-abuse"), Quarter(2017, 1), a), EDITORS, ("target", "created_by")),
    "add a visit": (lambda e, a, h: visits.add_visit(
        e, REF, "Refuge", date(2017, 6, 1), 0.8, actor=a), EDITORS, ("quality_visit", "created_by")),
    "update a visit": (lambda e, a, h: visits.update_visit(
        e, h["visit"], a, summary="Revisited"), EDITORS, ("record_change", "changed_by")),
    "add an action": (lambda e, a, h: actions.add_action(
        e, REF, "Send the plan", actor=a), EDITORS, ("action", "created_by")),
    "update an action": (lambda e, a, h: actions.update_action(
        e, h["action"], a, status="done"), EDITORS, ("record_change", "changed_by")),
    "share an action": (lambda e, a, h: actions.update_action(
        e, h["action"], a, shared_with_provider=True), EDITORS, ("record_change", "changed_by")),
    "save action edits": (lambda e, a, h: actions.save_action_edits(
        e, *_edited_actions(e), a), EDITORS, ("record_change", "changed_by")),
    "add a meeting": (lambda e, a, h: meetings.add_meeting(
        e, REF, date(2017, 5, 1), Q3, "Notes", actor=a), EDITORS, ("meeting", "created_by")),
    "update a meeting": (lambda e, a, h: meetings.update_meeting(
        e, h["meeting"], a, notes="Edited"), EDITORS, ("record_change", "changed_by")),
    "change the stage": (lambda e, a, h: escalation.change_stage(
        e, REF, "Stage 2: improvement plan", date(2017, 3, 1), "No improvement", a),
        EDITORS, ("escalation_change", "created_by")),
    "share a stage change": (lambda e, a, h: escalation.share_change(
        e, h["change"], a), EDITORS, ("record_change", "changed_by")),
    "register a contract": (lambda e, a, h: contracts.register_contract(
        e, a, reference="ASC0099", title="New", provider=OWN_PROVIDER, contract_type="domestic-abuse",
        annual_value=1000, start_date=date(2020, 4, 1), initial_end_date=date(2023, 3, 31),
        parameters={"refuge_capacity": 10}), ADMINS, ("contract", "created_by")),
    "change a contract": (lambda e, a, h: contracts.change_contract(
        e, a, REF, title="Renamed"), ADMINS, ("record_change", "changed_by")),
    "end a contract": (lambda e, a, h: contracts.end_contract(
        e, a, REF, date(2018, 1, 31)), ADMINS, ("record_change", "changed_by")),
}


@pytest.mark.parametrize("person", list(PEOPLE))
@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_against_every_role(db, write, person):
    engine, people, held = db
    actor = people[person]
    do, allowed, (table, who_column) = WRITES[write]
    before = everything(engine)
    if person in allowed:
        do(engine, actor, held)
        after = everything(engine)
        assert after != before
        # The history names the person: their e-mail, as signed in.
        with engine.connect() as connection:
            names = set(connection.execute(text(f"SELECT {who_column} FROM {table}")).scalars())
        assert actor.email in names
        assert actor.recorded_as == actor.email
    else:
        with pytest.raises(NotAllowed) as refused:
            do(engine, actor, held)
        assert "may not" in str(refused.value) or "not one of your" in str(refused.value)
        assert everything(engine) == before, "a refused change wrote something"


def test_a_refusal_says_who_what_and_whom_to_ask(db):
    engine, people, _ = db
    with pytest.raises(NotAllowed) as refused:
        targets.set_target(engine, REF, "RF-OCC", 0.9, 0.05, "higher", Q3, people["viewer"])
    message = str(refused.value)
    assert "viewer@council.example" in message and REF in message and "administrator" in message
    with pytest.raises(NotAllowed, match="only an administrator"):
        contracts.change_contract(engine, people["officer (all contracts)"], REF, title="x")


def test_the_register_history_names_each_person(db):
    engine, people, _ = db
    contracts.change_contract(engine, people["admin"], REF, title="Renamed")
    contracts.end_contract(engine, SETUP, REF, date(2018, 1, 31))
    history = contracts.contract_history(engine, REF, people["viewer"])
    assert history["changed_by"].tolist()[:2] == ["setup (command line)", "admin@council.example"]


# --- reading -----------------------------------------------------------------------------------


@pytest.fixture
def shared(db):
    """One shared and one internal action, meeting and stage change of ASC0013."""
    engine, people, held = db
    officer = people["officer (assigned)"]
    ids = {
        "shared action": actions.add_action(engine, REF, "Shared action", shared_with_provider=True,
                                            actor=officer),
        "internal meeting": held["meeting"],
        "shared meeting": meetings.add_meeting(engine, REF, date(2017, 2, 20), Q3, "Shared notes",
                                               shared_with_provider=True, actor=officer),
        "shared change": escalation.change_stage(engine, REF, "Routine monitoring", date(2016, 12, 1),
                                                 "Shared note", officer, shared_with_provider=True),
    }
    actions.update_action(engine, held["action"], officer, owner="Council")        # internal
    actions.update_action(engine, ids["shared action"], officer, owner="MK ACT")   # shared
    return engine, people, held, ids


def test_council_roles_read_every_record(shared):
    engine, people, held, ids = shared
    for person in ("admin", "officer (not assigned)", "viewer"):
        actor = people[person]
        assert set(actions.actions(engine, REF, TODAY, actor)["id"]) == {held["action"], ids["shared action"]}
        assert len(meetings.meetings(engine, REF, actor)) == 2
        assert len(escalation.escalation_history(engine, REF, actor)) == 2
        assert escalation.current_stage(engine, REF, actor)["stage"] == "Stage 1: concern raised"
        assert set(actions.action_changes(engine, REF, actor)["record_id"]) == {
            held["action"], ids["shared action"]}


def test_a_provider_reads_only_what_is_shared_with_them(shared):
    engine, people, held, ids = shared
    staff = people["provider (own)"]
    log = actions.actions(engine, REF, TODAY, staff)
    assert log["text"].tolist() == ["Shared action"] and log["shared_with_provider"].all()
    assert meetings.meetings(engine, REF, staff)["notes"].tolist() == ["Shared notes"]
    history = escalation.escalation_history(engine, REF, staff)
    assert history["note"].tolist() == ["Shared note"]
    assert escalation.current_stage(engine, REF, staff)["stage"] == "Routine monitoring"
    assert set(actions.action_changes(engine, REF, staff)["record_id"]) == {ids["shared action"]}
    assert meetings.meeting_changes(engine, REF, staff).empty
    # Their own contract's returns, figures, targets, visits and history: all of them.
    assert not visits.visits(engine, REF, staff).empty
    assert not targets.target_history(engine, REF, staff).empty
    assert set(submissions.submission_history(engine, REF, staff)["contract"]) == {REF}
    assert set(submissions.submission_history(engine, None, staff)["contract"]) == {REF}
    assert quarter_return(engine, REF, Q3, staff) is not None
    assert not contracts.contract_history(engine, REF, staff).empty


def test_sharing_is_recorded_in_the_change_log(shared):
    engine, people, held, ids = shared
    officer = people["officer (assigned)"]
    assert actions.update_action(engine, held["action"], officer, shared_with_provider=True) == [
        "shared_with_provider"]
    assert meetings.update_meeting(engine, held["meeting"], officer, shared_with_provider=True) == [
        "shared_with_provider"]
    assert escalation.share_change(engine, held["change"], officer) == ["shared_with_provider"]
    with sessions(engine)() as session:
        logged = session.execute(select(RecordChange.table_name, RecordChange.old_value,
                                        RecordChange.new_value, RecordChange.changed_by)
                                 .where(RecordChange.field == "shared_with_provider")).all()
    assert sorted(logged) == [(t, "False", "True", "assigned@council.example")
                              for t in ("action", "escalation_change", "meeting")]
    staff = people["provider (own)"]
    assert "Repair unit 4" in actions.actions(engine, REF, TODAY, staff)["text"].tolist()
    assert escalation.current_stage(engine, REF, staff)["stage"] == "Stage 1: concern raised"


def _submission_id(engine, reference: str) -> int:
    from models.schema import Submission

    with sessions(engine)() as session:
        return session.scalar(select(Submission.id).join(Contract).where(Contract.reference == reference)
                              .order_by(Submission.id))


#: Every read of a contract's records, figures, submissions, history and files.
READS = {
    "actions": lambda e, a, s: actions.actions(e, REF, TODAY, a),
    "action changes": lambda e, a, s: actions.action_changes(e, REF, a),
    "meetings": lambda e, a, s: meetings.meetings(e, REF, a),
    "meeting changes": lambda e, a, s: meetings.meeting_changes(e, REF, a),
    "escalation": lambda e, a, s: escalation.escalation_history(e, REF, a),
    "stage": lambda e, a, s: escalation.current_stage(e, REF, a),
    "visits": lambda e, a, s: visits.visits(e, REF, a),
    "visit changes": lambda e, a, s: visits.visit_changes(e, REF, a),
    "targets": lambda e, a, s: targets.target_history(e, REF, a),
    "targets in force": lambda e, a, s: targets.targets_in_force(e, REF, Q3, a),
    "editable targets": lambda e, a, s: targets.editable_targets(e, REF, Q3, a),
    "history": lambda e, a, s: submissions.submission_history(e, REF, a),
    "values": lambda e, a, s: submissions.submission_values(e, s, a),
    "warnings": lambda e, a, s: submissions.submission_warnings(e, s, a),
    "sources": lambda e, a, s: submissions.measure_sources(e, REF, ["RF01"], [Q3], a),
    "figure sources": lambda e, a, s: submissions.figure_sources(e, REF, "RF-OCC", Q3, actor=a),
    "original file": lambda e, a, s: original_workbook(e, s, a),
    "quarter return": lambda e, a, s: quarter_return(e, REF, Q3, a),
    "commentary": lambda e, a, s: provider_commentary(e, REF, Q3, a),
    "contract history": lambda e, a, s: contracts.contract_history(e, REF, a),
}


@pytest.mark.parametrize("read", list(READS))
def test_another_providers_contract_is_refused_and_the_own_one_read(db, read):
    engine, people, _ = db
    submission = _submission_id(engine, REF)
    with pytest.raises(NotAllowed, match=REF):
        READS[read](engine, people["provider (other)"], submission)
    with pytest.raises(NotAllowed):
        READS[read](engine, people["no role"], submission)
    for person in ("provider (own)", "viewer", "officer (not assigned)", "admin"):
        READS[read](engine, people[person], submission)


def test_the_upload_preview_of_another_providers_contract_is_refused(db):
    from data_ingest.store import IngestResult

    engine, people, _ = db
    result = IngestResult(file_name="x.xlsx", status="passed", contract=REF, quarter=Q3)
    with pytest.raises(NotAllowed):
        headline_preview(engine, result, people["provider (other)"])
    assert isinstance(headline_preview(engine, result, people["provider (own)"]), pd.DataFrame)


def test_a_provider_lists_only_their_own_returns(db):
    engine, people, _ = db
    everyone = submissions.submission_history(engine, None, people["viewer"])
    assert set(everyone["contract"]) == {REF, OTHER_REF}
    theirs = submissions.submission_history(engine, None, people["provider (other)"])
    assert set(theirs["contract"]) == {OTHER_REF}
    assert submissions.submission_history(engine, None, people["no role"]).empty
