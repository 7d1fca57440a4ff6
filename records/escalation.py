"""The contract's escalation stage: each change is a dated note, never overwritten.

Escalation notes are council-internal: an officer or admin who covers the contract records
them (``users.access.require_edit``), council roles read all of them, and a provider reads
only the changes marked ``shared_with_provider`` of their own organisation's contracts (their
stage in force is the latest change shared with them).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models.database import sessions
from models.schema import Contract, EscalationChange
from models.states import EscalationStage
from records.changes import apply_changes
from records.contracts import NotFound, contract_for
from users.access import Actor, can_read_internal, require_edit

#: The council's escalation process, from routine monitoring to a review of the contract.
STAGES: tuple[EscalationStage, ...] = tuple(EscalationStage)
#: The stage of a contract with no recorded change.
DEFAULT_STAGE = EscalationStage.ROUTINE

COLUMNS = ["id", "stage", "changed_on", "note", "shared_with_provider", "created_at", "created_by"]


def change_stage(engine: Engine, contract: str, stage: str, changed_on: date, note: str,
                 actor: Actor, shared_with_provider: bool = False) -> int:
    """Record the contract moving to ``stage`` on ``changed_on``; the note says why.

    ``shared_with_provider``: the provider's staff may read it. Raises ``users.NotAllowed``
    (storing nothing) unless the person may change the contract's records.
    """
    if stage not in STAGES:
        raise ValueError(f"{stage!r} is not an escalation stage; choose one of: {', '.join(STAGES)}.")
    if not note.strip():
        raise ValueError("Say why the stage changed: the note is required.")
    with sessions(engine).begin() as session:
        contract_row = contract_for(session, contract, actor, require_edit)
        change = EscalationChange(contract_id=contract_row.id, stage=stage,
                                  changed_on=changed_on, note=note.strip(),
                                  shared_with_provider=bool(shared_with_provider),
                                  created_by=actor.recorded_as)
        session.add(change)
        session.flush()
        return change.id


def share_change(engine: Engine, change_id: int, actor: Actor, shared: bool = True) -> list[str]:
    """Share a recorded change of stage with the provider (or stop sharing it); logged in
    ``record_change`` with who and when. Returns the fields changed (none when already so)."""
    with sessions(engine).begin() as session:
        change = session.get(EscalationChange, change_id)
        if change is None:
            raise NotFound(f"No escalation change {change_id} is held.")
        require_edit(actor, session.get(Contract, change.contract_id))
        return apply_changes(session, change, {"shared_with_provider": bool(shared)},
                             actor.recorded_as)


def escalation_history(engine: Engine, contract: str, actor: Actor) -> pd.DataFrame:
    """Every change of stage, latest first (by date, then by when it was recorded).

    Anyone who may read the contract (``users.NotAllowed`` otherwise); a provider gets only
    the changes shared with the provider."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        query = (select(EscalationChange)
                 .where(EscalationChange.contract_id == contract_row.id)
                 .order_by(EscalationChange.changed_on.desc(), EscalationChange.id.desc()))
        if not can_read_internal(actor):
            query = query.where(EscalationChange.shared_with_provider.is_(True))
        rows = session.scalars(query).all()
    return pd.DataFrame(
        [{"id": c.id, "stage": c.stage, "changed_on": c.changed_on, "note": c.note,
          "shared_with_provider": bool(c.shared_with_provider),
          "created_at": c.created_at, "created_by": c.created_by} for c in rows],
        columns=COLUMNS)


def current_stage(engine: Engine, contract: str, actor: Actor) -> dict:
    """The stage in force: ``{"stage", "changed_on", "note"}``; routine monitoring when none recorded.

    For a provider, the latest change shared with the provider."""
    history = escalation_history(engine, contract, actor)
    if history.empty:
        return {"stage": DEFAULT_STAGE, "changed_on": None, "note": ""}
    latest = history.iloc[0]
    return {"stage": latest["stage"], "changed_on": latest["changed_on"], "note": latest["note"]}
