"""States as enumerations, checked by the database itself (a bad status is refused there too)."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from models.states import ActionStatus, Direction, EscalationStage
from records.contracts import add_contract
from users import local_actor


@pytest.fixture
def contract_id(engine) -> int:
    return add_contract(engine, reference="T1", title="Test", provider="P", start_date=date(2020, 4, 1),
                        initial_end_date=date(2023, 3, 31), annual_value=1000,
                        actor=local_actor("setup", via="command line"))


@pytest.mark.parametrize("statement", [
    "INSERT INTO action (contract_id, text, owner, status, created_at, created_by, updated_by, "
    "shared_with_provider) VALUES (:c, 'x', '', 'maybe', CURRENT_TIMESTAMP, '', '', false)",
    "INSERT INTO escalation_change (contract_id, stage, changed_on, note, created_at, created_by, "
    "shared_with_provider) VALUES (:c, 'Stage 9: panic', '2020-05-01', '', CURRENT_TIMESTAMP, '', false)",
    "INSERT INTO target (contract_id, indicator, value, tolerance, direction, effective_year, "
    "effective_quarter, note, created_at, created_by) VALUES (:c, 'X', 1, 0, 'sideways', 2020, 1, '', "
    "CURRENT_TIMESTAMP, '')",
    "INSERT INTO target (contract_id, indicator, value, tolerance, direction, effective_year, "
    "effective_quarter, note, created_at, created_by) VALUES (:c, 'X', 1, 0, 'higher', 2020, 5, '', "
    "CURRENT_TIMESTAMP, '')",
    "INSERT INTO submission (contract_id, year, quarter, version, is_current, uploaded_at, uploaded_by, "
    "file_name, sha256, original, warnings, completed_by, date_completed, template_version) VALUES "
    "(:c, 2020, 0, 1, true, CURRENT_TIMESTAMP, '', 'f', 'h', :b, '[]', '', '', '1')",
])
def test_a_state_not_on_the_list_is_refused_by_the_database(engine, contract_id, statement):
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(statement), {"c": contract_id, "b": b""})


def test_a_state_on_the_list_is_stored(engine, contract_id):
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO action (contract_id, text, owner, status, created_at, created_by, updated_by, "
            "shared_with_provider) VALUES (:c, 'x', '', :s, CURRENT_TIMESTAMP, '', '', false)"),
            {"c": contract_id, "s": ActionStatus.IN_PROGRESS})


def _migration_0005():
    from models.database import MIGRATIONS

    spec = importlib.util.spec_from_file_location("m0005", MIGRATIONS / "versions" / "0005_state_checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHECKS


@pytest.mark.parametrize("table, name, states", [
    ("action", "status", ActionStatus), ("escalation_change", "stage", EscalationStage),
    ("target", "direction", Direction),
])
def test_the_migration_lists_the_same_states_as_the_code(table, name, states):
    condition = dict(_migration_0005()[table])[name]
    assert all(f"'{state.value}'" in condition for state in states)
    assert condition.count("'") == 2 * len(states)
