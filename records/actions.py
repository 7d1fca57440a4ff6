"""The actions log of a contract: what was agreed, who owns it, when it is due, where it came from.

An action is overdue when its due date has passed and it is still open or in progress.
Every edit is logged field by field (records.changes) besides the action's updated_at/by.

The log is council-internal: an officer or admin who covers the contract writes it
(``users.access.require_edit``), council roles read all of it, and a provider reads only
the actions marked ``shared_with_provider`` of their own organisation's contracts.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TypeVarTuple

import pandas as pd
from sqlalchemy import Engine, Select, select

from models.database import sessions
from models.periods import Quarter
from models.schema import Action, Contract, Meeting, Service, utcnow
from models.states import OPEN_ACTION_STATUSES, ActionStatus
from records.changes import apply_changes, change_history
from records.contracts import NotFound, catalogue_for, contract_for, get_service
from records.meetings import meeting_label
from users.access import Actor, can_read_internal, require_edit

STATUSES: tuple[ActionStatus, ...] = tuple(ActionStatus)
#: Statuses of an action still to be done (so it can be overdue).
OPEN_STATUSES: tuple[ActionStatus, ...] = OPEN_ACTION_STATUSES

COLUMNS = ["id", "text", "owner", "due_date", "status", "overdue", "service", "indicator",
           "indicator_label", "meeting_id", "meeting", "shared_with_provider", "created_at", "created_by",
           "updated_at", "updated_by"]
#: Fields a user may change on the log.
EDITABLE = ("text", "owner", "due_date", "status", "service", "indicator", "meeting_id",
            "shared_with_provider")


def is_overdue(due_date: date | None, status: str, today: date) -> bool:
    return due_date is not None and due_date < today and status in OPEN_STATUSES


def _blank(value) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (
        isinstance(value, float) and math.isnan(value)) or value == ""


def _as_date(value) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _resolve(session, contract_row, fields: dict) -> dict:
    """Check the fields and turn a service name into its id; raises ValueError in plain words."""
    out = dict(fields)
    if "text" in out:
        out["text"] = ("" if _blank(out["text"]) else str(out["text"])).strip()
        if not out["text"]:
            raise ValueError("Say what the action is: the description is required.")
    if "owner" in out:
        out["owner"] = "" if _blank(out["owner"]) else str(out["owner"]).strip()
    if "status" in out and out["status"] not in STATUSES:
        raise ValueError(f"{out['status']!r} is not a status; choose one of: {', '.join(STATUSES)}.")
    if "due_date" in out:
        out["due_date"] = _as_date(out["due_date"])
    if "service" in out:
        name = out.pop("service")
        out["service_id"] = None if _blank(name) else get_service(session, contract_row, name).id
    if "indicator" in out:
        if _blank(out["indicator"]):
            out["indicator"] = None
        elif out["indicator"] not in catalogue_for(session, contract_row.reference).indicators_by_code:
            raise ValueError(f"Contract {contract_row.reference} has no indicator {out['indicator']!r}.")
    if "meeting_id" in out:
        if _blank(out["meeting_id"]):
            out["meeting_id"] = None
        else:
            meeting = session.get(Meeting, int(out["meeting_id"]))
            if meeting is None or meeting.contract_id != contract_row.id:
                raise ValueError("That meeting is not one of this contract's meetings.")
            out["meeting_id"] = meeting.id
    if "shared_with_provider" in out:
        out["shared_with_provider"] = False if _blank(out["shared_with_provider"]) \
            else bool(out["shared_with_provider"])
    return out


def add_action(engine: Engine, contract: str, text: str, owner: str = "",
               due_date: date | None = None, status: str = "open", service: str | None = None,
               indicator: str | None = None, meeting_id: int | None = None,
               shared_with_provider: bool = False, *, actor: Actor) -> int:
    """Add an action to the contract's log, recorded against ``actor``; its id.

    ``shared_with_provider``: the provider's staff may read it. Raises ``users.NotAllowed``
    (storing nothing) unless the person may change the contract's records.
    """
    with sessions(engine).begin() as session:
        contract_row = contract_for(session, contract, actor, require_edit)
        fields = _resolve(session, contract_row, {
            "text": text, "owner": owner, "due_date": due_date, "status": status,
            "service": service, "indicator": indicator, "meeting_id": meeting_id,
            "shared_with_provider": shared_with_provider})
        action = Action(contract_id=contract_row.id, created_by=actor.recorded_as, **fields)
        session.add(action)
        session.flush()
        return action.id


def update_action(engine: Engine, action_id: int, actor: Actor, **changes) -> list[str]:
    """Change some of an action's fields (names as in EDITABLE); returns the fields changed.

    ``shared_with_provider=True`` shares it with the provider (logged like any change).
    Raises ``users.NotAllowed`` (storing nothing) unless the person may change the
    contract's records."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"An action has no field {', '.join(sorted(unknown))}.")
    with sessions(engine).begin() as session:
        return _update(session, action_id, actor, changes)


