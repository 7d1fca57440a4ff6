"""Quarterly contract monitoring meetings and their notes."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models.database import sessions
from models.periods import Quarter
from models.schema import Meeting
from records.changes import apply_changes
from records.contracts import NotFound, get_contract

COLUMNS = ["id", "meeting_date", "quarter", "notes", "created_at", "created_by"]


def add_meeting(engine: Engine, contract: str, meeting_date: date, quarter: Quarter | None,
                notes: str = "", created_by: str = "") -> int:
    """Record a meeting about ``quarter``'s return (None for a meeting about no one quarter)."""
    with sessions(engine).begin() as session:
        meeting = Meeting(contract_id=get_contract(session, contract).id, meeting_date=meeting_date,
                          year=quarter.year if quarter else None,
                          quarter=quarter.quarter if quarter else None,
                          notes=notes.strip(), created_by=created_by)
        session.add(meeting)
        session.flush()
        return meeting.id


def update_meeting(engine: Engine, meeting_id: int, changed_by: str, *,
                   meeting_date: date | None = None, quarter: Quarter | None = None,
                   notes: str | None = None) -> list[str]:
    """Change a meeting's date, quarter or notes; each change is logged with who and when."""
    changes: dict[str, object] = {}
    if meeting_date is not None:
        changes["meeting_date"] = meeting_date
    if quarter is not None:
        changes.update(year=quarter.year, quarter=quarter.quarter)
    if notes is not None:
        changes["notes"] = notes.strip()
    with sessions(engine).begin() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"No meeting {meeting_id} is held.")
        return apply_changes(session, meeting, changes, changed_by)


def meetings(engine: Engine, contract: str) -> pd.DataFrame:
    """The contract's meetings, newest first; ``quarter`` is a label like ``2016/17 Q3`` or ""."""
    with sessions(engine)() as session:
        rows = session.scalars(
            select(Meeting).where(Meeting.contract_id == get_contract(session, contract).id)
            .order_by(Meeting.meeting_date.desc(), Meeting.id.desc())).all()
    return pd.DataFrame(
        [{"id": m.id, "meeting_date": m.meeting_date,
          "quarter": Quarter(m.year, m.quarter).label if m.year and m.quarter else "",
          "notes": m.notes, "created_at": m.created_at, "created_by": m.created_by} for m in rows],
        columns=COLUMNS)


def meeting_label(meeting_date: date, quarter_label: str) -> str:
    """How a meeting is named in lists: ``14/02/2017 (2016/17 Q3)``."""
    day = meeting_date.strftime("%d/%m/%Y")
    return f"{day} ({quarter_label})" if quarter_label else day
