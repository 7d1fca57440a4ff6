"""The actions log of a contract: what was agreed, who owns it, when it is due, where it came from.

An action is overdue when its due date has passed and it is still open or in progress.
Every edit is logged field by field (records.changes) besides the action's updated_at/by.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models.catalogue import INDICATORS_BY_CODE
from models.database import sessions
from models.periods import Quarter
from models.schema import Action, Contract, Meeting, Service, utcnow
from records.changes import apply_changes
from records.contracts import NotFound, get_contract, get_service
from records.meetings import meeting_label

STATUSES: tuple[str, ...] = ("open", "in progress", "done", "dropped")
#: Statuses of an action still to be done (so it can be overdue).
OPEN_STATUSES: tuple[str, ...] = ("open", "in progress")

COLUMNS = ["id", "text", "owner", "due_date", "status", "overdue", "service", "indicator",
           "indicator_label", "meeting_id", "meeting", "created_at", "created_by", "updated_at",
           "updated_by"]
#: Fields a user may change on the log.
EDITABLE = ("text", "owner", "due_date", "status", "service", "indicator", "meeting_id")


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
        elif out["indicator"] not in INDICATORS_BY_CODE:
            raise ValueError(f"There is no indicator {out['indicator']!r}.")
    if "meeting_id" in out:
        if _blank(out["meeting_id"]):
            out["meeting_id"] = None
        else:
            meeting = session.get(Meeting, int(out["meeting_id"]))
            if meeting is None or meeting.contract_id != contract_row.id:
                raise ValueError("That meeting is not one of this contract's meetings.")
            out["meeting_id"] = meeting.id
    return out


def add_action(engine: Engine, contract: str, text: str, owner: str = "",
               due_date: date | None = None, status: str = "open", service: str | None = None,
               indicator: str | None = None, meeting_id: int | None = None,
               created_by: str = "") -> int:
    with sessions(engine).begin() as session:
        contract_row = get_contract(session, contract)
        fields = _resolve(session, contract_row, {
            "text": text, "owner": owner, "due_date": due_date, "status": status,
            "service": service, "indicator": indicator, "meeting_id": meeting_id})
        action = Action(contract_id=contract_row.id, created_by=created_by, **fields)
        session.add(action)
        session.flush()
        return action.id


def update_action(engine: Engine, action_id: int, changed_by: str, **changes) -> list[str]:
    """Change some of an action's fields (names as in EDITABLE); returns the fields changed."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"An action has no field {', '.join(sorted(unknown))}.")
    with sessions(engine).begin() as session:
        return _update(session, action_id, changed_by, changes)


def _update(session, action_id: int, changed_by: str, changes: dict) -> list[str]:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"No action {action_id} is held.")
    contract_row = session.get(Contract, action.contract_id)
    fields = _resolve(session, contract_row, changes)
    changed = apply_changes(session, action, fields, changed_by)
    if changed:
        action.updated_at = utcnow()
        action.updated_by = changed_by
    return changed


def actions(engine: Engine, contract: str, today: date) -> pd.DataFrame:
    """The contract's actions: overdue first, then by due date (none last), then newest."""
    with sessions(engine)() as session:
        contract_row = get_contract(session, contract)
        rows = session.execute(
            select(Action, Service.name, Meeting.meeting_date, Meeting.year, Meeting.quarter)
            .outerjoin(Service, Action.service_id == Service.id)
            .outerjoin(Meeting, Action.meeting_id == Meeting.id)
            .where(Action.contract_id == contract_row.id)).all()
    records = []
    for a, service, meeting_date, year, quarter in rows:
        indicator = INDICATORS_BY_CODE.get(a.indicator) if a.indicator else None
        records.append({
            "id": a.id, "text": a.text, "owner": a.owner, "due_date": a.due_date,
            "status": a.status, "overdue": is_overdue(a.due_date, a.status, today),
            "service": service or "", "indicator": a.indicator or "",
            "indicator_label": indicator.label if indicator else "",
            "meeting_id": a.meeting_id,
            "meeting": meeting_label(meeting_date, Quarter(year, quarter).label if year else "")
            if meeting_date else "",
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
                      changed_by: str) -> dict[int, list[str]]:
    """Apply the edits made to an actions table (rows matched by ``id``); returns fields changed per action.

    Only the EDITABLE columns present in both frames are compared. All or nothing:
    raises ValueError naming the action when an edit is not valid, and then no
    row's edits are stored (one transaction).
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
                    fields = _update(session, action_id, changed_by, edits)
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


def requested_changes(**fields) -> dict:
    """The fields of an update form that the user filled in (blank means unchanged)."""
    return {name: value for name, value in fields.items() if not _blank(value)}


def open_count(frame: pd.DataFrame) -> int:
    """Actions still to be done (open or in progress)."""
    return int(frame["status"].isin(OPEN_STATUSES).sum()) if not frame.empty else 0