def _update(session, action_id: int, actor: Actor, changes: dict) -> list[str]:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"No action {action_id} is held.")
    contract_row = session.get(Contract, action.contract_id)
    require_edit(actor, contract_row)
    fields = _resolve(session, contract_row, changes)
    changed = apply_changes(session, action, fields, actor.recorded_as)
    if changed:
        action.updated_at = utcnow()
        action.updated_by = actor.recorded_as
    return changed


_Columns = TypeVarTuple("_Columns")


def _visible(query: Select[*_Columns], actor: Actor) -> Select[*_Columns]:
    """Only the actions shared with the provider, for someone who may not read internal records."""
    return query if can_read_internal(actor) else query.where(Action.shared_with_provider.is_(True))


def actions(engine: Engine, contract: str, today: date, actor: Actor) -> pd.DataFrame:
    """The contract's actions: overdue first, then by due date (none last), then newest.

    Anyone who may read the contract (``users.NotAllowed`` otherwise); a provider gets only
    the actions shared with the provider."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        indicators = catalogue_for(session, contract).indicators_by_code
        rows = session.execute(_visible(
            select(Action, Service.name, Meeting.meeting_date, Meeting.year, Meeting.quarter)
            .outerjoin(Service, Action.service_id == Service.id)
            .outerjoin(Meeting, Action.meeting_id == Meeting.id)
            .where(Action.contract_id == contract_row.id), actor)).all()
    records = []
    for a, service, meeting_date, year, quarter in rows:
        indicator = indicators.get(a.indicator) if a.indicator else None
        records.append({
            "id": a.id, "text": a.text, "owner": a.owner, "due_date": a.due_date,
            "status": a.status, "overdue": is_overdue(a.due_date, a.status, today),
            "service": service or "", "indicator": a.indicator or "",
            "indicator_label": indicator.label if indicator else "",
            "meeting_id": a.meeting_id,
            "meeting": meeting_label(meeting_date, Quarter(year, quarter).label if year and quarter else "")
            if meeting_date else "",
            "shared_with_provider": bool(a.shared_with_provider),
            "created_at": a.created_at, "created_by": a.created_by,
            "updated_at": a.updated_at, "updated_by": a.updated_by})
    frame = pd.DataFrame(records, columns=COLUMNS)
    if frame.empty:
        return frame
    frame["_no_due"] = frame["due_date"].isna()
    frame = frame.sort_values(["overdue", "_no_due", "due_date", "id"],
                              ascending=[False, True, True, False], na_position="last")
    return frame.drop(columns="_no_due").reset_index(drop=True)


def overdue_count(frame: pd.DataFrame) -> int:
    return int(frame["overdue"].sum()) if not frame.empty else 0


def save_action_edits(engine: Engine, before: pd.DataFrame, after: pd.DataFrame,
                      actor: Actor) -> dict[int, list[str]]:
    """Apply the edits made to an actions table (rows matched by ``id``); returns fields changed per action.

    Only the EDITABLE columns present in both frames are compared. All or nothing:
    raises ValueError naming the action when an edit is not valid, and ``users.NotAllowed``
    when the person may not change the contract's records, and then no row's edits are
    stored (one transaction).
    """
    columns = [c for c in EDITABLE if c in before.columns and c in after.columns]
    old_rows = before.set_index("id")
    changed: dict[int, list[str]] = {}
    with sessions(engine).begin() as session:
        for _, row in after.iterrows():
            action_id = int(row["id"])
            old = old_rows.loc[action_id]
            edits = {c: row[c] for c in columns if not _equal(old[c], row[c])}
            if edits:
                try:
                    fields = _update(session, action_id, actor, edits)
                except ValueError as problem:
                    raise ValueError(f"Action “{old['text']}”: {problem}") from None
                if fields:
                    changed[action_id] = fields
    return changed


def _equal(a, b) -> bool:
    if _blank(a) and _blank(b):
        return True
    if isinstance(a, pd.Timestamp) or isinstance(b, pd.Timestamp):
        return _as_date(a) == _as_date(b)
    return a == b


def action_changes(engine: Engine, contract: str, actor: Actor) -> pd.DataFrame:
    """The change log of the contract's actions that the person may read (``actions``), newest
    first: columns of ``records.changes.change_history``."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        ids = list(session.scalars(_visible(select(Action.id).where(
            Action.contract_id == contract_row.id), actor)))
    return change_history(engine, Action.__tablename__, record_ids=ids)


def requested_changes(**fields) -> dict:
    """The fields of an update form that the user filled in (blank means unchanged)."""
    return {name: value for name, value in fields.items() if not _blank(value)}


def open_count(frame: pd.DataFrame) -> int:
    """Actions still to be done (open or in progress)."""
    return int(frame["status"].isin(OPEN_STATUSES).sum()) if not frame.empty else 0
