"""The contract's escalation stage: each change is a dated note, never overwritten."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models.database import sessions
from models.schema import EscalationChange
from records.contracts import get_contract

#: The council's escalation process, from routine monitoring to a review of the contract.
STAGES: tuple[str, ...] = (
    "Routine monitoring",
    "Stage 1: concern raised",
    "Stage 2: improvement plan",
    "Stage 3: formal notice",
    "Stage 4: contract review",
)
#: The stage of a contract with no recorded change.
DEFAULT_STAGE = STAGES[0]

COLUMNS = ["id", "stage", "changed_on", "note", "created_at", "created_by"]


def change_stage(engine: Engine, contract: str, stage: str, changed_on: date, note: str,
                 created_by: str = "") -> int:
    """Record the contract moving to ``stage`` on ``changed_on``; the note says why."""
    if stage not in STAGES:
        raise ValueError(f"{stage!r} is not an escalation stage; choose one of: {', '.join(STAGES)}.")
    if not note.strip():
        raise ValueError("Say why the stage changed: the note is required.")
    with sessions(engine).begin() as session:
        change = EscalationChange(contract_id=get_contract(session, contract).id, stage=stage,
                                  changed_on=changed_on, note=note.strip(), created_by=created_by)
        session.add(change)
        session.flush()
        return change.id


def escalation_history(engine: Engine, contract: str) -> pd.DataFrame:
    """Every change of stage, latest first (by date, then by when it was recorded)."""
    with sessions(engine)() as session:
        rows = session.scalars(
            select(EscalationChange)
            .where(EscalationChange.contract_id == get_contract(session, contract).id)
            .order_by(EscalationChange.changed_on.desc(), EscalationChange.id.desc())).all()
    return pd.DataFrame(
        [{"id": c.id, "stage": c.stage, "changed_on": c.changed_on, "note": c.note,
          "created_at": c.created_at, "created_by": c.created_by} for c in rows],
        columns=COLUMNS)


def current_stage(engine: Engine, contract: str) -> dict:
    """The stage in force: ``{"stage", "changed_on", "note"}``; routine monitoring when none recorded."""
    history = escalation_history(engine, contract)
    if history.empty:
        return {"stage": DEFAULT_STAGE, "changed_on": None, "note": ""}
    latest = history.iloc[0]
    return {"stage": latest["stage"], "changed_on": latest["changed_on"], "note": latest["note"]}
